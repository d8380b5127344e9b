"""The roll-out and the lessons-learned survey on top of the analytics world
(``analytics_world.build_world``): trainings in every report state, co-trainers,
organisations named in different case and spacing, country plans, certificates in
every status, named survey attempts and anonymous responses.

What it holds that the figures must get right:

- trainings by withdrawn people and alternates (approved, never counted);
- an organisation written three ways (case, outer spaces) in Burundi (counts once there)
  and also reached in Niger (counts once more: once per country);
- a co-trainer (counts as a trainer who delivered) and a draft, a returned report, a
  training without a start date;
- reports waiting for review with ages relative to now (so ages are known at any date);
- plans with training activities (one cancelled, one of another kind), trainings linked to
  them;
- certificates valid, revoked, superseded, and one of a withdrawn person;
- anonymous survey responses: 6 in ``alpha`` (shown), 5 in ``beta`` (shown to those who see
  all of it), 3 in ``gamma`` (never counted), and 4 named attempts in ``alpha`` (Niger).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from flask import Flask

from learning.accounts.models import OrganisationType
from learning.assessments.models import (
    AnonymousAnswer,
    AnonymousResponse,
    Answer,
    Attempt,
    AttemptStatus,
    Purpose,
)
from learning.certificates.models import Certificate, CertificateStatus
from learning.db import db, utcnow
from learning.plans.country_models import (
    ActivityCategory,
    ActivityStatus,
    CountryPlan,
    CountryPlanActivity,
)
from learning.rollout.models import (
    ReportStatus,
    Training,
    TrainingCoTrainer,
    TrainingOrganisation,
    TrainingReport,
)
from tests.analytics.analytics_world import PARTICIPANTS, World, build_world

SURVEY_BANK = "lessons-learned-survey"
APPROVED, SUBMITTED, RESUBMITTED = (ReportStatus.APPROVED, ReportStatus.SUBMITTED,
                                    ReportStatus.RESUBMITTED)
RETURNED, DRAFT = ReportStatus.RETURNED, ReportStatus.DRAFT


@dataclass(frozen=True)
class TrainingSpec:
    trainer: str
    cohort: str
    status: ReportStatus
    start: date | None = None
    gender: tuple[int, int, int] = (0, 0, 0)  # female, male, other
    organisations: tuple[str, ...] = ()
    co_trainers: tuple[str, ...] = ()
    plan_activity: str | None = None  # key of PLAN_ACTIVITIES
    waiting_days: int | None = None  # pending reports: submitted this many days ago


T = TrainingSpec
TRAININGS: tuple[TrainingSpec, ...] = (
    T("Alice Bizimana", "alpha", APPROVED, date(2030, 5, 5), (10, 6, 1),
      ("Save the Children", "FVS-Amade", "Ministère de la Solidarité"),
      co_trainers=("Bosco Ndayishimiye",), plan_activity="alpha-BI-1"),
    T("Alice Bizimana", "alpha", APPROVED, date(2030, 6, 12), (8, 4, 0),
      (" save the children ", "ministère de la solidarité "), plan_activity="alpha-BI-1"),
    T("Claudine Irakoze", "alpha", SUBMITTED, date(2030, 6, 20), (4, 4, 0), waiting_days=12),
    T("Esperance Niyonzima", "alpha", RETURNED, date(2030, 7, 1), (5, 1, 0)),
    T("Gloria Uwimana", "alpha", DRAFT),
    T("Irène Withdrawn", "alpha", APPROVED, date(2030, 5, 20), (20, 20, 0), ("Withdrawn Org",)),
    T("Jean Alternate", "alpha", APPROVED, date(2030, 5, 21), (9, 9, 0), ("Alternate Org",)),
    T("Kadidja Moussa", "alpha", APPROVED, date(2030, 5, 28), (12, 9, 0),
      ("Plan International", "Save the Children"), co_trainers=("Laouali Issa",),
      plan_activity="alpha-NE-1"),
    T("Mariama Abdou", "alpha", RESUBMITTED, date(2030, 7, 3), (3, 3, 0), waiting_days=3),
    T("Nafissa Harouna", "alpha", APPROVED, date(2031, 1, 10), (5, 5, 0), ("plan international",)),
    T("Sylvie Mbuyi", "beta", APPROVED, date(2030, 8, 3), (15, 10, 2), ("UNICEF", "Caritas"),
      co_trainers=("Trésor Kabila",), plan_activity="beta-CD-1"),
    T("Victor Mukendi", "beta", SUBMITTED, date(2030, 8, 10), (6, 2, 0), waiting_days=40),
    T("Wivine Kalala", "beta", SUBMITTED, date(2030, 8, 15), (7, 7, 0), waiting_days=9),
    T("Xavier Ilunga", "beta", RESUBMITTED, date(2030, 8, 20), (1, 1, 0), waiting_days=2),
    T("Yvette Ngalula", "beta", APPROVED, None, (3, 3, 0), ("Caritas",)),
    T("Zacharie Ntahe", "beta", APPROVED, date(2030, 9, 15), (7, 7, 1), ("Save the Children",)),
    T("Brahim Mahamat", "gamma", APPROVED, date(2030, 5, 15), (9, 9, 0), ("Chad Org",)),
    T("Clarisse Djimet", "gamma", SUBMITTED, date(2030, 6, 1), (2, 2, 0), waiting_days=20),
)

# (cohort, country) -> activities: (key, category, status, start date)
PLAN_ACTIVITIES: dict[tuple[str, str], tuple[tuple[str, ActivityCategory, ActivityStatus,
                                                   date | None], ...]] = {
    ("alpha", "BI"): (
        ("alpha-BI-1", ActivityCategory.TRAINING, ActivityStatus.DONE, date(2030, 5, 1)),
        ("alpha-BI-2", ActivityCategory.TRAINING, ActivityStatus.PLANNED, date(2030, 9, 1)),
        ("alpha-BI-3", ActivityCategory.TRAINING, ActivityStatus.CANCELLED, date(2030, 10, 1)),
        ("alpha-BI-4", ActivityCategory.COACHING, ActivityStatus.PLANNED, date(2030, 6, 1)),
    ),
    ("alpha", "NE"): (
        ("alpha-NE-1", ActivityCategory.TRAINING, ActivityStatus.DONE, date(2030, 5, 20)),
        ("alpha-NE-2", ActivityCategory.TRAINING, ActivityStatus.IN_PROGRESS, None),
    ),
    ("beta", "CD"): (
        ("beta-CD-1", ActivityCategory.TRAINING, ActivityStatus.DONE, date(2030, 8, 1)),
        ("beta-CD-2", ActivityCategory.TRAINING, ActivityStatus.PLANNED, date(2030, 11, 1)),
        ("beta-CD-3", ActivityCategory.TRAINING, ActivityStatus.PLANNED, date(2031, 2, 1)),
        ("beta-CD-4", ActivityCategory.REFRESHER, ActivityStatus.PLANNED, date(2031, 3, 1)),
    ),
    ("gamma", "TD"): (
        ("gamma-TD-1", ActivityCategory.TRAINING, ActivityStatus.PLANNED, date(2030, 5, 1)),
    ),
}

# (holder, cohort, status, issued on)
CERTIFICATES: tuple[tuple[str, str, CertificateStatus, date], ...] = (
    ("Alice Bizimana", "alpha", CertificateStatus.VALID, date(2030, 10, 1)),
    ("Bosco Ndayishimiye", "alpha", CertificateStatus.REVOKED, date(2030, 10, 1)),
    ("Kadidja Moussa", "alpha", CertificateStatus.VALID, date(2030, 11, 5)),
    ("Nafissa Harouna", "alpha", CertificateStatus.VALID, date(2031, 2, 1)),
    ("Sylvie Mbuyi", "beta", CertificateStatus.SUPERSEDED, date(2030, 10, 2)),
    ("Sylvie Mbuyi", "beta", CertificateStatus.VALID, date(2030, 10, 9)),
    ("Zacharie Ntahe", "beta", CertificateStatus.VALID, date(2030, 12, 1)),
    ("Irène Withdrawn", "alpha", CertificateStatus.VALID, date(2030, 10, 1)),
    ("Brahim Mahamat", "gamma", CertificateStatus.VALID, date(2030, 10, 1)),
)

SCALE = ("strongly_disagree", "somewhat_disagree", "somewhat_agree", "strongly_agree")
MODULES = ("module-1", "module-2", "module-3", "module-4")
TOOLS = ("individual-record", "meeting-record", "capacity-assessment", "shadowing",
         "observation", "file-checklist", "case-discussion")
CHALLENGES = ("time", "budget", "technical-support", "training-skills",
              "organisational-support", "interagency-leadership", "trainers-available",
              "turnover", "participant-selection", "reaching-supervisors")
FOLLOW_UPS = ("refresher-training", "coaching-supervisors", "peer-support",
              "managers-capacity", "more-trainers", "methods-tools", "national-systems",
              "caseworkers-trained", "senior-management", "donor-advocacy")
NAMED_RESPONDENTS = ("Kadidja Moussa", "Laouali Issa", "Mariama Abdou", "Nafissa Harouna")
ANONYMOUS_RESPONSES = {"alpha": 6, "beta": 5, "gamma": 3}
SURVEY_ON = date(2030, 12, 1)


def survey_answers(seed: int) -> dict[str, object]:
    """A varied but reproducible response; module 4 is answered by one person in three."""
    modules = {module: SCALE[(seed + index) % 4] for index, module in enumerate(MODULES)
               if module != "module-4" or seed % 3 == 0}
    tools = {tool: SCALE[(seed * 2 + index) % 4] for index, tool in enumerate(TOOLS)
             if (seed + index) % 5}
    challenges = [CHALLENGES[(seed * 3 + step) % len(CHALLENGES)] for step in range(5)]
    follow_ups = [FOLLOW_UPS[(seed + step * 2) % len(FOLLOW_UPS)] for step in range(5)]
    return {"ll-modules": modules, "ll-tools": tools, "ll-challenges": challenges,
            "ll-followup": follow_ups, "ll-final": f"Comment {seed}"}


@dataclass
class RolloutWorld:
    world: World
    trainings: list[int]


def build_rollout_world(app: Flask) -> RolloutWorld:
    world = build_world(app)
    people, cohorts = world.people, world.cohorts
    now = utcnow()
    with app.app_context():
        activity_ids: dict[str, int] = {}
        for (slug, country), activities in PLAN_ACTIVITIES.items():
            plan = CountryPlan(cohort_id=cohorts[slug], country_code=country)
            db.session.add(plan)
            db.session.flush()
            for key, category, status, start in activities:
                activity = CountryPlanActivity(plan_id=plan.id, title=key, category=category,
                                               status=status, start_date=start)
                db.session.add(activity)
                db.session.flush()
                activity_ids[key] = activity.id
        training_ids = []
        country_of = {spec.name: spec.country for spec in PARTICIPANTS}
        for spec in TRAININGS:
            submitted_at = (now - timedelta(days=spec.waiting_days, hours=1)
                            if spec.waiting_days is not None
                            else datetime(2030, 10, 1, tzinfo=UTC)
                            if spec.status not in (DRAFT,) else None)
            female, male, other = spec.gender
            training = Training(
                cohort_id=cohorts[spec.cohort], country_code=country_of[spec.trainer],
                trainer_id=people[spec.trainer], start_date=spec.start,
                end_date=spec.start, days=1, modules=[1, 2],
                female_count=female, male_count=male, other_gender_count=other,
                national_ngo_count=female + male + other,
                plan_activity_id=activity_ids.get(spec.plan_activity or ""),
                co_trainers=[TrainingCoTrainer(user_id=people[name])
                             for name in spec.co_trainers],
                organisations=[TrainingOrganisation(position=index, name=name,
                                                    type=OrganisationType.NATIONAL_NGO)
                               for index, name in enumerate(spec.organisations)],
                report=TrainingReport(status=spec.status, submitted_at=submitted_at,
                                      decided_at=submitted_at if spec.status == APPROVED
                                      else None))
            db.session.add(training)
            db.session.flush()
            training_ids.append(training.id)
        for number, (holder, slug, status, issued_on) in enumerate(CERTIFICATES, start=1):
            db.session.add(Certificate(
                user_id=people[holder], cohort_id=cohorts[slug], status=status,
                serial=f"TDM-2030-{number:06d}", code=secrets.token_urlsafe(24),
                holder_name=holder, issued_at=datetime.combine(issued_on, datetime.min.time(),
                                                               tzinfo=UTC)))
        for seed, name in enumerate(NAMED_RESPONDENTS):
            db.session.add(Attempt(
                user_id=people[name], cohort_id=cohorts["alpha"], bank_id=SURVEY_BANK,
                purpose=Purpose.ONCE,
                number=1, status=AttemptStatus.SUBMITTED,
                submitted_at=datetime(2030, 12, 2, tzinfo=UTC),
                answers=[Answer(question_id=question_id, value=value)
                         for question_id, value in survey_answers(100 + seed).items()]))
        seed = 0
        for slug, count in ANONYMOUS_RESPONSES.items():
            for _ in range(count):
                db.session.add(AnonymousResponse(
                    bank_id=SURVEY_BANK, cohort_id=cohorts[slug], language="fr",
                    submitted_on=SURVEY_ON,
                    answers=[AnonymousAnswer(question_id=question_id, value=value)
                             for question_id, value in survey_answers(seed).items()]))
                seed += 1
        db.session.commit()
    return RolloutWorld(world, training_ids)

