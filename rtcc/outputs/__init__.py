"""Outputs: alerts delivered to the people and systems that act on them, one module per channel."""
