"""Early signals: pure rules over one family's department records, plan and consents.

Each rule is a function of plain values and `today` (never the clock) returning `Signal`s; no I/O, no access
decisions: the caller (hub/signals/service.py) hands in only what the gate let the viewer see, so a section the
viewer may not see yields no signal from it. A signal says why in Danish (for people), names its source (a
department and the department's record id, a plan entity or a consent) and carries a stable `key`, so that an
acknowledgement sticks to the very occurrence it was given for: a new occurrence (a new quarter, a new last
contact) is a new key and is signalled afresh.

Reasons never carry a CPR number or a name: the front-end shows whose signal it is from `person_id`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from connectors.records import ChildYouthRecord, SocialRecord
from hub.cpr import age_on
from hub.domain import Department
from hub.plan.domain import Instrument, MeetingStatus, SdqRespondent, signals_risk

CONSENT_WARNING_DAYS = 30
ADULT_AGE = 18
DEFAULT_NO_CONTACT_WEEKS = 8


class SignalKind(StrEnum):
    INVESTIGATION_OVERDUE = "INVESTIGATION_OVERDUE"
    SCHOOL_ABSENCE = "SCHOOL_ABSENCE"
    LOW_WELLBEING = "LOW_WELLBEING"
    CONSENT_EXPIRING = "CONSENT_EXPIRING"
    CONSENT_ENDS_AT_18 = "CONSENT_ENDS_AT_18"
    MEETING_OVERDUE = "MEETING_OVERDUE"
    NO_CONTACT = "NO_CONTACT"


class SourceKind(StrEnum):
    DEPARTMENT_RECORD = "DEPARTMENT_RECORD"  # a department's record: `department` + `source_id`
    MEASUREMENT = "MEASUREMENT"  # a wellbeing measurement in the plan
    MEETING = "MEETING"  # a follow-up meeting in the plan
    CONSENT = "CONSENT"  # a consent in the hub's registry
    MEMBER = "MEMBER"  # a member of the family (FamilyMember.id)
    FAMILY = "FAMILY"  # the family's course as a whole


@dataclass(frozen=True, slots=True)
class Signal:
    key: str  # stable per occurrence: "<kind>:<source id>[:<occurrence>]"
    kind: SignalKind
    family_id: str
    person_id: str | None  # None: about the whole family
    reason: str  # Danish, for people; no CPR number, no name
    source_kind: SourceKind
    source_id: str
    since: date  # when the situation arose (a due date passed, a quarter ended, ...)
    department: Department | None = None
    health: bool = False  # built from health data (only shown with a health basis)


# --- department records --------------------------------------------------------------------------------


def overdue_investigations(family_id: str, person_id: str, record: SocialRecord, today: date) -> list[Signal]:
    """A child-welfare investigation still open past its four-month due date (Barnets lov §20)."""
    out = []
    for inv in record.investigations:
        if inv.status != "OPEN" or inv.due_on >= today:
            continue
        days = (today - inv.due_on).days
        out.append(
            Signal(
                key=f"{SignalKind.INVESTIGATION_OVERDUE}:SOF:{inv.id}",
                kind=SignalKind.INVESTIGATION_OVERDUE,
                family_id=family_id,
                person_id=person_id,
                reason=f"Den børnefaglige undersøgelse ({inv.legal_basis}) skulle have været afsluttet "
                f"{inv.due_on:%d.%m.%Y}, fire måneder efter start; den er {days} dage over fristen.",
                source_kind=SourceKind.DEPARTMENT_RECORD,
                source_id=inv.id,
                since=inv.due_on,
                department=Department.SOF,
            )
        )
    return out


def unlawful_absence(family_id: str, person_id: str, record: ChildYouthRecord) -> list[Signal]:
    """Unlawful school absence at or over 15 % in the latest reported quarter (the school's duty to report)."""
    if not record.absence:
        return []
    latest = max(record.absence, key=lambda q: q.quarter)
    if not latest.unlawful_flag:
        return []
    return [
        Signal(
            key=f"{SignalKind.SCHOOL_ABSENCE}:BUF:{record.department_id}:{latest.quarter}",
            kind=SignalKind.SCHOOL_ABSENCE,
            family_id=family_id,
            person_id=person_id,
            reason=f"Ulovligt skolefravær på {latest.unlawful_pct:.1f} % i {_quarter_da(latest.quarter)} "
            "(15 % eller mere udløser skolens pligt til at underrette).",
            source_kind=SourceKind.DEPARTMENT_RECORD,
            source_id=f"{record.department_id}:{latest.quarter}",
            since=_quarter_end(latest.quarter),
            department=Department.BUF,
        )
    ]


# --- the plan -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MeasurementFact:
    id: str
    person_id: str
    instrument: Instrument
    score: float
    measured_on: date
    respondent: str | None = None


_CUT_OFF_DA = {
    Instrument.WHO5: "WHO-5 på {score:g} (50 eller derunder tyder på nedsat trivsel)",
    Instrument.ORS: "ORS på {score:g} (under den kliniske grænse på {cut} for alderen)",
    Instrument.CORS: "CORS på {score:g} (under den kliniske grænse på 32 for børn)",
}


def low_wellbeing(family_id: str, birth_date: date, measurements: Iterable[MeasurementFact]) -> list[Signal]:
    """The latest WHO-5 at or under 50, or the latest ORS/CORS under its cut-off (25 adults, 28 ages 13-17)."""
    latest: dict[Instrument, MeasurementFact] = {}
    for m in measurements:
        if m.instrument in _CUT_OFF_DA and (
            m.instrument not in latest or m.measured_on >= latest[m.instrument].measured_on
        ):
            latest[m.instrument] = m
    out = []
    for instrument, m in sorted(latest.items()):
        age = age_on(birth_date, m.measured_on)
        respondent = SdqRespondent(m.respondent) if m.respondent in set(SdqRespondent) else None
        if not signals_risk(instrument, m.score, age, respondent):
            continue
        cut = 25 if age >= ADULT_AGE else 28
        out.append(
            Signal(
                key=f"{SignalKind.LOW_WELLBEING}:MEASUREMENT:{m.id}",
                kind=SignalKind.LOW_WELLBEING,
                family_id=family_id,
                person_id=m.person_id,
                reason=f"Seneste {_CUT_OFF_DA[instrument].format(score=m.score, cut=cut)}, "
                f"målt {m.measured_on:%d.%m.%Y}.",
                source_kind=SourceKind.MEASUREMENT,
                source_id=m.id,
                since=m.measured_on,
                health=True,
            )
        )
    return out


@dataclass(frozen=True, slots=True)
class MeetingFact:
    id: str
    scheduled_on: date
    status: MeetingStatus


def overdue_meetings(family_id: str, meetings: Iterable[MeetingFact], today: date) -> list[Signal]:
    """A follow-up meeting still SCHEDULED after its day: held without minutes, or not held at all."""
    return [
        Signal(
            key=f"{SignalKind.MEETING_OVERDUE}:MEETING:{m.id}",
            kind=SignalKind.MEETING_OVERDUE,
            family_id=family_id,
            person_id=None,
            reason=f"Opfølgningsmødet {m.scheduled_on:%d.%m.%Y} står stadig som planlagt: der er hverken "
            "skrevet referat, eller er mødet flyttet eller aflyst.",
            source_kind=SourceKind.MEETING,
            source_id=m.id,
            since=m.scheduled_on,
        )
        for m in meetings
        if m.status is MeetingStatus.SCHEDULED and m.scheduled_on < today
    ]


def no_contact(
    family_id: str,
    *,
    contacts: Iterable[date],
    enrolled_on: date | None,
    today: date,
    weeks: int = DEFAULT_NO_CONTACT_WEEKS,
) -> list[Signal]:
    """No contact with an enrolled family (a meeting held, a measurement taken) for more than `weeks` weeks."""
    if enrolled_on is None or weeks <= 0:
        return []
    last = max((d for d in contacts if d <= today), default=enrolled_on)
    last = max(last, enrolled_on)
    if (today - last) <= timedelta(weeks=weeks):
        return []
    return [
        Signal(
            key=f"{SignalKind.NO_CONTACT}:FAMILY:{family_id}:{last.isoformat()}",
            kind=SignalKind.NO_CONTACT,
            family_id=family_id,
            person_id=None,
            reason=f"Ingen kontakt med familien siden {last:%d.%m.%Y} ({(today - last).days // 7} uger); "
            f"grænsen er {weeks} uger.",
            source_kind=SourceKind.FAMILY,
            source_id=family_id,
            since=last + timedelta(weeks=weeks),
        )
    ]


# --- consents --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ConsentFact:
    id: str
    subject_id: str
    subject_birth_date: date
    valid_until: date  # inclusive
    given_by_custody: bool  # granted by custody holder(s) for a child, not by the subject


def consent_signals(
    family_id: str, consents: Sequence[ConsentFact], today: date, *, days: int = CONSENT_WARNING_DAYS
) -> list[Signal]:
    """An active consent that ends within `days` days (re-consent at the next follow-up)."""
    horizon = today + timedelta(days=days)
    out = []
    for c in consents:
        if not today <= c.valid_until < horizon:
            continue
        left = (c.valid_until - today).days
        out.append(
            Signal(
                key=f"{SignalKind.CONSENT_EXPIRING}:CONSENT:{c.id}",
                kind=SignalKind.CONSENT_EXPIRING,
                family_id=family_id,
                person_id=c.subject_id,
                reason=f"Samtykket udløber {c.valid_until:%d.%m.%Y} (om {left} dage): forny det ved næste "
                "opfølgning, ellers stopper delingen af oplysninger.",
                source_kind=SourceKind.CONSENT,
                source_id=c.id,
                since=c.valid_until - timedelta(days=days),
            )
        )
    return out


@dataclass(frozen=True, slots=True)
class MinorFact:
    person_id: str
    birth_date: date
    has_custody_holders: bool
    custody_consent_ids: tuple[str, ...] = ()  # active consents its custody holders gave
    own_consent_id: str | None = None  # an active consent the young person gave themself


def coming_of_age(
    family_id: str, minors: Iterable[MinorFact], today: date, *, days: int = CONSENT_WARNING_DAYS
) -> list[Signal]:
    """A child turns 18 within `days` days: the parents' consents and their access by custody end that day.

    The source is the parents' consent when there is one, else the young person's own consent (which goes on),
    else the member: the team then needs the young person's own consent to go on sharing.
    """
    out = []
    for m in minors:
        eighteen = _birthday(m.birth_date, ADULT_AGE)
        if not (m.has_custody_holders and today < eighteen <= today + timedelta(days=days)):
            continue
        if m.own_consent_id is not None:
            tail = "Den unges eget samtykke fortsætter; forældrene ser ikke længere den unges oplysninger."
        else:
            tail = (
                "Den unge skal selv give samtykke, hvis samarbejdet om den unges oplysninger skal fortsætte."
            )
        source_id = (m.custody_consent_ids or (m.own_consent_id or m.person_id,))[0]
        out.append(
            Signal(
                key=f"{SignalKind.CONSENT_ENDS_AT_18}:PERSON:{m.person_id}:{eighteen.isoformat()}",
                kind=SignalKind.CONSENT_ENDS_AT_18,
                family_id=family_id,
                person_id=m.person_id,
                reason=f"Den unge fylder 18 år {eighteen:%d.%m.%Y}: forældrenes samtykke og adgang via "
                f"forældremyndigheden ophører den dag. {tail}",
                source_kind=SourceKind.CONSENT if source_id != m.person_id else SourceKind.MEMBER,
                source_id=source_id,
                since=eighteen - timedelta(days=days),
            )
        )
    return out


# --- helpers ---------------------------------------------------------------------------------------------


def _birthday(born: date, years: int) -> date:
    try:
        return born.replace(year=born.year + years)
    except ValueError:  # born 29 February: the birthday is 1 March in a non-leap year
        return date(born.year + years, 3, 1)


def _quarter_end(quarter: str) -> date:
    year, q = int(quarter[:4]), int(quarter[-1])
    first_of_next = date(year + (q == 4), (q % 4) * 3 + 1, 1)
    return first_of_next - timedelta(days=1)


def _quarter_da(quarter: str) -> str:
    return f"{quarter[-1]}. kvartal {quarter[:4]}"


def order(signals: Iterable[Signal]) -> list[Signal]:
    """Oldest situation first, then by kind and key: a stable order for lists."""
    return sorted(signals, key=lambda s: (s.since, s.kind.value, s.key))
