"""Read playbook files; a broken one is refused with its file, line and reason.

The line comes from the YAML node the first validation error points at (the same
technique as the retention policy loader, `rtcc.governance.retention_policy`).
"""

from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError

from rtcc.core.yaml_lines import child, line_of
from rtcc.pipeline.playbooks.model import Playbook

STARTER_DIR = Path(__file__).parent / "starter"


@dataclass(frozen=True, slots=True)
class LoadError:
    """Why a file was refused, e.g. ``gunshot.yaml:12: actions.alert.severity: …``."""

    path: Path
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.reason}"


class PlaybookError(ValueError):
    def __init__(self, error: LoadError) -> None:
        super().__init__(str(error))
        self.error = error


def load_file(path: Path) -> Playbook:
    """One playbook, or PlaybookError naming the file, the line and the reason."""
    try:
        text = path.read_text(encoding="utf-8")
        root = yaml.compose(text)
        data = yaml.safe_load(text)
    except OSError as exc:
        raise PlaybookError(LoadError(path, 0, f"cannot read: {exc.strerror}")) from exc
    except UnicodeDecodeError as exc:
        raise PlaybookError(LoadError(path, 0, "not UTF-8 text")) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 0
        problem = getattr(exc, "problem", None) or str(exc)
        raise PlaybookError(LoadError(path, line, f"not valid YAML: {problem}")) from exc
    if root is None or not isinstance(data, dict):
        line = root.start_mark.line + 1 if root is not None else 1
        raise PlaybookError(LoadError(path, line, "a playbook must be a YAML mapping"))
    try:
        return Playbook.model_validate(data)
    except ValidationError as exc:
        raise PlaybookError(_located(path, root, exc)) from exc


def _located(path: Path, root: yaml.Node, exc: ValidationError) -> LoadError:
    error = exc.errors()[0]
    field = ".".join(str(s) for s in error["loc"]) or "playbook"
    message = str(error["msg"]).removeprefix("Value error, ")
    return LoadError(path, line_of(root, error["loc"]), f"{field}: {message}")


def _line_of(path: Path, key: str) -> int:
    """The line of a top-level key in a file that has already loaded once."""
    root = yaml.compose(path.read_text(encoding="utf-8"))
    node = child(root, key) if root is not None else None
    return node.start_mark.line + 1 if node is not None else 1


def playbook_files(folder: Path) -> list[Path]:
    return sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")])


def load_folder(folder: Path) -> tuple[list[tuple[Path, Playbook]], list[LoadError]]:
    """Every file in the folder; the good ones, and why each bad one was refused."""
    loaded: list[tuple[Path, Playbook]] = []
    errors: list[LoadError] = []
    if not folder.is_dir():
        return [], [LoadError(folder, 0, "playbooks folder does not exist")]
    names: dict[str, Path] = {}
    for path in playbook_files(folder):
        try:
            playbook = load_file(path)
        except PlaybookError as exc:
            errors.append(exc.error)
            continue
        if playbook.name in names:
            line = _line_of(path, "name")
            used = f"name: {playbook.name} is already used by {names[playbook.name]}"
            errors.append(LoadError(path, line, used))
            continue
        names[playbook.name] = path
        loaded.append((path, playbook))
    return loaded, errors
