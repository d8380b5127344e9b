"""Small helpers shared by every domain's forms."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import g
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice


class AppForm(FlaskForm):
    """Every form of the platform. A submitted form that does not validate marks the
    request, so the page shown again with its errors answers 400, not 200."""

    def validate(self, extra_validators: Any = None) -> bool:
        # Here rather than in validate_on_submit: many views call validate() themselves.
        valid = super().validate(extra_validators)
        if not valid and self.is_submitted():
            g.form_refused = True
        return valid

    def refuse(self, field_name: str, message: str) -> None:
        """A check the form cannot make itself (e.g. the address is taken) refused it."""
        self[field_name].errors = [*self[field_name].errors, message]
        g.form_refused = True


def refused_forms_answer_400(response: Response) -> Response:
    """``after_request``: a page re-shown because its form was refused is a 400."""
    if g.get("form_refused") and response.status_code == 200:
        response.status_code = 400
    return response


def options(pairs: Iterable[tuple[Any, str]]) -> list[SelectChoice]:
    """(value, label) pairs as WTForms select choices."""
    return [SelectChoice(value, label) for value, label in pairs]
