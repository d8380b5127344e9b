"""Certificate forms: the staff list's filters and the admin's three decisions."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from learning.certificates.services import MAX_REASON_CHARS
from learning.core.forms import AppForm


def _reason_field(label: str) -> TextAreaField:
    return TextAreaField(label, validators=[
        DataRequired(message=_l("Give the reason: it is kept in the audit log.")),
        Length(max=MAX_REASON_CHARS,
               message=_l("Use at most %(max)d characters.", max=MAX_REASON_CHARS))])


class IssueForm(AppForm):
    reason = _reason_field(_l("Why is this certificate issued by hand?"))
    submit = SubmitField(_l("Issue the certificate"))


class ReissueForm(AppForm):
    reason = _reason_field(_l("Why is it issued again?"))
    submit = SubmitField(_l("Re-issue with the current name"))


class RevokeForm(AppForm):
    reason = _reason_field(_l("Why is it revoked?"))
    submit = SubmitField(_l("Revoke the certificate"))


class ListFilters(AppForm):
    """Read from the query string: no CSRF, and an unknown value is ignored, not an error."""

    class Meta:
        csrf = False

    cohort = SelectField(_l("Cohort"), validators=[Optional()])
    country = SelectField(_l("Country"), validators=[Optional()])
    submit = SubmitField(_l("Show"))
