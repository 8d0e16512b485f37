"""The hub's own typed records of each department's data about one person.

Connectors map a department's wire format into these; everything outside `connectors/` sees only these.
They are immutable value objects: no I/O, no knowledge of any department's JSON.
Dates are `datetime.date`, instants are timezone-aware `datetime.datetime` (UTC).

Each record is written once: a field's description sits beside it (`Annotated[type, "description"]`) and the
class docstring's first paragraph describes the type. The GraphQL types in schema/family/records.py are derived
from these classes, so adding a field here (plus its wire mapping in the connector) adds it to the API.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from hub.domain import Department


class Sensitivity(StrEnum):
    NORMAL = "NORMAL"
    CONFIDENTIAL = "CONFIDENTIAL"  # ordinary confidential case data (forvaltningsloven §27)
    SENSITIVE = "SENSITIVE"  # GDPR art. 9: health, child protection


@dataclass(frozen=True, slots=True)
class Contact:
    """A caseworker or contact person in a department system (sagsbehandler / kontaktperson)."""

    name: Annotated[str, "The contact's name."]
    unit: Annotated[str, "The unit or team in the department."]
    phone: Annotated[str | None, "Work phone number."] = None
    email: Annotated[str | None, "Work e-mail address."] = None


@dataclass(frozen=True, slots=True)
class Appointment:
    """A dated appointment or a recurring activity in a department's system: an interview, a meeting, a home
    visit, a course session, a training. `start`/`end` are aware instants (UTC); a recurring activity is its
    first session plus `weekly_until`."""

    id: str
    kind: str  # INTERVIEW, MEETING, HOME_VISIT, HEALTH_CONVERSATION, ACTIVITY, COURSE
    title: str
    start: datetime
    end: datetime
    place: str | None = None
    contact: str | None = None  # the person the family meets (a name; the unit is the record's contact's)
    contact_role: str | None = None
    service: str | None = (
        None  # the kind of service, e.g. MENTOR, PARENTING_COURSE (same kind, two departments)
    )
    weekly_until: date | None = None  # recurs weekly up to and including this date
    health: bool = False  # HEALTH category: withheld without a health basis


# --- SOF: social services, child welfare -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReportOfConcern:
    """A report of concern (underretning) received by social services."""

    id: Annotated[str, "SOF's id of the report."]
    received_on: Annotated[date, "When the report was received."]
    reporter_type: Annotated[str, "Who reported: SCHOOL, POLICE, HEALTH, DAYCARE, CITIZEN, ..."]
    acute: Annotated[bool, "Whether the report was handled as acute (within 24 hours)."]


@dataclass(frozen=True, slots=True)
class ChildWelfareInvestigation:
    """A child-welfare investigation (børnefaglig undersøgelse, Barnets lov §20)."""

    id: Annotated[str, "SOF's id of the investigation."]
    opened_on: Annotated[date, "When the investigation opened."]
    due_on: Annotated[date, "When it must be completed (four months after opening)."]
    status: Annotated[str, "OPEN, COMPLETED or CLOSED."]
    legal_basis: Annotated[str, "The statute the investigation is made under."] = "Barnets lov §20"


@dataclass(frozen=True, slots=True)
class SupportiveMeasure:
    """A supportive measure for a child or family (Barnets lov §32)."""

    id: Annotated[str, "SOF's id of the measure."]
    kind: Annotated[str, "E.g. FAMILY_TREATMENT, CONTACT_PERSON, CRIME_PREVENTION_COURSE."]
    provider: Annotated[str, "Who delivers the measure."]
    start: Annotated[date, "First day of the measure."]
    end: Annotated[date | None, "Last day, if set."]
    status: Annotated[str, "ACTIVE, PLANNED or ENDED."]
    legal_basis: Annotated[str, "The statute the measure is granted under."] = "Barnets lov §32"


@dataclass(frozen=True, slots=True)
class Placement:
    """A placement outside the home (anbringelse): §46 with consent, §47 without."""

    id: Annotated[str, "SOF's id of the placement."]
    legal_basis: Annotated[str, "Barnets lov §46 or §47."]
    with_consent: Annotated[bool, "Whether the custody holders consented."]
    placement_type: Annotated[str, "FOSTER_FAMILY, INSTITUTION, NETWORK, ..."]
    start: Annotated[date, "First day of the placement."]
    end: Annotated[date | None, "Last day, if ended."]


@dataclass(frozen=True, slots=True)
class AdultSupport:
    """Social support for an adult (e.g. Serviceloven §85)."""

    id: Annotated[str, "SOF's id of the support."]
    legal_basis: Annotated[str, "The statute the support is granted under."]
    kind: Annotated[str, "The kind of support."]
    start: Annotated[date, "First day."]
    end: Annotated[date | None, "Last day, if set."]


# HEALTH category: it describes physical and mental functioning. A child's comes from the child-welfare
# investigation and its follow-ups (ICS, the development side of the ICS triangle); an adult's from
# Voksenudredningsmetoden (VUM). Both use the ICF qualifier VUM uses (0-4, higher is more difficulty).
@dataclass(frozen=True, slots=True)
class FunctioningAssessment:
    """SOF's assessment of the person's functioning (funktionsniveau): ICS in a child-welfare investigation and
    its follow-ups, VUM for an adult. Health data: shown only with a health basis."""

    id: Annotated[str, "SOF's id of the assessment."]
    method: Annotated[str, "ICS (a child) or VUM (Voksenudredningsmetoden, an adult)."]
    assessed_on: Annotated[date, "When it was assessed."]
    level: Annotated[int, "The ICF qualifier: 0 no, 1 mild, 2 moderate, 3 severe, 4 complete difficulties."]


@dataclass(frozen=True, slots=True)
class SocialRecord:
    """Social services' (SOF) case data about one person."""

    department_id: Annotated[str, "SOF's case id."]
    caseworker: Annotated[Contact, "The person's caseworker in SOF."]
    reports_of_concern: Annotated[tuple[ReportOfConcern, ...], "Reports of concern (underretninger)."] = ()
    investigations: Annotated[tuple[ChildWelfareInvestigation, ...], "Child-welfare investigations."] = ()
    measures: Annotated[tuple[SupportiveMeasure, ...], "Supportive measures (§32)."] = ()
    placements: Annotated[tuple[Placement, ...], "Placements outside the home."] = ()
    child_plan_date: Annotated[date | None, "Date of the child's plan (barnets plan)."] = None
    adult_support: Annotated[tuple[AdultSupport, ...], "Adult social support."] = ()
    functioning: Annotated[
        tuple[FunctioningAssessment, ...],
        "Assessments of the person's functioning, oldest first (health data: empty without a health basis; the "
        "section's healthWithheld says so).",
    ] = ()
    appointments: tuple[Appointment, ...] = ()
    open_cases: Annotated[int, "Number of open cases in SOF."] = 0
    last_updated: Annotated[datetime | None, "When SOF last changed this data."] = None
    sensitivity: Sensitivity = Sensitivity.SENSITIVE
    department: Department = field(default=Department.SOF, init=False)


# --- BIF: employment, benefits, integration -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class Benefit:
    """A benefit the person receives (ydelse)."""

    type: Annotated[str, "KONTANTHJAELP, UDDANNELSESHJAELP, SYGEDAGPENGE, LEDIGHEDSYDELSE, NONE."]
    rate: Annotated[str | None, "For kontanthjælp: MINIMUM, BASIC or RAISED."]
    start: Annotated[date, "When the benefit started."]
    monthly_amount_dkk: Annotated[int, "Monthly amount in DKK before tax."]


@dataclass(frozen=True, slots=True)
class EmploymentActivity:
    """An employment activity in the person's plan (e.g. virksomhedspraktik, mentor)."""

    id: Annotated[str, "The jobcentre's id of the activity."]
    kind: Annotated[str, "VIRKSOMHEDSPRAKTIK, LOENTILSKUD, MENTOR, EDUCATION, FRITIDSJOB, ..."]
    provider: Annotated[str, "Company or provider."]
    start: Annotated[date, "First day."]
    end: Annotated[date | None, "Last day, if set."]
    status: Annotated[str, "ACTIVE, PLANNED or ENDED."]


@dataclass(frozen=True, slots=True)
class EmploymentRecord:
    """Employment and benefits data (BIF, jobcentre) about one person."""

    department_id: Annotated[str, "The jobcentre's id of the citizen."]
    caseworker: Annotated[Contact, "The coordinating caseworker."]
    benefit: Annotated[Benefit | None, "The current benefit, if any."]
    target_group: Annotated[
        str | None,
        "Målgruppe: JOBPARAT, AKTIVITETSPARAT, UDDANNELSESPARAT, RESSOURCEFORLOEB, JOBAFKLARING, FLEKSJOB.",
    ]
    activities: Annotated[tuple[EmploymentActivity, ...], "Activities in the person's plan."] = ()
    last_interview: Annotated[date | None, "Date of the last job interview (samtale)."] = None
    next_interview: Annotated[date | None, "Date of the next job interview."] = None
    appointments: tuple[Appointment, ...] = ()
    open_cases: Annotated[int, "Number of open cases in BIF."] = 0
    last_updated: Annotated[datetime | None, "When BIF last changed this data."] = None
    sensitivity: Sensitivity = Sensitivity.CONFIDENTIAL
    department: Department = field(default=Department.BIF, init=False)


# --- BUF: children and youth ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Institution:
    """The school or daycare the child attends."""

    name: Annotated[str, "Name of the school or daycare."]
    kind: Annotated[str, "SCHOOL or DAYCARE."]
    grade: Annotated[str | None, "School grade (klassetrin); 0 is børnehaveklasse."]


@dataclass(frozen=True, slots=True)
class AbsenceQuarter:
    """School absence in one quarter, by type, in percent of school days."""

    quarter: Annotated[str, "E.g. 2026Q3."]
    sick_pct: Annotated[float, "Sick absence, percent."]
    permitted_pct: Annotated[float, "Permitted absence, percent."]
    unlawful_pct: Annotated[float, "Unlawful absence (ulovligt fravær), percent."]

    @property
    def unlawful_flag(self) -> bool:
        """15 % or more unlawful absence: the school must report."""
        return self.unlawful_pct >= 15.0


@dataclass(frozen=True, slots=True)
class PedagogicalAssessment:
    """Pedagogical-psychological assessment (PPV)."""

    status: Annotated[str, "REQUESTED, IN_PROGRESS or COMPLETED."]
    date: Annotated[date, "Date of the latest status."]
    recommendation: Annotated[str | None, "The recommendation, once completed."]


@dataclass(frozen=True, slots=True)
class PsychologistContact:
    """A contact with a PPR psychologist. Health data: shown only under health consent."""

    date: Annotated[date, "Date of the contact."]
    purpose: Annotated[str, "Purpose of the contact."]


@dataclass(frozen=True, slots=True)
class HealthVisit:
    """A health-visitor (sundhedspleje) visit. Health data."""

    kind: Annotated[str, "NEWBORN, TWO_MONTHS, EIGHT_TO_ELEVEN_MONTHS, SCHOOL_START."]
    date: Annotated[date, "Date of the visit."]


@dataclass(frozen=True, slots=True)
class Screening:
    """A screening result (e.g. SDQ). Health data."""

    instrument: Annotated[str, "The instrument, e.g. SDQ."]
    score: Annotated[int, "The total score."]
    date: Annotated[date, "Date of the screening."]


@dataclass(frozen=True, slots=True)
class ChildYouthRecord:
    """Children and youth (BUF) data about one child: school, absence, PPR, health visitor."""

    department_id: Annotated[str, "BUF's id of the child."]
    caseworker: Annotated[Contact, "The child's contact in BUF."]
    institution: Annotated[Institution | None, "School or daycare."]
    absence: Annotated[tuple[AbsenceQuarter, ...], "Absence per quarter, newest first."] = ()
    ppv: Annotated[PedagogicalAssessment | None, "The latest PPV."] = None
    psychologist_contacts: Annotated[tuple[PsychologistContact, ...], "PPR psychologist contacts."] = ()
    health_visits: Annotated[tuple[HealthVisit, ...], "Health-visitor visits (0–6 years)."] = ()
    screenings: Annotated[tuple[Screening, ...], "Screening results."] = ()
    appointments: tuple[Appointment, ...] = ()
    open_cases: Annotated[int, "Number of open cases in BUF."] = 0
    last_updated: Annotated[datetime | None, "When BUF last changed this data."] = None
    sensitivity: Sensitivity = Sensitivity.SENSITIVE
    department: Department = field(default=Department.BUF, init=False)

    @property
    def unlawful_absence_flag(self) -> bool:
        """Any quarter at 15 % or more unlawful absence."""
        return any(a.unlawful_flag for a in self.absence)


# --- KFF: culture and leisure --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Membership:
    """Membership of a leisure association."""

    id: Annotated[str, "KFF's id of the membership."]
    association: Annotated[str, "The association (forening)."]
    activity: Annotated[str, "The activity, e.g. football, swimming."]
    since: Annotated[date, "Member since."]
    active: Annotated[bool, "Whether the membership is still active."]


@dataclass(frozen=True, slots=True)
class FritidsGuideReferral:
    """Referral to a FritidsGuide (volunteer leisure guide)."""

    referred_on: Annotated[date, "When the referral was made."]
    status: Annotated[str, "REFERRED, MATCHED or ENDED."]
    guide_name: Annotated[str | None, "The guide's first name, once matched."]


@dataclass(frozen=True, slots=True)
class MembershipSubsidy:
    """Membership subsidy (kontingentstøtte) for ages 3–17."""

    year: Annotated[int, "The year the subsidy is for."]
    amount_dkk: Annotated[int, "Subsidy towards the membership fee, up to 1,000 DKK."]
    equipment_dkk: Annotated[int, "Subsidy towards equipment, up to 500 DKK."]


@dataclass(frozen=True, slots=True)
class FerieCamp:
    """Participation in FerieCamp."""

    year: Annotated[int, "The year."]
    camp: Annotated[str, "The camp."]
    week: Annotated[int, "ISO week of the camp."]


@dataclass(frozen=True, slots=True)
class LeisureRecord:
    """Culture and leisure (KFF) data about one person."""

    department_id: Annotated[str, "KFF's id of the person."]
    contact: Annotated[Contact, "The person's contact in KFF."]
    memberships: Annotated[tuple[Membership, ...], "Leisure memberships."] = ()
    fritidsguide: Annotated[FritidsGuideReferral | None, "FritidsGuide referral, if any."] = None
    subsidies: Annotated[tuple[MembershipSubsidy, ...], "Membership subsidies granted."] = ()
    feriecamps: Annotated[tuple[FerieCamp, ...], "FerieCamp participation."] = ()
    appointments: tuple[Appointment, ...] = ()
    open_cases: Annotated[int, "Number of open cases in KFF."] = 0
    last_updated: Annotated[datetime | None, "When KFF last changed this data."] = None
    sensitivity: Sensitivity = Sensitivity.NORMAL
    department: Department = field(default=Department.KFF, init=False)

    @property
    def active_leisure(self) -> bool:
        """Whether any membership is active."""
        return any(m.active for m in self.memberships)


# --- SUF: health and care ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HealthConversation:
    """A family health conversation (familiesundhedssamtale)."""

    date: Annotated[date, "Date of the conversation."]
    topics: Annotated[tuple[str, ...], "Topics discussed. Health data: empty without health consent."]


@dataclass(frozen=True, slots=True)
class HealthReferral:
    """A referral to another health service."""

    id: Annotated[str, "SUF's id of the referral."]
    to: Annotated[str, "OWN_GP, REGIONAL, DENTAL, ..."]
    date: Annotated[date, "Date of the referral."]
    status: Annotated[str, "Status of the referral."]
    reason: Annotated[str | None, "Reason. Health data: null without health consent."]


@dataclass(frozen=True, slots=True)
class HealthService:
    """A municipal health service in progress."""

    id: Annotated[str, "SUF's id of the service."]
    name: Annotated[str, "The service."]
    start: Annotated[date, "First day."]
    status: Annotated[str, "Status of the service."]


@dataclass(frozen=True, slots=True)
class HealthRecord:
    """Health and care (SUF) data about one person. Details only under health consent."""

    department_id: Annotated[str, "SUF's id of the citizen."]
    contact: Annotated[Contact, "The person's contact in SUF."]
    conversations: Annotated[tuple[HealthConversation, ...], "Family health conversations."] = ()
    referrals: Annotated[tuple[HealthReferral, ...], "Referrals."] = ()
    services: Annotated[tuple[HealthService, ...], "Municipal health services in progress."] = ()
    appointments: tuple[Appointment, ...] = ()
    open_cases: Annotated[int, "Number of open cases in SUF."] = 0
    last_updated: Annotated[datetime | None, "When SUF last changed this data."] = None
    sensitivity: Sensitivity = Sensitivity.SENSITIVE
    department: Department = field(default=Department.SUF, init=False)


DepartmentRecord = SocialRecord | EmploymentRecord | ChildYouthRecord | LeisureRecord | HealthRecord

RECORD_TYPES: dict[Department, type[DepartmentRecord]] = {
    Department.SOF: SocialRecord,
    Department.BIF: EmploymentRecord,
    Department.BUF: ChildYouthRecord,
    Department.KFF: LeisureRecord,
    Department.SUF: HealthRecord,
}
