"""An alert as an Adaptive Card 1.5 in the `message` envelope Teams webhooks accept.

Both the old Office 365 connector webhooks and the Power Automate "Workflows" webhooks
take `{"type": "message", "attachments": [{contentType: adaptive card, content: card}]}`.
The card stays inside the published 1.5 schema (so no Teams-only `msteams` extension).
"""

from typing import Any

from rtcc.core.alerts import Alert
from rtcc.outputs.summary import OSM_LINK, counts_line, summarise

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
CARD_VERSION = "1.5"
SEVERITY_COLOR = {"critical": "Attention", "warning": "Warning", "info": "Accent"}


def card(alert: Alert, map_link: str = OSM_LINK) -> dict[str, Any]:
    s = summarise(alert, map_link)
    facts = [{"title": "Rule", "value": s.rule}, {"title": "Time", "value": s.time_utc}]
    if s.place and s.map_url:
        facts.append({"title": "Location", "value": f"[{s.place}]({s.map_url})"})
    if s.incident_id:
        facts.append({"title": "Incident", "value": s.incident_id})
    body: list[dict[str, Any]] = [
        {
            "type": "TextBlock",
            "text": f"{s.severity.upper()} alert",
            "style": "heading",
            "weight": "Bolder",
            "size": "Medium",
            "color": SEVERITY_COLOR.get(s.severity, "Default"),
            "wrap": True,
        },
        {"type": "TextBlock", "text": s.title, "wrap": True},
        {"type": "FactSet", "facts": facts},
        {
            "type": "TextBlock",
            "text": f"{counts_line(s)} · RTCC alert {alert.id}",
            "isSubtle": True,
            "size": "Small",
            "wrap": True,
        },
    ]
    document: dict[str, Any] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": CARD_VERSION,
        "fallbackText": f"[{s.severity.upper()}] {s.title}",
        "body": body,
    }
    if s.map_url:
        document["actions"] = [{"type": "Action.OpenUrl", "title": "Open map", "url": s.map_url}]
    return document


def message(alert: Alert, map_link: str = OSM_LINK) -> dict[str, Any]:
    return {
        "type": "message",
        "attachments": [
            {"contentType": CARD_CONTENT_TYPE, "contentUrl": None, "content": card(alert, map_link)}
        ],
    }
