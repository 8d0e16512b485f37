"""Webhook secrets per department: development defaults are refused in production."""

from __future__ import annotations

import pytest

from hub.domain import Department
from hub.settings import ProductionConfigError, Settings, dev_webhook_secret


def test_development_defaults_and_per_department_ttls() -> None:
    settings = Settings(cache_ttl_s=300, cache_ttl_by_department={Department.SUF: 900})
    assert settings.webhook_secret(Department.SOF) == dev_webhook_secret(Department.SOF)
    assert settings.cache_ttl(Department.SUF) == 900
    assert settings.cache_ttl(Department.BIF) == 300


def test_production_refuses_development_webhook_secrets() -> None:
    settings = Settings(env="production", bif_webhook_secret="a-real-secret-from-the-vault")
    with pytest.raises(ProductionConfigError) as info:
        settings.check_production()
    message = str(info.value)
    assert "HUB_SOF_WEBHOOK_SECRET" in message
    assert "HUB_BIF_WEBHOOK_SECRET" not in message
    assert "a-real-secret-from-the-vault" not in message
