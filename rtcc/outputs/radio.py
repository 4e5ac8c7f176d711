"""Radio: an alert spoken by espeak-ng into a WAV file per broadcast, within an airtime budget.

A radio gateway (RoIP, a sound card on a console) plays each WAV that appears in the
folder. Airtime is scarce, so every broadcast is measured with sox before it is allowed
on the air and the channel keeps a budget of seconds per rolling hour: what does not fit
is held or dropped, and critical alerts pre-empt routine ones (`rtcc.outputs.airtime`,
rules in docs/outputs/radio.md). Every decision lands in the broadcast log.
"""

import asyncio
import contextlib
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from pydantic import Field

from rtcc.core.alerts import Alert
from rtcc.core.clock import iso, utcnow
from rtcc.outputs.airtime import AirtimeScheduler, Broadcast, Outcome
from rtcc.outputs.base import DeliveryError, Receipt
from rtcc.outputs.radio_script import ScriptOptions, script

TOOL_TIMEOUT_S = 30.0


class RadioOptions(ScriptOptions):
    """The radio channel's options: where WAVs go, the voice and the airtime budget."""

    folder: Path = Field(description="the gateway's folder: one WAV per aired broadcast")
    seconds_per_hour: float = Field(gt=0, le=3600, description="airtime budget, rolling hour")
    hold_max_s: float = Field(
        300.0, ge=0, le=3600, description="longest a broadcast waits for budget; 0 never holds"
    )
    critical_may_exceed_budget: bool = Field(
        False, description="critical alerts air at once even past the budget"
    )
    voice: str = Field("en-us", pattern=r"^[a-z]{2,3}(-[a-z0-9]{1,8})*(\+[a-z0-9]+)?$")
    words_per_minute: int = Field(165, ge=80, le=450)
    log_path: Path | None = Field(None, description="JSON lines; default <folder>/broadcasts.jsonl")


@dataclass(frozen=True, slots=True)
class _Audio:
    path: Path
    script: str
    rule: str


class RadioChannel:
    kind: ClassVar[str] = "radio"
    options_model: ClassVar[type[RadioOptions]] = RadioOptions

    def __init__(
        self, name: str, options: RadioOptions, *, clock: Callable[[], datetime] = utcnow
    ) -> None:
        for tool, package in (("espeak-ng", "espeak-ng"), ("soxi", "sox")):
            if shutil.which(tool) is None:
                raise ValueError(f"{tool}: not installed (apt-get install {package})")
        self.name = name
        self.options = options
        self._clock = clock
        self._pending = options.folder / ".pending"
        self._pending.mkdir(parents=True, exist_ok=True)
        self.log_path = options.log_path or options.folder / "broadcasts.jsonl"
        self.log: list[dict[str, Any]] = []
        self._scheduler = AirtimeScheduler(
            options.seconds_per_hour,
            hold_max_s=options.hold_max_s,
            critical_may_exceed=options.critical_may_exceed_budget,
        )
        self._lock = asyncio.Lock()
        self._wake = asyncio.Event()
        self._pump: asyncio.Task[None] | None = None

    async def deliver(self, alert: Alert) -> Receipt:
        audience = alert.detail.get("audience")
        if audience:
            reason = f"addressed to {audience} only; radio is an open broadcast"
            self._write_log(self._entry(alert.id, alert.severity, 0.0, "dropped", reason))
            raise DeliveryError(reason, retryable=False)
        text = script(alert, self.options)
        path = self._pending / f"{alert.id}.wav"
        await _synthesise(text, path, self.options.voice, self.options.words_per_minute)
        seconds = await measure_seconds(path)
        now = self._clock()
        b = Broadcast(alert.id, alert.severity, seconds, now, _Audio(path, text, alert.rule))
        async with self._lock:
            outcomes = self._scheduler.release(now) + self._scheduler.arrive(b, now)
            entries = self._apply(outcomes)
        mine = entries[-1]
        if mine["decision"] == "held":
            self._ensure_pump()
        if mine["decision"] == "dropped":
            raise DeliveryError(f"radio: {mine['reason']}", retryable=False)
        return Receipt(self.name, alert.id, now, detail=mine)

    async def release_due(self) -> list[dict[str, Any]]:
        """Air held broadcasts that now fit and drop those held too long (the pump's step)."""
        async with self._lock:
            return self._apply(self._scheduler.release(self._clock()))

    @property
    def held(self) -> list[str]:
        return [b.alert_id for b in self._scheduler.held]

    async def close(self) -> None:
        if self._pump is not None:
            self._pump.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pump
            self._pump = None
        async with self._lock:
            self._apply(self._scheduler.drop_all(self._clock(), "channel closed"))

    def _ensure_pump(self) -> None:
        if self._pump is None or self._pump.done():
            self._pump = asyncio.get_running_loop().create_task(self._run_pump())
        self._wake.set()

    async def _run_pump(self) -> None:
        while True:
            self._wake.clear()
            await self.release_due()
            wait = self._scheduler.next_wake_s(self._clock())
            if wait is None:
                return
            with contextlib.suppress(TimeoutError):
                # at least once a second, so a wall-clock step never strands a broadcast
                await asyncio.wait_for(self._wake.wait(), timeout=min(max(wait, 0.05), 1.0))

    def _apply(self, outcomes: list[Outcome]) -> list[dict[str, Any]]:
        """Make each decision real on disk (air = move into the folder) and log it."""
        entries = []
        for outcome in outcomes:
            b = outcome.broadcast
            assert isinstance(b.payload, _Audio)
            entry = self._entry(b.alert_id, b.severity, b.seconds, outcome.decision, outcome.reason)
            entry.update(at=iso(outcome.at), used_s=outcome.used_s, left_s=outcome.left_s)
            entry.update(rule=b.payload.rule, script=b.payload.script)
            if outcome.decision == "aired":
                stamp = outcome.at.strftime("%Y%m%dT%H%M%S.%fZ")
                final = self.options.folder / f"{stamp}-{b.severity}-{b.alert_id}.wav"
                os.replace(b.payload.path, final)  # atomic: a gateway never sees half a file
                entry["file"] = str(final)
            elif outcome.decision in ("dropped", "cut"):
                b.payload.path.unlink(missing_ok=True)
            self._write_log(entry)
            entries.append(entry)
        return entries

    def _entry(
        self, alert_id: str, severity: str, seconds: float, decision: str, reason: str
    ) -> dict[str, Any]:
        now = self._clock()
        used = self._scheduler.budget.used(now)
        return {
            "at": iso(now),
            "channel": self.name,
            "alert_id": alert_id,
            "priority": severity,
            "seconds": round(seconds, 3),
            "budget_s": self.options.seconds_per_hour,
            "used_s": round(used, 3),
            "left_s": round(self.options.seconds_per_hour - used, 3),
            "decision": decision,
            "reason": reason,
        }

    def _write_log(self, entry: dict[str, Any]) -> None:
        self.log.append(entry)
        with self.log_path.open("a", encoding="utf-8") as f:
            f.write(json.dumps(entry, sort_keys=True) + "\n")


async def _run(args: list[str], stdin: bytes | None = None) -> bytes:
    proc = await asyncio.create_subprocess_exec(
        *args,
        stdin=asyncio.subprocess.PIPE if stdin is not None else asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(stdin), TOOL_TIMEOUT_S)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        reason = f"{args[0]}: no result in {TOOL_TIMEOUT_S:g} s"
        raise DeliveryError(reason, retryable=True) from None
    if proc.returncode != 0:
        message = err.decode(errors="replace").strip()[:300]
        raise DeliveryError(f"{args[0]} failed ({proc.returncode}): {message}", retryable=True)
    return out


async def _synthesise(text: str, path: Path, voice: str, wpm: int) -> None:
    args = ["espeak-ng", "-v", voice, "-s", str(wpm), "-w", str(path), "--stdin"]
    await _run(args, text.encode("utf-8"))


async def measure_seconds(path: Path) -> float:
    """The WAV's duration as sox reads it (`soxi -D`)."""
    out = await _run(["soxi", "-D", str(path)])
    try:
        return float(out.decode().strip())
    except ValueError:
        raise DeliveryError(f"soxi: unreadable duration {out[:40]!r}", retryable=False) from None
