"""Review of a country plan: the team submits it, the country's focal points comment per
section and approve it or return it, and each side is told in their own language.

- Submitting sends the version the submitter saw; if someone else changed the plan since,
  the submitter is shown the changes first (``StaleEdit``). An approved plan that changed
  since its approval can be submitted again; an approved plan without changes cannot.
- Returning needs at least one comment (what to change); approving may have none.
  Comments alone can be left at any time, and the team is told.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from learning.accounts.models import User
from learning.audit.services import record
from learning.cohorts.models import Cohort
from learning.db import db, utcnow
from learning.notifications.services import notify
from learning.plans import country_labels as labels
from learning.plans.country_models import (
    CountryPlan,
    CountryPlanStatus,
    PlanReviewComment,
    ReviewEvent,
)
from learning.plans.country_services import (
    BadVersion,
    PlanLocked,
    authors_between,
    changed_by_others,
    locked_plan,
    team_members,
    version_snapshot,
)
from learning.plans.country_versions import StaleEdit, snapshot
from learning.scope import focal_points_of

DECISIONS = ("comment", "return", "approve")


class ReviewRefused(ValueError):
    """The decision does not fit the plan's state; ``code`` names the reason."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _cohort_name(plan: CountryPlan) -> str:
    cohort = db.session.get(Cohort, plan.cohort_id)
    return cohort.name if cohort else ""


def may_submit(plan: CountryPlan) -> bool:
    if plan.status in (CountryPlanStatus.DRAFT, CountryPlanStatus.RETURNED):
        return True
    return plan.status == CountryPlanStatus.APPROVED and plan.version != plan.approved_version


def submit(actor: User, plan_id: int, base_version: int | None, message: str,
           link: str) -> dict[str, object]:
    """Send the plan to the country's focal points; the answer says how many were told."""
    plan = locked_plan(plan_id)
    if plan.status == CountryPlanStatus.SUBMITTED:
        raise PlanLocked()
    if base_version is None or not 1 <= base_version <= plan.version:
        raise BadVersion()
    if base_version != plan.version and changed_by_others(plan.id, base_version, actor):
        seen = version_snapshot(plan.id, base_version)
        if seen is None:
            raise BadVersion()
        raise StaleEdit(base_version, plan.version, [], seen, snapshot(plan),
                        authors_between(plan.id, base_version, plan.version))
    if not may_submit(plan):
        raise ReviewRefused("unchanged")
    plan.status = CountryPlanStatus.SUBMITTED
    plan.submitted_version = plan.version
    db.session.add(PlanReviewComment(plan_id=plan.id, version=plan.version,
                                     event=ReviewEvent.SUBMITTED, body=message.strip(),
                                     author_id=actor.id, created_at=utcnow()))
    reviewers = list(db.session.scalars(focal_points_of(plan.country_code)))
    for reviewer in reviewers:
        notify(reviewer, "country_plan_submitted", link=link, author_name=actor.name,
               country_code=plan.country_code, cohort_name=_cohort_name(plan),
               version=plan.version, message=message.strip())
    record("country_plan.submitted", actor=actor, target=plan, version=plan.version,
           reviewers=len(reviewers))
    db.session.flush()
    return {"ok": True, "version": plan.version, "reviewers": len(reviewers)}


def review(actor: User, plan_id: int, decision: str, comments: dict[str, str], general: str,
           link: str) -> dict[str, object]:
    """Store the comments (per section, and on the whole plan) and the decision, then tell
    every member of the country team."""
    plan = locked_plan(plan_id)
    comments = {section: text.strip() for section, text in comments.items()
                if section in labels.SECTIONS and text.strip()}
    general = general.strip()
    if decision not in DECISIONS:
        raise ReviewRefused("decision")
    if decision != "comment" and plan.status != CountryPlanStatus.SUBMITTED:
        raise ReviewRefused("not_submitted")
    if decision in ("comment", "return") and not (comments or general):
        raise ReviewRefused("comment_needed")
    now = utcnow()
    for section in labels.SECTIONS:
        if section in comments:
            db.session.add(PlanReviewComment(plan_id=plan.id, version=plan.version,
                                             event=ReviewEvent.COMMENT, section=section,
                                             body=comments[section], author_id=actor.id,
                                             created_at=now))
    event = {"comment": ReviewEvent.COMMENT, "return": ReviewEvent.RETURNED,
             "approve": ReviewEvent.APPROVED}[decision]
    if general or event != ReviewEvent.COMMENT:
        db.session.add(PlanReviewComment(plan_id=plan.id, version=plan.version, event=event,
                                         body=general, author_id=actor.id, created_at=now))
    if decision == "return":
        plan.status = CountryPlanStatus.RETURNED
    elif decision == "approve":
        plan.status = CountryPlanStatus.APPROVED
        plan.approved_version = plan.version
    kind = {"comment": "country_plan_commented", "return": "country_plan_returned",
            "approve": "country_plan_approved"}[decision]
    section_comments = [(section, comments[section]) for section in labels.SECTIONS
                        if section in comments]
    team = team_members(plan.cohort_id, plan.country_code)
    for member in team:
        if member.is_active:
            notify(member, kind, link=link, author_name=actor.name,
                   country_code=plan.country_code, cohort_name=_cohort_name(plan),
                   version=plan.version, message=general,
                   section_comments=section_comments, section_labels=labels.SECTIONS)
    record(f"country_plan.{event.value}", actor=actor, target=plan, version=plan.version,
           comments=len(section_comments) + bool(general))
    db.session.flush()
    return {"ok": True, "status": plan.status.value, "notified": len(team)}


@dataclass(frozen=True)
class ReviewEntry:
    id: int
    version: int
    event: ReviewEvent
    section: str | None
    body: str
    author_name: str | None  # None once the author's account is gone
    created_at: datetime


def review_thread(plan: CountryPlan) -> list[ReviewEntry]:
    """Every submission, comment and decision, newest first."""
    rows = db.session.execute(
        select(PlanReviewComment, User.name)
        .outerjoin(User, User.id == PlanReviewComment.author_id)
        .where(PlanReviewComment.plan_id == plan.id)
        .order_by(PlanReviewComment.created_at.desc(), PlanReviewComment.id.desc()))
    return [ReviewEntry(comment.id, comment.version, comment.event, comment.section,
                        comment.body, name, comment.created_at) for comment, name in rows]


def comments_by_section(thread: list[ReviewEntry]) -> dict[str | None, list[ReviewEntry]]:
    """The focal points' comments per section (None: on the whole plan), newest first."""
    grouped: dict[str | None, list[ReviewEntry]] = {}
    for entry in thread:
        if entry.event == ReviewEvent.SUBMITTED or not entry.body:
            continue
        grouped.setdefault(entry.section, []).append(entry)
    return grouped
