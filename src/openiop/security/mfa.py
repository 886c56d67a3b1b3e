"""Time-based one-time passwords (RFC 6238) via pyotp, and the enrolment QR code via segno."""

from __future__ import annotations

import io

import pyotp
import segno

ISSUER = "OpenIOP"


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """An inline SVG QR code for an authenticator app to scan."""
    buffer = io.BytesIO()
    segno.make(uri, error="m").save(
        buffer,
        kind="svg",
        scale=5,
        xmldecl=False,
        svgns=True,
        title="QR code for your authenticator app",
    )
    return buffer.getvalue().decode()


def code_is_valid(secret: str, code: str) -> bool:
    code = code.replace(" ", "")
    # valid_window=1 accepts the previous and next 30-second step for clock drift.
    return code.isdigit() and pyotp.TOTP(secret).verify(code, valid_window=1)
