"""OpenRTCC: an open, self-hosted Real-Time Crime Center platform."""

__version__ = "0.1.0"
