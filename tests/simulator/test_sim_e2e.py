"""The simulator's events are accepted by the real ingest API, end to end (in-process)."""

import httpx
from fastapi import FastAPI

from rtcc.simulator import run_simulation
from tests.simulator.test_sim_runner import FakeClock


async def test_real_ingest_accepts_every_simulated_event(app: FastAPI, source_key: str) -> None:
    clock = FakeClock()
    async with app.router.lifespan_context(app):
        stats = await run_simulation(
            "http://rtcc.test",
            source_key,
            transport=httpx.ASGITransport(app=app),
            duration_s=120,
            intensity=2.0,
            clock=clock,
            sleep=clock.sleep,
        )
        again = await run_simulation(
            "http://rtcc.test",
            source_key,
            transport=httpx.ASGITransport(app=app),
            duration_s=5,
            clock=clock,
            sleep=clock.sleep,
        )
    assert stats.generated > 1000
    assert stats.accepted == stats.generated
    assert stats.rejected == stats.duplicates == stats.dropped == 0
    assert again.accepted == again.generated  # a second run's ids do not collide with the first
