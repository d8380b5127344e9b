"""Send a message to a person: in-app notification and e-mail, in their language.

Other domains call :func:`notify` (people with an account) or :func:`send_email`
(an address only). Message texts are templates under ``templates/messages/``:
``<kind>.subject.txt`` and ``<kind>.body.txt``, rendered with the recipient's locale.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import select, update

from learning.accounts.models import User
from learning.db import db, utcnow
from learning.notifications.models import Notification, OutboundEmail

PAGE_SIZE = 30


@dataclass(frozen=True)
class RenderedMessage:
    subject: str
    body: str


def render_message(kind: str, language: str, **context: Any) -> RenderedMessage:
    with force_locale(language):
        subject = render_template(f"messages/{kind}.subject.txt", **context).strip()
        body = render_template(f"messages/{kind}.body.txt", **context).strip() + "\n"
    return RenderedMessage(subject=" ".join(subject.split()), body=body)


def send_email(
    recipient: str, language: str, kind: str, user: User | None = None, **context: Any
) -> OutboundEmail:
    """Render and queue an e-mail; deliver it now when SMTP is configured."""
    message = render_message(kind, language, user=user, **context)
    email = OutboundEmail(
        user_id=user.id if user is not None else None,
        recipient=recipient,
        language=language,
        subject=message.subject[:200],
        body=message.body,
    )
    db.session.add(email)
    db.session.flush()
    if current_app.config.get("SMTP_HOST"):
        _deliver(email)
    return email


def notify(
    user: User, kind: str, link: str | None = None, email: bool = True, **context: Any
) -> Notification:
    message = render_message(kind, user.language, user=user, link=link, **context)
    notification = Notification(
        user_id=user.id, kind=kind, subject=message.subject[:200], body=message.body, link=link
    )
    db.session.add(notification)
    db.session.execute(update(User).where(User.id == user.id)
                       .values(unread_notifications=User.unread_notifications + 1))
    if email and user.is_active:
        send_email(user.email, user.language, kind, user=user, link=link, **context)
    return notification


def _deliver(email: OutboundEmail) -> None:
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = email.recipient
    message["Subject"] = email.subject
    message.set_content(email.body)
    try:
        with smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=15) as smtp:
            if config.get("SMTP_STARTTLS"):
                smtp.starttls()
            if config.get("SMTP_USERNAME"):
                smtp.login(config["SMTP_USERNAME"], config.get("SMTP_PASSWORD") or "")
            smtp.send_message(message)
        email.sent_at = utcnow()
        email.error = None
    except (OSError, smtplib.SMTPException) as error:
        # The message stays in the outbox with the reason; admins can see and resend it.
        email.error = str(error)[:500]
        current_app.logger.warning("E-mail to %s not sent: %s", email.recipient, error)


def unread_count(user: User) -> int:
    return user.unread_notifications or 0


def notifications_for(user: User, page: int = 1) -> tuple[list[Notification], bool]:
    query = (
        select(Notification)
        .where(Notification.user_id == user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(PAGE_SIZE + 1)
        .offset((page - 1) * PAGE_SIZE)
    )
    rows = list(db.session.scalars(query))
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE


def mark_all_read(user: User) -> int:
    result = db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    user.unread_notifications = 0
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def outbox(page: int = 1) -> tuple[list[OutboundEmail], bool]:
    query = (
        select(OutboundEmail)
        .order_by(OutboundEmail.created_at.desc(), OutboundEmail.id.desc())
        .limit(PAGE_SIZE + 1)
        .offset((page - 1) * PAGE_SIZE)
    )
    rows = list(db.session.scalars(query))
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE
