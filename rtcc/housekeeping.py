"""The server's periodic duties, wired to its services: sign audit checkpoints, look for
misuse, purge by the retention policy (and alarm when that is overdue), purge old
intelligence.

Each runs in a worker thread on its own interval while the server is up; a failure is
logged and retried at the next interval, never fatal to the server.
"""

import logging
from collections.abc import Callable
from typing import Any

import anyio
import anyio.to_thread
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from rtcc.api.services import Services
from rtcc.core.clock import utcnow
from rtcc.governance.audit_checkpoints import make_checkpoint
from rtcc.governance.retention import overdue_alert, purge_expired_intel, run_purge
from rtcc.governance.review_queue import run_detection

log = logging.getLogger(__name__)

INTEL_PURGE_EVERY_S = 3600.0
OVERDUE_CHECK_EVERY_S = 3600.0


async def _every(seconds: float, job: Callable[..., Any], *args: Any) -> None:
    while True:
        await anyio.sleep(seconds)
        try:
            await anyio.to_thread.run_sync(job, *args)
        except Exception:
            log.exception("housekeeping job %s failed; retrying next interval", job.__name__)


async def _alarm_when_purge_overdue(svc: Services) -> None:
    started = utcnow()
    every_h = svc.settings.retention.every_hours
    while True:
        await anyio.sleep(OVERDUE_CHECK_EVERY_S)
        alert = await anyio.to_thread.run_sync(overdue_alert, svc.storage, every_h, started)
        if alert is not None:
            log.warning("%s", alert.title)
            await anyio.to_thread.run_sync(svc.storage.events.add_alerts, [alert])
            svc.bus.publish_alerts([alert])


def _purge(svc: Services, key: Ed25519PrivateKey) -> None:
    run_purge(svc.storage, svc.decisions, svc.retention.current(), key)
    if svc.retention.last_error:
        log.error("retention policy: %s", svc.retention.last_error)


async def run_housekeeping(svc: Services, audit_key: Ed25519PrivateKey) -> None:
    """Run until cancelled."""
    storage, settings = svc.storage, svc.settings
    async with anyio.create_task_group() as tasks:
        checkpoint_s = settings.audit_checkpoint_minutes * 60
        tasks.start_soon(_every, checkpoint_s, make_checkpoint, storage.audit, audit_key)
        misuse = settings.misuse
        tasks.start_soon(
            _every, misuse.every_minutes * 60, run_detection, storage.audit, storage.reviews, misuse
        )
        tasks.start_soon(
            _every, INTEL_PURGE_EVERY_S, purge_expired_intel, storage.intel, svc.decisions
        )
        tasks.start_soon(_every, settings.retention.every_hours * 3600, _purge, svc, audit_key)
        tasks.start_soon(_alarm_when_purge_overdue, svc)
