"""Where in a YAML file a value sits, so a refusal can name the file's line.

Configuration files (retention policies, playbooks) are validated by pydantic, whose
errors give a path (`rules.1.keep_days`); the composed YAML node tree turns that path
into the line a person should edit.
"""

from collections.abc import Iterable

import yaml


def child(node: yaml.Node, step: int | str) -> yaml.Node | None:
    """The value under a mapping key or at a sequence index, if there is one."""
    if isinstance(node, yaml.MappingNode) and isinstance(step, str):
        return next((v for k, v in node.value if getattr(k, "value", None) == step), None)
    if isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
        found: yaml.Node = node.value[step]
        return found
    return None


def line_of(root: yaml.Node, path: Iterable[int | str]) -> int:
    """1-based line of the deepest node along `path` that the file has."""
    node = root
    for step in path:
        found = child(node, step)
        if found is None:
            break
        node = found
    return node.start_mark.line + 1
