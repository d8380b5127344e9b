"""Public verification: anyone, without a session, in English or French, sees the right answer
for a code and for a file — and an edited file is not taken for the issued one."""

from __future__ import annotations

import hashlib
import io
import re
import secrets
from datetime import UTC, datetime
from typing import Any

import pytest
from babel.dates import format_date
from flask import Flask

from learning.certificates.models import CertificateStatus
from tests.certificates.document_support import (
    ISSUED_AT,
    Issued,
    cohort,
    issue,
    reissue,
    text_of,
)
from tests.conftest import CSRF_INPUT, BrowserLikeClient, in_french

LANGUAGES = ["en", "fr"]
REVOKED_AT = datetime(2030, 9, 1, 8, 0, tzinfo=UTC)
SUPERSEDED_AT = datetime(2030, 7, 14, 8, 0, tzinfo=UTC)
REVOCATION_REASON = "Private matter discussed with the holder"


def say(language: str, message: str, **values: Any) -> str:
    """The message as a reader of ``language`` sees it."""
    if language == "fr":
        return in_french(message, **values)
    return message % values if values else message


def long_date(value: datetime, language: str) -> str:
    return format_date(value.date(), "long", locale=language)


@pytest.fixture
def valid(app: Flask, make_user) -> Issued:  # type: ignore[no-untyped-def]
    holder = make_user(name="Zoë Ngoné-Bâ", email="zoe@example.org")
    return issue(app, holder, cohort(app, "Gitega ToT"))


@pytest.fixture
def revoked(app: Flask, make_user) -> Issued:  # type: ignore[no-untyped-def]
    return issue(app, make_user(name="Jean-Baptiste Hakizimana"), cohort(app, "Ngozi ToT"),
                 status=CertificateStatus.REVOKED, revoked_at=REVOKED_AT,
                 revocation_reason=REVOCATION_REASON)


@pytest.fixture
def superseded(app: Flask, make_user) -> tuple[Issued, Issued]:  # type: ignore[no-untyped-def]
    """A certificate with a misspelt name, and the corrected one that replaced it."""
    renamed = make_user(name="Aimé Nduwimana")
    cohort_id = cohort(app, "Bujumbura ToT")
    old = issue(app, renamed, cohort_id, name="Aime Nduwimana")
    return old, reissue(app, old, renamed, cohort_id, name="Aimé Nduwimana",
                        when=SUPERSEDED_AT)


def fresh(app: Flask, address: str = "203.0.113.7") -> BrowserLikeClient:
    """A new visitor: no cookies, no session."""
    client: BrowserLikeClient = app.test_client()  # type: ignore[assignment]
    client.environ_base["REMOTE_ADDR"] = address
    return client


def visit(app: Flask, url: str, language: str) -> Any:
    return fresh(app).get(url, headers={"Accept-Language": language})


def send_file(app: Flask, url: str, language: str, *, pdf: bytes | None = None,
              sha256: str = "", filename: str = "certificate.pdf") -> Any:
    """Open the page as a new visitor, then post its check form, as a browser does."""
    client = fresh(app)
    headers = {"Accept-Language": language}
    page = client.get(url, headers=headers).get_data(as_text=True)
    token = CSRF_INPUT.search(page)
    assert token, "the public page carries a CSRF token"
    data: dict[str, Any] = {"csrf_token": token.group(1), "sha256": sha256}
    if pdf is not None:
        data["pdf"] = (io.BytesIO(pdf), filename)
    return client.post(url, data=data, headers=headers, content_type="multipart/form-data")


def one_byte_changed(pdf: bytes) -> bytes:
    middle = len(pdf) // 2
    return pdf[:middle] + bytes([pdf[middle] ^ 0x01]) + pdf[middle + 1:]


@pytest.mark.parametrize("language", LANGUAGES)
def test_valid_code_shows_the_holder_programme_cohort_and_issue_date(
        app: Flask, valid: Issued, language: str) -> None:
    response = visit(app, f"/verify/{valid.code}", language)
    assert response.status_code == 200
    text = text_of(response)
    assert say(language, "Valid certificate") in text
    assert "Zoë Ngoné-Bâ" in text and "Gitega ToT" in text
    assert say(language, "Training of Trainers in case-management supervision and coaching") \
        in text
    assert long_date(ISSUED_AT, language) in text
    assert valid.serial in text
    # Nothing else personal: no e-mail address, no other holder.
    assert "zoe@example.org" not in text and "Hakizimana" not in text
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("language", LANGUAGES)
def test_revoked_code_says_so_with_its_date_but_not_the_reason(
        app: Flask, revoked: Issued, language: str) -> None:
    response = visit(app, f"/verify/{revoked.code}", language)
    assert response.status_code == 200
    text = text_of(response)
    assert say(language, "Revoked certificate") in text
    assert say(language, "This certificate was revoked on %(date)s. It is no longer valid.",
               date=long_date(REVOKED_AT, language)) in text
    assert say(language, "Valid certificate") not in text
    assert REVOCATION_REASON not in text
    assert "Jean-Baptiste Hakizimana" in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_superseded_code_links_to_the_newer_certificate(
        app: Flask, superseded: tuple[Issued, Issued], language: str) -> None:
    old, newer = superseded
    response = visit(app, f"/verify/{old.code}", language)
    assert response.status_code == 200
    text = text_of(response)
    assert say(language, "Replaced certificate") in text
    assert say(language, "This certificate was replaced by a newer one on %(date)s and is no "
               "longer valid.", date=long_date(SUPERSEDED_AT, language)) in text
    link = re.search(r'href="(/verify/[^"]+)">([^<]+)</a>', response.get_data(as_text=True))
    assert link and link.group(1) == f"/verify/{newer.code}"
    assert link.group(2) == say(language, "Verify the newer certificate")
    newer = visit(app, link.group(1), language)
    assert say(language, "Valid certificate") in text_of(newer)
    assert "Aimé Nduwimana" in text_of(newer)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("code", [secrets.token_urlsafe(24), "TDM-2030-000001", "x" * 300,
                                  "%27%3B%20DROP%20TABLE%20certificates"])
def test_unknown_and_garbage_codes_get_the_same_not_found_answer(
        app: Flask, valid: Issued, language: str, code: str) -> None:
    response = visit(app, f"/verify/{code}", language)
    assert response.status_code == 404
    text = text_of(response)
    assert say(language, "Unknown certificate") in text
    assert "Zoë" not in text and "TDM-" not in text.replace(code, "")


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_issued_pdf_is_recognised_and_a_one_byte_change_is_not(
        app: Flask, valid: Issued, language: str) -> None:
    url = f"/verify/{valid.code}"
    issued = send_file(app, url, language, pdf=valid.pdf)
    assert issued.status_code == 200
    assert say(language, "This file is the document issued for this certificate.") \
        in text_of(issued)

    edited = send_file(app, url, language, pdf=one_byte_changed(valid.pdf))
    assert edited.status_code == 200
    text = text_of(edited)
    assert say(language, "This file is not the document issued for this certificate.") in text
    assert say(language, "This file is the document issued for this certificate.") not in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_pasted_sha256_is_compared_like_a_file(
        app: Flask, valid: Issued, language: str) -> None:
    url = f"/verify/{valid.code}"
    pasted = " ".join(re.findall(".{8}", valid.pdf_sha256.upper()))
    same = send_file(app, url, language, sha256=pasted)
    assert same.status_code == 200
    assert say(language, "This file is the document issued for this certificate.") \
        in text_of(same)
    other = hashlib.sha256(one_byte_changed(valid.pdf)).hexdigest()
    assert say(language, "This file is not the document issued for this certificate.") \
        in text_of(send_file(app, url, language, sha256=other))


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_revoked_certificate_file_is_genuine_but_still_revoked(
        app: Flask, revoked: Issued, language: str) -> None:
    response = send_file(app, f"/verify/{revoked.code}", language,
                         pdf=revoked.pdf)
    text = text_of(response)
    assert say(language, "This file is the document issued for this certificate.") in text
    assert say(language, "Revoked certificate") in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_file_alone_finds_its_certificate_or_is_refused(
        app: Flask, valid: Issued, superseded: tuple[Issued, Issued], language: str) -> None:
    old, newer = superseded
    found = send_file(app, "/verify", language, pdf=old.pdf)
    assert found.status_code == 200
    text = text_of(found)
    assert say(language, "This file is the document issued for this certificate.") in text
    assert say(language, "Replaced certificate") in text and "Aime Nduwimana" in text

    edited = send_file(app, "/verify", language, pdf=one_byte_changed(valid.pdf))
    assert edited.status_code == 200
    text = text_of(edited)
    assert say(language, "Not an issued document") in text
    assert "Zoë" not in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_bad_submissions_get_a_translated_400(
        app: Flask, valid: Issued, language: str) -> None:
    url = f"/verify/{valid.code}"
    not_pdf = send_file(app, url, language, pdf=b"GIF89a not a certificate",
                        filename="certificate.pdf")
    assert not_pdf.status_code == 400
    assert say(language, "This file is not a PDF document.") in text_of(not_pdf)

    bad_hash = send_file(app, url, language, sha256="1234-not-a-fingerprint")
    assert bad_hash.status_code == 400
    assert say(language, "A SHA-256 fingerprint is 64 characters, digits 0-9 and letters a-f.") \
        in text_of(bad_hash)

    empty = send_file(app, "/verify", language)
    assert empty.status_code == 400
    assert say(language, "Choose the PDF file, or paste its SHA-256 fingerprint.") \
        in text_of(empty)


def test_an_oversize_upload_is_refused_without_an_error(app: Flask,
                                                         valid: Issued) -> None:
    # A small limit for the test: the client spools bodies over 500 KB to a temporary file.
    app.config["MAX_CONTENT_LENGTH"] = 100_000
    too_big = b"%PDF-1.4\n" + b"0" * 150_000
    response = send_file(app, f"/verify/{valid.code}", "fr", pdf=too_big)
    assert response.status_code == 413
    assert in_french("The file or text you sent is too large.") in text_of(response)


def test_posting_without_the_form_token_is_refused(app: Flask,
                                                    valid: Issued) -> None:
    response = fresh(app).post(f"/verify/{valid.code}",
                               data={"sha256": valid.pdf_sha256})
    assert response.status_code == 400
    assert "This file is the document" not in text_of(response)


@pytest.mark.parametrize("language", LANGUAGES)
def test_lookups_are_rate_limited_per_address(
        app: Flask, valid: Issued, language: str) -> None:
    app.config["VERIFY_MAX_LOOKUPS_PER_ADDRESS"] = 3
    url = f"/verify/{valid.code}"
    answers = [fresh(app).get(url, headers={"Accept-Language": language}).status_code
               for _ in range(3)]
    answers.append(fresh(app).get(f"/verify/{secrets.token_urlsafe(24)}").status_code)
    assert answers == [200, 200, 200, 429]
    refused = visit(app, url, language)
    assert refused.status_code == 429
    assert say(language, "Too many verification requests from your network. Please wait a few "
               "minutes and try again.") in text_of(refused)
    assert int(refused.headers["Retry-After"]) > 0
    assert "Zoë" not in text_of(refused)
    # The file check counts too; another address is not affected.
    assert send_file(app, url, language, sha256=valid.pdf_sha256).status_code \
        == 429
    other = fresh(app, address="198.51.100.20").get(url, headers={"Accept-Language": language})
    assert other.status_code == 200


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_start_page_takes_a_code_or_the_printed_address(
        app: Flask, valid: Issued, language: str) -> None:
    start = visit(app, "/verify", language)
    assert start.status_code == 200
    assert say(language, "Verify a certificate") in text_of(start)
    address = f"  http://127.0.0.1:5000/verify/{valid.code}  "
    for pasted in (valid.code, address):
        response = fresh(app).get("/verify", query_string={"code": pasted},
                                  headers={"Accept-Language": language})
        assert response.status_code == 302
        assert response.headers["Location"] == f"/verify/{valid.code}"
    for nothing in ("", "  http://127.0.0.1:5000/verify/ "):
        empty = fresh(app).get("/verify", query_string={"code": nothing},
                               headers={"Accept-Language": language})
        assert empty.status_code == 200
        assert say(language, "Enter the verification code.") in text_of(empty)
