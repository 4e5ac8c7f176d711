"""Time-based one-time passwords (RFC 6238) and their enrolment QR code.

The TOTP secret is stored in clear: the server must know it to verify a code, so
it cannot be hashed. Protect the database file (and its backups) accordingly.
"""

from datetime import datetime
from pathlib import Path

import pyotp
import segno

ISSUER = "OpenRTCC"
OTP_DIGITS = 6
VALID_WINDOW = 1
"""Codes of the neighbouring 30-second steps are accepted too (clock drift)."""


def new_secret() -> str:
    return str(pyotp.random_base32())


def provisioning_uri(secret: str, username: str) -> str:
    """The otpauth:// URI an authenticator app reads (issuer OpenRTCC)."""
    return str(pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER))


def code_at(secret: str, at: datetime) -> str:
    return str(pyotp.TOTP(secret).at(at))


def verify_code(secret: str, code: str, at: datetime) -> bool:
    if len(code) != OTP_DIGITS or not code.isdigit():
        return False
    return bool(pyotp.TOTP(secret).verify(code, for_time=at, valid_window=VALID_WINDOW))


def write_qr_svg(uri: str, path: Path) -> None:
    """An SVG QR code of the provisioning URI, for the user to scan once."""
    path.parent.mkdir(parents=True, exist_ok=True)
    segno.make(uri, error="m").save(str(path), kind="svg", scale=6)
