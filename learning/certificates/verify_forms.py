"""Forms of the public verification pages: look a code up, or check a file against it."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from werkzeug.datastructures import FileStorage
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from learning.core.forms import AppForm

SHA256_HEX = re.compile(r"^[0-9a-fA-F]{64}$")
PDF_SIGNATURE = b"%PDF-"


class LookupForm(AppForm):
    """Sent with GET (it reads, and the result page has its own address): no CSRF token."""

    class Meta:
        csrf = False

    code = StringField(_l("Verification code or address"),
                       description=_l("As printed under the QR code of the certificate."),
                       validators=[DataRequired(message=_l("Enter the verification code.")),
                                   Length(max=300)])
    submit = SubmitField(_l("Verify"))

    def verification_code(self) -> str:
        """The code in what was pasted: the code itself or the whole printed address."""
        text = (self.code.data or "").strip().split("?", 1)[0].split("#", 1)[0]
        if "/" not in text:  # codes are URL-safe base64: never a slash
            return text
        _, found, code = text.rpartition("/verify/")
        return code.strip("/") if found else ""

    def validate_code(self, field: StringField) -> None:
        if field.data and not self.verification_code():
            raise ValidationError(_l("Enter the verification code."))


class FileCheckForm(AppForm):
    """A PDF file, or the SHA-256 fingerprint of one: is it the document that was issued?"""

    pdf = FileField(_l("The certificate's PDF file"),
                    render_kw={"accept": "application/pdf,.pdf"})
    sha256 = StringField(
        _l("Or its SHA-256 fingerprint"),
        description=_l("64 hexadecimal characters, e.g. from the command sha256sum."),
        filters=[lambda value: value.strip().replace(" ", "").lower() if value else value],
        validators=[Optional(), Regexp(SHA256_HEX, message=_l(
            "A SHA-256 fingerprint is 64 characters, digits 0-9 and letters a-f."))])
    submit = SubmitField(_l("Check this file"))

    def uploaded(self) -> FileStorage | None:
        data = self.pdf.data
        return data if isinstance(data, FileStorage) and data.filename else None

    def validate(self, extra_validators: Any = None) -> bool:
        if not super().validate(extra_validators):
            return False
        upload = self.uploaded()
        if upload is None and not self.sha256.data:
            self.pdf.errors = [_l("Choose the PDF file, or paste its SHA-256 fingerprint.")]
            return False
        if upload is not None and upload.stream.read(len(PDF_SIGNATURE)) != PDF_SIGNATURE:
            self.pdf.errors = [_l("This file is not a PDF document.")]
            return False
        return True

    def fingerprint(self) -> str:
        """The SHA-256 of the uploaded file, else the pasted one (after validation)."""
        upload = self.uploaded()
        if upload is None:
            return str(self.sha256.data)
        upload.stream.seek(0)
        return hashlib.file_digest(upload.stream, "sha256").hexdigest()  # type: ignore[arg-type]
