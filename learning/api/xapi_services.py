"""xAPI intake: validate statements, keep them raw, and let completions count in Tandem.

An authoring tool (Easygenerator ran the programme's pre-course) posts statements about a
course it hosts. The course is mapped to a Tandem unit by configuration
(``XAPI_ACTIVITY_MAP`` and the YAML file named by ``TANDEM_XAPI_MAP``), the actor to a
person by e-mail (``mbox``) or account name. A ``completed`` or ``passed`` statement then
completes every section of the unit for that person, through the same ``SectionProgress``
rows the reader writes: the cohort progress table, the reminders, the certificate rules and
the analytics funnel all count units from those rows (``courses.steps.done_units_query``),
so each of them sees work done elsewhere without knowing about xAPI. Completions are only
ever added, never removed or moved later, as in the reader.

Statements are idempotent by id: the same id again changes nothing and gets the same
answer; the same id with other content is a conflict (xAPI 1.0.3, Data 2.4.1).
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from flask import current_app
from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError

from learning.accounts.models import User
from learning.api.xapi_models import XapiOutcome, XapiStatement
from learning.audit.services import record
from learning.content.schema import Unit
from learning.courses.catalogue import get_catalogue
from learning.courses.models import SectionProgress
from learning.db import db, utcnow

ADL_VERBS = "http://adlnet.gov/expapi/verbs/"
COMPLETING_VERBS = frozenset({ADL_VERBS + "completed", ADL_VERBS + "passed"})
RECORDED_VERBS = frozenset({ADL_VERBS + "failed", ADL_VERBS + "answered"})
VERSION_HEADER = "X-Experience-API-Version"
VERSION = "1.0.3"
SUPPORTED_VERSION = re.compile(r"^1\.0(\.\d+)?$")
# Set by an LRS, not by the tool: a replay that differs only here is the same statement.
LRS_FIELDS = ("stored", "authority", "version")
MAX_BATCH = 500


class InvalidStatement(ValueError):
    """A statement (or the batch) is not valid xAPI; nothing of the batch is stored."""

    def __init__(self, detail: str, index: int | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.index = index


class ConflictingStatement(Exception):
    """A statement id Tandem already holds, sent again with other content."""

    def __init__(self, statement_id: str) -> None:
        super().__init__(statement_id)
        self.statement_id = statement_id


@dataclass(frozen=True)
class ParsedStatement:
    statement_id: str
    body: dict[str, Any]  # the statement as received, with its id
    digest: str
    verb_id: str
    activity_id: str  # "" when the object is not an activity
    actor: str  # lower-cased e-mail or account name; "" when neither is given
    timestamp: datetime | None


# --- validation -------------------------------------------------------------------------------


def canonical_id(value: Any) -> str | None:
    """The UUID in canonical lower-case form, or None when ``value`` is not a UUID."""
    if not isinstance(value, str):
        return None
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


def _digest(statement: Mapping[str, Any]) -> str:
    content = {key: value for key, value in statement.items() if key not in LRS_FIELDS}
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _actor_key(actor: Mapping[str, Any]) -> str:
    mbox = actor.get("mbox")
    if isinstance(mbox, str) and mbox.lower().startswith("mailto:"):
        return mbox[len("mailto:"):].strip().lower()
    account = actor.get("account")
    if isinstance(account, Mapping) and isinstance(account.get("name"), str):
        return account["name"].strip().lower()
    return ""


def _timestamp(value: Any, index: int) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidStatement("timestamp must be an ISO 8601 string", index)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as error:
        raise InvalidStatement("timestamp is not ISO 8601", index) from error
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def parse_statement(raw: Any, index: int = 0, statement_id: str | None = None) -> ParsedStatement:
    """Check the parts Tandem relies on (xAPI Data 2.4); the rest is kept as sent."""
    if not isinstance(raw, dict):
        raise InvalidStatement("a statement must be a JSON object", index)
    body = dict(raw)
    if "id" in body:
        given = canonical_id(body["id"])
        if given is None:
            raise InvalidStatement("id must be a UUID", index)
        if statement_id is not None and given != statement_id:
            raise InvalidStatement("the statement id differs from statementId", index)
        statement_id = given
    statement_id = statement_id or str(uuid.uuid4())
    body["id"] = statement_id
    actor, verb, target = body.get("actor"), body.get("verb"), body.get("object")
    if not isinstance(actor, dict):
        raise InvalidStatement("actor is required", index)
    if not isinstance(verb, dict) or not isinstance(verb.get("id"), str) or not verb["id"]:
        raise InvalidStatement("verb.id is required", index)
    if not isinstance(target, dict):
        raise InvalidStatement("object is required", index)
    is_activity = target.get("objectType", "Activity") == "Activity"
    if is_activity and (not isinstance(target.get("id"), str) or not target["id"]):
        raise InvalidStatement("object.id is required for an activity", index)
    return ParsedStatement(
        statement_id=statement_id,
        body=body,
        digest=_digest(body),
        verb_id=verb["id"],
        activity_id=target["id"] if is_activity else "",
        actor=_actor_key(actor) if actor.get("objectType", "Agent") == "Agent" else "",
        timestamp=_timestamp(body.get("timestamp"), index),
    )


def parse_batch(payload: Any) -> list[ParsedStatement]:
    """One statement or an array of them; duplicate ids inside a batch are refused."""
    items = payload if isinstance(payload, list) else [payload]
    if not items:
        raise InvalidStatement("the batch is empty")
    if len(items) > MAX_BATCH:
        raise InvalidStatement(f"at most {MAX_BATCH} statements per request")
    parsed = [parse_statement(item, index) for index, item in enumerate(items)]
    ids = [statement.statement_id for statement in parsed]
    if len(set(ids)) != len(ids):
        raise InvalidStatement("the batch holds the same statement id twice")
    return parsed


# --- mapping ----------------------------------------------------------------------------------


def activity_map() -> dict[str, str]:
    """Activity IRI -> unit id, from the YAML file (if configured) and the app config."""
    mapping: dict[str, str] = {}
    path = current_app.config.get("XAPI_MAP_PATH")
    if path:
        loaded = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        if not isinstance(loaded, dict):
            raise ValueError(f"{path}: the xAPI map must be a mapping of IRI to unit id")
        mapping.update({str(key): str(value) for key, value in loaded.items()})
    mapping.update(current_app.config.get("XAPI_ACTIVITY_MAP") or {})
    # A trailing slash is not a different course to the people who write the map.
    return {iri.rstrip("/"): unit_id for iri, unit_id in mapping.items()}


def _person(actor: str) -> User | None:
    if not actor:
        return None
    return db.session.scalar(select(User).where(User.email == actor))  # stored lower-case


# --- storing and applying ---------------------------------------------------------------------


def complete_unit(user_id: int, unit: Unit, when: datetime) -> int:
    """Complete every section of ``unit`` for the person; return how many were not done yet.

    The equivalent of the reader's ``record_event(..., "completed")`` for each section, at
    the time the work was done elsewhere; a completion already recorded is kept as it is.
    """
    sections = unit.visible_sections(include_facilitator_notes=False)
    rows = {row.section_id: row for row in db.session.scalars(
        select(SectionProgress).where(SectionProgress.user_id == user_id,
                                      SectionProgress.section_id.in_([s.id for s in sections])))}
    newly_done = 0
    for section in sections:
        row = rows.get(section.id)
        if row is None:
            db.session.add(SectionProgress(
                user_id=user_id, unit_id=unit.id, section_id=section.id,
                content_version=section.version, opened_at=when, last_seen_at=when,
                completed_at=when))
            newly_done += 1
        elif row.completed_at is None:
            row.completed_at = when
            newly_done += 1
    db.session.flush()
    return newly_done


def _unit_id(parsed: ParsedStatement, mapping: Mapping[str, str]) -> str | None:
    """The unit the statement is about: its object's, or for a statement about a part of a
    course (an answered question) its parent or grouping course's. Only the object itself
    can complete a unit: a question passed is not the course passed."""
    candidates = [parsed.activity_id] if parsed.activity_id else []
    if parsed.verb_id not in COMPLETING_VERBS:
        context = parsed.body.get("context")
        activities = context.get("contextActivities") if isinstance(context, dict) else None
        for kind in ("parent", "grouping"):
            found = activities.get(kind) if isinstance(activities, dict) else None
            for activity in found if isinstance(found, list) else [found]:
                if isinstance(activity, dict) and isinstance(activity.get("id"), str):
                    candidates.append(activity["id"])
    return next((mapping[iri.rstrip("/")] for iri in candidates if iri.rstrip("/") in mapping),
                None)


def _store(submitter: User, parsed: ParsedStatement, mapping: Mapping[str, str]) -> XapiStatement:
    person = _person(parsed.actor)
    unit_id = _unit_id(parsed, mapping)
    unit = get_catalogue().unit(unit_id) if unit_id else None
    reason = ("actor" if person is None else "activity" if unit_id is None
              else "unit" if unit is None else None)
    if reason is not None:
        outcome = XapiOutcome.UNMATCHED
    elif parsed.verb_id in COMPLETING_VERBS:
        outcome = XapiOutcome.APPLIED
    else:
        outcome = XapiOutcome.RECORDED
    row = XapiStatement(
        statement_id=parsed.statement_id, digest=parsed.digest, verb_id=parsed.verb_id[:500],
        activity_id=parsed.activity_id[:2000], actor=parsed.actor[:320],
        user_id=person.id if person else None, unit_id=unit_id, outcome=outcome,
        unmatched_reason=reason, timestamp=parsed.timestamp, submitted_by_id=submitter.id,
        statement=parsed.body)
    db.session.add(row)
    if outcome == XapiOutcome.APPLIED and person is not None and unit is not None:
        now = utcnow()
        when = min(parsed.timestamp, now) if parsed.timestamp else now
        if complete_unit(person.id, unit, when):
            record("xapi.unit_completed", submitter, person, unit=unit.id,
                   statement=parsed.statement_id)
    return row


def receive(submitter: User, statements: list[ParsedStatement]) -> list[str]:
    """Store and apply a batch in one transaction; return the statement ids, in order.

    Ids already held with the same content are left as they are (a replay); one held with
    other content raises :class:`ConflictingStatement` and nothing of the batch is stored.
    """
    for attempt in range(2):
        try:
            _receive_once(submitter, statements)
            db.session.commit()
            break
        except IntegrityError:
            # A copy of the same batch (or the participant in the reader) got there first:
            # start again, and the rows it wrote are now seen as replays.
            db.session.rollback()
            if attempt:
                raise
        except ConflictingStatement:
            db.session.rollback()
            raise
    return [statement.statement_id for statement in statements]


def _receive_once(submitter: User, statements: list[ParsedStatement]) -> None:
    rows = db.session.execute(
        select(XapiStatement.statement_id, XapiStatement.digest)
        .where(XapiStatement.statement_id.in_([s.statement_id for s in statements])))
    held = {statement_id: digest for statement_id, digest in rows}
    for statement in statements:
        if statement.statement_id in held and held[statement.statement_id] != statement.digest:
            raise ConflictingStatement(statement.statement_id)
    mapping = activity_map()
    for statement in statements:
        if statement.statement_id not in held:
            _store(submitter, statement, mapping)
    db.session.flush()


def unmatched_query() -> Select[tuple[XapiStatement]]:
    """Statements Tandem could not attribute, newest first."""
    return (select(XapiStatement).where(XapiStatement.outcome == XapiOutcome.UNMATCHED)
            .order_by(XapiStatement.stored_at.desc(), XapiStatement.id.desc()))
