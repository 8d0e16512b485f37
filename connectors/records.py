"""The hub's own typed records of each department's data about one person.

Connectors map a department's wire format into these; everything outside `connectors/` sees only these.
They are immutable value objects: no I/O, no knowledge of any department's JSON.
Dates are `datetime.date`, instants are timezone-aware `datetime.datetime` (UTC).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from hub.domain import Department


class Sensitivity(StrEnum):
    NORMAL = "NORMAL"
    CONFIDENTIAL = "CONFIDENTIAL"  # ordinary confidential case data (forvaltningsloven §27)
    SENSITIVE = "SENSITIVE"  # GDPR art. 9: health, child protection


@dataclass(frozen=True, slots=True)
class Contact:
    """A caseworker or contact person in a department system."""

    name: str
    unit: str
    phone: str | None = None
    email: str | None = None


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
    """Underretning."""

    id: str
    received_on: date
    reporter_type: str  # e.g. SCHOOL, POLICE, HEALTH, DAYCARE, CITIZEN, ANONYMOUS
    acute: bool


@dataclass(frozen=True, slots=True)
class ChildWelfareInvestigation:
    """Børnefaglig undersøgelse (Barnets lov §20): due four months after it opens."""

    id: str
    opened_on: date
    due_on: date
    status: str  # OPEN, COMPLETED, CLOSED
    legal_basis: str = "Barnets lov §20"


@dataclass(frozen=True, slots=True)
class SupportiveMeasure:
    """Støttende indsats (Barnets lov §32)."""

    id: str
    kind: str  # FAMILY_TREATMENT, CONTACT_PERSON, CRIME_PREVENTION_COURSE, IDRAETSPROJEKTET, ...
    provider: str
    start: date
    end: date | None
    status: str  # ACTIVE, PLANNED, ENDED
    legal_basis: str = "Barnets lov §32"


@dataclass(frozen=True, slots=True)
class Placement:
    """Anbringelse: §46 with the custody holders' consent, §47 without."""

    id: str
    legal_basis: str  # "Barnets lov §46" or "Barnets lov §47"
    with_consent: bool
    placement_type: str  # FOSTER_FAMILY, INSTITUTION, NETWORK, ...
    start: date
    end: date | None


@dataclass(frozen=True, slots=True)
class AdultSupport:
    """Support for an adult under Serviceloven (e.g. §85 socialpædagogisk støtte)."""

    id: str
    legal_basis: str
    kind: str
    start: date
    end: date | None


@dataclass(frozen=True, slots=True)
class FunctioningAssessment:
    """SOF's assessment of a person's functioning (funktionsniveau). HEALTH category: it describes physical and
    mental functioning.

    A child's comes from the child-welfare investigation and its follow-ups (ICS, the development side of the
    ICS triangle); an adult's from Voksenudredningsmetoden (VUM). Both use the ICF qualifier VUM uses: 0 no,
    1 mild, 2 moderate, 3 severe, 4 complete difficulties in functioning.
    """

    id: str
    method: str  # ICS, VUM
    assessed_on: date
    level: int  # 0-4, the ICF qualifier: higher is more difficulty


@dataclass(frozen=True, slots=True)
class SocialRecord:
    department_id: str  # the SOF case id
    caseworker: Contact
    reports_of_concern: tuple[ReportOfConcern, ...] = ()
    investigations: tuple[ChildWelfareInvestigation, ...] = ()
    measures: tuple[SupportiveMeasure, ...] = ()
    placements: tuple[Placement, ...] = ()
    child_plan_date: date | None = None  # barnets plan
    adult_support: tuple[AdultSupport, ...] = ()
    appointments: tuple[Appointment, ...] = ()
    open_cases: int = 0
    last_updated: datetime | None = None
    sensitivity: Sensitivity = Sensitivity.SENSITIVE
    functioning: tuple[FunctioningAssessment, ...] = ()  # HEALTH category
    department: Department = field(default=Department.SOF, init=False)


# --- BIF: employment, benefits, integration -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class Benefit:
    type: str  # KONTANTHJAELP, UDDANNELSESHJAELP, SYGEDAGPENGE, LEDIGHEDSYDELSE, NONE
    rate: str | None  # MINIMUM, BASIC, RAISED (kontanthjælp) or None
    start: date
    monthly_amount_dkk: int


@dataclass(frozen=True, slots=True)
class EmploymentActivity:
    id: str
    kind: str  # VIRKSOMHEDSPRAKTIK, LOENTILSKUD, MENTOR, EDUCATION, FRITIDSJOB, SMAAJOB
    provider: str
    start: date
    end: date | None
    status: str  # ACTIVE, PLANNED, ENDED


@dataclass(frozen=True, slots=True)
class EmploymentRecord:
    department_id: str  # the jobcentre's citizen id
    caseworker: Contact  # coordinating caseworker
    benefit: Benefit | None
    target_group: (
        str | None
    )  # JOBPARAT, AKTIVITETSPARAT, UDDANNELSESPARAT, RESSOURCEFORLOEB, JOBAFKLARING, FLEKSJOB
    activities: tuple[EmploymentActivity, ...] = ()
    last_interview: date | None = None
    next_interview: date | None = None
    appointments: tuple[Appointment, ...] = ()
    open_cases: int = 0
    last_updated: datetime | None = None
    sensitivity: Sensitivity = Sensitivity.CONFIDENTIAL
    department: Department = field(default=Department.BIF, init=False)


# --- BUF: children and youth ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Institution:
    name: str
    kind: str  # SCHOOL, DAYCARE
    grade: str | None  # e.g. "7" or "0" (børnehaveklasse); None for daycare


@dataclass(frozen=True, slots=True)
class AbsenceQuarter:
    quarter: str  # e.g. "2026Q3"
    sick_pct: float
    permitted_pct: float
    unlawful_pct: float

    @property
    def unlawful_flag(self) -> bool:
        """15 % unlawful absence obliges the school to report (underretning)."""
        return self.unlawful_pct >= 15.0


@dataclass(frozen=True, slots=True)
class PedagogicalAssessment:
    """PPV: pædagogisk-psykologisk vurdering."""

    status: str  # REQUESTED, IN_PROGRESS, COMPLETED
    date: date
    recommendation: str | None


@dataclass(frozen=True, slots=True)
class PsychologistContact:
    date: date
    purpose: str


@dataclass(frozen=True, slots=True)
class HealthVisit:
    """Sundhedspleje visit for 0–6 year-olds."""

    kind: str  # NEWBORN, TWO_MONTHS, EIGHT_TO_ELEVEN_MONTHS, SCHOOL_START
    date: date


@dataclass(frozen=True, slots=True)
class Screening:
    instrument: str  # e.g. SDQ
    score: int
    date: date


@dataclass(frozen=True, slots=True)
class ChildYouthRecord:
    department_id: str  # the pupil/child id
    caseworker: Contact
    institution: Institution | None
    absence: tuple[AbsenceQuarter, ...] = ()
    ppv: PedagogicalAssessment | None = None
    psychologist_contacts: tuple[PsychologistContact, ...] = ()  # HEALTH category
    health_visits: tuple[HealthVisit, ...] = ()  # HEALTH category
    screenings: tuple[Screening, ...] = ()  # HEALTH category
    appointments: tuple[Appointment, ...] = ()
    open_cases: int = 0
    last_updated: datetime | None = None
    sensitivity: Sensitivity = Sensitivity.SENSITIVE
    department: Department = field(default=Department.BUF, init=False)


# --- KFF: culture and leisure --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Membership:
    id: str
    association: str
    activity: str
    since: date
    active: bool


@dataclass(frozen=True, slots=True)
class FritidsGuideReferral:
    referred_on: date
    status: str  # REFERRED, MATCHED, ENDED
    guide_name: str | None


@dataclass(frozen=True, slots=True)
class MembershipSubsidy:
    """Kontingentstøtte: ages 3–17, up to 1,000 DKK a year plus 500 DKK for equipment."""

    year: int
    amount_dkk: int
    equipment_dkk: int


@dataclass(frozen=True, slots=True)
class FerieCamp:
    year: int
    camp: str
    week: int


@dataclass(frozen=True, slots=True)
class LeisureRecord:
    department_id: str
    contact: Contact
    memberships: tuple[Membership, ...] = ()
    fritidsguide: FritidsGuideReferral | None = None
    subsidies: tuple[MembershipSubsidy, ...] = ()
    feriecamps: tuple[FerieCamp, ...] = ()
    appointments: tuple[Appointment, ...] = ()
    open_cases: int = 0
    last_updated: datetime | None = None
    sensitivity: Sensitivity = Sensitivity.NORMAL
    department: Department = field(default=Department.KFF, init=False)


# --- SUF: health and care ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HealthConversation:
    """Familiesundhedssamtale. Topics are HEALTH category."""

    date: date
    topics: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class HealthReferral:
    id: str
    to: str  # OWN_GP, REGIONAL, DENTAL, ...
    date: date
    status: str
    reason: str | None  # HEALTH category


@dataclass(frozen=True, slots=True)
class HealthService:
    id: str
    name: str
    start: date
    status: str


@dataclass(frozen=True, slots=True)
class HealthRecord:
    department_id: str
    contact: Contact
    conversations: tuple[HealthConversation, ...] = ()
    referrals: tuple[HealthReferral, ...] = ()
    services: tuple[HealthService, ...] = ()
    appointments: tuple[Appointment, ...] = ()
    open_cases: int = 0
    last_updated: datetime | None = None
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
