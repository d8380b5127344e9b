"""Hostile text in every free-text field a person can type into.

Each case below names a form field (or a JSON/autosave text endpoint): who posts it, where,
with what other valid data, how the stored value is read back and which page shows it. For
every case, with accents, right-to-left text, emoji, template syntax, a script tag, a
whitespace-and-line-break value and 10,000 characters (or the field's own limit when lower):

* the text is stored exactly as typed, or exactly as the field documents it normalises
  (names collapse runs of whitespace, one-line fields are trimmed, text areas store line
  breaks as "\\n", some services trim): the expected value is computed, not "something";
* the page that shows it escapes it: no raw ``<script>``, the text is there once the HTML
  entities are read, and ``{{7*7}}`` never becomes 49;
* a NUL character and one character over the limit are refused with a 400, and nothing is
  written (the record, or the number of records, is unchanged).

Every text field of every form (``AppForm`` subclasses, found from the code) must have a case
here or a reasoned place in ``NOT_FREE_TEXT``: a new field without either fails the guard.

To stay fast (one fresh database per test costs seconds on PostgreSQL), one test runs all
the cases that share a set-up, and a form's text fields are filled in the same post, each
with the value tagged with the field's number (``[3] ليلى حسن``) so that every field is
checked on its own, stored and shown. Refusals are posted one field at a time.
"""

from __future__ import annotations

import html
import importlib
import pkgutil
import re
from collections.abc import Callable
from dataclasses import dataclass
from itertools import count
from typing import Any
from uuid import uuid4

import pytest
from flask import Flask
from sqlalchemy import func, select
from wtforms import FieldList, FormField, StringField
from wtforms.fields.core import UnboundField

import learning
from learning.accounts.models import Role, TokenPurpose, User
from learning.core.forms import AppForm
from learning.db import db
from tests.conftest import PASSWORD, BrowserLikeClient, sign_in
from tests.test_access_matrix import world  # noqa: F401  (fixture)

SCRIPT = "<script>alert(1)</script>"
TEMPLATE = "{{7*7}} {% raw %} ${7*7}"
HOSTILE = ["Zoë Ngoné-Bâ — l'école", "ليلى حسن", "Ирина 🌍🤝", TEMPLATE, SCRIPT]
LONG = 10_000
NUL = "a\x00b"


# --- what "stored as typed" means, field by field ---------------------------------------------

def exact(value: str) -> str:
    return value


def strip(value: str) -> str:
    return value.strip()


def collapse(value: str) -> str:
    """Names: runs of whitespace become one space, none at either end."""
    return " ".join(value.split())


def unix(value: str) -> str:
    """Text areas: the browser's CRLF line breaks are stored as "\\n"."""
    return value.replace("\r\n", "\n")


def unix_strip(value: str) -> str:
    return unix(value).strip()


def crlf_strip(value: str) -> str:
    """Free-text answers: line breaks as "\\n", trimmed (``assessments.types.text``)."""
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


def slug(value: str) -> str:
    from learning.cohorts.services import slugify

    return slugify(value)


@dataclass(frozen=True)
class Text:
    """One text field of a case: its limit, its normalisation, and whether it is one line."""

    limit: int
    norm: Callable[[str], str] = exact
    line: bool = True


def line(limit: int, norm: Callable[[str], str] = strip) -> Text:
    return Text(limit, norm, line=True)


def area(limit: int, norm: Callable[[str], str] = unix) -> Text:
    return Text(limit, norm, line=False)


def values_for(tag: str, spec: Text) -> list[str]:
    """The hostile values as this field receives them: tagged, and the long one at the
    field's limit when that is under 10,000 characters."""
    prefix = f"[{tag}] "
    spaced = (f"  [{tag}]  two  spaces  " if spec.line
              else f"  [{tag}]  two  spaces\r\nsecond  line  ")
    long = prefix + "x" * (min(LONG, spec.limit) - len(prefix))
    return [prefix + value for value in HOSTILE] + [spaced, long]


# --- the cases --------------------------------------------------------------------------------

class Ctx:
    """The world of one test: its people, ids, and a signed-in client per role."""

    def __init__(self, app: Flask, people: dict[str, User], ids: dict[str, Any]) -> None:
        self.app, self.people, self.ids = app, people, ids
        self.clients: dict[str, BrowserLikeClient] = {}
        self.numbers = count(1)
        self.last_client: BrowserLikeClient | None = None
        self.memo: dict[str, Any] = {}

    def client(self, who: str) -> BrowserLikeClient:
        if who == "anonymous":
            return self.fresh_client()
        if who not in self.clients:
            client = self.fresh_client()
            assert sign_in(client, self.people[who]).status_code == 302, who
            client.csrf = client.token()  # type: ignore[attr-defined]
            self.clients[who] = client
        return self.clients[who]

    def fresh_client(self) -> BrowserLikeClient:
        client: BrowserLikeClient = self.app.test_client()  # type: ignore[assignment]
        client.csrf = client.token()  # type: ignore[attr-defined]
        return client

    def signed_in_as(self, user_id: int) -> BrowserLikeClient:
        """A client signed in as someone who has no password yet (an invited person)."""
        from learning.accounts.passwords import hash_password

        with self.app.app_context():
            user = db.session.get(User, user_id)
            user.password_hash = hash_password(PASSWORD)
            email = user.email
            db.session.commit()
        client = self.fresh_client()
        response = client.submit("/login", {"email": email, "password": PASSWORD})
        assert response.status_code == 302
        return client

    def run(self, work: Callable[[], Any]) -> Any:
        with self.app.app_context():
            result = work()
            db.session.commit()
            return result

    def number(self) -> int:
        return next(self.numbers)

    def key(self) -> str:
        return uuid4().hex


# Who looks at which page; a third item names the fields that page shows (default: all).
Pages = Callable[[Ctx], list[tuple[Any, ...]]]


@dataclass(frozen=True)
class Case:
    """A form (or a JSON/autosave endpoint) and its text fields.

    ``fields`` maps a field's name in the form (``rows.name`` inside a list of rows) to its
    :class:`Text`; the posted name is the same with ``-0-`` for the row (``rows-0-name``),
    or ``prefix-name`` when the page gives the form a prefix.
    """

    form: type | str
    who: str
    url: Callable[[Ctx], str]
    fields: dict[str, Text]
    base: Callable[[Ctx], dict[str, Any]]
    read: Callable[[Ctx], dict[str, Any]]  # the stored text by field, and what must not move
    pages: Pages
    transport: str = "form"  # "form", "autosave" (the script: form fields, JSON answer), "json"
    ok: int = 302
    prefix: str = ""
    before: Callable[[Ctx], None] | None = None  # put the record back where a post can start
    name: str = ""
    poster: Callable[[Ctx, Case, dict[str, Any]], Any] | None = None  # a two-step post

    @property
    def label(self) -> str:
        if self.name:
            return self.name
        return self.form if isinstance(self.form, str) else self.form.__name__

    def posted(self, name: str) -> str:
        name = name.replace(".", "-0-")
        return f"{self.prefix}-{name}" if self.prefix else name


def send(ctx: Ctx, case: Case, data: dict[str, Any]) -> Any:
    if case.poster is not None:
        return case.poster(ctx, case, data)
    client = ctx.client(case.who)
    ctx.last_client = client
    url = case.url(ctx)
    token = client.csrf  # type: ignore[attr-defined]
    if case.transport == "form":
        return client.post(url, data={"csrf_token": token, **data})
    headers = {"Accept": "application/json", "X-CSRFToken": token}
    if case.transport == "autosave":
        return client.post(url, data=data, headers=headers)
    return client.post(url, json=data, headers=headers)


def _shown_parts(text: str) -> list[str]:
    return [part.strip() for part in text.split("\n") if part.strip()]


def check(ctx: Ctx, case: Case) -> list[str]:
    """Every value stored as documented and shown escaped; NUL and oversize refused."""
    failures: list[str] = []
    tags = {name: str(index) for index, name in enumerate(case.fields, start=1)}
    sets = {name: values_for(tags[name], spec) for name, spec in case.fields.items()}
    for round_ in range(len(HOSTILE) + 2):
        if case.before:
            case.before(ctx)
        typed = {name: sets[name][round_] for name in case.fields}
        data = {**case.base(ctx), **{case.posted(name): text for name, text in typed.items()}}
        response = send(ctx, case, data)
        where = f"{case.label} round {round_ + 1}"
        if response.status_code != case.ok:
            failures.append(f"{where}: answered {response.status_code}, expected {case.ok}: "
                            f"{response.get_data(as_text=True)[:300]!r}")
            continue
        stored = case.read(ctx)
        for name, spec in case.fields.items():
            if stored.get(name) != spec.norm(typed[name]):
                failures.append(f"{case.label}.{name}: stored {stored.get(name)!r:.120}, "
                                f"expected {spec.norm(typed[name])!r:.120}")
        for viewer, url, *shows in case.pages(ctx):
            client = ctx.client(viewer) if isinstance(viewer, str) else viewer
            page = client.get(url)
            text = page.get_data(as_text=True)
            if page.status_code != 200:
                failures.append(f"{where}: {url} answered {page.status_code}")
                continue
            if SCRIPT in text:
                failures.append(f"{where}: {url} shows a raw script tag")
            readable = html.unescape(text)
            for name, spec in case.fields.items():
                if shows and name not in shows[0]:
                    continue
                expected = spec.norm(typed[name])
                missing = [part for part in _shown_parts(expected) if part not in readable]
                if missing:
                    failures.append(f"{case.label}.{name}: {url} does not show "
                                    f"{missing[0]!r:.80}")
                if f"[{tags[name]}] 49" in readable:
                    failures.append(f"{case.label}.{name}: {url} evaluated the template text")
    for name, spec in case.fields.items():
        for bad, what in ((NUL, "NUL"), ("x" * (spec.limit + 1), f"{spec.limit + 1} chars")):
            if case.before:
                case.before(ctx)
            before = case.read(ctx)
            # The other fields hold valid text (so only this one can be the reason for the
            # refusal), and hostile text: the page shown again with the errors escapes it.
            data = {**case.base(ctx), **{case.posted(other): f"[{tags[other]}] {SCRIPT}"
                                         for other in case.fields}, case.posted(name): bad}
            response = send(ctx, case, data)
            answer = response.get_data(as_text=True)
            if response.status_code != 400:
                failures.append(f"{case.label}.{name}: {what} answered "
                                f"{response.status_code}, expected 400")
            elif "CSRF" in answer:
                failures.append(f"{case.label}.{name}: {what} refused for its CSRF token")
            if SCRIPT in answer:
                failures.append(f"{case.label}.{name}: {what} refusal shows a raw script tag")
            after = case.read(ctx)
            if after != before:
                changed = {k: after.get(k) for k in after if after.get(k) != before.get(k)}
                failures.append(f"{case.label}.{name}: {what} changed {changed!r:.200}")
    return failures


def run_cases(ctx: Ctx, cases: list[Case]) -> None:
    failures = [failure for case in cases for failure in check(ctx, case)]
    assert failures == [], "\n".join(failures)


def _latest(model: Any, *where: Any) -> Any:
    return db.session.scalars(select(model).where(*where).order_by(model.id.desc())).first()


def _count(model: Any, *where: Any) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _alias(stored: dict[str, Any], **names: str) -> dict[str, Any]:
    """A read-back with a field's value under the field's name as well."""
    return {**stored, **{name: stored[source] for name, source in names.items()}}


# --- the guard: every text field of every form has a case, or a reason not to -----------------

def _form_classes() -> list[type[AppForm]]:
    for module in pkgutil.walk_packages(learning.__path__, "learning."):
        if ".migrations" not in module.name:
            importlib.import_module(module.name)
    found, todo = [], [AppForm]
    while todo:
        for sub in todo.pop().__subclasses__():
            found.append(sub)
            todo.append(sub)
    return sorted(set(found), key=_key)


def _key(form: type) -> str:
    return f"{form.__module__}.{form.__qualname__}"


def _text_fields(form: type) -> dict[str, UnboundField]:
    """The form's fields whose data is text (``StringField`` and its kinds: text areas,
    e-mail, telephone, password, hidden...), with the rows of its lists as ``list.field``."""
    found: dict[str, UnboundField] = {}
    for name in dir(form):
        unbound = getattr(form, name, None)
        if not isinstance(unbound, UnboundField):
            continue
        if issubclass(unbound.field_class, StringField):
            found[name] = unbound
        elif issubclass(unbound.field_class, FieldList | FormField):
            inner = unbound.args[0] if unbound.field_class is FieldList else unbound
            row_form = inner.args[0] if issubclass(inner.field_class, FormField) else None
            if row_form is not None:
                found.update({f"{name}.{sub}": field_ for sub, field_ in
                              _text_fields(row_form).items()})
            elif issubclass(inner.field_class, StringField):
                found[name] = unbound
    return found


PASSWORD_ = "a password: hashed, never stored or shown as typed (tests/accounts)"
CONFIRM = "the password typed again: compared, never stored"
EMAIL = ("an e-mail address: checked as one and stored lower-cased (tests/accounts, "
         "tests/cohorts); text that is not an address is refused")
KEY = ("a hidden key drawn when the page is shown (idempotency or a content id): checked "
       "against a pattern or a known list, never typed")
NOT_FREE_TEXT: dict[tuple[str, str], str] = {
    ("learning.accounts.forms.LoginForm", "email"): EMAIL,
    ("learning.accounts.forms.LoginForm", "password"): PASSWORD_,
    ("learning.accounts.forms.ForgotPasswordForm", "email"): EMAIL,
    ("learning.accounts.forms.SetupForm", "email"): EMAIL,
    ("learning.accounts.forms.SetupForm", "password"): PASSWORD_,
    ("learning.accounts.forms.SetupForm", "confirm"): CONFIRM,
    ("learning.accounts.forms.AcceptInvitationForm", "password"): PASSWORD_,
    ("learning.accounts.forms.AcceptInvitationForm", "confirm"): CONFIRM,
    ("learning.accounts.forms.ResetPasswordForm", "password"): PASSWORD_,
    ("learning.accounts.forms.ResetPasswordForm", "confirm"): CONFIRM,
    ("learning.accounts.forms.ChangePasswordForm", "current_password"): PASSWORD_,
    ("learning.accounts.forms.ChangePasswordForm", "password"): PASSWORD_,
    ("learning.accounts.forms.ChangePasswordForm", "confirm"): CONFIRM,
    ("learning.accounts.forms.InviteForm", "email"): EMAIL,
    ("learning.cohorts.forms.EnrolExistingForm", "email"): (
        "looks up an existing account by e-mail address: never stored"),
    ("learning.cohorts.application_forms.NomineeForm", "email"): EMAIL,
    ("learning.accounts.two_factor_views.CodeForm", "code"): (
        "a six-digit two-step code (or a recovery code): compared, never stored"),
    ("learning.certificates.verify_forms.LookupForm", "code"): (
        "a certificate's verification code: looked up, never stored (tests/certificates)"),
    ("learning.certificates.verify_forms.FileCheckForm", "sha256"): (
        "a SHA-256 hash: 64 hexadecimal digits or refused, never stored"),
    ("learning.plans.country_forms.BudgetLineForm", "unit_cost"): (
        "an amount typed with the reader's separators: parsed to a number or refused"),
    ("learning.plans.country_forms.BudgetLineForm", "quantity"): (
        "an amount typed with the reader's separators: parsed to a number or refused"),
    ("learning.cohorts.forms.CohortForm", "certificate_fields"): (
        "a hidden marker that the page showed the certificate settings: only its presence "
        "counts"),
    ("learning.cohorts.forms.ImportConfirmForm", "payload"): (
        "the uploaded CSV carried back hidden for confirmation and parsed again: its people "
        "are the cohort-import cases below"),
    ("learning.courses.progress_forms.ReminderForm", "key"): KEY,
    ("learning.plans.forms.AddItemForm", "key"): KEY,
    ("learning.plans.forms.AddItemForm", "unit_id"): KEY,
    ("learning.plans.forms.CommentForm", "key"): KEY,
    ("learning.plans.country_forms.RowForm", "key"): KEY,
    ("learning.plans.country_forms.ActivityForm", "key"): KEY,
    ("learning.plans.country_forms.BudgetLineForm", "key"): KEY,
    ("learning.plans.country_forms.RiskForm", "key"): KEY,
    ("learning.plans.country_forms.SubmitForm", "key"): KEY,
    ("learning.plans.country_forms.ReviewForm", "key"): KEY,
    ("learning.rollout.forms.NewTrainingForm", "key"): KEY,
    ("learning.rollout.forms.ReviewForm", "key"): KEY,
    ("learning.rollout.forms.ContactForm", "key"): KEY,
    ("learning.cohorts.application_forms.NewApplicationForm", "key"): KEY,
    ("learning.cohorts.application_forms.AdminNewApplicationForm", "key"): KEY,
    ("learning.cohorts.application_forms.AgencyForm", "key"): KEY,
    ("learning.cohorts.application_forms.NomineeForm", "key"): KEY,
    ("learning.cohorts.application_forms.KeyForm", "key"): KEY,
}


def _covered(cases: list[Case]) -> set[tuple[str, str]]:
    """(form, field) pairs with a case; a base class's field counts as covered through a
    subclass that posts the very same field."""
    covered = set()
    for case in cases:
        if isinstance(case.form, str):
            continue
        for name in case.fields:
            covered.add((_key(case.form), name))
            top = name.split(".")[0]
            for base in case.form.__mro__[1:]:
                if issubclass(base, AppForm) and getattr(base, top, None) is getattr(
                        case.form, top):
                    covered.add((_key(base), name))
    return covered


def test_every_text_field_of_every_form_has_a_case_or_a_reason() -> None:
    forms = _form_classes()
    assert len(forms) >= 60
    every = {(_key(form), name) for form in forms for name in _text_fields(form)}
    covered = _covered(ALL_CASES)
    missing = sorted(every - covered - NOT_FREE_TEXT.keys())
    assert missing == [], f"text fields with no hostile-text case and no reason: {missing}"
    stale = sorted((covered | NOT_FREE_TEXT.keys()) - every)
    assert stale == [], f"cases or reasons for fields that no longer exist: {stale}"
    both = sorted(covered & NOT_FREE_TEXT.keys())
    assert both == [], f"fields both tested and excused: {both}"


# --- accounts, tokens, privacy, certificates --------------------------------------------------

def _user(ctx: Ctx, user_id: int) -> dict[str, Any]:
    def read() -> dict[str, Any]:
        user = db.session.get(User, user_id)
        return {"name": user.name, "job_title": user.job_title,
                "organisation": user.organisation.name if user.organisation else None,
                "_password": user.password_hash, "_language": user.language}
    return ctx.run(read)


def _newest_user(ctx: Ctx, email_start: str) -> dict[str, Any]:
    def read() -> dict[str, Any]:
        user = _latest(User, User.email.startswith(email_start))
        return {"_id": user.id if user else None, "_users": _count(User)}
    found = ctx.run(read)
    return {**(_user(ctx, found["_id"]) if found["_id"] else {}), **found}


def _invitee(ctx: Ctx) -> int:
    if "invitee" not in ctx.memo:
        from learning.accounts import services as accounts

        ctx.memo["invitee"] = ctx.run(lambda: accounts.create_user(
            email="accepting@example.org", name="Invited", role=Role.PARTICIPANT,
            country_code="BI").id)
    return ctx.memo["invitee"]


def _invitation_url(ctx: Ctx) -> str:
    from learning.accounts import services as accounts

    user_id = _invitee(ctx)
    raw = ctx.run(lambda: accounts.issue_token(
        TokenPurpose.INVITATION, ctx.app.config["INVITATION_TTL"],
        db.session.get(User, user_id)))
    return f"/invitations/{raw}"


def _no_admin(ctx: Ctx) -> None:
    """The first-administrator page works only while there is no administrator."""
    def demote() -> None:
        for admin in db.session.scalars(select(User).where(User.role == Role.ADMIN)):
            admin.role = Role.FACILITATOR
    ctx.run(demote)


def _setup_url(ctx: Ctx) -> str:
    from learning.accounts import services as accounts

    return f"/setup/{ctx.run(accounts.setup_token_if_needed)}"


def _certificates(ctx: Ctx) -> dict[str, Any]:
    from learning.certificates.models import Certificate, CertificateStatus

    def read() -> dict[str, Any]:
        newest = _latest(Certificate)
        revoked = _latest(Certificate, Certificate.status == CertificateStatus.REVOKED)
        valid = _latest(Certificate, Certificate.status == CertificateStatus.VALID)
        return {"_count": _count(Certificate), "_valid": valid.id if valid else None,
                "_newest": newest.id, "_revoked": revoked.id if revoked else None,
                "issued": newest.issue_reason,
                "revoked": revoked.revocation_reason if revoked else None}
    return ctx.run(read)


def _one_valid_certificate(ctx: Ctx) -> None:
    from learning.certificates.models import Certificate, CertificateStatus

    def make_valid() -> None:
        if _latest(Certificate, Certificate.status == CertificateStatus.VALID) is None:
            newest = _latest(Certificate)
            newest.status, newest.revoked_at = CertificateStatus.VALID, None
    ctx.run(make_valid)


def _no_valid_certificate(ctx: Ctx) -> None:
    from learning.certificates.models import Certificate, CertificateStatus

    def supersede() -> None:
        for row in db.session.scalars(select(Certificate).where(
                Certificate.status == CertificateStatus.VALID)):
            row.status = CertificateStatus.SUPERSEDED
    ctx.run(supersede)


def _cancel_deletion_requests(ctx: Ctx) -> None:
    from learning.privacy.models import DeletionRequest, DeletionStatus

    def cancel() -> None:
        for row in db.session.scalars(select(DeletionRequest).where(
                DeletionRequest.status == DeletionStatus.REQUESTED)):
            row.status = DeletionStatus.CANCELLED
    ctx.run(cancel)


def _people_cases() -> list[Case]:
    from learning.accounts.forms import AcceptInvitationForm, InviteForm, ProfileForm
    from learning.api.models import ApiToken
    from learning.api.token_views import CreateTokenForm
    from learning.certificates.forms import IssueForm, ReissueForm, RevokeForm
    from learning.privacy.forms import DeletionRequestForm
    from learning.privacy.models import DeletionRequest

    def token_names(ctx: Ctx) -> dict[str, Any]:
        def read() -> dict[str, Any]:
            token = _latest(ApiToken)
            return {"name": token.name, "_count": _count(ApiToken)}
        return ctx.run(read)

    def deletion_reasons(ctx: Ctx) -> dict[str, Any]:
        def read() -> dict[str, Any]:
            row = _latest(DeletionRequest)
            return {"reason": row.reason, "_count": _count(DeletionRequest)}
        return ctx.run(read)

    password = {"password": PASSWORD, "confirm": PASSWORD, "language": "en"}
    return [
        Case(ProfileForm, "participant", lambda c: "/account",
             {"name": line(120, collapse), "job_title": line(120)},
             base=lambda c: {"language": "en"},
             read=lambda c: _user(c, c.ids["user_id"]),
             pages=lambda c: [("participant", "/account")]),
        # The admin invites; the admin's page of the person shows the name and organisation,
        # the person's own profile (once they can sign in) all three.
        Case(InviteForm, "admin", lambda c: "/people/invite",
             {"name": line(120, collapse), "organisation": line(160, collapse),
              "job_title": line(120)},
             base=lambda c: {"email": f"invitee{c.number()}@example.org", "role": "participant",
                             "language": "en", "country": "BI",
                             "organisation_type": "national_ngo", "cohort": ""},
             read=lambda c: _newest_user(c, "invitee"),
             pages=lambda c: [
                 ("admin", f"/people/{_newest_user(c, 'invitee')['_id']}",
                  {"name", "organisation"}),
                 (c.signed_in_as(_newest_user(c, "invitee")["_id"]), "/account")]),
        # The invited person chooses their name; accepting signs them in.
        Case(AcceptInvitationForm, "anonymous", _invitation_url, {"name": line(120, collapse)},
             base=lambda c: dict(password),
             read=lambda c: _user(c, _invitee(c)),
             pages=lambda c: [(c.last_client, "/account")]),  # type: ignore[list-item]
        Case(CreateTokenForm, "participant", lambda c: "/account/api-tokens",
             {"name": line(80)}, base=lambda c: {}, ok=200, read=token_names,
             pages=lambda c: [("participant", "/account/api-tokens")]),
        Case(DeletionRequestForm, "participant", lambda c: "/account/data/deletion",
             {"reason": area(2000, strip)}, base=lambda c: {"confirm": "y"},
             before=_cancel_deletion_requests, read=deletion_reasons,
             pages=lambda c: [("admin", "/admin/deletion-requests")]),
        Case(ReissueForm, "admin",
             lambda c: f"/certificates/{_certificates(c)['_valid']}/reissue",
             {"reason": area(2000, strip)}, prefix="reissue", base=lambda c: {},
             before=_one_valid_certificate,
             read=lambda c: _alias(_certificates(c), reason="issued"),
             pages=lambda c: [("admin", f"/certificates/{_certificates(c)['_newest']}")]),
        Case(RevokeForm, "admin",
             lambda c: f"/certificates/{_certificates(c)['_valid']}/revoke",
             {"reason": area(2000, strip)}, prefix="revoke", base=lambda c: {},
             before=_one_valid_certificate,
             read=lambda c: _alias(_certificates(c), reason="revoked"),
             pages=lambda c: [("admin", f"/certificates/{_certificates(c)['_revoked']}"),
                              ("participant", "/certificates/mine")]),
        Case(IssueForm, "admin",
             lambda c: f"/certificates/issue/{c.ids['cohort_id']}/{c.ids['user_id']}",
             {"reason": area(2000, strip)}, base=lambda c: {}, before=_no_valid_certificate,
             read=lambda c: _alias(_certificates(c), reason="issued"),
             pages=lambda c: [("admin", f"/certificates/{_certificates(c)['_newest']}")]),
    ]


PEOPLE_CASES = _people_cases()


def _setup_case() -> Case:
    from learning.accounts.forms import SetupForm

    return Case(SetupForm, "anonymous", _setup_url, {"name": line(120, collapse)},
                base=lambda c: {"email": f"setup{c.number()}@example.org",
                                "password": PASSWORD, "confirm": PASSWORD, "language": "en"},
                before=_no_admin, read=lambda c: _newest_user(c, "setup"),
                pages=lambda c: [(c.last_client, "/account")])


# Run last: it needs a platform without an administrator.
SETUP_CASES = [_setup_case()]


# --- country applications, cohorts and the CSV import -----------------------------------------

def _application(ctx: Ctx) -> dict[str, Any]:
    from learning.cohorts.application_forms import PART_FORMS
    from learning.cohorts.application_models import CountryApplication

    def read() -> dict[str, Any]:
        application = db.session.get(CountryApplication, ctx.ids["application_id"])
        answers = {name: getattr(application, name) for form in PART_FORMS.values()
                   for name in form.answer_names()}
        review = application.review
        return {**answers, "_parts": dict(application.part_versions or {}),
                "_status": application.status.value,
                "_comments": review.comments if review else None,
                "_message": review.message_to_applicant if review else None,
                "_decision": review.decision if review else None}
    return ctx.run(read)


def _part_case(form: type, fields: dict[str, Text], **base: str) -> Case:
    from learning.cohorts.application_models import CountryApplication

    part = {"ContactsForm": "contacts", "PartOneForm": "part1", "PartTwoForm": "part2",
            "CommitmentForm": "commitment"}[form.__name__]

    def version(ctx: Ctx) -> int:
        return ctx.run(lambda: db.session.get(
            CountryApplication, ctx.ids["application_id"]).part_version(part))

    # The coordinator types; the autosave script sends the part with a key.
    return Case(form, "coordinator",
                lambda c: f"/applications/{c.ids['application_id']}/parts/{part}", fields,
                base=lambda c: {"base_revision": version(c), "key": c.key(), **base},
                transport="autosave", ok=200, read=_application,
                pages=lambda c: [("coordinator", f"/applications/{c.ids['application_id']}")])


def _submitted_application(ctx: Ctx, scored: bool = False) -> None:
    """The committee reviews and decides submitted applications only."""
    from learning.cohorts.application_models import (
        ApplicationReview,
        ApplicationStatus,
        CountryApplication,
    )

    def submit() -> None:
        application = db.session.get(CountryApplication, ctx.ids["application_id"])
        application.status = ApplicationStatus.SUBMITTED
        if scored and application.review is None:
            application.review = ApplicationReview(
                relevance_score=3, interagency_score=3, team_score=3, basics_score=3)
    ctx.run(submit)


def _newest_row(ctx: Ctx, model: Any, names: list[str], *where: Any) -> dict[str, Any]:
    def read() -> dict[str, Any]:
        row = _latest(model, *where)
        return {**{name: getattr(row, name) for name in names}, "_count": _count(model, *where),
                "_id": row.id}
    return ctx.run(read)


def _import(ctx: Ctx, case: Case, data: dict[str, Any]) -> Any:
    """Upload a CSV file with one person, then confirm the checked file, as the page does."""
    import csv
    import io

    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(["name", "email", "organisation", "organisation type", "country",
                     "job title", "language"])
    writer.writerow([data.get("name", ""), f"imported{ctx.number()}@example.org",
                     data.get("organisation", ""), "government", "BI",
                     data.get("job_title", ""), "fr"])
    client = ctx.client(case.who)
    url = f"/cohorts/{ctx.ids['cohort_id']}/import"
    checked = client.post(url, data={
        "csrf_token": client.csrf,  # type: ignore[attr-defined]
        "file": (io.BytesIO(text.getvalue().encode()), "people.csv")},
        content_type="multipart/form-data")
    # The browser sends back the checked file as the page holds it (an HTML parser reads a
    # NUL character in an attribute as U+FFFD); no confirmation form, nothing to confirm.
    held = re.search(r'name="payload"[^>]*value="([^"]*)"', checked.get_data(as_text=True))
    if checked.status_code != 200 or held is None:
        return checked
    payload = html.unescape(held.group(1)).replace("\x00", "\ufffd")
    return client.post(url, data={"csrf_token": client.csrf,  # type: ignore[attr-defined]
                                  "payload": payload})


def _applications_cases() -> list[Case]:
    from learning.cohorts.application_forms import (
        AgencyForm,
        CommitmentForm,
        ContactsForm,
        DecisionForm,
        NomineeForm,
        PartOneForm,
        PartTwoForm,
        ReviewForm,
    )
    from learning.cohorts.application_models import ApplicationAgency, Nominee
    from learning.cohorts.forms import CohortForm
    from learning.cohorts.models import Cohort

    def show(who: str) -> Pages:
        return lambda c: [(who, f"/applications/{c.ids['application_id']}")]

    def cohort(ctx: Ctx) -> dict[str, Any]:
        def read() -> dict[str, Any]:
            row = db.session.get(Cohort, ctx.ids["cohort_id"])
            return {"name": row.name, "slug": row.slug, "venue": row.venue,
                    "_dates": (row.start_date, row.end_date)}
        return ctx.run(read)

    texts = ["cm_subgroup_description", "cm_subgroup_tor", "sops_description",
             "government_role", "recent_trainings", "capacity_building", "capacity_budget"]
    return [
        _part_case(ContactsForm, {
            "focal_name": line(120), "focal_title": line(120), "focal_organisation": line(160),
            # E-mail addresses and telephones are drafts here too: any text is kept as typed
            # and checked only when the application is submitted.
            "focal_email": line(254), "focal_phone": line(40),
            "backup_name": line(120), "backup_title": line(120),
            "backup_organisation": line(160), "backup_email": line(254),
            "backup_phone": line(40)}, language="en"),
        _part_case(PartOneForm, {name: area(4000) for name in texts},
                   has_cm_subgroup="yes", has_interagency_sops="no"),
        _part_case(PartTwoForm, {name: area(4000) for name in (
            "why_join", "follow_up", "obstacles", "obstacle_responses")}),
        _part_case(CommitmentForm, {"signatory_name": line(120), "signatory_title": line(120)},
                   signed_on=""),
        Case(AgencyForm, "coordinator",
             lambda c: f"/applications/{c.ids['application_id']}/agencies",
             {"name": line(160), "comments": area(4000)},
             base=lambda c: {"key": c.key(), "organisation_type": "national_ngo"},
             read=lambda c: _newest_row(c, ApplicationAgency, ["name", "comments"]),
             pages=lambda c: [("focal_point", f"/applications/{c.ids['application_id']}")]),
        Case(NomineeForm, "coordinator",
             lambda c: f"/applications/{c.ids['application_id']}/nominees",
             {"name": line(120, collapse), "organisation": line(160), "title": line(120),
              "reason": area(4000)},
             base=lambda c: {"key": c.key(), "email": f"nominee{c.number()}@example.org",
                             "organisation_type": "government"},
             read=lambda c: _newest_row(c, Nominee, ["name", "organisation", "title",
                                                     "reason"]),
             pages=lambda c: [("focal_point", f"/applications/{c.ids['application_id']}")]),
        Case(ReviewForm, "admin", lambda c: f"/applications/{c.ids['application_id']}/review",
             {"comments": area(4000)},
             base=lambda c: {"relevance_score": "4", "interagency_score": "3",
                             "team_score": "5", "basics_score": "2"},
             before=_submitted_application,
             read=lambda c: _alias(_application(c), comments="_comments"),
             pages=lambda c: [("admin", f"/applications/{c.ids['application_id']}/review")]),
        # Not selected, so that the application can be put back and decided again.
        Case(DecisionForm, "admin",
             lambda c: f"/applications/{c.ids['application_id']}/decision",
             {"message": area(4000)},
             base=lambda c: {"decision": "not_selected", "cohort": ""},
             before=lambda c: _submitted_application(c, scored=True),
             read=lambda c: _alias(_application(c), message="_message"),
             pages=show("coordinator")),
        Case(CohortForm, "admin", lambda c: f"/cohorts/{c.ids['cohort_id']}/edit",
             # The short name in addresses is made of letters, digits and dashes.
             {"name": line(160, collapse), "venue": line(160),
              "slug": Text(80, slug)},
             base=lambda c: {"languages": "en", "start_date": "2030-03-02",
                             "end_date": "2030-03-06", "countries": "BI",
                             "facilitators": str(c.people["facilitator"].id),
                             "certificate_languages": "participant"},
             read=cohort,
             pages=lambda c: [("admin", f"/cohorts/{c.ids['cohort_id']}", {"name", "venue"}),
                              ("admin", f"/cohorts/{c.ids['cohort_id']}/edit", {"slug"})]),
        # People invited from a CSV file: the check page, then the confirmation.
        Case("cohort import (CSV file)", "facilitator", lambda c: "",
             {"name": line(120, collapse), "organisation": line(160, collapse),
              "job_title": line(120)},
             base=lambda c: {}, poster=_import,
             read=lambda c: _newest_user(c, "imported"),
             pages=lambda c: [
                 ("facilitator", f"/cohorts/{c.ids['cohort_id']}", {"name"}),
                 ("admin", f"/people/{_newest_user(c, 'imported')['_id']}",
                  {"name", "organisation"}),
                 (c.signed_in_as(_newest_user(c, "imported")["_id"]), "/account")]),
    ]


APPLICATION_CASES = _applications_cases()


# --- the learner's own text: action plan, comments, reflections, free-text answers -------------

def _attempt(ctx: Ctx, bank_id: str) -> int:
    """The participant's open attempt at a bank (started from its page, once)."""
    from learning.assessments.models import Attempt

    if bank_id not in ctx.memo:
        client = ctx.client("participant")
        assert client.post(f"/assessments/{bank_id}/once",
                           data={"csrf_token": client.csrf}).status_code == 302  # type: ignore[attr-defined]
        ctx.memo[bank_id] = ctx.run(lambda: _latest(Attempt, Attempt.bank_id == bank_id).id)
    return ctx.memo[bank_id]


def _answers(ctx: Ctx, bank_id: str, fields: dict[str, str]) -> dict[str, Any]:
    """Stored answers by posted name (``q-<question id>``, or ``value`` for one answer)."""
    from learning.assessments.models import Answer

    attempt_id = _attempt(ctx, bank_id)

    def read() -> dict[str, Any]:
        rows = {row.question_id: (row.value, row.revision) for row in db.session.scalars(
            select(Answer).where(Answer.attempt_id == attempt_id))}
        return {name: rows.get(question, (None, 0))[0] for name, question in fields.items()} | {
            "_revisions": sorted((key, revision) for key, (_value, revision) in rows.items())}
    return ctx.run(read)


def _learning_cases() -> list[Case]:
    from learning.courses.models import ReflectionAnswer
    from learning.plans.forms import AddItemForm, CommentForm, EditItemForm
    from learning.plans.models import ActionPlanItem, PlanComment

    item_texts = ["action", "first_steps", "support_needed", "success_measure"]
    limits = {"action": 1000}

    def item(ctx: Ctx, newest: bool) -> dict[str, Any]:
        def read() -> dict[str, Any]:
            row = (_latest(ActionPlanItem) if newest
                   else db.session.get(ActionPlanItem, ctx.ids["item_id"]))
            return {**{name: getattr(row, name) for name in [*item_texts, "notes"]},
                    "_revision": row.revision, "_count": _count(ActionPlanItem),
                    "_status": row.status.value}
        return ctx.run(read)

    def revision(ctx: Ctx) -> int:
        return ctx.run(lambda: db.session.get(ActionPlanItem, ctx.ids["item_id"]).revision)

    def both_views(ctx: Ctx) -> list[tuple[Any, ...]]:
        return [("participant", "/plan"),
                ("facilitator",
                 f"/cohorts/{ctx.ids['cohort_id']}/participants/{ctx.ids['user_id']}/plan")]

    evaluation = {"q-ev-keep": "ev-keep", "q-ev-change": "ev-change",
                  "q-ev-support-needed": "ev-support-needed"}
    survey = {"value": "ll-country-other"}
    return [
        # A new action, typed in the "add an action" form of module 1 (a plain post).
        Case(AddItemForm, "participant", lambda c: "/plan/items",
             {name: area(limits.get(name, 4000)) for name in item_texts},
             base=lambda c: {"unit_id": c.ids["unit_id"], "key": c.key(),
                             "function": "supportive"},
             read=lambda c: item(c, newest=True), pages=both_views),
        # The same fields and the notes, autosaved as the participant types.
        Case(EditItemForm, "participant", lambda c: f"/plan/items/{c.ids['item_id']}",
             {name: area(limits.get(name, 4000)) for name in [*item_texts, "notes"]},
             base=lambda c: {"key": c.key(), "function": "educational", "status": "started",
                             "base_revision": revision(c)},
             transport="autosave", ok=200, read=lambda c: item(c, newest=False),
             pages=lambda c: both_views(c)[1:]),
        # The same, sent as a JSON object (the plan's JSON interface).
        Case(EditItemForm, "participant", lambda c: f"/plan/items/{c.ids['item_id']}",
             {name: area(limits.get(name, 4000)) for name in [*item_texts, "notes"]},
             name="EditItemForm (JSON body)",
             base=lambda c: {"key": c.key(), "function": "wellbeing", "status": "done",
                             "base_revision": revision(c)},
             transport="json", ok=200, read=lambda c: item(c, newest=False),
             pages=lambda c: both_views(c)[:1]),
        # A facilitator of the participant's cohort comments on the whole plan.
        Case(CommentForm, "facilitator",
             lambda c: f"/cohorts/{c.ids['cohort_id']}/participants/{c.ids['user_id']}"
                       "/plan/comments",
             {"body": area(4000)}, base=lambda c: {"key": c.key(), "item_id": ""},
             read=lambda c: _newest_row(c, PlanComment, ["body"]),
             pages=lambda c: [("participant", "/plan")]),
        # A reflection in a course section, autosaved.
        Case("reflection (courses.save_reflection)", "participant",
             lambda c: f"/learn/reflections/{c.ids['reflection_id']}",
             {"text": area(20_000)}, base=lambda c: {"key": c.key()},
             transport="autosave", ok=200,
             read=lambda c: _newest_row(c, ReflectionAnswer, ["text", "revision"]),
             pages=lambda c: [("participant", "/learn/sections/m1-timeline-exercise")]),
        # Long free-text answers of the ToT evaluation, autosaved with the whole page.
        Case("evaluation answers (assessments.save_answers)", "participant",
             lambda c: f"/assessments/attempts/{_attempt(c, 'tot-evaluation')}/answers",
             {name: area(5000, crlf_strip) for name in evaluation},
             base=lambda c: {"key": c.key()}, transport="autosave", ok=200,
             read=lambda c: _answers(c, "tot-evaluation", evaluation),
             pages=lambda c: [("participant", "/assessments/tot-evaluation/once")]),
        # A short free-text answer (its bank allows 100 characters), sent alone as JSON.
        Case("survey answer (assessments.save_answer, JSON)", "participant",
             lambda c: f"/assessments/attempts/{_attempt(c, 'lessons-learned-survey')}"
                       "/answers/ll-country-other",
             {"value": line(100, crlf_strip)}, base=lambda c: {"key": c.key()},
             transport="json", ok=200,
             read=lambda c: _answers(c, "lessons-learned-survey", survey),
             pages=lambda c: [("participant", "/assessments/lessons-learned-survey/once")]),
    ]


LEARNING_CASES = _learning_cases()


# --- the country roll-out plan ------------------------------------------------------------------

def _plan_url(ctx: Ctx, rest: str = "") -> str:
    return f"/cohorts/{ctx.ids['cohort_id']}/countries/BI/plan{rest}"


def _plan(ctx: Ctx) -> dict[str, Any]:
    from learning.plans.country_models import CountryPlan

    def read() -> dict[str, Any]:
        plan = db.session.scalar(select(CountryPlan))
        return {**{name: getattr(plan, name) for name in (
            "agencies", "context_notes", "objectives", "target_locations", "follow_up_plan")},
            "_version": plan.version, "_status": plan.status.value}
    return ctx.run(read)


def _draft_plan(ctx: Ctx) -> None:
    """A plan can be submitted again once it is back with the team."""
    from learning.plans.country_models import CountryPlan, CountryPlanStatus

    def back() -> None:
        db.session.scalar(select(CountryPlan)).status = CountryPlanStatus.DRAFT
    ctx.run(back)


def _plan_cases() -> list[Case]:
    from learning.plans.country_forms import (
        ActivityForm,
        BudgetLineForm,
        ContextForm,
        FollowUpForm,
        ReviewForm,
        RiskForm,
        SubmitForm,
        TargetsForm,
    )
    from learning.plans.country_models import (
        BudgetLine,
        CountryPlanActivity,
        PlanReviewComment,
        PlanRisk,
        ReviewEvent,
    )

    def section(form: type, name: str, fields: list[str], **base: str) -> Case:
        # A member of the country team types; the autosave script sends the section.
        return Case(form, "participant", lambda c: _plan_url(c, f"/sections/{name}"),
                    {field_: area(4000) for field_ in fields},
                    base=lambda c: {"base_revision": _plan(c)["_version"], "key": c.key(),
                                    **base},
                    transport="autosave", ok=200, read=_plan,
                    pages=lambda c: [("facilitator", _plan_url(c, "/print"))])

    def rows(form: type, model: Any, path: str, id_name: str, fields: dict[str, Text],
             **base: str) -> list[Case]:
        names = list(fields)

        def pages(ctx: Ctx) -> list[tuple[Any, ...]]:
            return [("focal_point", _plan_url(ctx, "/print"))]

        return [
            Case(form, "participant", lambda c: _plan_url(c, path), fields,
                 base=lambda c: {"key": c.key(), **base},
                 read=lambda c: {**_newest_row(c, model, names), **_plan(c)}, pages=pages),
            Case(form, "participant", lambda c: _plan_url(c, f"{path}/{c.ids[id_name]}"),
                 fields, name=f"{form.__name__} (editing a row)",
                 base=lambda c: {"base_revision": _plan(c)["_version"], **base},
                 read=lambda c: {**_newest_row(c, model, names, model.id == c.ids[id_name]),
                                 **_plan(c)}, pages=pages)]

    def review_comments(ctx: Ctx) -> dict[str, Any]:
        def read() -> dict[str, Any]:
            found = {}
            for section_ in (None, "context", "targets", "activities", "budget", "risks",
                             "follow_up"):
                row = _latest(PlanReviewComment, PlanReviewComment.event == ReviewEvent.COMMENT,
                              PlanReviewComment.section.is_(None) if section_ is None
                              else PlanReviewComment.section == section_)
                found["general" if section_ is None else f"comment_{section_}"] = (
                    row.body if row else None)
            return {**found, "_count": _count(PlanReviewComment)}
        return ctx.run(read)

    return [
        section(ContextForm, "context", ["agencies", "context_notes"]),
        section(TargetsForm, "targets", ["objectives", "target_locations"]),
        section(FollowUpForm, "follow_up", ["follow_up_plan"], call_frequency=""),
        *rows(ActivityForm, CountryPlanActivity, "/activities", "activity_id",
              {"title": line(200), "owner_name": line(120), "organisation": line(160)},
              category="training", status="planned", start_date="", end_date=""),
        *rows(BudgetLineForm, BudgetLine, "/budget", "line_id", {"item": line(200)},
              unit_cost="250", quantity="3", currency="USD", funding_status="secured",
              activity_id=""),
        *rows(RiskForm, PlanRisk, "/risks", "risk_id",
              {"description": area(4000), "mitigation": area(4000)},
              challenge="trainer_turnover"),
        # The team sends the plan to its focal point with a message (trimmed).
        Case(SubmitForm, "participant", lambda c: _plan_url(c, "/submit"),
             {"message": area(4000, unix_strip)},
             base=lambda c: {"key": c.key(), "base_revision": _plan(c)["_version"]},
             before=_draft_plan,
             read=lambda c: _alias(_newest_row(c, PlanReviewComment, ["body"],
                                               PlanReviewComment.event == ReviewEvent.SUBMITTED),
                                   message="body") | _plan(c),
             pages=lambda c: [("focal_point", _plan_url(c, "/review"))]),
        # The focal point comments on the whole plan and on each section (trimmed).
        Case(ReviewForm, "focal_point", lambda c: _plan_url(c, "/review"),
             {name: area(4000, unix_strip) for name in (
                 "general", "comment_context", "comment_targets", "comment_activities",
                 "comment_budget", "comment_risks", "comment_follow_up")},
             base=lambda c: {"key": c.key(), "decision": "comment"}, read=review_comments,
             pages=lambda c: [("participant", _plan_url(c))]),
    ]


PLAN_CASES = _plan_cases()


# --- in-country trainings, their reports, reviews and follow-up -------------------------------

def _training(ctx: Ctx, training_id: int) -> dict[str, Any]:
    from learning.rollout.models import Training

    def read() -> dict[str, Any]:
        training = db.session.get(Training, training_id)
        organisation = training.organisations[0] if training.organisations else None
        person = training.participants[0] if training.participants else None
        return {**{name: getattr(training, name) for name in (
            "region_city", "other_co_trainers", "evaluation_highlights", "adaptations",
            "challenges", "follow_up_planned")},
            "draft_note": training.report.draft_note,
            "organisations.name": organisation.name if organisation else None,
            "participants.name": person.name if person else None,
            "participants.organisation": person.organisation if person else None,
            "_version": training.version, "_report": training.report.id,
            "_rows": (len(training.organisations), len(training.participants))}
    return ctx.run(read)


def _pending_report(ctx: Ctx) -> None:
    """A report is reviewed while it waits for a decision."""
    from learning.rollout.models import ReportStatus, TrainingReport

    def back() -> None:
        db.session.get(TrainingReport, ctx.ids["report_id"]).status = ReportStatus.SUBMITTED
    ctx.run(back)


def _rollout_cases() -> list[Case]:
    from learning.rollout.forms import ContactForm, NewTrainingForm, ReviewForm, TrainingForm
    from learning.rollout.models import FollowUpContact, ReportEvent, Training

    def newest_training(ctx: Ctx) -> dict[str, Any]:
        newest = ctx.run(lambda: _latest(Training).id)
        return {**_training(ctx, newest), "_count": ctx.run(lambda: _count(Training))}

    report_fields = {
        "region_city": line(160), "other_co_trainers": area(2000),
        **{name: area(4000) for name in (
            "evaluation_highlights", "adaptations", "challenges", "follow_up_planned",
            "draft_note")},
        "organisations.name": line(160), "participants.name": line(120),
        "participants.organisation": line(160)}
    return [
        Case(NewTrainingForm, "participant",
             lambda c: f"/cohorts/{c.ids['cohort_id']}/trainings/new", {"region_city": line(160)},
             base=lambda c: {"key": c.key(), "start_date": "2030-04-06",
                             "end_date": "2030-04-08"},
             read=newest_training,
             pages=lambda c: [("participant", f"/reports/{newest_training(c)['_report']}")]),
        # The trainer's report, autosaved whole, with a row of each list filled in.
        Case(TrainingForm, "participant", lambda c: f"/trainings/{c.ids['training_id']}/edit",
             report_fields,
             base=lambda c: {"key": c.key(),
                             "base_revision": _training(c, c.ids["training_id"])["_version"],
                             "language": "", "delivery_mode": "", "plan_activity_id": "",
                             "organisations-0-type": "national_ngo"},
             transport="autosave", ok=200, read=lambda c: _training(c, c.ids["training_id"]),
             # The report page shows the report; the note to the focal point waits on the
             # editing page until it is sent with the report.
             pages=lambda c: [
                 ("participant", f"/reports/{_training(c, c.ids['training_id'])['_report']}",
                  set(report_fields) - {"draft_note"}),
                 ("participant", f"/trainings/{c.ids['training_id']}/edit", {"draft_note"})]),
        # The focal point returns a report with comments (trimmed).
        Case(ReviewForm, "focal_point", lambda c: f"/reports/{c.ids['report_id']}/review",
             {"comments": area(4000, unix_strip)},
             base=lambda c: {"key": c.key(), "decision": "return"}, before=_pending_report,
             read=lambda c: _alias(_newest_row(c, ReportEvent, ["text"]), comments="text"),
             pages=lambda c: [("participant", f"/reports/{c.ids['report_id']}")]),
        Case(ContactForm, "focal_point",
             lambda c: f"/cohorts/{c.ids['cohort_id']}/countries/BI/follow-up",
             {"attendees": area(2000), "notes": area(4000), "agreed_actions": area(4000)},
             base=lambda c: {"key": c.key(), "contact_date": "2030-05-02", "mode": "call"},
             read=lambda c: _newest_row(c, FollowUpContact,
                                        ["attendees", "notes", "agreed_actions"]),
             pages=lambda c: [
                 ("focal_point", f"/cohorts/{c.ids['cohort_id']}/countries/BI/follow-up")]),
    ]


ROLLOUT_CASES = _rollout_cases()


ALL_CASES: list[Case] = [*PEOPLE_CASES, *APPLICATION_CASES, *SETUP_CASES, *LEARNING_CASES,
                         *PLAN_CASES, *ROLLOUT_CASES]


# --- the tests: each runs its cases on one world, and lists every case that misbehaves ----------

def test_accounts_certificates_applications_and_cohorts(app: Flask, world,  # noqa: F811
                                                         monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    # Each certificate reason here issues a certificate; its PDF (which does not show the
    # reason) is drawn by tests/certificates, and drawing a dozen would take most of the time.
    monkeypatch.setattr("learning.certificates.document.render_certificate_pdf",
                        lambda certificate: b"%PDF-1.7 not drawn in this test")
    run_cases(Ctx(app, *world), [*PEOPLE_CASES, *APPLICATION_CASES, *SETUP_CASES])


def test_action_plans_answers_country_plans_and_trainings(app: Flask, world  # noqa: F811
                                                          ) -> None:
    run_cases(Ctx(app, *world), [*LEARNING_CASES, *PLAN_CASES, *ROLLOUT_CASES])
