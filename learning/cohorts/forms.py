"""Cohort forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from learning.certificates import rules as certificate_settings
from learning.core.forms import AppForm, options


def status_labels() -> dict[str, str]:
    return {
        "nominated": str(_l("Nominated")),
        "alternate": str(_l("Alternate")),
        "confirmed": str(_l("Confirmed")),
        "withdrawn": str(_l("Withdrawn")),
    }


class CohortForm(AppForm):
    name = StringField(
        _l("Name"),
        validators=[DataRequired(message=_l("Give the cohort a name.")),
                    Length(max=160, message=_l("Use at most %(max)d characters.", max=160))],
    )
    slug = StringField(
        _l("Short name in addresses"),
        validators=[Optional(), Length(max=80, message=_l("Use at most %(max)d characters.",
                                                          max=80))],
        description=_l("Letters, numbers and dashes. Left empty, it is made from the name."),
    )
    languages = SelectMultipleField(
        _l("Working languages"),
        choices=options([("en", "English"), ("fr", "Français")]),
        validators=[DataRequired(message=_l("Choose at least one language."))],
    )
    venue = StringField(
        _l("Venue"),
        validators=[Optional(), Length(max=160, message=_l("Use at most %(max)d characters.",
                                                           max=160))],
    )
    start_date = DateField(_l("First day"),
                           validators=[DataRequired(message=_l("Enter a valid date."))])
    end_date = DateField(_l("Last day"),
                         validators=[DataRequired(message=_l("Enter a valid date."))])
    precourse_deadline = DateField(_l("Pre-course deadline"), validators=[Optional()])
    countries = SelectMultipleField(_l("Countries covered"), validators=[Optional()])
    facilitators = SelectMultipleField(_l("Facilitators"), coerce=int, validators=[Optional()])
    pre_test_closes_at_module_1 = BooleanField(
        _l("The pre-test closes when a participant starts module 1"), default=True)
    post_test_requires_module_4 = BooleanField(
        _l("The post-test opens only after a participant finishes module 4"), default=True)
    # Setting keys read by learning.certificates.rules; the choices are its rule ids.
    certificate_rules = SelectMultipleField(
        _l("A participant is certified when"),
        choices=options((rule, label) for rule, label in certificate_settings.RULE_LABELS.items()),
        default=list(certificate_settings.RULES), widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(), validators=[Optional()],
        description=_l("With no rule ticked, certificates are issued by hand only."))
    certificate_languages = RadioField(
        _l("Language of the certificates"),
        choices=options([(certificate_settings.PARTICIPANT_LANGUAGE,
                          _l("The participant's language")),
                         (certificate_settings.BOTH_LANGUAGES,
                          _l("English and French side by side"))]),
        default=certificate_settings.PARTICIPANT_LANGUAGE,
        validators=[DataRequired(message=_l("Choose the language of the certificates."))])
    # Sent by the page that shows the certificate fields: a post without it (an older page,
    # a script) keeps the certificate settings as they are instead of unticking every rule.
    certificate_fields = HiddenField()
    submit = SubmitField(_l("Save the cohort"))

    def validate_end_date(self, field: DateField) -> None:
        if field.data and self.start_date.data and field.data < self.start_date.data:
            raise ValidationError(_l("The last day cannot be before the first day."))

    def validate_precourse_deadline(self, field: DateField) -> None:
        if field.data and self.start_date.data and field.data > self.start_date.data:
            raise ValidationError(_l("The pre-course deadline must be on or before the "
                                     "first day."))


class EnrolExistingForm(AppForm):
    email = StringField(
        _l("E-mail address of a person with an account"),
        validators=[DataRequired(message=_l("Enter an e-mail address.")),
                    Length(max=254, message=_l("This e-mail address is too long."))],
    )
    status = SelectField(_l("Status"))
    submit = SubmitField(_l("Enrol"))


class EnrolmentStatusForm(AppForm):
    status = SelectField(_l("Status"))
    submit = SubmitField(_l("Change"))


class ImportUploadForm(AppForm):
    file = FileField(_l("CSV file"), validators=[FileRequired(message=_l("Choose a file."))])
    submit = SubmitField(_l("Check the file"))


class ImportConfirmForm(AppForm):
    # The checked text travels back with the confirmation and is checked again: nothing is
    # kept on the server between the two steps.
    payload = HiddenField(validators=[DataRequired()])
    submit = SubmitField(_l("Import the valid rows and send invitations"))
