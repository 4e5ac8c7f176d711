"""An alert as Slack Block Kit: header (severity), section (title + fields), context (counts).

Built with slack_sdk's block models, which check Slack's limits (header ≤ 150 characters,
≤ 10 fields) when rendered.
"""

from typing import Any

from slack_sdk.models.blocks import (
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from rtcc.core.alerts import Alert
from rtcc.outputs.summary import OSM_LINK, counts_line, summarise

SEVERITY_EMOJI = {
    "critical": ":rotating_light:",
    "warning": ":warning:",
    "info": ":information_source:",
}


def escape(text: str) -> str:
    """Slack mrkdwn treats &, < and > as markup; everything else is literal."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def fallback_text(alert: Alert) -> str:
    """The notification line (and what screen readers and old clients show)."""
    return f"[{alert.severity.upper()}] {alert.title}"


def blocks(alert: Alert, map_link: str = OSM_LINK) -> list[dict[str, Any]]:
    s = summarise(alert, map_link)
    header = f"{SEVERITY_EMOJI.get(s.severity, '')} {s.severity.upper()} alert".strip()
    fields = [
        MarkdownTextObject(text=f"*Rule*\n{escape(s.rule)}"),
        MarkdownTextObject(text=f"*Time*\n{s.time_utc}"),
    ]
    if s.place and s.map_url:
        fields.append(MarkdownTextObject(text=f"*Location*\n<{s.map_url}|{escape(s.place)}>"))
    if s.incident_id:
        fields.append(MarkdownTextObject(text=f"*Incident*\n{escape(s.incident_id)}"))
    rendered = [
        HeaderBlock(text=PlainTextObject(text=header[:150], emoji=True)),
        SectionBlock(text=MarkdownTextObject(text=f"*{escape(s.title)}*"[:3000]), fields=fields),
        ContextBlock(
            elements=[
                MarkdownTextObject(text=counts_line(s)),
                MarkdownTextObject(text=f"RTCC alert `{alert.id}`"),
            ]
        ),
    ]
    return [block.to_dict() for block in rendered]
