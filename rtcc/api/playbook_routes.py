"""Playbooks: what is loaded, what was refused and why, what fatigue control held back."""

from typing import Any

import anyio.to_thread
from fastapi import APIRouter, Request

from rtcc.api.security import require
from rtcc.governance.roles import Permission
from rtcc.pipeline.playbooks.engine import PlaybookSet

router = APIRouter()


def playbooks_of(request: Request) -> PlaybookSet:
    playbooks: PlaybookSet = request.app.state.playbooks
    return playbooks


@router.get("/api/v1/playbooks", dependencies=[require(Permission.ADMIN_VIEW)])
def list_playbooks(request: Request) -> dict[str, Any]:
    """Each loaded playbook with its alert and suppression counters, and each refused file."""
    return playbooks_of(request).status()


@router.post("/api/v1/playbooks/reload", dependencies=[require(Permission.PLAYBOOKS_MANAGE)])
async def reload_playbooks(request: Request) -> dict[str, Any]:
    """Re-read the folder now; a refused file keeps its last good version running."""
    playbooks = playbooks_of(request)
    await anyio.to_thread.run_sync(lambda: playbooks.reload(force=True))
    return playbooks.status()
