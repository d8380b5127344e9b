"""A small programme for the API tests: two countries, two cohorts, one person per role.

- cohort X covers Burundi (BI) and Rwanda (RW), run by ``facilitator``;
  cohort Y covers Rwanda only, run by nobody in the table;
- ``participant`` (BI) and ``participant_rw`` (RW) are in X, ``participant_y`` (RW) in Y;
- ``focal_a`` supports BI, ``focal_b`` supports RW, ``coordinator`` is from BI;
- each participant of X delivered one training (report submitted) and took the pre- and
  post-test; every participant holds a certificate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from flask import Flask

from learning.accounts.models import Role, User
from learning.api.tokens import create_token
from learning.assessments.models import Attempt, AttemptStatus, Purpose
from learning.certificates.models import Certificate
from learning.cohorts.models import Cohort, CohortCountry, CohortFacilitator, Enrolment
from learning.db import db
from learning.rollout.models import ReportStatus, Training, TrainingReport

# The roles of the API role matrix, in the order the tests print them.
VIEWERS = ("admin", "facilitator", "focal_a", "focal_b", "coordinator", "participant")


@dataclass
class World:
    people: dict[str, User]
    secrets: dict[str, str]  # a token per viewer
    ids: dict[str, int] = field(default_factory=dict)

    def auth(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.secrets[who]}"}


def build_world(app: Flask, make_user) -> World:  # type: ignore[no-untyped-def]
    people = {
        "admin": make_user(Role.ADMIN, country=None, name="Ada Admin"),
        "facilitator": make_user(Role.FACILITATOR, country=None, name="Fay Facilitator"),
        "focal_a": make_user(Role.FOCAL_POINT, country=None, focal_countries=["BI"],
                             name="Fabrice Focal"),
        "focal_b": make_user(Role.FOCAL_POINT, country=None, focal_countries=["RW"],
                             name="Bea Focal"),
        "coordinator": make_user(Role.COORDINATOR, country="BI", name="Cyprien Coord"),
        "participant": make_user(Role.PARTICIPANT, country="BI", name="Aline Ndayishimiye"),
        "participant_rw": make_user(Role.PARTICIPANT, country="RW", name="Bosco Uwimana"),
        "participant_y": make_user(Role.PARTICIPANT, country="RW", name="Claire Mukamana"),
    }
    ids: dict[str, int] = {}
    with app.app_context():
        cohort_x = Cohort(name="Cohort X", slug="cohort-x", start_date=date(2030, 3, 2),
                          end_date=date(2030, 3, 6),
                          countries=[CohortCountry(country_code="BI"),
                                     CohortCountry(country_code="RW")],
                          facilitators=[CohortFacilitator(user_id=people["facilitator"].id)])
        cohort_y = Cohort(name="Cohort Y", slug="cohort-y", start_date=date(2031, 3, 2),
                          end_date=date(2031, 3, 6), countries=[CohortCountry(country_code="RW")])
        db.session.add_all([cohort_x, cohort_y])
        db.session.flush()
        ids["x"], ids["y"] = cohort_x.id, cohort_y.id
        for key, cohort in (("participant", cohort_x), ("participant_rw", cohort_x),
                            ("participant_y", cohort_y)):
            person = people[key]
            enrolment = Enrolment(cohort_id=cohort.id, user_id=person.id)
            certificate = Certificate(user_id=person.id, cohort_id=cohort.id,
                                      serial=f"TDM-2030-{person.id:06d}",
                                      code=f"code-{key}", holder_name=person.name,
                                      issued_at=datetime(2030, 6, 1, tzinfo=UTC))
            db.session.add_all([enrolment, certificate])
            db.session.flush()
            ids[f"enrolment_{key}"], ids[f"certificate_{key}"] = enrolment.id, certificate.id
        for key, country, pre, post in (("participant", "BI", 4.0, 8.0),
                                        ("participant_rw", "RW", 5.0, 6.0)):
            person = people[key]
            training = Training(cohort_id=cohort_x.id, country_code=country,
                                trainer_id=person.id, region_city="Gitega", modules=[1, 2],
                                national_ngo_count=7, female_count=4, male_count=3,
                                report=TrainingReport(
                                    status=ReportStatus.SUBMITTED,
                                    submitted_at=datetime(2030, 5, 1, tzinfo=UTC)))
            db.session.add(training)
            for purpose, score in ((Purpose.PRE, pre), (Purpose.POST, post)):
                db.session.add(Attempt(
                    user_id=person.id, cohort_id=cohort_x.id, bank_id="knowledge-test",
                    purpose=purpose, number=1, status=AttemptStatus.SUBMITTED, score=score,
                    max_score=10.0, submitted_at=datetime(2030, 3, 2, tzinfo=UTC)))
            db.session.flush()
            ids[f"training_{key}"], ids[f"report_{key}"] = training.id, training.report.id
        secrets = {}
        for who in VIEWERS:
            _, secrets[who] = create_token(db.session.get(User, people[who].id), f"{who} token")
        db.session.commit()
    return World(people=people, secrets=secrets, ids=ids)
