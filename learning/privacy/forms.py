"""Forms of the privacy pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from learning.core.forms import AppForm


class DeletionRequestForm(AppForm):
    reason = TextAreaField(_l("Anything you want the administrator to know (optional)"),
                           validators=[Optional(), Length(max=2000)])
    confirm = BooleanField(
        _l("I understand that my reflections, action plan and account will be deleted and "
           "cannot be recovered."),
        validators=[DataRequired(_l("Tick the box to confirm."))])
    submit = SubmitField(_l("Ask for my data to be deleted"))


class CancelRequestForm(AppForm):
    submit = SubmitField(_l("Cancel my request"))


class CompleteDeletionForm(AppForm):
    confirm = BooleanField(_l("Delete this person's personal data now"),
                           validators=[DataRequired(_l("Tick the box to confirm."))])
    submit = SubmitField(_l("Complete the deletion"))
