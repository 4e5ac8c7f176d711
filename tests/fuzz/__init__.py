"""Fuzzing: every wire format, the event API models, hotlist files and the HTTP API."""
