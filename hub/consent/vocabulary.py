"""The consent registry's vocabulary: capacities, purposes, collection channels and states.

Pure enums and constants: no I/O, no imports from the rest of the hub beyond `hub.domain`.
"""

from __future__ import annotations

from enum import StrEnum

# Consent periods and ages are counted in Copenhagen's calendar days, not UTC days: hub/days.py.

DEFAULT_PERIOD_MONTHS = 12  # DOMAIN §4: "the course, or 12 months, re-consented at review"
MAX_PERIOD_MONTHS = 24  # a longer period is not "specific": the citizen must be asked again at review
CUSTODY_AGE = 18  # consents given by custody holders expire at the child's 18th birthday
OWN_CONSENT_AGE = 15  # from 15 the young person consents to their own data, alone to their own health data
CHILD_VIEW_AGE = 10  # from 10 the child's own view is recorded with a custody holders' consent


class GrantorCapacity(StrEnum):
    SELF = "SELF"  # the person consents to their own data
    CUSTODY_HOLDER = "CUSTODY_HOLDER"  # a holder of custody (forældremyndighed) consents for a child under 15


class Purpose(StrEnum):
    # Lifts confidentiality towards the family's core team (roles, never named staff) for HFI coordination.
    HFI_COORDINATION = "HFI_COORDINATION"


class Channel(StrEnum):
    """How a consent was collected, or how a withdrawal was received."""

    DIGITAL = "DIGITAL"  # signed digitally (MitID) or through the citizen's own channel
    PAPER = "PAPER"  # a signed paper form, scanned into the journal
    VERBAL_JOURNALISED = "VERBAL_JOURNALISED"  # given orally and written into the journal by the worker


class ConsentStatus(StrEnum):
    """A consent's status. ACTIVE, WITHDRAWN and SUPERSEDED are stored; EXPIRED is computed from the dates at
    decision time (so a consent expires without a job); `hub.consent.policy.consent_status` is the one place
    that computes the status at a given moment. An ACTIVE consent whose start date is still ahead is not yet
    in force (the policy checks the period too)."""

    ACTIVE = "ACTIVE"
    WITHDRAWN = "WITHDRAWN"
    EXPIRED = "EXPIRED"
    SUPERSEDED = "SUPERSEDED"


class EffectiveState(StrEnum):
    """What lifts confidentiality for one member × department (for the CASE category), as listed to users."""

    ACTIVE = "ACTIVE"  # an active consent covers it
    STATUTORY = "STATUTORY"  # no consent, but a statutory basis (shown to workers only)
    WITHDRAWN = "WITHDRAWN"  # the last consent covering it was withdrawn
    EXPIRED = "EXPIRED"  # the last consent covering it expired (by date or at 18)
    NONE = "NONE"  # never consented (or superseded by a consent that no longer covers it)


class BasisKind(StrEnum):
    CONSENT = "CONSENT"
    STATUTE = "STATUTE"
    OWN_DEPARTMENT = "OWN_DEPARTMENT"  # a worker's own department's data about their own caseload
    OWN_DATA = "OWN_DATA"  # a citizen viewing their own data
    CUSTODY = "CUSTODY"  # a citizen viewing their child's data while holding custody
