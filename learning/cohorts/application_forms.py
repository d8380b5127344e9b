"""Country application forms: starting one, its parts (saved as the person types), its
agencies and nominees, and the selection committee's review and decision.

The parts are drafts: they accept incomplete answers and check only what could not be stored
(lengths, an unreadable date, a character that cannot be saved). Completeness is checked when
the application is submitted (``application_services.problems``).
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    Field,
    HiddenField,
    IntegerField,
    MonthField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TelField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)
from wtforms.widgets import HiddenInput

from learning.accounts.models import OrganisationType
from learning.cohorts.application_models import Decision
from learning.core.forms import AppForm, options
from learning.core.writes import CLIENT_KEY

MAX_TEXT = 4000
UNREADABLE_SAVE = _l("This save could not be identified. Reload the page and try again.")


ORGANISATION_TYPES = {
    OrganisationType.GOVERNMENT.value: _l("Government"),
    OrganisationType.NATIONAL_NGO.value: _l("National or local NGO"),
    OrganisationType.INTERNATIONAL_NGO.value: _l("International NGO"),
    OrganisationType.UN_AGENCY.value: _l("UN agency"),
    OrganisationType.OTHER.value: _l("Other"),
}


def organisation_type_labels() -> dict[str, str]:
    return {value: str(label) for value, label in ORGANISATION_TYPES.items()}


def language_labels() -> dict[str, str]:
    return {"en": "English", "fr": "Français"}


def no_nul(_form: AppForm, field: Field) -> None:
    if field.data and "\x00" in field.data:
        raise ValidationError(_l("The text contains a character that cannot be saved."))


def unix_newlines(value: Any) -> Any:
    # Browsers send line breaks as CRLF; counting them as one character matches the limit
    # the browser itself applies to the text area.
    return value.replace("\r\n", "\n") if isinstance(value, str) else value


def strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _limit(limit: int) -> Length:
    return Length(max=limit, message=_l("Use at most %(max)d characters.", max=limit))


def _line(label: Any, limit: int, kind: type[StringField] = StringField, required: Any = None,
          description: Any = None) -> StringField:
    first = DataRequired(message=required) if required else Optional()
    return kind(label, description=description, filters=[strip],
                validators=[first, no_nul, _limit(limit)], render_kw={"maxlength": limit})


def _text(label: Any, description: Any = None, required: Any = None,
          rows: int = 4) -> TextAreaField:
    first = DataRequired(message=required) if required else Optional()
    return TextAreaField(label, description=description, filters=[unix_newlines],
                         validators=[first, no_nul, _limit(MAX_TEXT)],
                         render_kw={"rows": rows, "maxlength": MAX_TEXT})


def _yes_no(label: Any, description: Any = None) -> SelectField:
    return SelectField(label, description=description, validators=[Optional()],
                       choices=options([("", _l("— choose —")), ("yes", _l("Yes")),
                                        ("no", _l("No"))]))


def _organisation_type(label: Any, required: Any = None) -> SelectField:
    first = DataRequired(message=required) if required else Optional()
    return SelectField(label, validators=[first],
                       choices=options([("", _l("— choose —")), *ORGANISATION_TYPES.items()]))


def optional_int(value: Any) -> int | None:
    """Coerce a select's value; the empty choice is None."""
    return int(value) if value not in (None, "") else None


def _key() -> HiddenField:
    return HiddenField(validators=[Regexp(CLIENT_KEY, message=UNREADABLE_SAVE)])


# --- starting an application ------------------------------------------------------------------

class NewApplicationForm(AppForm):
    """A coordinator applies for their own country."""

    language = SelectField(_l("Language of the application"),
                           choices=options(language_labels().items()),
                           validators=[DataRequired()])
    cohort = SelectField(_l("Training of Trainers you apply for"), coerce=optional_int,
                         validators=[Optional()],
                         description=_l("Leave empty if the dates are not known yet."))
    key = _key()
    submit = SubmitField(_l("Start the application"))


class AdminNewApplicationForm(NewApplicationForm):
    """An admin drafts one for a country, and may name its coordinator."""

    country = SelectField(_l("Country"),
                          validators=[DataRequired(message=_l("Choose the country."))])
    coordinator = SelectField(_l("Coordinator of the coordination group"), coerce=optional_int,
                              validators=[Optional()],
                              description=_l("Told of the decision. Left empty, every "
                                             "coordinator of the country is told."))


# --- the parts, saved as the person types -----------------------------------------------------

class PartForm(AppForm):
    # The part's version the page showed: a save made from an older one is a conflict.
    base_revision = IntegerField(widget=HiddenInput(),
                                 validators=[InputRequired(message=UNREADABLE_SAVE),
                                             NumberRange(min=0, message=UNREADABLE_SAVE)])

    @classmethod
    def answer_names(cls) -> list[str]:
        return [name for name in dir(cls) if name != "base_revision"
                and getattr(getattr(cls, name), "_formfield", False)]

    @classmethod
    def stored(cls, application: Any) -> dict[str, Any]:
        """The application's answers to this part, as form data."""
        return {name: getattr(application, name) for name in cls.answer_names()}

    @classmethod
    def of(cls, application: Any, version: int) -> PartForm:
        return cls(formdata=None, data={**cls.stored(application), "base_revision": version})

    def values(self) -> dict[str, Any]:
        """The posted answers, as stored on the application (a text left out is empty)."""
        return {name: (self[name].data or "") if isinstance(self[name], StringField)
                else self[name].data for name in self.answer_names()}


class ContactsForm(PartForm):
    language = SelectField(_l("Language of the application"),
                           choices=options(language_labels().items()),
                           validators=[DataRequired()])
    focal_name = _line(_l("Name"), 120)
    focal_title = _line(_l("Title"), 120)
    focal_organisation = _line(_l("Organisation"), 160)
    focal_email = _line(_l("E-mail address"), 254, kind=EmailField)
    focal_phone = _line(_l("Telephone"), 40, kind=TelField)
    backup_name = _line(_l("Name"), 120)
    backup_title = _line(_l("Title"), 120)
    backup_organisation = _line(_l("Organisation"), 160)
    backup_email = _line(_l("E-mail address"), 254, kind=EmailField)
    backup_phone = _line(_l("Telephone"), 40, kind=TelField)


class PartOneForm(PartForm):
    has_cm_subgroup = _yes_no(_l("Is there a case-management sub-group in the country?"))
    cm_subgroup_description = _text(
        _l("If yes: the purpose of the group and how often it meets"))
    cm_subgroup_tor = _text(
        _l("If yes: its terms of reference"),
        description=_l("A summary, or where the terms of reference can be found."))
    has_interagency_sops = _yes_no(
        _l("Are there interagency child-protection standard operating procedures (SOPs) in "
           "the country?"))
    sops_description = _text(_l("If yes: the SOPs, and where they can be found"))
    government_role = _text(_l("The role of the government in case management"))
    recent_trainings = _text(
        _l("Case-management trainings rolled out in the country in the past 6 months"),
        description=_l("Say which ones were interagency initiatives."))
    capacity_building = _text(
        _l("Ongoing interagency case-management capacity-building programmes"),
        description=_l("Describe them, with the expected time frame."))
    capacity_budget = _text(
        _l("Existing budget to implement interagency trainings"),
        description=_l("If there is one: the amount, who holds it and for which period."))

    YES_NO = ("has_cm_subgroup", "has_interagency_sops")

    @classmethod
    def stored(cls, application: Any) -> dict[str, Any]:
        data = super().stored(application)
        for name in cls.YES_NO:
            data[name] = {True: "yes", False: "no"}.get(data[name], "")
        return data

    def values(self) -> dict[str, Any]:
        values = super().values()
        for name in self.YES_NO:
            values[name] = {"yes": True, "no": False}.get(values[name] or "")
        return values


class PartTwoForm(PartForm):
    why_join = _text(_l("Why would the coordination group like to take part in the "
                        "capacity-building initiative?"))
    follow_up = _text(_l("How will the coordination group make sure that follow-up trainings "
                         "and coaching take place?"))
    obstacles = _text(_l("Obstacles that might be met in rolling out the supervision and "
                         "coaching training"))
    obstacle_responses = _text(_l("How these obstacles would be addressed"))


class CommitmentForm(PartForm):
    signatory_name = _line(_l("Name of the coordinator signing for the coordination group"),
                           120)
    signatory_title = _line(_l("Title"), 120)
    signed_on = DateField(_l("Date"), validators=[Optional()])
    commitment_agreed = BooleanField(
        _l("We give our commitment to fully support the nominated participants’ engagement "
           "in the training, as described above."))


PART_FORMS: dict[str, type[PartForm]] = {
    "contacts": ContactsForm,
    "part1": PartOneForm,
    "part2": PartTwoForm,
    "commitment": CommitmentForm,
}


# --- agencies and nominees --------------------------------------------------------------------

class AgencyForm(AppForm):
    name = _line(_l("Name of the organisation"), 160,
                 required=_l("Give the name of the organisation."))
    organisation_type = _organisation_type(_l("Type of organisation"),
                                           required=_l("Choose the type of organisation."))
    cm_started_on = MonthField(_l("Case management started in"), validators=[Optional()],
                               description=_l("Month and year."))
    active_cases = IntegerField(
        _l("Active cases"),
        validators=[Optional(), NumberRange(min=0, max=10_000_000,
                                            message=_l("Enter a whole number, 0 or more."))])
    caseworkers = IntegerField(
        _l("Caseworkers"),
        validators=[Optional(), NumberRange(min=0, max=1_000_000,
                                            message=_l("Enter a whole number, 0 or more."))])
    supervisors = IntegerField(
        _l("Supervisors of caseworkers"),
        validators=[Optional(), NumberRange(min=0, max=1_000_000,
                                            message=_l("Enter a whole number, 0 or more."))])
    comments = _text(_l("Comments"), rows=2)
    key = _key()
    submit = SubmitField(_l("Add the organisation"))


class NomineeForm(AppForm):
    name = _line(_l("Full name"), 120, required=_l("Give the person’s name."))
    email = EmailField(_l("E-mail address"), filters=[strip], render_kw={"maxlength": 254},
                       validators=[DataRequired(message=_l("Give the person’s e-mail address.")),
                                   _limit(254),
                                   Email(message=_l("Enter a valid e-mail address."))])
    organisation = _line(_l("Organisation"), 160, required=_l("Give the person’s organisation."))
    organisation_type = _organisation_type(_l("Type of organisation"),
                                           required=_l("Choose the type of organisation."))
    title = _line(_l("Title"), 120, required=_l("Give the person’s title."))
    reason = _text(_l("Why this person is nominated"),
                   description=_l("Experience in leading case management, in training and "
                                  "coaching, in supervising caseworkers; languages; anything "
                                  "else the selection committee should consider."),
                   required=_l("Say why this person is nominated."), rows=3)
    is_alternate = BooleanField(_l("Alternate (takes part only if a team member cannot)"))
    key = _key()
    submit = SubmitField(_l("Add to the team"))


class KeyForm(AppForm):
    """A button that changes one row: its key makes a repeated click do nothing more."""

    key = _key()


# --- submitting, reviewing, deciding, confirming ----------------------------------------------

class SubmitApplicationForm(AppForm):
    submit = SubmitField(_l("Submit the application"))


SCORE_CHOICES = options([("", "—"), *((str(n), str(n)) for n in range(1, 6))])


def _score(label: Any, description: Any) -> SelectField:
    return SelectField(label, description=description, choices=SCORE_CHOICES,
                       coerce=optional_int,
                       validators=[Optional()])


class ReviewForm(AppForm):
    relevance_score = _score(_l("Relevance"), _l("How much the country needs the initiative and "
                                                 "can use it."))
    interagency_score = _score(_l("Interagency commitment"),
                               _l("The coordination group’s commitment and the agencies "
                                  "involved."))
    team_score = _score(_l("Profile of the team"),
                        _l("Experience, diversity of organisations, languages."))
    basics_score = _score(_l("Case-management basics in place"),
                          _l("Sub-group, SOPs, active programmes with supervisors."))
    comments = _text(_l("Comments of the selection committee"),
                     description=_l("Not shown to the applicant."))
    submit = SubmitField(_l("Save the review"))

    def scores(self) -> dict[str, int | None]:
        return {name: self[name].data for name in
                ("relevance_score", "interagency_score", "team_score", "basics_score")}


def decision_labels() -> dict[str, str]:
    return {Decision.SELECTED.value: str(_l("Selected")),
            Decision.NOT_SELECTED.value: str(_l("Not selected"))}


class DecisionForm(AppForm):
    decision = RadioField(_l("Decision"),
                          validators=[InputRequired(message=_l("Choose a decision."))])
    cohort = SelectField(_l("Cohort the team joins"), coerce=optional_int,
                         description=_l("Needed when the application is selected."))
    message = _text(_l("Message to the applicant"),
                    description=_l("Sent to the coordinator with the decision."),
                    required=_l("Write a message to the applicant."))
    submit = SubmitField(_l("Record the decision"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.decision.choices = options(decision_labels().items())

    def validate_cohort(self, field: SelectField) -> None:
        if self.decision.data == Decision.SELECTED.value and not field.data:
            raise ValidationError(_l("Choose the cohort the team joins."))


class ConfirmNominationForm(AppForm):
    submit = SubmitField(_l("I confirm my participation"))
