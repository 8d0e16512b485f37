"""Retention per kind comes from settings, which refuse periods below the legal floors."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError

from hub.audit.events import AuditKind
from hub.audit.retention import retention_for
from hub.settings import Settings


def test_defaults_match_the_domain() -> None:
    settings = Settings()
    assert retention_for(settings, AuditKind.CITIZEN_FACING) == timedelta(days=730)
    assert retention_for(settings, AuditKind.SECURITY) == timedelta(days=183)
    assert retention_for(settings, AuditKind.CHANGE) == timedelta(days=1827)


def test_longer_retention_is_configurable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUB_AUDIT_RETENTION_SECURITY_DAYS", "365")
    assert retention_for(Settings(), AuditKind.SECURITY) == timedelta(days=365)


@pytest.mark.parametrize(
    "name", ["audit_retention_citizen_days", "audit_retention_security_days", "audit_retention_change_days"]
)
def test_shorter_than_the_floor_is_refused(name: str) -> None:
    with pytest.raises(ValidationError, match=name):
        Settings(**{name: 30})
