"""Roll-out forms: a training and its report, the focal point's review, trainee scores from a
CSV file, and a follow-up contact.

The training form is posted whole (by the autosave script or by the save buttons); empty
rows of the organisations and participants lists are ignored.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from babel import Locale
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DateField,
    DecimalField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget, NumberInput

from learning.accounts.forms import organisation_type_labels
from learning.accounts.models import OrganisationType
from learning.core.forms import AppForm, options
from learning.core.writes import CLIENT_KEY
from learning.plans.forms import no_nul, unix_newlines
from learning.rollout import services
from learning.rollout.models import ContactMode, DeliveryMode, ReportStatus

UNREADABLE_KEY = _l("This save could not be identified. Reload the page and try again.")
MODULE_NUMBERS = (1, 2, 3, 4)


def delivery_mode_labels() -> dict[str, str]:
    return {
        DeliveryMode.IN_PERSON.value: str(_l("In person")),
        DeliveryMode.REMOTE.value: str(_l("Remote")),
        DeliveryMode.MIXED.value: str(_l("Mixed (in person and remote)")),
    }


def report_status_labels() -> dict[str, str]:
    return {
        ReportStatus.DRAFT.value: str(_l("Draft")),
        ReportStatus.SUBMITTED.value: str(_l("Submitted for review")),
        ReportStatus.RETURNED.value: str(_l("Returned with comments")),
        ReportStatus.RESUBMITTED.value: str(_l("Resubmitted for review")),
        ReportStatus.APPROVED.value: str(_l("Approved")),
    }


def contact_mode_labels() -> dict[str, str]:
    return {
        ContactMode.CALL.value: str(_l("Call")),
        ContactMode.VISIT.value: str(_l("Visit")),
        ContactMode.MESSAGE.value: str(_l("Message")),
        ContactMode.MEETING.value: str(_l("Meeting")),
    }


def gender_labels() -> dict[str, str]:
    return {"female": str(_l("Women")), "male": str(_l("Men")),
            "other": str(_l("Other or not said"))}


def missing_labels() -> dict[str, str]:
    """Why a report cannot be submitted yet, one message per missing part."""
    return {
        "dates": str(_l("Give the first and last day of the training.")),
        "days": str(_l("Give the number of training days.")),
        "region_city": str(_l("Give the region or city where the training took place.")),
        "language": str(_l("Choose the language of the training.")),
        "delivery_mode": str(_l("Choose how the training was delivered.")),
        "modules": str(_l("Tick the modules you delivered.")),
        "participants": str(_l("Give the number of participants by organisation type.")),
        "totals_differ": str(_l("The participants by organisation type and by gender must add "
                                "up to the same total.")),
        "organisations": str(_l("List the organisations whose staff took part.")),
    }


def language_choices(locale: str) -> list[tuple[str, str]]:
    """Languages with a two-letter code, named in the reader's language."""
    names = Locale.parse(locale).languages
    pairs = [(code, name) for code, name in names.items() if len(code) == 2]
    return sorted(pairs, key=lambda pair: services.fold_name(pair[1]))


def language_name(code: str, locale: str) -> str:
    return Locale.parse(locale).languages.get(code, code) if code else ""


def _text(label: Any, limit: int = services.MAX_TEXT_CHARS, description: Any = None,
          required: Any = None, rows: int = 4) -> TextAreaField:
    first = DataRequired(message=required) if required else Optional()
    return TextAreaField(
        label, description=description, filters=[unix_newlines],
        validators=[first, no_nul,
                    Length(max=limit, message=_l("Use at most %(max)d characters.", max=limit))],
        render_kw={"rows": rows})


def _line(label: Any, limit: int, required: Any = None) -> StringField:
    first = DataRequired(message=required) if required else Optional()
    return StringField(
        label, filters=[lambda value: value.strip() if isinstance(value, str) else value],
        validators=[first, no_nul,
                    Length(max=limit, message=_l("Use at most %(max)d characters.", max=limit))])


def _count(label: Any) -> IntegerField:
    return IntegerField(
        label, default=0, widget=NumberInput(min=0),
        validators=[Optional(), NumberRange(min=0, max=100_000,
                                            message=_l("Give a number from 0 to 100000."))])


class PercentField(DecimalField):
    """A score in percent; accepts a decimal comma and a trailing % sign."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        if valuelist and isinstance(valuelist[0], str):
            valuelist = [valuelist[0].strip().rstrip("%").strip().replace(",", ".")]
        super().process_formdata(valuelist)


def _percent(label: Any) -> PercentField:
    return PercentField(label, places=None, validators=[
        Optional(), NumberRange(min=0, max=100, message=_l("Give a percentage from 0 to 100."))])


def optional_int(value: Any) -> int | None:
    """For a select whose first choice is "none" (a ValueError makes the field refuse it)."""
    return None if value in (None, "") else int(value)


class OrganisationRow(Form):
    name = _line(_l("Organisation"), 160)
    type = SelectField(_l("Type"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.type.choices = options([("", str(_l("— choose —"))),
                                     *organisation_type_labels().items()])

    def validate_type(self, field: SelectField) -> None:
        if self.name.data and not field.data:
            raise ValidationError(_l("Choose the type of this organisation."))


class ParticipantRow(Form):
    name = _line(_l("Name"), 120)
    organisation = _line(_l("Organisation"), 160)


def _checkboxes(label: Any) -> SelectMultipleField:
    return SelectMultipleField(label, coerce=int, widget=ListWidget(prefix_label=False),
                               option_widget=CheckboxInput(), validators=[Optional()])


class TrainingForm(AppForm):
    """The whole training and its report, as the trainer edits it."""

    start_date = DateField(_l("First day"), validators=[Optional()])
    end_date = DateField(_l("Last day"), validators=[Optional()])
    days = IntegerField(_l("Number of training days"), widget=NumberInput(min=1, max=60),
                        validators=[Optional(), NumberRange(
                            min=1, max=60, message=_l("Give a number of days from 1 to 60."))])
    region_city = _line(_l("Region or city"), 160)
    language = SelectField(_l("Language of the training"))
    delivery_mode = SelectField(_l("Delivery"))
    modules = _checkboxes(_l("Modules delivered"))
    co_trainers = _checkboxes(_l("Co-trainers from the country team"))
    other_co_trainers = _text(_l("Other co-trainers"), 2000, rows=2,
                              description=_l("People outside the country team, one per line."))
    un_agency_count = _count(_l("UN agency"))
    international_ngo_count = _count(_l("International NGO"))
    national_ngo_count = _count(_l("National or local NGO"))
    government_count = _count(_l("Government"))
    other_organisation_count = _count(_l("Other"))
    female_count = _count(_l("Women"))
    male_count = _count(_l("Men"))
    other_gender_count = _count(_l("Other or not said"))
    organisations = FieldList(FormField(OrganisationRow), _l("Organisations reached"),
                              max_entries=services.MAX_LIST_ROWS)
    participants = FieldList(FormField(ParticipantRow), _l("Named participants"),
                             max_entries=services.MAX_LIST_ROWS)
    pre_test_average = _percent(_l("Pre-test average (%)"))
    post_test_average = _percent(_l("Post-test average (%)"))
    tested_trainees = IntegerField(_l("Number of trainees who took both tests"),
                                   widget=NumberInput(min=0),
                                   validators=[Optional(), NumberRange(min=0, max=100_000)])
    evaluation_highlights = _text(_l("Highlights of the evaluation"))
    adaptations = _text(_l("Adaptations made for the context"))
    challenges = _text(_l("Challenges met"))
    follow_up_planned = _text(_l("Follow-up planned with the trained supervisors"))
    plan_activity_id = SelectField(_l("Roll-out plan activity this training fulfils"),
                                   coerce=optional_int)
    draft_note = _text(_l("Message to the focal point"), rows=3, description=_l(
        "Sent with your next submission, for example what you changed after their comments."))
    # The version the page showed: a save made from an older one is refused, not applied.
    base_revision = IntegerField(widget=HiddenInput(), validators=[
        InputRequired(message=UNREADABLE_KEY), NumberRange(min=1, message=UNREADABLE_KEY)])

    def set_choices(self, locale: str, module_titles: dict[int, str],
                    team: list[tuple[int, str]], activities: dict[int, str]) -> None:
        choose = ("", str(_l("— choose —")))
        self.language.choices = options([choose, *language_choices(locale)])
        self.delivery_mode.choices = options([choose, *delivery_mode_labels().items()])
        self.modules.choices = options(
            (number, module_titles.get(number) or str(_l("Module %(number)d", number=number)))
            for number in MODULE_NUMBERS)
        self.co_trainers.choices = options(team)
        self.plan_activity_id.choices = options(
            [("", str(_l("— none —"))), *activities.items()])

    def validate_end_date(self, field: DateField) -> None:
        if field.data and self.start_date.data and field.data < self.start_date.data:
            raise ValidationError(_l("The last day cannot be before the first day."))

    def validate_days(self, field: IntegerField) -> None:
        if field.data and self.start_date.data and self.end_date.data:
            span = (self.end_date.data - self.start_date.data).days + 1
            if span > 0 and field.data > span:
                raise ValidationError(_l("More days than between the first and last day "
                                         "(%(num)d).", num=span))

    def values(self) -> services.TrainingFields:
        return services.TrainingFields(
            start_date=self.start_date.data,
            end_date=self.end_date.data,
            days=self.days.data,
            region_city=self.region_city.data or "",
            language=self.language.data or "",
            delivery_mode=DeliveryMode(self.delivery_mode.data) if self.delivery_mode.data
            else None,
            modules=tuple(sorted(set(self.modules.data or ()))),
            co_trainer_ids=tuple(sorted(set(self.co_trainers.data or ()))),
            other_co_trainers=self.other_co_trainers.data or "",
            **{name: getattr(self, name).data or 0
               for name in (*services.ORGANISATION_COUNTS.values(),
                            *services.GENDER_COUNTS.values())},
            organisations=tuple(
                services.OrganisationReached(row["name"], OrganisationType(row["type"]))
                for row in self.organisations.data if row["name"]),
            participants=tuple(
                services.NamedParticipant(row["name"], row["organisation"] or "")
                for row in self.participants.data if row["name"]),
            pre_test_average=_rounded(self.pre_test_average.data),
            post_test_average=_rounded(self.post_test_average.data),
            tested_trainees=self.tested_trainees.data,
            evaluation_highlights=self.evaluation_highlights.data or "",
            adaptations=self.adaptations.data or "",
            challenges=self.challenges.data or "",
            follow_up_planned=self.follow_up_planned.data or "",
            plan_activity_id=self.plan_activity_id.data,
        )


def _rounded(value: Decimal | None) -> Decimal | None:
    try:
        return value.quantize(Decimal("0.01")) if value is not None else None
    except InvalidOperation:
        return None


def training_data(training_fields: services.TrainingFields) -> dict[str, Any]:
    """A training's stored values in the shape of :class:`TrainingForm`'s data."""
    data: dict[str, Any] = {
        name: getattr(training_fields, name)
        for name in ("start_date", "end_date", "days", "region_city", "language",
                     "other_co_trainers", "pre_test_average", "post_test_average",
                     "tested_trainees", "evaluation_highlights", "adaptations", "challenges",
                     "follow_up_planned", "plan_activity_id",
                     *services.ORGANISATION_COUNTS.values(), *services.GENDER_COUNTS.values())
    }
    mode = training_fields.delivery_mode
    data.update(
        delivery_mode=mode.value if mode else "",
        modules=list(training_fields.modules),
        co_trainers=list(training_fields.co_trainer_ids),
        organisations=[{"name": row.name, "type": row.type.value}
                       for row in training_fields.organisations],
        participants=[{"name": row.name, "organisation": row.organisation}
                      for row in training_fields.participants],
    )
    return data


class NewTrainingForm(AppForm):
    """The first facts of a training; the rest of the report is written on its own page."""

    start_date = DateField(_l("First day"), validators=[
        DataRequired(message=_l("Give the first day of the training."))])
    end_date = DateField(_l("Last day"), validators=[
        DataRequired(message=_l("Give the last day of the training."))])
    region_city = _line(_l("Region or city"), 160,
                        required=_l("Give the region or city of the training."))
    key = HiddenField(validators=[Regexp(CLIENT_KEY, message=UNREADABLE_KEY)])

    def validate_end_date(self, field: DateField) -> None:
        if field.data and self.start_date.data and field.data < self.start_date.data:
            raise ValidationError(_l("The last day cannot be before the first day."))

    def values(self) -> services.TrainingFields:
        span = None
        if self.start_date.data and self.end_date.data:
            span = min((self.end_date.data - self.start_date.data).days + 1, 60)
        return services.TrainingFields(start_date=self.start_date.data,
                                       end_date=self.end_date.data, days=span,
                                       region_city=self.region_city.data or "")


class ReviewForm(AppForm):
    decision = RadioField(
        _l("Your decision"),
        choices=options([("approve", _l("Approve the report")),
                         ("return", _l("Return it to the trainer with comments"))]),
        invalid_choice_message=_l("Choose to approve or to return the report."))
    comments = _text(_l("Comments for the trainer"), rows=5, description=_l(
        "Needed when you return the report: say what to complete or change."))
    key = HiddenField(validators=[Regexp(CLIENT_KEY, message=UNREADABLE_KEY)])

    def validate(self, extra_validators: Any = None) -> bool:
        # Checked here: an empty comment stops the field's own validators (it is optional).
        valid = super().validate(extra_validators)
        if self.decision.data == "return" and not (self.comments.data or "").strip():
            self.comments.errors = [*self.comments.errors,
                                    _l("Say what the trainer should complete or change.")]
            return False
        return valid


class ScoresUploadForm(AppForm):
    file = FileField(_l("CSV file of the trainees' scores"),
                     validators=[FileRequired(message=_l("Choose a file."))])


class ContactForm(AppForm):
    contact_date = DateField(_l("Date"), validators=[
        DataRequired(message=_l("Give the date of the contact."))])
    mode = SelectField(_l("How"), validators=[
        DataRequired(message=_l("Choose how you were in contact."))])
    attendees = _text(_l("Who took part"), 2000, rows=2,
                      required=_l("Say who took part."))
    notes = _text(_l("Notes"))
    agreed_actions = _text(_l("Actions agreed"))
    key = HiddenField(validators=[Regexp(CLIENT_KEY, message=UNREADABLE_KEY)])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.mode.choices = options([("", str(_l("— choose —"))),
                                     *contact_mode_labels().items()])

    def values(self) -> services.ContactFields:
        return services.ContactFields(
            contact_date=self.contact_date.data,
            mode=ContactMode(self.mode.data), attendees=self.attendees.data or "",
            notes=self.notes.data or "", agreed_actions=self.agreed_actions.data or "")


# Fields whose errors mean the post did not come from our page (nothing to correct).
MALFORMED_FIELDS = frozenset({"key", "base_revision"})
