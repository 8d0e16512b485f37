"""The pure parts of the chain: kinds, the canonical form and its hash, and linking a batch."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from hub.audit.chain import HASHED_FIELDS, canonical_bytes, entry_hash, format_time
from hub.audit.events import AuditAction, AuditDecision, AuditEvent, AuditKind, kind_of
from hub.audit.log import chain_entries
from hub.audit.models import GENESIS_HASH
from hub.domain import Department, Role

T0 = datetime(2026, 3, 2, 9, 30, 0, 123456, tzinfo=UTC)
EVENT = AuditEvent(
    occurred_at=T0,
    action=AuditAction.READ,
    decision=AuditDecision.GRANTED,
    reason="assigned_core_team",
    actor_user_id="U-1",
    actor_role=Role.CORE_TEAM,
    actor_department=Department.SOF,
    actor_unit="Enhed Nørrebro",
    client="graphql",
    subject_person_id="P-1",
    family_id="F00001",
    source="SOF",
    categories=("HEALTH", "CASE"),
    purpose="HFI_COORDINATION",
    basis="consent:C-1",
    request_id="req-1",
)


@pytest.mark.parametrize(
    ("action", "decision", "forced", "kind"),
    [
        (AuditAction.READ, AuditDecision.GRANTED, None, AuditKind.CITIZEN_FACING),
        (AuditAction.SEARCH, AuditDecision.GRANTED, None, AuditKind.CITIZEN_FACING),
        (AuditAction.EXPORT, AuditDecision.GRANTED, None, AuditKind.CITIZEN_FACING),
        (AuditAction.READ, AuditDecision.DENIED, None, AuditKind.SECURITY),
        (AuditAction.CHANGE, AuditDecision.DENIED, None, AuditKind.SECURITY),
        (AuditAction.CHANGE, AuditDecision.GRANTED, None, AuditKind.CHANGE),
        (AuditAction.CONSENT_CHANGE, AuditDecision.GRANTED, None, AuditKind.CHANGE),
        (AuditAction.PUSH, AuditDecision.GRANTED, None, AuditKind.CHANGE),
        (AuditAction.READ, AuditDecision.GRANTED, AuditKind.SECURITY, AuditKind.SECURITY),
    ],
)
def test_kind_of(
    action: AuditAction, decision: AuditDecision, forced: AuditKind | None, kind: AuditKind
) -> None:
    assert kind_of(replace(EVENT, action=action, decision=decision, kind=forced)) is kind


def _fields() -> dict[str, object]:
    rows, _ = chain_entries([EVENT], {}, T0 + timedelta(seconds=1))
    return rows[0]


def test_the_canonical_form_is_pinned() -> None:
    # Changing the canonical form breaks every stored chain: this test makes that a conscious decision.
    fields = _fields()
    assert canonical_bytes(fields).startswith(b'{"action":"READ","actor_department":"SOF"')
    assert b'"occurred_at":"2026-03-02T09:30:00.123456Z"' in canonical_bytes(fields)
    assert b'"categories":["CASE","HEALTH"]' in canonical_bytes(fields)
    assert "Nørrebro".encode() in canonical_bytes(fields)
    assert fields["entry_hash"] == "d8b8f4f2ba68117a693b775786447f274c80ef112c5d3e14cea51fa662c6164a"


@pytest.mark.parametrize("name", [n for n in HASHED_FIELDS if n not in ("seq", "chain")])
def test_every_field_is_covered_by_the_hash(name: str) -> None:
    fields = _fields()
    original = entry_hash(fields)
    value = fields[name]
    if isinstance(value, datetime):
        changed: object = value + timedelta(microseconds=1)
    elif isinstance(value, list):
        changed = [*value, "EXTRA"]
    elif value is None:
        changed = "x"
    elif name == "actor_role":
        changed = Role.COORDINATOR
    elif name == "actor_department":
        changed = Department.BIF
    elif name == "action":
        changed = AuditAction.EXPORT
    elif name == "decision":
        changed = AuditDecision.DENIED
    else:
        changed = f"{value}x"
    assert entry_hash({**fields, name: changed}) != original


def test_the_same_instant_in_another_zone_hashes_the_same() -> None:
    fields = _fields()
    cet = timezone(timedelta(hours=1))
    assert entry_hash({**fields, "occurred_at": T0.astimezone(cet)}) == entry_hash(fields)
    with pytest.raises(ValueError, match="timezone-aware"):
        format_time(datetime(2026, 1, 1))


def test_a_batch_links_per_chain_after_the_heads() -> None:
    denied = replace(EVENT, decision=AuditDecision.DENIED, reason="no_consent")
    heads = {AuditKind.CITIZEN_FACING: (41, "a" * 64)}
    rows, new_heads = chain_entries([EVENT, denied, EVENT, denied], heads, T0)
    assert [(r["chain"], r["seq"]) for r in rows] == [
        (AuditKind.CITIZEN_FACING, 42),
        (AuditKind.SECURITY, 1),
        (AuditKind.CITIZEN_FACING, 43),
        (AuditKind.SECURITY, 2),
    ]
    assert rows[0]["prev_hash"] == "a" * 64
    assert rows[1]["prev_hash"] == GENESIS_HASH
    assert rows[2]["prev_hash"] == rows[0]["entry_hash"]
    assert rows[3]["prev_hash"] == rows[1]["entry_hash"]
    assert new_heads == {
        AuditKind.CITIZEN_FACING: (43, rows[2]["entry_hash"]),
        AuditKind.SECURITY: (2, rows[3]["entry_hash"]),
    }
    assert all(entry_hash(r) == r["entry_hash"] for r in rows)


def _legacy_canonical_bytes(fields: dict[str, object]) -> bytes:
    """The first serialiser (stdlib json): every existing chain was hashed over these bytes."""
    import json

    from hub.audit.chain import _canonical_value

    doc = {name: _canonical_value(fields[name]) for name in HASHED_FIELDS}
    doc["v"] = 1
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"actor_unit": "Børnefamilieenheden Østerbro – 2. sal", "reason": 'quote " and \\ backslash'},
        {"actor_role": None, "actor_department": None, "basis": None, "request_id": None},
        {"subject_person_id": "tab\there\nnewline\x00nul\x7fdel\u2028sep", "family_id": "😀"},
        {"categories": ()},
        {"occurred_at": datetime(2026, 3, 2, 10, 30, tzinfo=timezone(timedelta(hours=2)))},
    ],
)
def test_the_fast_hash_is_byte_for_byte_the_legacy_one(overrides: dict[str, object]) -> None:
    event = replace(EVENT, **overrides)  # type: ignore[arg-type]
    rows, _ = chain_entries([event, event], {}, T0 + timedelta(seconds=1))
    for row in rows:
        assert canonical_bytes(row) == _legacy_canonical_bytes(row)
        # The writer's pre-normalised path and the verifier's general path give the same hash.
        assert row["entry_hash"] == entry_hash(row)
        import hashlib

        assert row["entry_hash"] == hashlib.sha256(_legacy_canonical_bytes(row)).hexdigest()
