"""Two-step sign-in with a time-based one-time code (TOTP, RFC 6238, 30 s, 6 digits).

Any person may turn it on; an admin can require it for admins and focal points (the
roles that see other people's data across countries). A code is accepted once: the time
step it belongs to is remembered, so a code read over someone's shoulder cannot be
replayed within its validity window.
"""

from __future__ import annotations

import time

import pyotp
import segno
from markupsafe import Markup

from learning.accounts.models import Role, User
from learning.audit.services import record
from learning.core import settings
from learning.core.sealed import seal, unseal

SEAL_LABEL = b"tandem two-step sign-in secret v1"
ISSUER = "Tandem"
# Roles an admin may require two-step sign-in for.
REQUIRABLE_ROLES = (Role.ADMIN, Role.FOCAL_POINT)


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_svg(uri: str) -> Markup:
    """The QR code of ``uri`` as inline SVG (no style attribute: the CSP refuses those)."""
    svg = segno.make(uri, error="m").svg_inline(scale=4, dark="#1d1d1b", light="#ffffff")
    return Markup(svg)  # noqa: S704  # nosec B704 - segno builds the SVG from the URI's bits


def enabled(user: User) -> bool:
    return user.totp_secret_sealed is not None


def required_for(user: User) -> bool:
    return user.role.value in (settings.get(settings.TWO_FACTOR_REQUIRED_ROLES) or [])


def _accepted_step(secret: str, code: str, last_step: int | None,
                   now: float | None = None) -> int | None:
    """The time step ``code`` belongs to (this one or a neighbour, for clock drift), or
    None when it is wrong or was already used."""
    code = "".join(code.split())
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    moment = time.time() if now is None else now
    current = int(moment // totp.interval)
    for step in (current, current - 1, current + 1):
        if last_step is not None and step <= last_step:
            continue
        if pyotp.utils.strings_equal(totp.generate_otp(step), code):
            return step
    return None


def enable(user: User, secret: str, code: str, now: float | None = None) -> bool:
    """Turn two-step sign-in on, once the person proved their app shows the right code."""
    step = _accepted_step(secret, code, None, now)
    if step is None:
        return False
    user.totp_secret_sealed = seal(secret.encode(), SEAL_LABEL, str(user.id))
    user.totp_last_step = step
    record("two_factor.enabled", actor=user, target=user)
    return True


def verify(user: User, code: str, now: float | None = None) -> bool:
    if user.totp_secret_sealed is None:
        return False
    secret = unseal(user.totp_secret_sealed, SEAL_LABEL, str(user.id)).decode()
    step = _accepted_step(secret, code, user.totp_last_step, now)
    if step is None:
        return False
    user.totp_last_step = step
    return True


def disable(user: User) -> None:
    user.totp_secret_sealed = None
    user.totp_last_step = None
    record("two_factor.disabled", actor=user, target=user)
