"""Personal access tokens in the profile: list, create (secret shown once), revoke.

These are ordinary HTML pages of the signed-in person (session and CSRF as everywhere),
under /account, not /api: the API itself accepts tokens only. They live in their own
blueprint because the API blueprint's URLs all start with /api/v1.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import DateField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from learning.access import signed_in
from learning.api import tokens
from learning.audit.services import record
from learning.core.forms import AppForm
from learning.db import db, utcnow

profile_bp = Blueprint("api_tokens", __name__, template_folder="templates")


class CreateTokenForm(AppForm):
    name = StringField(
        _l("Name"),
        description=_l("What the token is for, e.g. \"Country dashboard spreadsheet\"."),
        validators=[DataRequired(message=_l("Give the token a name.")),
                    Length(max=80, message=_l("At most 80 characters."))])
    expires_on = DateField(
        _l("Expires after (optional)"),
        description=_l("The last day the token works. Leave empty for no expiry."),
        validators=[Optional()])
    submit = SubmitField(_l("Create token"))

    def validate_expires_on(self, field: DateField) -> None:
        if field.data is not None and field.data < date.today():
            raise ValidationError(_l("Choose today or a later day."))


class RevokeTokenForm(AppForm):
    submit = SubmitField(_l("Revoke"))


def _end_of(day: date) -> datetime:
    """The token works through the whole chosen day (UTC)."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=UTC)


def _page(form: CreateTokenForm, secret: str | None = None, status: int = 200) -> Response:
    response = Response(render_template(
        "api/tokens.html", form=form, revoke_form=RevokeTokenForm(),
        tokens=tokens.tokens_of(current_user), secret=secret, now=utcnow(),
        openapi_url=url_for("api.openapi_document", _external=True)), status=status)
    # The page may show a secret: never keep it in a cache or the browser's history.
    response.headers["Cache-Control"] = "no-store"
    return response


@profile_bp.route("/account/api-tokens", methods=["GET", "POST"])
@signed_in
def tokens_page() -> Response:
    form = CreateTokenForm()
    if not form.is_submitted():
        return _page(form)
    if not form.validate():
        return _page(form, status=400)
    expires_at = _end_of(form.expires_on.data) if form.expires_on.data else None
    token, secret = tokens.create_token(current_user, form.name.data or "", expires_at)
    record("api_token.created", current_user, token, name=token.name, prefix=token.prefix,
           expires_at=expires_at.isoformat() if expires_at else None)
    db.session.commit()
    # Shown in this response only: the database keeps the hash, so it cannot be shown again.
    return _page(CreateTokenForm(formdata=None), secret=secret)


@profile_bp.post("/account/api-tokens/<int:token_id>/revoke")
@signed_in
def revoke(token_id: int) -> Response:
    if not RevokeTokenForm().validate_on_submit():
        abort(400)
    token = tokens.revoke_token(current_user, token_id)
    if token is None:
        abort(404)
    record("api_token.revoked", current_user, token, name=token.name, prefix=token.prefix)
    db.session.commit()
    flash(_("The token “%(name)s” is revoked: it no longer works.", name=token.name),
          "success")
    return redirect(url_for("api_tokens.tokens_page"))
