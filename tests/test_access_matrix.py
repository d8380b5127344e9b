"""The role matrix: every route × every role gets the expected status.

The table below must list every endpoint and method of ``app.url_map``: a new route
without an entry here fails the suite, and a route without an access rule is refused
(deny by default) and fails here too.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from flask import Flask
from sqlalchemy import select

from learning.accounts.models import OrganisationType, Role, User
from learning.assessments.models import Attempt, Purpose
from learning.cohorts.application_models import (
    ApplicationAgency,
    CountryApplication,
    Nominee,
)
from learning.cohorts.models import Cohort, CohortCountry, CohortFacilitator, Enrolment
from learning.db import db
from learning.plans import country_services
from learning.plans.country_models import (
    ActivityCategory,
    ActivityStatus,
    Challenge,
    FundingStatus,
)
from learning.plans.models import ActionPlanItem, PlanFunction
from learning.rollout.models import ReportStatus, Training, TrainingReport
from tests.conftest import BrowserLikeClient, sign_in

ROLES = ["anonymous", "participant", "facilitator", "focal_point", "coordinator", "admin"]
LOGIN = 302  # anonymous people are sent to the sign-in page


def expect(anonymous: int, participant: int, facilitator: int, focal_point: int,
           coordinator: int, admin: int) -> dict[str, int]:
    return dict(zip(ROLES, [anonymous, participant, facilitator, focal_point, coordinator, admin],
                    strict=True))


EVERYONE_200 = expect(200, 200, 200, 200, 200, 200)
SIGNED_IN_200 = expect(LOGIN, 200, 200, 200, 200, 200)
ADMIN_ONLY_200 = expect(LOGIN, 403, 403, 403, 403, 200)
MANAGERS_200 = expect(LOGIN, 403, 200, 403, 403, 200)
ADMIN_ONLY_400 = expect(LOGIN, 403, 403, 403, 403, 400)
MANAGERS_400 = expect(LOGIN, 403, 400, 403, 403, 400)
PLAN_EDITORS_200 = expect(LOGIN, 200, 404, 404, 404, 200)
PLAN_EDITORS_400 = expect(LOGIN, 400, 404, 404, 404, 400)
API_401 = expect(401, 401, 401, 401, 401, 401)

# A form posted empty is refused: the page comes back with its errors and a 400.
EXPECTED: dict[tuple[str, str], dict[str, int]] = {
    ("core.home", "GET"): EVERYONE_200,
    ("core.healthz", "GET"): EVERYONE_200,
    ("i18n.switch_language", "POST"): expect(302, 302, 302, 302, 302, 302),
    ("accounts.login", "GET"): expect(200, 302, 302, 302, 302, 302),
    ("accounts.login", "POST"): expect(400, 302, 302, 302, 302, 302),
    ("accounts.logout", "POST"): expect(LOGIN, 302, 302, 302, 302, 302),
    ("accounts.setup", "GET"): expect(404, 404, 404, 404, 404, 404),
    ("accounts.setup", "POST"): expect(404, 404, 404, 404, 404, 404),
    ("accounts.accept_invitation", "GET"): expect(404, 404, 404, 404, 404, 404),
    ("accounts.accept_invitation", "POST"): expect(404, 404, 404, 404, 404, 404),
    ("accounts.forgot_password", "GET"): EVERYONE_200,
    ("accounts.forgot_password", "POST"): expect(400, 400, 400, 400, 400, 400),
    ("accounts.reset_password", "GET"): expect(404, 404, 404, 404, 404, 404),
    ("accounts.reset_password", "POST"): expect(404, 404, 404, 404, 404, 404),
    ("accounts.profile", "GET"): SIGNED_IN_200,
    # Fields left out keep their saved values, so an empty post saves and redirects.
    ("accounts.profile", "POST"): expect(LOGIN, 302, 302, 302, 302, 302),
    ("accounts.change_password", "GET"): SIGNED_IN_200,
    ("accounts.change_password", "POST"): expect(LOGIN, 400, 400, 400, 400, 400),
    ("accounts.people", "GET"): expect(LOGIN, 403, 200, 200, 200, 200),
    ("accounts.invite", "GET"): expect(LOGIN, 403, 200, 403, 200, 200),
    ("accounts.invite", "POST"): expect(LOGIN, 403, 400, 403, 400, 400),
    ("accounts.edit_person", "GET"): ADMIN_ONLY_200,
    ("accounts.edit_person", "POST"): ADMIN_ONLY_400,
    ("accounts.resend_invitation", "POST"): expect(LOGIN, 403, 403, 403, 403, 302),
    ("cohorts.index", "GET"): SIGNED_IN_200,
    ("cohorts.create", "GET"): ADMIN_ONLY_200,
    ("cohorts.create", "POST"): ADMIN_ONLY_400,
    ("cohorts.edit", "GET"): ADMIN_ONLY_200,
    ("cohorts.edit", "POST"): ADMIN_ONLY_400,
    ("cohorts.show", "GET"): SIGNED_IN_200,
    ("cohorts.enrol", "GET"): MANAGERS_200,
    ("cohorts.enrol", "POST"): MANAGERS_400,
    ("cohorts.change_status", "POST"): expect(LOGIN, 403, 302, 403, 403, 302),
    ("cohorts.import_people", "GET"): MANAGERS_200,
    ("cohorts.import_people", "POST"): MANAGERS_400,
    ("accounts.session_token", "GET"): SIGNED_IN_200,
    ("courses.my_learning", "GET"): SIGNED_IN_200,
    ("courses.resume", "GET"): expect(LOGIN, 302, 302, 302, 302, 302),
    ("courses.unit", "GET"): SIGNED_IN_200,
    ("courses.print_unit", "GET"): SIGNED_IN_200,
    ("courses.section", "GET"): SIGNED_IN_200,
    # An empty post (no client key) is refused as malformed, and saves nothing.
    ("courses.record_progress", "POST"): expect(LOGIN, 302, 302, 302, 302, 302),
    ("courses.reflection", "GET"): SIGNED_IN_200,
    ("courses.save_reflection", "POST"): expect(LOGIN, 302, 302, 302, 302, 302),
    ("courses.content_image", "GET"): expect(LOGIN, 404, 404, 404, 404, 404),
    # Staff of the cohort: focal points and coordinators see their countries' rows only.
    ("courses.cohort_progress", "GET"): expect(LOGIN, 403, 200, 200, 200, 200),
    ("courses.cohort_progress_csv", "GET"): expect(LOGIN, 403, 200, 200, 200, 200),
    # The cohort's facilitators and admins; an empty post names no step: sent back, nothing sent.
    ("courses.cohort_reminders", "POST"): expect(LOGIN, 403, 302, 403, 403, 302),
    ("plans.my_plan", "GET"): SIGNED_IN_200,
    # An empty post names no module: refused as malformed, nothing stored.
    ("plans.create_item", "POST"): expect(LOGIN, 400, 400, 400, 400, 400),
    # The owner's empty post keeps every stored field and saves; others do not find the item.
    ("plans.update_item", "POST"): expect(LOGIN, 302, 404, 404, 404, 404),
    ("plans.print_plan", "GET"): SIGNED_IN_200,
    ("plans.plan_pdf", "GET"): SIGNED_IN_200,
    # Facilitators of the participant's cohort, and admins (read only); nobody else finds it.
    ("plans.participant_plan", "GET"): expect(LOGIN, 404, 200, 404, 404, 200),
    # Only those facilitators comment; their empty post has no client key: malformed.
    ("plans.add_comment", "POST"): expect(LOGIN, 404, 400, 404, 404, 404),
    ("notifications.inbox", "GET"): SIGNED_IN_200,
    ("notifications.mark_read", "POST"): expect(LOGIN, 302, 302, 302, 302, 302),
    ("notifications.outbox", "GET"): ADMIN_ONLY_200,
    ("audit.audit_log", "GET"): ADMIN_ONLY_200,
    ("assessments.index", "GET"): SIGNED_IN_200,
    # The module 1 quiz is open to anyone signed in; the participant resumes their attempt.
    ("assessments.take", "GET"): SIGNED_IN_200,
    ("assessments.start", "POST"): expect(LOGIN, 302, 302, 302, 302, 302),
    # The participant's own attempt: an empty post has no client key (malformed); a
    # submission without the required answers shows the questions again; an open attempt
    # has no result yet. Nobody else finds the attempt.
    ("assessments.save_answer", "POST"): expect(LOGIN, 400, 404, 404, 404, 404),
    ("assessments.save_answers", "POST"): expect(LOGIN, 400, 404, 404, 404, 404),
    ("assessments.submit", "POST"): expect(LOGIN, 200, 404, 404, 404, 404),
    ("assessments.result", "GET"): expect(LOGIN, 302, 404, 404, 404, 404),
    # Staff whose scope covers the cohort; focal points and coordinators get aggregates only.
    ("assessments.cohort_results", "GET"): expect(LOGIN, 403, 200, 200, 200, 200),
    # Nobody in the matrix's cohort has taken a test: there is no table to export.
    ("assessments.results_csv", "GET"): expect(LOGIN, 403, 404, 404, 404, 404),
    ("assessments.results_xlsx", "GET"): expect(LOGIN, 403, 404, 404, 404, 404),
    # Country applications: admins, and the coordinators and focal points of the country,
    # read them; the country's coordinators and admins edit a draft (the matrix's draft of
    # "BI" is incomplete: an empty post is malformed, or is told what is missing).
    ("cohorts.list_applications", "GET"): expect(LOGIN, 403, 403, 200, 200, 200),
    ("cohorts.new_application", "GET"): expect(LOGIN, 403, 403, 403, 200, 200),
    ("cohorts.new_application", "POST"): expect(LOGIN, 403, 403, 403, 400, 400),
    ("cohorts.show_application", "GET"): expect(LOGIN, 403, 403, 200, 200, 200),
    ("cohorts.application_part", "GET"): expect(LOGIN, 403, 403, 403, 200, 200),
    ("cohorts.application_part", "POST"): expect(LOGIN, 403, 403, 403, 400, 400),
    ("cohorts.application_team", "GET"): expect(LOGIN, 403, 403, 403, 200, 200),
    ("cohorts.add_agency", "POST"): expect(LOGIN, 403, 403, 403, 400, 400),
    ("cohorts.remove_agency", "POST"): expect(LOGIN, 403, 403, 403, 400, 400),
    ("cohorts.add_nominee", "POST"): expect(LOGIN, 403, 403, 403, 400, 400),
    ("cohorts.remove_nominee", "POST"): expect(LOGIN, 403, 403, 403, 400, 400),
    ("cohorts.submit_application", "GET"): expect(LOGIN, 403, 403, 403, 200, 200),
    ("cohorts.submit_application", "POST"): expect(LOGIN, 403, 403, 403, 200, 200),
    ("cohorts.review_application", "GET"): ADMIN_ONLY_200,
    # A draft cannot be reviewed: the admin is sent back with a message.
    ("cohorts.review_application", "POST"): expect(LOGIN, 403, 403, 403, 403, 302),
    ("cohorts.decide_application", "POST"): expect(LOGIN, 403, 403, 403, 403, 400),
    # Only the nominee of a selected application finds their nomination.
    ("cohorts.nomination", "GET"): expect(LOGIN, 404, 404, 404, 404, 404),
    ("cohorts.nomination", "POST"): expect(LOGIN, 404, 404, 404, 404, 404),
    # Roll-out. Trainings are recorded by the country team (the participant); their empty
    # posts carry no client key or version: malformed. An empty score upload is asked for
    # a file. The report (waiting for review) is read by the country's focal point and
    # coordinator, the cohort's facilitator and admins; only the focal point decides, and
    # logs follow-up (their empty posts have no client key: malformed).
    ("rollout.my_trainings", "GET"): SIGNED_IN_200,
    ("rollout.new_training", "GET"): expect(LOGIN, 200, 404, 404, 404, 404),
    ("rollout.new_training", "POST"): expect(LOGIN, 400, 404, 404, 404, 404),
    ("rollout.edit_training", "GET"): expect(LOGIN, 200, 404, 404, 404, 404),
    ("rollout.edit_training", "POST"): expect(LOGIN, 400, 404, 404, 404, 404),
    ("rollout.import_scores", "GET"): expect(LOGIN, 200, 404, 404, 404, 404),
    ("rollout.import_scores", "POST"): expect(LOGIN, 400, 404, 404, 404, 404),
    ("rollout.report", "GET"): SIGNED_IN_200,
    ("rollout.review_report", "POST"): expect(LOGIN, 403, 403, 400, 403, 403),
    ("rollout.review_queue", "GET"): expect(LOGIN, 403, 403, 200, 403, 200),
    ("rollout.team", "GET"): SIGNED_IN_200,
    ("rollout.follow_up", "GET"): SIGNED_IN_200,
    ("rollout.add_follow_up", "POST"): expect(LOGIN, 403, 403, 400, 403, 403),
    ("rollout.trainings_xlsx", "GET"): expect(LOGIN, 403, 403, 200, 403, 200),
    # Country roll-out plan of "BI": its team (the participant) and admins edit it, the
    # country's focal point reviews it, the coordinator and the cohort's facilitator read it.
    # Empty posts carry no plan version or client key: malformed (400) for those who may
    # write, not found for the others. Starting a plan that exists leads to it.
    ("plans.country_plans", "GET"): SIGNED_IN_200,
    ("plans.country_plan", "GET"): SIGNED_IN_200,
    ("plans.start_country_plan", "POST"): expect(LOGIN, 302, 404, 404, 404, 302),
    ("plans.save_plan_section", "POST"): PLAN_EDITORS_400,
    ("plans.add_plan_activity", "POST"): PLAN_EDITORS_400,
    ("plans.edit_plan_activity", "GET"): PLAN_EDITORS_200,
    ("plans.edit_plan_activity", "POST"): PLAN_EDITORS_400,
    ("plans.remove_plan_activity", "POST"): PLAN_EDITORS_400,
    ("plans.add_budget_line", "POST"): PLAN_EDITORS_400,
    ("plans.edit_budget_line", "GET"): PLAN_EDITORS_200,
    ("plans.edit_budget_line", "POST"): PLAN_EDITORS_400,
    ("plans.remove_budget_line", "POST"): PLAN_EDITORS_400,
    ("plans.add_plan_risk", "POST"): PLAN_EDITORS_400,
    ("plans.edit_plan_risk", "GET"): PLAN_EDITORS_200,
    ("plans.edit_plan_risk", "POST"): PLAN_EDITORS_400,
    ("plans.remove_plan_risk", "POST"): PLAN_EDITORS_400,
    ("plans.submit_country_plan", "POST"): PLAN_EDITORS_400,
    ("plans.review_country_plan", "GET"): expect(LOGIN, 404, 404, 200, 404, 200),
    ("plans.review_country_plan", "POST"): expect(LOGIN, 404, 404, 400, 404, 400),
    ("plans.plan_versions", "GET"): SIGNED_IN_200,
    ("plans.plan_version", "GET"): SIGNED_IN_200,
    ("plans.print_country_plan", "GET"): SIGNED_IN_200,
    ("plans.country_plan_pdf", "GET"): SIGNED_IN_200,
    ("plans.country_plan_xlsx", "GET"): SIGNED_IN_200,
    # Two-step sign-in: without a password step in progress the code page sends people to
    # sign in; an empty code is refused; only admins choose the roles that must use it.
    ("accounts.two_step_login", "GET"): expect(302, 302, 302, 302, 302, 302),
    ("accounts.two_step_login", "POST"): expect(302, 302, 302, 302, 302, 302),
    ("accounts.two_step_settings", "GET"): SIGNED_IN_200,
    ("accounts.two_step_settings", "POST"): expect(LOGIN, 400, 400, 400, 400, 400),
    ("accounts.security_settings", "GET"): ADMIN_ONLY_200,
    ("accounts.security_settings", "POST"): expect(LOGIN, 403, 403, 403, 403, 302),
    # My data: everyone signed in reads and downloads their own; an unconfirmed deletion
    # request is refused; the participant has a request waiting, which only admins see
    # and complete (an unconfirmed completion is refused).
    ("privacy.my_data", "GET"): SIGNED_IN_200,
    ("privacy.my_data_json", "GET"): SIGNED_IN_200,
    ("privacy.request_deletion", "POST"): expect(LOGIN, 400, 400, 400, 400, 400),
    ("privacy.cancel_deletion", "POST"): expect(LOGIN, 302, 302, 302, 302, 302),
    ("privacy.deletion_requests", "GET"): ADMIN_ONLY_200,
    ("privacy.complete_deletion", "POST"): expect(LOGIN, 403, 403, 403, 403, 400),
    # Certificates. The participant holds one: public verification, credential, issuer and
    # key answer everyone; an empty verification post names no file or hash.
    ("certificates.verify_start", "GET"): EVERYONE_200,
    ("certificates.verify_file", "POST"): expect(400, 400, 400, 400, 400, 400),
    ("certificates.verify_code", "GET"): EVERYONE_200,
    ("certificates.verify_code", "POST"): expect(400, 400, 400, 400, 400, 400),
    ("certificates.credential", "GET"): EVERYONE_200,
    ("certificates.issuer", "GET"): EVERYONE_200,
    ("certificates.issuer_key", "GET"): EVERYONE_200,
    ("certificates.status_list", "GET"): EVERYONE_200,
    # The holder, admins and the staff of the holder's country open it; only admins act
    # (their empty posts carry no reason: refused).
    ("certificates.mine", "GET"): SIGNED_IN_200,
    ("certificates.download", "GET"): expect(LOGIN, 200, 404, 200, 200, 200),
    ("certificates.index", "GET"): expect(LOGIN, 403, 403, 200, 200, 200),
    ("certificates.export_csv", "GET"): expect(LOGIN, 403, 403, 200, 200, 200),
    ("certificates.export_xlsx", "GET"): expect(LOGIN, 403, 403, 200, 200, 200),
    ("certificates.detail", "GET"): expect(LOGIN, 403, 403, 200, 200, 200),
    ("certificates.reissue", "POST"): expect(LOGIN, 403, 403, 403, 403, 400),
    ("certificates.revoke", "POST"): expect(LOGIN, 403, 403, 403, 403, 400),
    ("certificates.issue", "GET"): ADMIN_ONLY_200,
    ("certificates.issue", "POST"): expect(LOGIN, 403, 403, 403, 403, 400),
    ("certificates.evaluate_cohort", "POST"): expect(LOGIN, 403, 403, 403, 403, 302),
    # Analytics: staff whose scope covers something; participants have no dashboards. The
    # programme report PDF without a cohort or country sends people to choose one.
    ("analytics.index", "GET"): expect(LOGIN, 403, 200, 200, 200, 200),
    ("analytics.dashboard", "GET"): expect(LOGIN, 403, 200, 200, 200, 200),
    ("analytics.figure_csv", "GET"): expect(LOGIN, 403, 200, 200, 200, 200),
    ("analytics.figure_xlsx", "GET"): expect(LOGIN, 403, 200, 200, 200, 200),
    ("analytics.report", "GET"): expect(LOGIN, 403, 200, 200, 200, 200),
    ("analytics.report_pdf", "GET"): expect(LOGIN, 403, 302, 302, 302, 302),
    # JSON API: personal access tokens only; a session cookie does not authenticate it.
    ("api.me", "GET"): API_401,
    ("api.cohort_list", "GET"): API_401,
    ("api.cohort", "GET"): API_401,
    ("api.cohort_enrolments", "GET"): API_401,
    ("api.cohort_results", "GET"): API_401,
    ("api.cohort_trainings", "GET"): API_401,
    ("api.training", "GET"): API_401,
    ("api.report_list", "GET"): API_401,
    ("api.certificate_list", "GET"): API_401,
    ("api.dashboard_list", "GET"): API_401,
    ("api.dashboard", "GET"): API_401,
    ("api.xapi_statements", "POST"): API_401,
    ("api.xapi_statements", "PUT"): API_401,
    ("api.xapi_unmatched", "GET"): API_401,
    ("api.openapi_document", "GET"): EVERYONE_200,
    # Token pages: an empty post names no token; only the participant's own token is theirs.
    ("api_tokens.tokens_page", "GET"): SIGNED_IN_200,
    ("api_tokens.tokens_page", "POST"): expect(LOGIN, 400, 400, 400, 400, 400),
    ("api_tokens.revoke", "POST"): expect(LOGIN, 302, 404, 404, 404, 404),
}


@pytest.fixture
def world(app: Flask, make_user):  # type: ignore[no-untyped-def]
    people = {
        "participant": make_user(Role.PARTICIPANT, country="BI"),
        "facilitator": make_user(Role.FACILITATOR, country=None),
        "focal_point": make_user(Role.FOCAL_POINT, country=None, focal_countries=["BI"]),
        "coordinator": make_user(Role.COORDINATOR, country="BI"),
        "admin": make_user(Role.ADMIN, country=None),
    }
    with app.app_context():
        cohort = Cohort(name="Bujumbura ToT", slug="bujumbura", start_date=date(2030, 3, 2),
                        end_date=date(2030, 3, 6), countries=[CohortCountry(country_code="BI")],
                        facilitators=[CohortFacilitator(user_id=people["facilitator"].id)])
        db.session.add(cohort)
        db.session.flush()
        enrolment = Enrolment(cohort_id=cohort.id, user_id=people["participant"].id)
        item = ActionPlanItem(user_id=people["participant"].id, client_key="matrix-item",
                              unit_id="module-1-defining-supervision",
                              function=PlanFunction.SUPPORTIVE, action="Protect supervision time")
        attempt = Attempt(user_id=people["participant"].id, cohort_id=cohort.id,
                          bank_id="quiz-module-1", purpose=Purpose.QUIZ, number=1,
                          open_key=f"{people['participant'].id}:quiz-module-1:quiz")
        # Two trainings of the participant: one still a draft, one waiting for review.
        draft = Training(cohort_id=cohort.id, country_code="BI",
                         trainer_id=people["participant"].id, region_city="Gitega",
                         report=TrainingReport(status=ReportStatus.DRAFT))
        in_review = Training(cohort_id=cohort.id, country_code="BI",
                             trainer_id=people["participant"].id, region_city="Ngozi",
                             report=TrainingReport(status=ReportStatus.SUBMITTED,
                                                   submitted_at=datetime(2030, 5, 1, tzinfo=UTC)))
        db.session.add_all([enrolment, item, attempt, draft, in_review])
        # A draft application of the coordinator's country, with an agency and a nominee.
        application = CountryApplication(
            country_code="BI", coordinator_id=people["coordinator"].id, language="en",
            version=1, part_versions={},
            agencies=[ApplicationAgency(name="FVS-Amade",
                                        organisation_type=OrganisationType.NATIONAL_NGO)],
            nominees=[Nominee(name="Claudine Irakoze", email="claudine@example.org",
                              organisation="Ministère", title="Directrice",
                              organisation_type=OrganisationType.GOVERNMENT)])
        db.session.add(application)
        db.session.flush()
        plan_ids = _country_plan(cohort, db.session.get(User, people["participant"].id))
        application_ids = {"application_id": application.id, "part": "contacts",
                           "agency_id": application.agencies[0].id,
                           "nominee_id": application.nominees[0].id}
        db.session.commit()
        ids = {"cohort_id": cohort.id, "enrolment_id": enrolment.id,
               "user_id": people["participant"].id, "token": "not-a-real-token",
               "unit_id": "module-1-defining-supervision", "section_id": "m1-introduction",
               "reflection_id": "m1-r-timeline", "filename": "no-such-image.png",
               "item_id": item.id, "bank_id": "quiz-module-1", "purpose": "quiz",
               "attempt_id": attempt.id, "question_id": "m1-q01",
               "training_id": draft.id, "report_id": in_review.report.id,
               "country_code": "BI"}
    ids.update(application_ids)
    ids.update(plan_ids)
    ids.update(_certificate_and_more(app, people, cohort.id))
    return people, ids


def _certificate_and_more(app: Flask, people: dict[str, User], cohort_id: int,
                          ) -> dict[str, object]:
    """The participant's certificate (issued by hand), API token and deletion request."""
    from learning.api.tokens import create_token
    from learning.certificates import services as certificates
    from learning.certificates.models import SigningKey
    from learning.privacy.services import request_deletion

    with app.app_context():
        participant = db.session.get(User, people["participant"].id)
        admin = db.session.get(User, people["admin"].id)
        cohort = db.session.get(Cohort, cohort_id)
        certificate = certificates.issue_manually(admin, participant, cohort, "Role matrix")
        token, _secret = create_token(participant, "Matrix")
        deletion = request_deletion(participant, "")
        db.session.commit()
        key_id = db.session.scalars(select(SigningKey.key_id)).first()
        return {"certificate_id": certificate.id, "code": certificate.code,
                "key_id": key_id, "token_id": token.id, "request_id": deletion.id,
                "slug": "precourse", "figure_id": "precourse-funnel"}


def _country_plan(cohort: Cohort, author: User, country_code: str = "BI") -> dict[str, object]:
    """A team's roll-out plan, with one activity, one budget line and one risk."""
    plan = country_services.start_plan(author, cohort, country_code)
    made = {}
    for name, edit in [
            ("activity_id", country_services.add_activity({
                "title": "Training in Gitega", "category": ActivityCategory.TRAINING,
                "owner_name": "", "organisation": "", "start_date": date(2030, 4, 6),
                "end_date": date(2030, 4, 8), "status": ActivityStatus.PLANNED,
                "depends_on": []})),
            ("line_id", country_services.add_line({
                "item": "Venue", "activity_id": None, "unit_cost": Decimal("250"),
                "quantity": Decimal("3"), "currency": "USD",
                "funding_status": FundingStatus.SECURED})),
            ("risk_id", country_services.add_risk({
                "challenge": Challenge.TRAINER_TURNOVER, "description": "",
                "mitigation": "Train alternates"}))]:
        made[name] = country_services.save(author, plan.id, None, edit)["id"]
    return {**made, "section": "context", "version_number": 1}


def rule_url(rule: str, ids: dict[str, object]) -> str:
    """The rule's path with the world's ids put in (unknown variables stay literal)."""
    for name, value in ids.items():
        for pattern in (f"<int:{name}>", f"<path:{name}>", f"<{name}>"):
            rule = rule.replace(pattern, str(value))
    return rule


def _route_methods(app: Flask) -> list[tuple[str, str, str]]:
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            routes.append((rule.endpoint, method, rule.rule))
    # Signing out ends the session the other checks rely on: try it last.
    return sorted(routes, key=lambda route: route[0] == "accounts.logout")


def test_every_route_has_an_expected_status(app: Flask) -> None:
    missing = [(endpoint, method) for endpoint, method, _ in _route_methods(app)
               if (endpoint, method) not in EXPECTED]
    assert missing == [], f"routes without an entry in the role matrix: {missing}"
    stale = set(EXPECTED) - {(endpoint, method) for endpoint, method, _ in _route_methods(app)}
    assert stale == set(), f"role-matrix entries for routes that no longer exist: {stale}"


def test_every_view_declares_an_access_rule(app: Flask) -> None:
    unguarded = [endpoint for endpoint, view in app.view_functions.items()
                 if endpoint != "static" and not hasattr(view, "access_rule")]
    assert unguarded == []


@pytest.mark.parametrize("role", ROLES)
def test_role_matrix(app: Flask, world, role: str) -> None:  # type: ignore[no-untyped-def]
    people, ids = world
    client: BrowserLikeClient = app.test_client()  # type: ignore[assignment]
    if role != "anonymous":
        assert sign_in(client, people[role]).status_code == 302
    failures = []
    for endpoint, method, rule in _route_methods(app):
        url = rule_url(rule, ids)
        if method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, data={"csrf_token": client.token()})
        expected = EXPECTED[(endpoint, method)][role]
        if response.status_code != expected:
            failures.append(f"{method} {url}: expected {expected}, got {response.status_code}")
    assert failures == []
