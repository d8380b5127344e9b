"""Certificates built directly in the database, with their real PDF, for the H2 tests."""

from __future__ import annotations

import hashlib
import html
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from learning.accounts.models import User
from learning.certificates.document import render_certificate_pdf
from learning.certificates.models import Certificate, CertificateStatus
from learning.cohorts.models import Cohort
from learning.db import db

ISSUED_AT = datetime(2030, 6, 10, 9, 30, tzinfo=UTC)
ACHIEVEMENTS = {"modules": [1, 2, 3, 4], "trainings_delivered": 2, "people_trained": 37,
                "rules": ["precourse_done", "post_test_taken", "modules_done",
                          "plan_item_per_module", "training_report_approved"]}


@dataclass(frozen=True)
class Issued:
    """What a test needs of an issued certificate, usable outside the app context."""

    id: int
    code: str
    serial: str
    holder_name: str
    cohort_name: str
    pdf: bytes
    pdf_sha256: str


def cohort(app: Flask, name: str = "Gitega ToT") -> int:
    with app.app_context():
        number = db.session.scalar(select(func.count(Cohort.id))) or 0
        row = Cohort(name=name, slug=f"cohort-{number + 1}", start_date=date(2030, 3, 2),
                     end_date=date(2030, 3, 6))
        db.session.add(row)
        db.session.commit()
        return row.id


def issue(app: Flask, holder: User, cohort_id: int, *, name: str | None = None,
          language: str = "en", status: CertificateStatus = CertificateStatus.VALID,
          **fields: Any) -> Issued:
    """A certificate as the issuing service leaves it: serial, code, PDF and its SHA-256."""
    with app.app_context():
        certificate = Certificate(
            user_id=holder.id, cohort_id=cohort_id, serial=f"pending-{secrets.token_hex(6)}",
            code=secrets.token_urlsafe(24), status=status,
            holder_name=name or holder.name, language=language,
            achievements=dict(ACHIEVEMENTS), issued_at=ISSUED_AT, **fields)
        db.session.add(certificate)
        db.session.flush()
        db.session.refresh(certificate)  # loads the cohort the document prints
        certificate.serial = f"TDM-{ISSUED_AT.year}-{certificate.id:06d}"
        certificate.pdf = render_certificate_pdf(certificate)
        certificate.pdf_sha256 = hashlib.sha256(certificate.pdf).hexdigest()
        db.session.commit()
        return Issued(id=certificate.id, code=certificate.code, serial=certificate.serial,
                      holder_name=certificate.holder_name, cohort_name=certificate.cohort.name,
                      pdf=certificate.pdf, pdf_sha256=certificate.pdf_sha256)


def reissue(app: Flask, old: Issued, holder: User, cohort_id: int, *, name: str,
            when: datetime) -> Issued:
    """A corrected certificate: the old one superseded and pointing at the new one."""
    with app.app_context():
        row = db.session.get(Certificate, old.id)
        assert row is not None
        row.status = CertificateStatus.SUPERSEDED
        row.superseded_at = when
        db.session.commit()
    new = issue(app, holder, cohort_id, name=name)
    with app.app_context():
        row = db.session.get(Certificate, old.id)
        assert row is not None
        row.superseded_by_id = new.id
        db.session.commit()
    return new


def text_of(response: Any) -> str:
    """The page's visible text, entities decoded and whitespace collapsed."""
    body = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return " ".join(html.unescape(body).split())
