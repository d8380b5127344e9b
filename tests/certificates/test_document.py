"""The certificate PDF: what a reader sees on it, and what its QR code says."""

from __future__ import annotations

import io
import logging

import pypdfium2
import pytest
import zxingcpp
from flask import Flask
from pypdf import PdfReader

from learning.certificates.links import verification_url
from tests.certificates.document_support import ISSUED_AT, cohort, issue
from tests.conftest import in_french

PROGRAMME = "Training of Trainers in case-management supervision and coaching"


def words(pdf: bytes) -> str:
    """Every page's text with whitespace collapsed (lines wrap where the layout says)."""
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def url_for_code(app: Flask, code: str) -> str:
    with app.app_context():
        return verification_url(code)


def test_accented_name_serial_and_verification_address_are_printed(app: Flask,
                                                                   make_user) -> None:
    holder = make_user(name="Zoë Ngoné-Bâ")
    issued = issue(app, holder, cohort(app, "Gitega ToT"))
    text = words(issued.pdf)
    assert "Zoë Ngoné-Bâ" in text
    assert issued.serial in text
    assert url_for_code(app, issued.code) in text
    assert PROGRAMME in text
    assert "Gitega ToT" in text
    assert "June 10, 2030" in text  # issue date, in English
    assert "2 in-country trainings delivered" in text
    assert "37 people trained" in text
    assert "Tandem" in text  # the default issuer


def test_one_a4_landscape_page_with_the_issue_date_as_creation_date(app: Flask,
                                                                     make_user) -> None:
    issued = issue(app, make_user(), cohort(app), language="en+fr")
    reader = PdfReader(io.BytesIO(issued.pdf))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)
    assert reader.metadata is not None
    assert reader.metadata.creation_date.replace(microsecond=0) == ISSUED_AT


def test_the_same_certificate_renders_to_the_same_bytes(app: Flask, make_user) -> None:
    from learning.certificates.document import render_certificate_pdf
    from learning.certificates.models import Certificate
    from learning.db import db

    issued = issue(app, make_user(), cohort(app), language="fr")
    with app.app_context():
        again = render_certificate_pdf(db.session.get(Certificate, issued.id))
    assert again == issued.pdf


def test_french_certificate_is_written_in_french(app: Flask, make_user) -> None:
    issued = issue(app, make_user(name="Aimée Nduwimana"), cohort(app), language="fr")
    text = words(issued.pdf)
    assert "Aimée Nduwimana" in text
    assert " ".join(in_french(PROGRAMME).split()) in text
    assert "10 juin 2030" in text
    assert "37" in text and in_french("Certificate of completion").upper() in text


def test_bilingual_certificate_has_english_and_french_side_by_side(app: Flask,
                                                                    make_user) -> None:
    issued = issue(app, make_user(name="Zoë Ngoné-Bâ"), cohort(app), language="en+fr")
    text = words(issued.pdf)
    assert text.count("Zoë Ngoné-Bâ") == 1
    assert PROGRAMME in text
    assert " ".join(in_french(PROGRAMME).split()) in text
    assert "June 10, 2030" in text and "10 juin 2030" in text
    # The English column is printed before (left of) the French one.
    english = text.index(in_french("Issued on %(date)s", date="10 juin 2030"))
    assert text.index("Issued on June 10, 2030") < english


@pytest.mark.parametrize("name", [
    "Nguyễn Thị Hồng",        # Vietnamese: stacked diacritics
    "Анна Петрова-Сидоренко",  # Cyrillic
    "Ελένη Παπαδοπούλου",      # Greek
    "ليلى حسن",                # Arabic: right-to-left, printed unshaped
])
def test_non_latin_names_are_printed_with_real_glyphs(app: Flask, make_user, name: str,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="fpdf"):
        issued = issue(app, make_user(name=name), cohort(app))
    assert not [record for record in caplog.records if "missing" in record.getMessage()]
    assert name.replace(" ", "") in words(issued.pdf).replace(" ", "")


def test_a_very_long_name_stays_on_one_page(app: Flask, make_user) -> None:
    name = "Marie-Christine Ndayishimiye-Nkurunziza Habonimana de la Croix-Rouge Bujumbura"
    issued = issue(app, make_user(name=name[:120]), cohort(app), language="en+fr")
    assert len(PdfReader(io.BytesIO(issued.pdf)).pages) == 1
    assert name in words(issued.pdf)


def test_issuing_organisations_come_from_the_configuration(app: Flask, make_user) -> None:
    app.config["CERTIFICATE_ISSUERS"] = ("Ministère de la Solidarité", "Child Protection Hub")
    text = words(issue(app, make_user(), cohort(app)).pdf)
    assert "Ministère de la Solidarité" in text and "Child Protection Hub" in text


@pytest.mark.parametrize("language", ["en", "fr", "en+fr"])
def test_qr_code_decodes_to_the_verification_address(app: Flask, make_user,
                                                     language: str) -> None:
    issued = issue(app, make_user(), cohort(app), language=language)
    page = pypdfium2.PdfDocument(issued.pdf)[0]
    image = page.render(scale=3).to_pil()
    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    assert [barcode.text for barcode in found] == [url_for_code(app, issued.code)]
