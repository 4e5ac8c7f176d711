"""Playbooks: correlation rules as YAML files, validated, reloadable, carrying their tests."""
