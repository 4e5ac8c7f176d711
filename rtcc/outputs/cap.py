"""The `cap` channel: each alert as a CAP 1.2 document, POSTed and/or published to a folder.

A follow-up alert for an incident already sent becomes an `Update` that references the
earlier documents; an alert whose detail says `lifecycle: closed` becomes a `Cancel`, so
an aggregator can retract what it shows. The memory of what was sent is bounded.
"""

import asyncio
from collections import OrderedDict
from datetime import datetime, timedelta
from pathlib import Path
from typing import ClassVar, Literal, Self

import httpx
from pydantic import BaseModel, ConfigDict, Field, HttpUrl, model_validator

from rtcc.core.alerts import Alert
from rtcc.core.clock import utcnow
from rtcc.outputs.alert_text import incident_id
from rtcc.outputs.base import Receipt
from rtcc.outputs.cap_atom import publish
from rtcc.outputs.cap_format import CapSettings, MsgType, build_cap, identifier
from rtcc.outputs.http_post import post

CAP_CONTENT_TYPE = "application/cap+xml"
REMEMBERED_INCIDENTS = 5000


class CapOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    sender: str = Field(
        pattern=r"^[^\s,<>&]+$",
        description="CAP sender id, e.g. rtcc@police.example.gov (no spaces or commas)",
    )
    sender_name: str | None = Field(None, description="agency name shown by receivers")
    url: HttpUrl | None = Field(None, description="aggregator endpoint that takes a POST")
    folder: Path | None = Field(None, description="publish documents + index.atom here")
    status: Literal["Actual", "Exercise", "Test"] = "Actual"
    scope: Literal["Restricted", "Private", "Public"] = "Restricted"
    restriction: str = Field(
        "Law enforcement sensitive: for authorized public-safety recipients only.",
        min_length=1,
    )
    addresses: str | None = Field(None, description="space-separated recipients (Private)")
    web_url: str | None = Field(
        None, description="link to the alert on the wall; `{alert_id}` is filled in"
    )
    expires_s: int = Field(3600, ge=60, le=7 * 86400)
    default_radius_m: float = Field(200.0, gt=0, le=100_000)
    headers: dict[str, str] = Field(default_factory=dict, description="e.g. Authorization")
    timeout_s: float = Field(10.0, gt=0, le=120)
    atom_entries: int = Field(100, ge=1, le=10_000)

    @model_validator(mode="after")
    def _needs_a_destination(self) -> Self:
        if self.url is None and self.folder is None:
            raise ValueError("url or folder: set at least one destination")
        if self.scope == "Private" and not self.addresses:
            raise ValueError("addresses: required when scope is Private")
        if self.web_url and "{alert_id}" not in self.web_url:
            raise ValueError("web_url: must contain {alert_id}")
        return self


class CapChannel:
    kind: ClassVar[str] = "cap"
    options_model: ClassVar[type[BaseModel]] = CapOptions

    def __init__(self, name: str, options: CapOptions) -> None:
        self.name = name
        self.options = options
        self.settings = CapSettings(
            sender=options.sender,
            sender_name=options.sender_name,
            status=options.status,
            scope=options.scope,
            restriction=options.restriction,
            addresses=options.addresses,
            web_url=options.web_url,
            expires_after=timedelta(seconds=options.expires_s),
            default_radius_m=options.default_radius_m,
        )
        self._client = httpx.AsyncClient(timeout=options.timeout_s)
        self._sent: OrderedDict[str, list[tuple[str, datetime]]] = OrderedDict()

    def document(self, alert: Alert) -> tuple[bytes, MsgType]:
        """The CAP bytes for this alert and whether it is an Alert, Update or Cancel."""
        incident = incident_id(alert)
        earlier = self._sent.get(incident, []) if incident else []
        msg_type: MsgType = "Alert"
        if earlier:
            closed = alert.detail.get("lifecycle") == "closed"
            msg_type = "Cancel" if closed else "Update"
        return build_cap(self.settings, alert, msg_type=msg_type, references=earlier), msg_type

    async def deliver(self, alert: Alert) -> Receipt:
        body, msg_type = self.document(alert)
        ident = identifier(self.settings, alert)
        detail: dict[str, object] = {"identifier": ident, "msg_type": msg_type}
        if self.options.url is not None:
            headers = {**self.options.headers, "Content-Type": CAP_CONTENT_TYPE}
            response = await post(self._client, str(self.options.url), body, headers)
            detail["status"] = response.status_code
        if self.options.folder is not None:
            path = await asyncio.to_thread(
                publish,
                self.options.folder,
                ident,
                body,
                alert.title[:160],
                alert.created_at,
                self.options.atom_entries,
            )
            detail["path"] = str(path)
        self._remember(alert, ident)
        return Receipt(self.name, alert.id, utcnow(), dict(detail))

    def _remember(self, alert: Alert, ident: str) -> None:
        incident = incident_id(alert)
        if incident is None:
            return
        self._sent.setdefault(incident, []).append((ident, alert.created_at))
        self._sent.move_to_end(incident)
        while len(self._sent) > REMEMBERED_INCIDENTS:
            self._sent.popitem(last=False)

    async def close(self) -> None:
        await self._client.aclose()
