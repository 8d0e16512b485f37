"""Imports every concern's models so that `Base.metadata` is complete (for Alembic and for tests)."""

from hub.access.breakglass import models as breakglass_models
from hub.audit import models as audit_models
from hub.consent import models as consent_models
from hub.enrolment import models as enrolment_models
from hub.ingestion import models as ingestion_models
from hub.outcomes import models as outcome_models
from hub.persistence import models as core_models
from hub.persistence.base import Base
from hub.plan import models as plan_models
from hub.readmodel import models as readmodel_models
from hub.signals import models as signal_models

metadata = Base.metadata

__all__ = [
    "audit_models",
    "breakglass_models",
    "consent_models",
    "core_models",
    "enrolment_models",
    "ingestion_models",
    "metadata",
    "outcome_models",
    "plan_models",
    "readmodel_models",
    "signal_models",
]
