"""`rtcc serve | demo | simulate | users … | sources … | audit verify | settings-schema`."""

import asyncio
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from rich.console import Console

from rtcc.governance import bootstrap
from rtcc.governance.roles import Role
from rtcc.settings import Settings, settings_json_schema
from rtcc.storage.sqlite import SqliteStorage

app = typer.Typer(
    help="OpenRTCC: an open, self-hosted Real-Time Crime Center.", no_args_is_help=True
)
users = typer.Typer(help="People's accounts.", no_args_is_help=True)
sources = typer.Typer(help="Machine sources and their API keys.", no_args_is_help=True)
audit = typer.Typer(help="The tamper-evident audit trail.", no_args_is_help=True)
app.add_typer(users, name="users")
app.add_typer(sources, name="sources")
app.add_typer(audit, name="audit")
console = Console()


def _storage() -> SqliteStorage:
    settings = Settings()
    return SqliteStorage(settings.db_path, settings.sqlite_synchronous)


@app.command()
def serve() -> None:
    """Run the server (settings from RTCC_CONFIG and RTCC_* variables)."""
    from rtcc.app import create_app
    from rtcc.governance.bootstrap import ensure_admin

    settings = Settings()
    web = create_app(settings)
    password = ensure_admin(web.state.services.storage.accounts)
    if password:
        console.print(f"Created user [bold]admin[/] with password [bold]{password}[/] (shown once)")
        console.print("Before signing in, enrol MFA: [bold]rtcc users enrol-mfa admin[/]")
    uvicorn.run(web, host=settings.host, port=settings.port, log_level="info")


@app.command()
def demo(
    seed: Annotated[int, typer.Option(help="city and event seed (repeatable runs)")] = 7,
    intensity: Annotated[float, typer.Option(help="scales incident/shot/read rates")] = 1.0,
) -> None:
    """Server + video wall + simulated city, all on the embedded default (SQLite)."""
    from rtcc.demo import run_demo

    run_demo(Settings(), seed, intensity)


@app.command()
def simulate(
    url: Annotated[str, typer.Option(help="base URL of the OpenRTCC server")],
    key_file: Annotated[Path, typer.Option(help="file holding the source's API key")],
    seed: int = 7,
    intensity: float = 1.0,
    duration: Annotated[float | None, typer.Option(help="seconds; default: until stopped")] = None,
) -> None:
    """Drive a synthetic city through the public ingest API, like a real feed."""
    from rtcc.simulator import run_simulation

    key = key_file.read_text().strip()
    stats = asyncio.run(
        run_simulation(url, key, seed=seed, intensity=intensity, duration_s=duration)
    )
    console.print(stats)


@app.command()
def replay(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="recorded data")],
    source: Annotated[str, typer.Option(help="the source name the events are filed under")],
    adapter: Annotated[str, typer.Option(help="the format: a name from rtcc/sources/registry")],
    url: Annotated[str, typer.Option(help="base URL of the server")] = "http://127.0.0.1:8080",
    key_file: Annotated[Path | None, typer.Option(help="file with the source's API key")] = None,
    options: Annotated[str, typer.Option(help="adapter options as JSON or @file.json/yaml")] = "{}",
    speed: Annotated[float, typer.Option(help="times real time; 0 = as fast as possible")] = 0.0,
) -> None:
    """Stream a recorded file through its adapter and the public ingest API."""
    from rtcc.sources.cli_replay import run_replay

    raise typer.Exit(run_replay(file, source, adapter, url, key_file, options, speed, console))


@users.command("add")
def users_add(username: str, role: Role) -> None:
    """Create an account with a generated password (printed once)."""
    password = bootstrap.create_user(_storage().accounts, username, role)
    console.print(f"{username} ({role.value}): password [bold]{password}[/] (shown once)")


@users.command("reset-password")
def users_reset_password(username: str) -> None:
    """Generate a new password and end the user's sessions."""
    try:
        password = bootstrap.reset_password(_storage().accounts, username)
    except KeyError:
        console.print(f"[red]no such user: {username}[/]")
        raise typer.Exit(2) from None
    console.print(f"{username}: new password [bold]{password}[/] (shown once)")


@users.command("enrol-mfa")
def users_enrol_mfa(
    username: str,
    qr: Annotated[Path | None, typer.Option(help="where to write the QR code (SVG)")] = None,
) -> None:
    """Enrol (or re-enrol) an authenticator app: prints the otpauth URI, writes a QR code."""
    from rtcc.governance.mfa import write_qr_svg

    try:
        uri = bootstrap.enrol_mfa(_storage().accounts, username)
    except KeyError:
        console.print(f"[red]no such user: {username}[/]")
        raise typer.Exit(2) from None
    path = qr or Settings().data_dir / f"mfa-{username}.svg"
    write_qr_svg(uri, path)
    path.chmod(0o600)  # it holds the secret: scan it, then delete it
    console.print(f"{username}: scan the QR code in [bold]{path}[/], then delete the file")
    console.print(uri, soft_wrap=True, markup=False, highlight=False)


@users.command("list")
def users_list() -> None:
    for user in _storage().accounts.list_users():
        console.print(f"{user.username}\t{user.role}\t{'disabled' if user.disabled else ''}")


@sources.command("add")
def sources_add(name: str) -> None:
    """Create an API key for a machine source (printed once; only its hash is stored)."""
    key = bootstrap.create_source_key(_storage().accounts, name)
    console.print(f"API key for source {name}: [bold]{key}[/] (shown once)")


@audit.command("verify")
def audit_verify() -> None:
    """Check the audit hash chain; exit 1 if it was altered."""
    intact, checked, detail = _storage().audit.verify()
    console.print(f"{'intact' if intact else 'BROKEN'}: {checked} rows checked; {detail}")
    if not intact:
        raise typer.Exit(1)


@app.command("settings-schema")
def settings_schema() -> None:
    """Print the JSON schema of the settings file."""
    print(settings_json_schema())


def main() -> None:
    app()


if __name__ == "__main__":
    main()
