"""POSTing a channel's body over HTTP, with the far end's answer turned into `DeliveryError`.

Webhook URLs often carry their secret (Slack, Teams), so errors name the host only.
"""

from urllib.parse import urlsplit

import httpx

from rtcc.outputs.base import DeliveryError

USER_AGENT = "OpenRTCC-outputs/1"


def host_of(url: str) -> str:
    return urlsplit(url).netloc or "?"


def raise_for_status(status: int, host: str, body: str) -> None:
    """2xx is delivered; 408, 429 and 5xx may work later; any other answer will not."""
    if 200 <= status < 300:
        return
    retryable = status in (408, 425, 429) or status >= 500
    raise DeliveryError(f"{host} answered HTTP {status}: {body[:200]}", retryable=retryable)


async def post(
    client: httpx.AsyncClient, url: str, body: bytes, headers: dict[str, str]
) -> httpx.Response:
    host = host_of(url)
    try:
        response = await client.post(
            url, content=body, headers={"User-Agent": USER_AGENT, **headers}
        )
    except httpx.TimeoutException:
        raise DeliveryError(f"{host} did not answer in time", retryable=True) from None
    except httpx.HTTPError as exc:
        reason = f"cannot reach {host}: {type(exc).__name__}"
        raise DeliveryError(reason, retryable=True) from None
    raise_for_status(response.status_code, host, response.text)
    return response
