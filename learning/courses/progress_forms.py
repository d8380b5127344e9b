"""The facilitator's reminder form on the cohort progress page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, SubmitField
from wtforms.validators import InputRequired

from learning.core.forms import AppForm


class ReminderForm(AppForm):
    step = SelectField(_l("Step"), validators=[InputRequired(message=_l("Choose a step."))])
    # Generated with the page: a second click or a resent form sends nothing twice.
    key = HiddenField()
    submit = SubmitField(_l("Send the reminder"))
