"""Inputs: one sub-package per wire format, each translating messages into event dicts."""
