"""The `rtcc` command: serve, demo, simulate, users, sources, audit, retention, settings."""

import asyncio
import atexit
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from rich.console import Console

from rtcc.governance import bootstrap
from rtcc.governance.audit_checkpoints import (
    load_or_create_key,
    load_public_key,
    make_checkpoint,
    verify_checkpoints,
)
from rtcc.governance.authz import DecisionPoint
from rtcc.governance.retention import run_purge
from rtcc.governance.retention_policy import PolicyError, PolicyInForce, load_policy
from rtcc.governance.roles import Role
from rtcc.pipeline.playbooks.commands import playbook
from rtcc.settings import Settings, settings_json_schema
from rtcc.storage.base import AlreadyExists, Storage
from rtcc.storage.open import open_storage

app = typer.Typer(
    help="OpenRTCC: an open, self-hosted Real-Time Crime Center.", no_args_is_help=True
)
users = typer.Typer(help="People's accounts.", no_args_is_help=True)
sources = typer.Typer(help="Machine sources and their API keys.", no_args_is_help=True)
audit = typer.Typer(help="The tamper-evident audit trail.", no_args_is_help=True)
retention = typer.Typer(help="Retention: check a policy file, purge now.", no_args_is_help=True)
app.add_typer(users, name="users")
app.add_typer(sources, name="sources")
app.add_typer(audit, name="audit")
app.add_typer(retention, name="retention")
hotlist = typer.Typer(help="LPR hotlists.", no_args_is_help=True)
app.add_typer(hotlist, name="hotlist")
app.add_typer(playbook, name="playbook")
console = Console()


def _storage() -> Storage:
    """The configured backend, closed when the command ends (a PostgreSQL pool's threads
    and connections go with it)."""
    storage = open_storage(Settings())
    atexit.register(storage.close)
    return storage


@app.command()
def serve() -> None:
    """Run the server (settings from RTCC_CONFIG and RTCC_* variables)."""
    from rtcc.app import WS_PROTOCOL, create_app
    from rtcc.governance.bootstrap import ensure_admin

    settings = Settings()
    web = create_app(settings)
    password = ensure_admin(web.state.services.storage.accounts)
    if password:
        console.print(f"Created user [bold]admin[/] with password [bold]{password}[/] (shown once)")
        console.print("Before signing in, enrol MFA: [bold]rtcc users enrol-mfa admin[/]")
    uvicorn.run(web, host=settings.host, port=settings.port, log_level="info", ws=WS_PROTOCOL)


@app.command()
def worker(
    index: int = typer.Option(0, help="this worker's number, 0 … of-1"),
    of: int = typer.Option(1, "--of", min=1, help="how many workers the deployment runs"),
) -> None:
    """Run a pipeline worker: stores and judges the batches the API queued on JetStream
    (needs RTCC_BUS_URL; every worker is started with the same --of)."""
    import logging

    from rtcc.distributed.worker import run_worker

    settings = Settings()
    if not settings.bus_url:
        console.print("[red]rtcc worker needs bus_url (RTCC_BUS_URL=nats://host:4222)[/]")
        raise typer.Exit(2)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    storage = open_storage(settings)
    try:
        asyncio.run(run_worker(settings, storage, index, of))
    except KeyboardInterrupt:
        pass
    finally:
        storage.close()


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
    try:
        password = bootstrap.create_user(_storage().accounts, username, role)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="role") from exc
    except AlreadyExists as exc:
        raise typer.BadParameter(str(exc), param_hint="username") from exc
    console.print(f"{username} ({role.value}): password [bold]{password}[/] (shown once)")


@users.command("attributes")
def users_attributes(
    username: str,
    unit: Annotated[str | None, typer.Option(help="the unit they work in, e.g. 4A12")] = None,
    camera_group: Annotated[
        list[str] | None, typer.Option(help="a camera group they may open (repeat for more)")
    ] = None,
) -> None:
    """Set the attributes the decision point weighs beside the role (replaces the old ones)."""
    accounts = _storage().accounts
    if accounts.get_user(username) is None:
        raise typer.BadParameter(f"no user {username}", param_hint="username")
    accounts.set_attributes(username, unit, camera_group or [])
    groups = ", ".join(sorted(set(camera_group or []))) or "none"
    console.print(f"{username}: unit {unit or 'none'}; camera groups {groups}")


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
def audit_verify(
    public_key: Annotated[
        Path | None, typer.Option(help="PEM public key to trust (default: this server's)")
    ] = None,
) -> None:
    """Check the hash chain and every signed checkpoint; exit 1 and say where if altered."""
    store = _storage().audit
    intact, checked, detail = store.verify()
    typer.echo(f"chain {'intact' if intact else 'BROKEN'}: {checked} rows checked; {detail}")
    trusted = (
        load_public_key(public_key)
        if public_key
        else load_or_create_key(Settings().keys_dir).public_key()
    )
    report = verify_checkpoints(store, trusted)
    state = "intact" if report.intact else "BROKEN"
    typer.echo(f"checkpoints {state}: {report.checked} signed checkpoints checked")
    for problem in report.problems:
        typer.echo(f"  {problem}")
    if not (intact and report.intact):
        raise typer.Exit(1)


@audit.command("checkpoint")
def audit_checkpoint() -> None:
    """Sign a checkpoint of the trail now (the server also does so periodically)."""
    made = make_checkpoint(_storage().audit, load_or_create_key(Settings().keys_dir))
    if made is None:
        console.print("nothing new to sign since the last checkpoint")
    else:
        console.print(f"signed rows 1-{made.last_seq}: root {made.root} (key {made.key_id})")


@hotlist.command("import")
def hotlist_import(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="NCIC-style file")],
    list_name: Annotated[str, typer.Option("--list", help="the list this file refreshes")],
    format: Annotated[str, typer.Option("--format", help="ncic | wa | sfr")] = "ncic",
    valid_days: Annotated[int, typer.Option(help="days the imported entries match")] = 7,
) -> None:
    """Refresh a list from a file; each malformed line is printed as FILE:LINE: reason.

    Exit 0: all lines loaded; 1: some lines refused (the rest loaded); 2: nothing imported.
    """
    from rtcc.analysis.hotlists.importing import import_file
    from rtcc.analysis.hotlists.models import HotlistError
    from rtcc.analysis.hotlists.ncic import FORMATS

    if format not in FORMATS:
        typer.echo(f"--format must be one of {', '.join(FORMATS)}", err=True)
        raise typer.Exit(2)
    try:
        result = import_file(
            _storage().hotlists, list_name, str(file), file.read_bytes(), format, "cli", valid_days
        )
    except HotlistError as exc:
        typer.echo(f"{file}: {exc}", err=True)
        raise typer.Exit(2) from None
    for error in result.errors:
        typer.echo(str(error), err=True)
    typer.echo(
        f"{list_name}: {result.loaded} loaded, {result.removed} removed, "
        f"{len(result.errors)} lines refused"
    )
    raise typer.Exit(1 if result.errors else 0)


@retention.command("check")
def retention_check(policy: Path) -> None:
    """Check a retention policy file; print `FILE:LINE: reason` and exit 1 if it is wrong."""
    try:
        loaded = load_policy(policy)
    except PolicyError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
    for rule in loaded.rules:
        typer.echo(f"{rule.kind}: {rule.keep_days} days")


@retention.command("run")
def retention_run() -> None:
    """Purge what the policy says has expired, now; print the signed certificate."""
    settings = Settings()
    storage = _storage()
    policy = PolicyInForce(settings.retention.policy_path).current()
    key = load_or_create_key(settings.keys_dir)
    certificate = run_purge(storage, DecisionPoint(storage.audit), policy, key)
    for kind in certificate["kinds"]:
        typer.echo(f"{kind['kind']}: {kind['count']} deleted, {kind['held']} held")
    typer.echo(f"certificate {certificate['id']}: digest {certificate['digest']}")


@app.command("settings-schema")
def settings_schema() -> None:
    """Print the JSON schema of the settings file."""
    print(settings_json_schema())


def main() -> None:
    app()


if __name__ == "__main__":
    main()
