"""Removes the fields of a department record that belong to data categories the viewer may not see.

Health (GDPR art. 9) is its own category: without it, BUF's psychologist contacts, health-visitor visits and
screenings, SOF's assessments of a person's functioning and SUF's conversation topics and referral reasons are
withheld; that a service exists, its dates,
status and contact remain (DOMAIN.md §2: "by default service exists + contact").
"""

from __future__ import annotations

from dataclasses import replace

from connectors.records import (
    ChildYouthRecord,
    DepartmentRecord,
    HealthConversation,
    HealthRecord,
    SocialRecord,
)
from hub.domain import DataCategory


def redact(record: DepartmentRecord, categories: frozenset[DataCategory]) -> DepartmentRecord:
    if DataCategory.HEALTH in categories:
        return record
    if any(a.health for a in record.appointments):  # a health visit, a PPR or health conversation
        record = replace(record, appointments=tuple(a for a in record.appointments if not a.health))
    if isinstance(record, ChildYouthRecord):
        return replace(record, psychologist_contacts=(), health_visits=(), screenings=())
    if isinstance(record, SocialRecord) and record.functioning:
        return replace(record, functioning=())
    if isinstance(record, HealthRecord):
        return replace(
            record,
            conversations=tuple(HealthConversation(date=c.date, topics=()) for c in record.conversations),
            referrals=tuple(replace(r, reason=None) for r in record.referrals),
        )
    return record


def withheld_categories(
    record: DepartmentRecord, categories: frozenset[DataCategory]
) -> frozenset[DataCategory]:
    """The categories this record has data in that were withheld (so a front-end can say so)."""
    if DataCategory.HEALTH in categories:
        return frozenset()
    if isinstance(record, ChildYouthRecord | HealthRecord) or any(a.health for a in record.appointments):
        return frozenset({DataCategory.HEALTH})
    if isinstance(record, SocialRecord) and record.functioning:
        return frozenset({DataCategory.HEALTH})
    return frozenset()
