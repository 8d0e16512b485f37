"""The alert rules pass `promtool check rules`, and every hub metric the rules and the Grafana dashboard name is
one the hub actually exports on /metrics.

promtool comes from Debian's `prometheus` package (installed by .ci/run): with CI=true a missing promtool fails
the test, elsewhere it is skipped with a message.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import yaml
from prometheus_client.parser import text_string_to_metric_families

from bench.queries import FAMILY_QUERY
from tests.support.backends import unavailable
from tests.support.stack import Stack

REPO = Path(__file__).resolve().parents[3]
ALERTS = REPO / "docker" / "prometheus" / "alerts.yml"
DASHBOARDS = sorted((REPO / "docker" / "grafana" / "dashboards").glob("*.json"))
HUB_METRIC = re.compile(r"\bfamiliehub_[a-z0-9_]+\b")
# What issue #18 asks the dashboard and rules to show: each must be named, and exported.
REQUIRED = {
    "familiehub_http_request_duration_seconds_bucket",  # family view (GraphQL) latency
    "familiehub_connector_requests_total",
    "familiehub_connector_breaker_state",
    "familiehub_section_cache_lookups_total",
    "familiehub_audit_commit_duration_seconds_bucket",
    "familiehub_audit_queue_depth",
    "familiehub_audit_write_failures_total",
    "familiehub_ingested_events_total",
    "familiehub_dead_letters_stored",
    "familiehub_subscriptions_active",
    "familiehub_rate_limited_total",
}
SUFFIXES = {"counter": ("_total",), "histogram": ("_bucket", "_count", "_sum"), "summary": ("_count", "_sum")}


def _alert_expressions() -> list[str]:
    rules = yaml.safe_load(ALERTS.read_text())
    return [r["expr"] for g in rules["groups"] for r in g["rules"]]


def _dashboard_expressions() -> list[str]:
    exprs: list[str] = []
    for path in DASHBOARDS:
        for panel in json.loads(path.read_text())["panels"]:
            exprs += [t["expr"] for t in panel.get("targets", [])]
    return exprs


def test_alert_rules_pass_promtool() -> None:
    promtool = shutil.which("promtool")
    if promtool is None:
        unavailable("promtool", "Debian: apt-get install prometheus (.ci/run does)")
        raise AssertionError("unreachable")
    result = subprocess.run(  # noqa: S603 - a fixed binary on a checked-in file
        [promtool, "check", "rules", str(ALERTS)], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_rules_cover_what_an_operator_is_paged_for() -> None:
    names = {r["alert"] for g in yaml.safe_load(ALERTS.read_text())["groups"] for r in g["rules"]}
    assert {
        "FamiliehubReplicaDown",
        "FamiliehubBreakerOpen",
        "FamiliehubServerErrors",
        "FamiliehubDeadLettersGrowing",
        "FamiliehubP99OverBudget",
        "FamiliehubAuditWriteFailures",
        "FamiliehubDeadLettersStoredGrowing",
    } <= names
    assert DASHBOARDS


async def test_every_metric_the_rules_and_dashboard_name_is_exported(stack: Stack) -> None:
    family = stack.world.families[0]
    answer = await stack.graphql(FAMILY_QUERY, {"id": family.key}, token=stack.token("tovholder"))
    assert answer["data"]["family"]
    # A rejected push, so the ingestion counter has samples.
    bad = await stack.client.post(
        "/webhooks/SOF", content=b"{}", headers={"Content-Type": "application/json"}
    )
    assert bad.status_code in (400, 401, 403, 422)
    text = (await stack.client.get("/metrics")).text
    exported: set[str] = set()
    values: dict[str, float] = {}
    for family_ in text_string_to_metric_families(text):
        for sample in family_.samples:
            values[sample.name] = values.get(sample.name, 0.0) + sample.value
        exported.add(family_.name)
        exported |= {family_.name + s for s in SUFFIXES.get(family_.type, ())}
        exported |= {s.name for s in family_.samples}
    named = {m for e in _alert_expressions() + _dashboard_expressions() for m in HUB_METRIC.findall(e)}
    assert len(named) >= 6
    assert not REQUIRED - named, f"not on the dashboard or in the rules: {sorted(REQUIRED - named)}"
    missing = sorted(named - exported)
    assert not missing, f"named in alerts/dashboard but not exported by the hub: {missing}"
    # The family view was audited (one group commit at least) and looked in the section cache.
    assert values["familiehub_audit_commit_duration_seconds_count"] >= 1
    assert values["familiehub_section_cache_lookups_total"] >= 1
    assert values["familiehub_audit_write_failures_total"] == 0
    assert values["familiehub_subscriptions_active"] == 0
