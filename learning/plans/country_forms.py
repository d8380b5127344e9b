"""Country plan forms: the context, targets and follow-up sections, activities, budget lines,
risks, removing a row, submitting, and the focal point's review.

Every form that changes something the team already saved carries ``base_revision``: the
plan version the page showed (the name the autosave script keeps up to date). Forms that
add something carry a ``key`` drawn when the form is shown, so sending them twice adds once.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from babel.numbers import format_decimal
from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    Field,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)
from wtforms.widgets import HiddenInput

from learning.core.forms import AppForm, options
from learning.core.writes import CLIENT_KEY
from learning.plans import country_labels as labels
from learning.plans.country_models import (
    ActivityCategory,
    ActivityStatus,
    CallFrequency,
    Challenge,
    FundingStatus,
)
from learning.plans.country_services import MAX_TEXT_CHARS, MAX_TITLE_CHARS
from learning.plans.forms import UNREADABLE_KEY, no_nul, unix_newlines
from learning.plans.money import currency_codes, currency_label, current_locale, parse_amount

MAX_COUNT = 1_000_000
MAX_UNIT_COST = Decimal("999999999999.99")  # Numeric(14, 2)
MAX_QUANTITY = Decimal("9999999999.99")  # Numeric(12, 2)

# Fields whose errors mean the post did not come from our page (nothing to correct there).
MALFORMED_FIELDS = frozenset({"base_revision", "key"})


def _text(label: Any, limit: int = MAX_TEXT_CHARS, description: Any = None,
          required: Any = None, rows: int = 3) -> TextAreaField:
    first = DataRequired(message=required) if required else Optional()
    return TextAreaField(label, description=description, filters=[unix_newlines],
                         validators=[first, no_nul, Length(
                             max=limit, message=_l("Use at most %(max)d characters.", max=limit))],
                         render_kw={"rows": rows})


def _line(label: Any, limit: int, required: Any = None, description: Any = None) -> StringField:
    first = DataRequired(message=required) if required else Optional()
    return StringField(label, description=description, filters=[_strip],
                       validators=[first, no_nul, Length(
                           max=limit, message=_l("Use at most %(max)d characters.", max=limit))])


def _count(label: Any, description: Any = None) -> IntegerField:
    return IntegerField(label, description=description, validators=[
        Optional(), NumberRange(min=0, max=MAX_COUNT,
                                message=_l("Enter a whole number from 0 to %(max)d.",
                                           max=MAX_COUNT))],
        render_kw={"inputmode": "numeric"})


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _version_field() -> IntegerField:
    return IntegerField(widget=HiddenInput(), validators=[
        InputRequired(message=UNREADABLE_KEY), NumberRange(min=1, message=UNREADABLE_KEY)])


def _key_field() -> HiddenField:
    return HiddenField(validators=[Regexp(CLIENT_KEY, message=UNREADABLE_KEY)])


def _choices(table: dict[str, Any], empty: Any = None) -> list[SelectChoice]:
    pairs = [(key, str(label)) for key, label in table.items()]
    return options([("", str(empty)), *pairs] if empty is not None else pairs)


CHOOSE = _l("— choose —")


# --- the three text sections -------------------------------------------------------------------


class SectionForm(AppForm):
    base_revision = _version_field()

    def values(self) -> dict[str, Any]:
        """The section's fields as stored (the view keeps only those that were posted)."""
        return {f.name: f.data for f in self if f.name not in ("csrf_token", "base_revision")}


class ContextForm(SectionForm):
    agencies = _text(labels.FIELDS["context"]["agencies"], rows=4, description=_l(
        "The agencies that implement case management in the country, one per line, with "
        "what you know of their supervisors."))
    supervisors_to_reach = _count(labels.FIELDS["context"]["supervisors_to_reach"],
                                  description=_l("Across every organisation, not only yours."))
    context_notes = _text(labels.FIELDS["context"]["context_notes"], rows=4, description=_l(
        "What the plan must take into account: coordination, access, languages, other "
        "trainings."))


class TargetsForm(SectionForm):
    objectives = _text(labels.FIELDS["targets"]["objectives"], rows=4)
    target_trainings = _count(labels.FIELDS["targets"]["target_trainings"])
    target_supervisors = _count(labels.FIELDS["targets"]["target_supervisors"])
    target_organisations = _count(labels.FIELDS["targets"]["target_organisations"])
    target_locations = _text(labels.FIELDS["targets"]["target_locations"], rows=2,
                             description=_l("Regions, cities or camps where trainings will "
                                            "take place."))


class FollowUpForm(SectionForm):
    call_frequency = SelectField(labels.FIELDS["follow_up"]["call_frequency"])
    follow_up_plan = _text(labels.FIELDS["follow_up"]["follow_up_plan"], rows=4, description=_l(
        "How the team and the focal point keep in touch: calls, who joins, what the focal "
        "point reviews (plans, training content, reports)."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.call_frequency.choices = _choices(labels.CALL_FREQUENCY, _l("— not decided —"))

    def values(self) -> dict[str, Any]:
        return {"call_frequency": CallFrequency(self.call_frequency.data)
                if self.call_frequency.data else None,
                "follow_up_plan": self.follow_up_plan.data or ""}


SECTION_FORMS: dict[str, type[SectionForm]] = {
    "context": ContextForm, "targets": TargetsForm, "follow_up": FollowUpForm}


# --- rows ------------------------------------------------------------------------------------


class RowForm(AppForm):
    """A row form adds (with ``key``) or edits (with ``base_revision``): the view removes
    the field it does not need."""

    base_revision = _version_field()
    key = _key_field()

    def for_adding(self) -> RowForm:
        del self.base_revision
        return self

    def for_editing(self) -> RowForm:
        del self.key
        return self


def _optional_id(value: Any) -> int | None:
    return int(value) if value not in (None, "") else None


class ActivityForm(RowForm):
    title = _line(labels.FIELDS["activities"]["title"], MAX_TITLE_CHARS,
                  required=_l("Name the activity."))
    category = SelectField(labels.FIELDS["activities"]["category"], validators=[
        DataRequired(message=_l("Choose the kind of activity."))])
    owner_name = _line(labels.FIELDS["activities"]["owner_name"], 120,
                       description=_l("Who makes sure it happens."))
    organisation = _line(labels.FIELDS["activities"]["organisation"], 160)
    start_date = DateField(labels.FIELDS["activities"]["start_date"], validators=[Optional()])
    end_date = DateField(labels.FIELDS["activities"]["end_date"], validators=[Optional()])
    status = SelectField(labels.FIELDS["activities"]["status"], validators=[DataRequired()])
    depends_on = SelectMultipleField(labels.FIELDS["activities"]["depends_on"], coerce=int,
                                     validate_choice=False, description=_l(
                                         "The activities that must be done first."))

    def __init__(self, *args: Any, others: list[tuple[int, str]] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.category.choices = _choices(labels.CATEGORY, CHOOSE)
        self.status.choices = _choices(labels.ACTIVITY_STATUS)
        self.depends_on.choices = options(others or [])

    def validate_end_date(self, field: DateField) -> None:
        if field.data and self.start_date.data and field.data < self.start_date.data:
            raise ValidationError(_l("The end date cannot be before the start date."))

    def values(self) -> dict[str, Any]:
        return {"title": self.title.data or "",
                "category": ActivityCategory(self.category.data),
                "owner_name": self.owner_name.data or "",
                "organisation": self.organisation.data or "",
                "start_date": self.start_date.data, "end_date": self.end_date.data,
                "status": ActivityStatus(self.status.data or ActivityStatus.PLANNED.value),
                "depends_on": sorted(set(self.depends_on.data or []))}


class AmountField(StringField):
    """A number typed with the reader's separators; ``data`` is a ``Decimal`` or None."""

    def __init__(self, label: Any = None, validators: Any = None, display: str = "0.##",
                 **kwargs: Any) -> None:
        super().__init__(label, validators, **kwargs)
        self.display = display
        self.typed: str | None = None

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.typed = valuelist[0] if valuelist else ""
        self.data = None
        if self.typed and self.typed.strip():
            self.data = parse_amount(self.typed, current_locale())
            if self.data is None:
                raise ValueError(_l("Enter a number, such as %(example)s.",
                                    example=format_decimal(Decimal("1250.5"), "#,##0.00",
                                                           locale=current_locale())))

    def _value(self) -> str:
        if self.typed is not None:
            return self.typed
        if self.data is None:
            return ""
        return format_decimal(self.data, self.display, locale=current_locale())


def _amount_rules(maximum: Decimal) -> Any:
    def check(_form: AppForm, field: Field) -> None:
        value = field.data
        if value is None:
            return
        if value < 0 or value > maximum:
            raise ValidationError(_l("Enter an amount from 0 to %(max)s.",
                                     max=format_decimal(maximum, "#,##0.##",
                                                        locale=current_locale())))
        if -int(value.as_tuple().exponent) > 2:
            raise ValidationError(_l("Use at most two decimals."))

    return check


class BudgetLineForm(RowForm):
    item = _line(labels.FIELDS["budget"]["item"], MAX_TITLE_CHARS,
                 required=_l("Say what the money is for."),
                 description=_l("For example: venue for 3 days, participants’ transport, "
                                "printing of the modules."))
    activity_id = SelectField(labels.FIELDS["budget"]["activity_id"], coerce=_optional_id)
    unit_cost = AmountField(labels.FIELDS["budget"]["unit_cost"], display="0.00", validators=[
        InputRequired(message=_l("Enter the unit cost.")), _amount_rules(MAX_UNIT_COST)],
        render_kw={"inputmode": "decimal"})
    quantity = AmountField(labels.FIELDS["budget"]["quantity"], validators=[
        InputRequired(message=_l("Enter the quantity.")), _amount_rules(MAX_QUANTITY)],
        render_kw={"inputmode": "decimal"})
    currency = SelectField(labels.FIELDS["budget"]["currency"], validators=[
        DataRequired(message=_l("Choose the currency."))])
    funding_status = SelectField(labels.FIELDS["budget"]["funding_status"], validators=[
        DataRequired(message=_l("Say whether the money is secured, requested or missing."))])

    def __init__(self, *args: Any, activities: list[tuple[int, str]] | None = None,
                 preferred_currencies: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.activity_id.choices = options(
            [("", str(_l("— not tied to one activity —"))), *(activities or [])])
        self.currency.choices = currency_choices(preferred_currencies or [], current_locale())
        self.funding_status.choices = _choices(labels.FUNDING, CHOOSE)

    def validate_currency(self, field: SelectField) -> None:
        if field.data and field.data not in currency_codes():
            raise ValidationError(_l("Choose a currency from the list."))

    def values(self) -> dict[str, Any]:
        return {"item": self.item.data or "", "activity_id": self.activity_id.data,
                "unit_cost": self.unit_cost.data, "quantity": self.quantity.data,
                "currency": self.currency.data,
                "funding_status": FundingStatus(self.funding_status.data)}


def currency_choices(preferred: list[str], locale: str) -> list[SelectChoice]:
    """The currencies the plan uses and the country's first, then every ISO 4217 code."""
    most_used = str(_l("Most likely"))
    every = str(_l("All currencies"))
    preferred = list(dict.fromkeys(code for code in preferred if code in currency_codes()))
    return [SelectChoice("", str(CHOOSE)),
            *(SelectChoice(code, currency_label(code, locale), optgroup=most_used)
              for code in preferred),
            *(SelectChoice(code, currency_label(code, locale), optgroup=every)
              for code in sorted(currency_codes()))]


class RiskForm(RowForm):
    challenge = SelectField(labels.FIELDS["risks"]["challenge"], validators=[
        DataRequired(message=_l("Choose the challenge."))])
    description = _text(labels.FIELDS["risks"]["description"], rows=2)
    mitigation = _text(labels.FIELDS["risks"]["mitigation"], rows=3,
                       required=_l("Say how the team will reduce this risk."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.challenge.choices = _choices(labels.CHALLENGE, CHOOSE)

    def validate_description(self, field: TextAreaField) -> None:
        if self.challenge.data == Challenge.OTHER.value and not (field.data or "").strip():
            raise ValidationError(_l("Describe the challenge."))

    def values(self) -> dict[str, Any]:
        return {"challenge": Challenge(self.challenge.data),
                "description": self.description.data or "",
                "mitigation": self.mitigation.data or ""}


class RemoveForm(AppForm):
    base_revision = _version_field()


# --- review --------------------------------------------------------------------------------


class SubmitForm(AppForm):
    base_revision = _version_field()
    key = _key_field()
    message = _text(_l("Message to the focal point (optional)"), rows=2)


class ReviewForm(AppForm):
    key = _key_field()
    decision = RadioField(_l("Your decision"), validators=[
        DataRequired(message=_l("Choose what to do with the plan."))])
    general = _text(_l("Comment on the whole plan"), rows=3)
    comment_context = _text(labels.SECTIONS["context"], rows=2)
    comment_targets = _text(labels.SECTIONS["targets"], rows=2)
    comment_activities = _text(labels.SECTIONS["activities"], rows=2)
    comment_budget = _text(labels.SECTIONS["budget"], rows=2)
    comment_risks = _text(labels.SECTIONS["risks"], rows=2)
    comment_follow_up = _text(labels.SECTIONS["follow_up"], rows=2)

    def __init__(self, *args: Any, submitted: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        comment_only = ("comment", str(_l("Comment only (the plan keeps its status)")))
        self.decision.choices = options(
            [("approve", str(_l("Approve the plan"))),
             ("return", str(_l("Return it to the team for changes"))), comment_only]
            if submitted else [comment_only])

    def section_comments(self) -> dict[str, str]:
        return {section: self[f"comment_{section}"].data or "" for section in labels.SECTIONS}
