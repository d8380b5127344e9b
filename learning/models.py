"""Imports every model module so the metadata is complete (Alembic, tests)."""

from __future__ import annotations


def import_all_models() -> None:
    from learning.accounts import models as accounts  # noqa: F401
    from learning.api import models as api  # noqa: F401
    from learning.api import xapi_models as xapi  # noqa: F401
    from learning.assessments import models as assessments  # noqa: F401
    from learning.audit import models as audit  # noqa: F401
    from learning.certificates import models as certificates  # noqa: F401
    from learning.cohorts import application_models as applications  # noqa: F401
    from learning.cohorts import models as cohorts  # noqa: F401
    from learning.core import models as core  # noqa: F401
    from learning.courses import models as courses  # noqa: F401
    from learning.notifications import models as notifications  # noqa: F401
    from learning.plans import country_models as country_plans  # noqa: F401
    from learning.plans import models as plans  # noqa: F401
    from learning.privacy import models as privacy  # noqa: F401
    from learning.rollout import models as rollout  # noqa: F401
