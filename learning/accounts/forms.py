"""Account forms. Labels and messages are lazy strings, translated when shown."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError

from learning.accounts.models import OrganisationType, Role
from learning.accounts.passwords import MAX_LENGTH, MIN_LENGTH
from learning.core.forms import AppForm, options

LANGUAGE_CHOICES = options([("en", "English"), ("fr", "Français")])


def role_labels() -> dict[str, str]:
    return {
        Role.PARTICIPANT: str(_l("Participant")),
        Role.FACILITATOR: str(_l("Facilitator")),
        Role.FOCAL_POINT: str(_l("National support focal point")),
        Role.COORDINATOR: str(_l("Country coordinator")),
        Role.ADMIN: str(_l("Administrator")),
    }


def organisation_type_labels() -> dict[str, str]:
    return {
        OrganisationType.UN_AGENCY: str(_l("UN agency")),
        OrganisationType.INTERNATIONAL_NGO: str(_l("International NGO")),
        OrganisationType.NATIONAL_NGO: str(_l("National or local NGO")),
        OrganisationType.GOVERNMENT: str(_l("Government")),
        OrganisationType.OTHER: str(_l("Other")),
    }


def _email_field(label: str | None = None) -> EmailField:
    return EmailField(
        label or _l("E-mail address"),
        validators=[
            DataRequired(message=_l("Enter your e-mail address.")),
            Length(max=254, message=_l("This e-mail address is too long.")),
            Email(message=_l("Enter a valid e-mail address, like name@example.org."),
                  check_deliverability=False),
        ],
    )


def _new_password_fields() -> tuple[PasswordField, PasswordField]:
    password = PasswordField(
        _l("New password"),
        validators=[
            DataRequired(message=_l("Choose a password.")),
            Length(min=MIN_LENGTH, max=MAX_LENGTH,
                   message=_l("Use between %(min)d and %(max)d characters.",
                              min=MIN_LENGTH, max=MAX_LENGTH)),
        ],
        description=_l("At least %(min)d characters. A short sentence is easy to remember.",
                       min=MIN_LENGTH),
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(message=_l("Repeat the password.")),
                    EqualTo("password", message=_l("The two passwords are not the same."))],
    )
    return password, confirm


def _name_field() -> StringField:
    return StringField(
        _l("Full name"),
        validators=[DataRequired(message=_l("Enter your name.")),
                    Length(max=120, message=_l("Use at most %(max)d characters.", max=120))],
    )


class LoginForm(AppForm):
    email = _email_field()
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(message=_l("Enter your password.")),
                    Length(max=MAX_LENGTH, message=_l("This password is too long."))],
    )
    submit = SubmitField(_l("Sign in"))


class SetupForm(AppForm):
    name = _name_field()
    email = _email_field()
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    password, confirm = _new_password_fields()
    submit = SubmitField(_l("Create the administrator account"))


class AcceptInvitationForm(AppForm):
    name = _name_field()
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    password, confirm = _new_password_fields()
    submit = SubmitField(_l("Create my account"))


class ForgotPasswordForm(AppForm):
    email = _email_field()
    submit = SubmitField(_l("Send me a link"))


class ResetPasswordForm(AppForm):
    password, confirm = _new_password_fields()
    submit = SubmitField(_l("Set the new password"))


class ChangePasswordForm(AppForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(message=_l("Enter your current password.")),
                    Length(max=MAX_LENGTH)],
    )
    password, confirm = _new_password_fields()
    submit = SubmitField(_l("Change password"))


class ProfileForm(AppForm):
    name = _name_field()
    job_title = StringField(
        _l("Job title"),
        validators=[Optional(), Length(max=120, message=_l("Use at most %(max)d characters.",
                                                           max=120))],
    )
    language = SelectField(_l("Preferred language"), choices=LANGUAGE_CHOICES)
    submit = SubmitField(_l("Save"))


class InviteForm(AppForm):
    name = StringField(
        _l("Full name"),
        validators=[DataRequired(message=_l("Enter the person's name.")),
                    Length(max=120, message=_l("Use at most %(max)d characters.", max=120))],
    )
    email = _email_field()
    role = SelectField(_l("Role"))
    language = SelectField(_l("Language of their messages"), choices=LANGUAGE_CHOICES)
    country = SelectField(_l("Country"), validators=[Optional()])
    organisation = StringField(
        _l("Organisation"),
        validators=[Optional(), Length(max=160, message=_l("Use at most %(max)d characters.",
                                                           max=160))],
    )
    organisation_type = SelectField(_l("Organisation type"))
    job_title = StringField(
        _l("Job title"),
        validators=[Optional(), Length(max=120, message=_l("Use at most %(max)d characters.",
                                                           max=120))],
    )
    cohort = SelectField(_l("Enrol in cohort"), validators=[Optional()])
    focal_countries = SelectMultipleField(_l("Countries supported (focal points)"),
                                          validators=[Optional()])
    submit = SubmitField(_l("Send the invitation"))

    def validate_country(self, field: SelectField) -> None:
        if self.role.data in (Role.PARTICIPANT, Role.COORDINATOR) and not field.data:
            raise ValidationError(_l("Choose the person's country."))

    def validate_focal_countries(self, field: SelectMultipleField) -> None:
        if self.role.data == Role.FOCAL_POINT and not field.data:
            raise ValidationError(_l("Choose at least one country for a focal point."))


class UserEditForm(AppForm):
    role = SelectField(_l("Role"))
    country = SelectField(_l("Country"), validators=[Optional()])
    focal_countries = SelectMultipleField(_l("Countries supported (focal points)"),
                                          validators=[Optional()])
    is_active = BooleanField(_l("Active (can sign in)"))
    submit = SubmitField(_l("Save"))
