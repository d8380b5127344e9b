"""What the country roll-out plan's sections, fields and choices are called.

Lazy strings: each is translated when it is shown, so the same table serves the page (the
viewer's language), the change lists and the messages rendered in a recipient's language.
"""

from __future__ import annotations

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from learning.plans.country_models import (
    ActivityCategory,
    ActivityStatus,
    CallFrequency,
    Challenge,
    CountryPlanStatus,
    FundingStatus,
)

# The plan's sections, in the order of the page.
SECTIONS: dict[str, LazyString] = {
    "context": _l("Context"),
    "targets": _l("Objectives and targets"),
    "activities": _l("Activities"),
    "budget": _l("Budget"),
    "risks": _l("Risks and mitigation"),
    "follow_up": _l("Follow-up with the focal point"),
}

FIELDS: dict[str, dict[str, LazyString]] = {
    "context": {
        "agencies": _l("Agencies implementing case management"),
        "supervisors_to_reach": _l("Number of supervisors to reach"),
        "context_notes": _l("Other context"),
    },
    "targets": {
        "objectives": _l("Objectives"),
        "target_trainings": _l("Trainings to deliver"),
        "target_supervisors": _l("Supervisors to train"),
        "target_organisations": _l("Organisations to reach"),
        "target_locations": _l("Locations"),
    },
    "follow_up": {
        "call_frequency": _l("Calls with the focal point"),
        "follow_up_plan": _l("Follow-up plan"),
    },
    "activities": {
        "title": _l("Activity"),
        "category": _l("Kind of activity"),
        "owner_name": _l("Owner"),
        "organisation": _l("Organisation"),
        "start_date": _l("Start date"),
        "end_date": _l("End date"),
        "status": _l("Status"),
        "depends_on": _l("Can start after"),
    },
    "budget": {
        "item": _l("Budget item"),
        "activity_id": _l("For the activity"),
        "unit_cost": _l("Unit cost"),
        "quantity": _l("Quantity"),
        "currency": _l("Currency"),
        "funding_status": _l("Funding"),
    },
    "risks": {
        "challenge": _l("Challenge"),
        "description": _l("How it could affect the roll-out"),
        "mitigation": _l("Mitigation"),
    },
}

PLAN_STATUS: dict[str, LazyString] = {
    CountryPlanStatus.DRAFT.value: _l("Draft"),
    CountryPlanStatus.SUBMITTED.value: _l("Submitted for review"),
    CountryPlanStatus.RETURNED.value: _l("Returned for changes"),
    CountryPlanStatus.APPROVED.value: _l("Approved"),
}

CALL_FREQUENCY: dict[str, LazyString] = {
    CallFrequency.WEEKLY.value: _l("Every week"),
    CallFrequency.FORTNIGHTLY.value: _l("Every two weeks"),
    CallFrequency.MONTHLY.value: _l("Every month"),
    CallFrequency.QUARTERLY.value: _l("Every three months"),
    CallFrequency.OTHER.value: _l("Other (described in the follow-up plan)"),
}

CATEGORY: dict[str, LazyString] = {
    ActivityCategory.PREPARATION.value: _l("Preparation meeting with the coordination group"),
    ActivityCategory.TRANSLATION.value: _l("Translation and contextualisation of materials"),
    ActivityCategory.TRAINING.value: _l("Training of supervisors"),
    ActivityCategory.COACHING.value: _l("Follow-up coaching of trained supervisors"),
    ActivityCategory.REFRESHER.value: _l("Refresher session"),
    ActivityCategory.REPORTING.value: _l("Reporting"),
    ActivityCategory.OTHER.value: _l("Other"),
}

ACTIVITY_STATUS: dict[str, LazyString] = {
    ActivityStatus.PLANNED.value: _l("Planned"),
    ActivityStatus.IN_PROGRESS.value: _l("In progress"),
    ActivityStatus.DONE.value: _l("Done"),
    ActivityStatus.CANCELLED.value: _l("Cancelled"),
}

FUNDING: dict[str, LazyString] = {
    FundingStatus.SECURED.value: _l("Secured"),
    FundingStatus.REQUESTED.value: _l("Requested"),
    FundingStatus.GAP.value: _l("Gap (not funded)"),
}

CHALLENGE: dict[str, LazyString] = {
    Challenge.TIME_AND_BUDGET.value: _l("Lack of time and budget"),
    Challenge.ORGANISATIONAL_SUPPORT.value: _l("Lack of organisational support"),
    Challenge.REACHING_SUPERVISORS.value: _l(
        "Reaching the supervisors of every organisation involved in case management"),
    Challenge.TRAINER_TURNOVER.value: _l("Turnover and loss of trainers"),
    Challenge.INTERAGENCY_LEADERSHIP.value: _l("Lack of interagency leadership"),
    Challenge.UNREALISTIC_PLANNING.value: _l(
        "Planning that ignores real constraints (budget, trainers’ availability)"),
    Challenge.OTHER.value: _l("Other challenge"),
}

# Which choice table names the values of a field.
CHOICE_LABELS: dict[tuple[str, str], dict[str, LazyString]] = {
    ("follow_up", "call_frequency"): CALL_FREQUENCY,
    ("activities", "category"): CATEGORY,
    ("activities", "status"): ACTIVITY_STATUS,
    ("budget", "funding_status"): FUNDING,
    ("risks", "challenge"): CHALLENGE,
}


def texts(labels: dict[str, LazyString]) -> dict[str, str]:
    """The labels translated now, in the current locale."""
    return {key: str(label) for key, label in labels.items()}
