"""``flask demo --scale N``: a labelled synthetic programme, loaded once, the same per seed."""

from __future__ import annotations

from sqlalchemy import func, select

from learning.accounts.models import Role, User
from learning.assessments.models import Attempt, Purpose
from learning.certificates.models import Certificate
from learning.cohorts.models import Cohort, Enrolment, EnrolmentStatus
from learning.courses.models import SectionProgress
from learning.db import Base, db
from learning.rollout.models import Training, TrainingReport


def _counts() -> dict[str, int]:
    return {table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in Base.metadata.sorted_tables}


def test_scale_loads_a_labelled_programme_of_n_participants(app, runner):
    result = runner.invoke(args=["demo", "--scale", "300"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        participants = db.session.scalar(
            select(func.count(User.id)).where(User.role == Role.PARTICIPANT))
        assert participants == 300
        assert db.session.scalar(select(func.count(Enrolment.id))) == 300
        cohorts = list(db.session.scalars(select(Cohort)))
        assert len(cohorts) == 12 and all(c.name.startswith("SCALE") for c in cohorts)
        emails = list(db.session.scalars(select(User.email)))
        assert all(e.startswith("scale-") and e.endswith("@example.org") for e in emails)
        assert db.session.scalar(select(func.count(User.id))
                                 .where(User.password_hash.is_not(None))) == 0
        statuses = set(db.session.scalars(select(Enrolment.status)))
        assert {EnrolmentStatus.WITHDRAWN, EnrolmentStatus.ALTERNATE} <= statuses
        # Pre-course part 1 is done by most, every module by fewer: shares decrease.
        done = {unit: db.session.scalar(
            select(func.count(SectionProgress.user_id.distinct()))
            .where(SectionProgress.unit_id == unit, SectionProgress.completed_at.is_not(None)))
            for unit in ("precourse-1-case-management", "module-4-staff-care")}
        assert 200 < done["precourse-1-case-management"] < 300
        assert 0 < done["module-4-staff-care"] < done["precourse-1-case-management"]
        pre, post = (db.session.scalar(select(func.count(Attempt.id)).where(
            Attempt.bank_id == "knowledge-test", Attempt.purpose == purpose))
            for purpose in (Purpose.PRE, Purpose.POST))
        assert 0 < post < pre < 300
        assert db.session.scalar(select(func.count(Training.id))) > 0
        assert len(set(db.session.scalars(select(TrainingReport.status)))) >= 3
        certificates = list(db.session.scalars(select(Certificate)))
        assert certificates and all(c.pdf is None and c.serial.startswith("SCALE-")
                                    for c in certificates)
    assert "300 participants" in result.output


def test_scale_is_loaded_once_and_is_the_same_for_the_same_seed(app, runner):
    first = runner.invoke(args=["demo", "--scale", "120", "--seed", "7"])
    assert first.exit_code == 0, first.output
    with app.app_context():
        before = _counts()
    again = runner.invoke(args=["demo", "--scale", "120", "--seed", "7"])
    assert again.exit_code != 0 and "already loaded" in again.output
    with app.app_context():
        assert _counts() == before  # the refusal wrote nothing
        for table in reversed(Base.metadata.sorted_tables):
            db.session.execute(table.delete())
        db.session.commit()
    repeat = runner.invoke(args=["demo", "--scale", "120", "--seed", "7"])
    assert repeat.exit_code == 0, repeat.output
    with app.app_context():
        assert _counts() == before


def test_scale_refuses_a_database_with_real_accounts_unless_forced(app, runner, make_user):
    make_user(Role.ADMIN, email="real.admin@example.org", country=None)
    refused = runner.invoke(args=["demo", "--scale", "50"])
    assert refused.exit_code != 0 and "--force" in refused.output
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 1
    forced = runner.invoke(args=["demo", "--scale", "50", "--force"])
    assert forced.exit_code == 0, forced.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Enrolment.id))) == 50
        assert db.session.scalar(select(User.email).where(User.role == Role.ADMIN)) \
            == "real.admin@example.org"


def test_demo_without_scale_is_unchanged(app, runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert not db.session.scalar(select(func.count(Cohort.id))
                                     .where(Cohort.slug.like("scale-%")))
        assert db.session.scalar(select(func.count(Cohort.id))) == 3
