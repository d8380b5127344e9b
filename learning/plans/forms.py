"""Action plan forms: add an item, edit an item, comment on a plan.

The same forms read plain posts, the autosave script's posts and JSON bodies, so every rule
about what may be stored (lengths, no NUL character, known choices) is checked here once.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import DateField, Field, HiddenField, IntegerField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp, ValidationError
from wtforms.widgets import HiddenInput

from learning.core.forms import AppForm, options
from learning.core.writes import CLIENT_KEY
from learning.courses.catalogue import get_catalogue
from learning.plans import services
from learning.plans.models import PlanFunction, PlanStatus

UNREADABLE_KEY = _l("This save could not be identified. Reload the page and try again.")


def function_labels() -> dict[str, str]:
    return {
        PlanFunction.ADMINISTRATIVE.value: str(_l("Administrative supervision")),
        PlanFunction.EDUCATIONAL.value: str(_l("Educational supervision")),
        PlanFunction.SUPPORTIVE.value: str(_l("Supportive supervision")),
        PlanFunction.WELLBEING.value: str(_l("Staff well-being")),
    }


def status_labels() -> dict[str, str]:
    return {
        PlanStatus.PLANNED.value: str(_l("Planned")),
        PlanStatus.STARTED.value: str(_l("Started")),
        PlanStatus.DONE.value: str(_l("Done")),
        PlanStatus.DROPPED.value: str(_l("Dropped")),
    }


def no_nul(_form: AppForm, field: Field) -> None:
    if field.data and "\x00" in field.data:
        raise ValidationError(_l("The text contains a character that cannot be saved."))


def unix_newlines(value: Any) -> Any:
    # Browsers send line breaks as CRLF; counting them as one character matches the limit
    # the browser itself applies to the text area.
    return value.replace("\r\n", "\n") if isinstance(value, str) else value


def _text(label: Any, limit: int, description: Any = None, required: Any = None,
          rows: int = 3) -> TextAreaField:
    first = DataRequired(message=required) if required else Optional()
    return TextAreaField(
        label,
        description=description,
        filters=[unix_newlines],
        validators=[first, no_nul,
                    Length(max=limit, message=_l("Use at most %(max)d characters.", max=limit))],
        render_kw={"rows": rows},
    )


class ItemForm(AppForm):
    function = SelectField(
        _l("Supervision function it strengthens"),
        validators=[DataRequired(message=_l("Choose the function this action strengthens."))],
    )
    action = _text(_l("Action"), services.MAX_ACTION_CHARS,
                   description=_l("What you will do, in one or two sentences."),
                   required=_l("Describe the action."), rows=2)
    first_steps = _text(_l("First steps"), services.MAX_TEXT_CHARS)
    support_needed = _text(_l("Support or resources needed"), services.MAX_TEXT_CHARS)
    target_date = DateField(_l("Target date"), validators=[Optional()])
    success_measure = _text(_l("How you will know it worked"), services.MAX_TEXT_CHARS)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.function.choices = options([("", str(_l("— choose —"))),
                                         *function_labels().items()])

    def values(self) -> services.ItemFields:
        return services.ItemFields(
            function=PlanFunction(self.function.data),
            action=self.action.data or "",
            first_steps=self.first_steps.data or "",
            support_needed=self.support_needed.data or "",
            target_date=self.target_date.data,
            success_measure=self.success_measure.data or "",
        )


class AddItemForm(ItemForm):
    """A new item. ``key`` is drawn when the form is shown, so sending it twice adds one."""

    unit_id = HiddenField()
    key = HiddenField(validators=[Regexp(CLIENT_KEY, message=UNREADABLE_KEY)])

    def validate_unit_id(self, field: HiddenField) -> None:
        if field.data not in services.module_ids(get_catalogue()):
            raise ValidationError(_l("Choose one of the course modules."))


class EditItemForm(ItemForm):
    status = SelectField(_l("Status"), validators=[DataRequired()])
    notes = _text(_l("Notes on progress"), services.MAX_TEXT_CHARS,
                  description=_l("What happened, what changed, what is next."))
    # The revision the page showed: a save from an older one is told it replaced newer text.
    base_revision = IntegerField(widget=HiddenInput(),
                                 validators=[Optional(), NumberRange(min=0)])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.status.choices = options(status_labels().items())

    def values(self) -> services.ItemFields:
        return replace(super().values(), status=PlanStatus(self.status.data),
                       notes=self.notes.data or "")


class CommentForm(AppForm):
    body = _text(_l("Your comment"), services.MAX_TEXT_CHARS,
                 required=_l("Write your comment."), rows=3)
    item_id = IntegerField(widget=HiddenInput(), validators=[Optional()])
    key = HiddenField(validators=[Regexp(CLIENT_KEY, message=UNREADABLE_KEY)])


# Fields whose errors mean the request did not come from our page (nothing to correct).
MALFORMED_FIELDS = frozenset({"unit_id", "key", "base_revision", "item_id"})


def scope_ids(form: AppForm, scope: str) -> AppForm:
    """Give a form's fields ids unique on the page (one page shows a form per item);
    the field names, and so what is posted, stay the same."""
    for form_field in form:
        form_field.id = f"{scope}-{form_field.name}"
        form_field.label.field_id = form_field.id
    return form
