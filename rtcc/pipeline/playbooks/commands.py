"""`rtcc playbook schema | check | test`: the published schema, load errors, the tests."""

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from rtcc.pipeline.playbooks.loader import STARTER_DIR, load_folder
from rtcc.pipeline.playbooks.model import playbook_schema
from rtcc.pipeline.playbooks.testing import run_folder

playbook = typer.Typer(help="Playbooks: YAML correlation rules.", no_args_is_help=True)
console = Console()
Folder = Annotated[
    Path | None,
    typer.Argument(help="folder of playbook files; default: RTCC_PLAYBOOKS_DIR or the starters"),
]


def schema_text() -> str:
    """The JSON schema as committed in docs/playbooks.schema.json."""
    return json.dumps(playbook_schema(), indent=2, ensure_ascii=False) + "\n"


def _folder(folder: Path | None) -> Path:
    if folder is not None:
        return folder
    from rtcc.settings import Settings

    return Settings().playbooks_dir or STARTER_DIR


@playbook.command("schema")
def schema() -> None:
    """Print the playbook JSON schema."""
    typer.echo(schema_text(), nl=False)


@playbook.command("check")
def check(folder: Folder = None) -> None:
    """Load every playbook file; name each refused one with its file, line and reason."""
    loaded, errors = load_folder(_folder(folder))
    for _, book in loaded:
        console.print(f"ok   {book.name}")
    for error in errors:
        console.print(f"[red]refused[/] {error}", highlight=False, soft_wrap=True)
    if errors:
        raise typer.Exit(1)


@playbook.command("test")
def test(folder: Folder = None) -> None:
    """Run the test cases each playbook file carries (temporary SQLite store per case)."""
    results = run_folder(_folder(folder))
    for result in results:
        console.print(str(result), highlight=False, markup=False, soft_wrap=True)
    failed = sum(1 for r in results if not r.passed)
    console.print(f"{len(results) - failed} passed, {failed} failed")
    if failed or not results:
        raise typer.Exit(1)
