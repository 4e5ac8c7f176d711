"""Bulletins → PDF with WeasyPrint, from Jinja templates and one print stylesheet.

Nothing is fetched while rendering: the map is inline SVG drawn from stored geometry and
the stylesheet is read from the package, so a bulletin renders the same offline.
"""

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from rtcc.core.clock import utcnow
from rtcc.outputs.bulletins.bolo import Bolo
from rtcc.outputs.bulletins.lead import LeadSummary, parse_time
from rtcc.outputs.bulletins.map_svg import incident_map
from rtcc.outputs.bulletins.shift import ShiftBrief

WEB = Path(__file__).resolve().parents[2] / "web"
STYLESHEET = WEB / "static" / "bulletin.css"
_env = Environment(
    loader=FileSystemLoader(WEB / "templates" / "bulletins"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _utc(value: datetime | str | None) -> str:
    """One way to print a time on every bulletin, whatever form the store kept it in."""
    at = parse_time(value) if isinstance(value, str) else value
    if at is None:
        return str(value or "—")
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


_env.filters["utc"] = _utc


def bolo_html(bolo: Bolo, *, agency: str, issued_by: str) -> str:
    return _env.get_template("bolo.html").render(
        bolo=bolo, agency=agency, issued_by=issued_by, generated_at=utcnow()
    )


def lead_html(lead: LeadSummary, *, agency: str, basemap: dict[str, Any] | None = None) -> str:
    svg = Markup(incident_map(lead, basemap))  # noqa: S704  # built from escaped parts
    return _env.get_template("lead.html").render(lead=lead, agency=agency, map_svg=svg)


def shift_html(brief: ShiftBrief, *, agency: str) -> str:
    return _env.get_template("shift.html").render(brief=brief, agency=agency)


def to_pdf(html: str) -> bytes:
    """The PDF of one bulletin page (WeasyPrint, print stylesheet, no fetching)."""
    from weasyprint import CSS, HTML  # type: ignore[import-untyped]  # heavy: load on use

    document = HTML(string=html, base_url=str(WEB), url_fetcher=_no_fetch)
    pdf = document.write_pdf(stylesheets=[CSS(filename=str(STYLESHEET))])
    return bytes(pdf)


def _no_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    raise ValueError(f"bulletins do not load {url}")


def render_bolo(bolo: Bolo, *, agency: str, issued_by: str) -> bytes:
    return to_pdf(bolo_html(bolo, agency=agency, issued_by=issued_by))


def render_lead(lead: LeadSummary, *, agency: str, basemap: dict[str, Any] | None = None) -> bytes:
    return to_pdf(lead_html(lead, agency=agency, basemap=basemap))


def render_shift(brief: ShiftBrief, *, agency: str) -> bytes:
    return to_pdf(shift_html(brief, agency=agency))
