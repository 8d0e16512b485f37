"""GraphQL types for each department's typed record (connectors/records.py), thin converters only."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from connectors import records as r


@strawberry.type(
    description="A caseworker or contact person in a department system (sagsbehandler / kontaktperson)."
)
class Contact:
    name: str = strawberry.field(description="The contact's name.")
    unit: str = strawberry.field(description="The unit or team in the department.")
    phone: str | None = strawberry.field(description="Work phone number.")
    email: str | None = strawberry.field(description="Work e-mail address.")

    @classmethod
    def of(cls, c: r.Contact) -> Contact:
        return cls(name=c.name, unit=c.unit, phone=c.phone, email=c.email)


# --- SOF -----------------------------------------------------------------------------------------


@strawberry.type(description="A report of concern (underretning) received by social services.")
class ReportOfConcern:
    id: strawberry.ID = strawberry.field(description="SOF's id of the report.")
    received_on: date = strawberry.field(description="When the report was received.")
    reporter_type: str = strawberry.field(
        description="Who reported: SCHOOL, POLICE, HEALTH, DAYCARE, CITIZEN, ..."
    )
    acute: bool = strawberry.field(description="Whether the report was handled as acute (within 24 hours).")


@strawberry.type(description="A child-welfare investigation (børnefaglig undersøgelse, Barnets lov §20).")
class ChildWelfareInvestigation:
    id: strawberry.ID = strawberry.field(description="SOF's id of the investigation.")
    opened_on: date = strawberry.field(description="When the investigation opened.")
    due_on: date = strawberry.field(description="When it must be completed (four months after opening).")
    status: str = strawberry.field(description="OPEN, COMPLETED or CLOSED.")
    legal_basis: str = strawberry.field(description="The statute the investigation is made under.")


@strawberry.type(description="A supportive measure for a child or family (Barnets lov §32).")
class SupportiveMeasure:
    id: strawberry.ID = strawberry.field(description="SOF's id of the measure.")
    kind: str = strawberry.field(
        description="E.g. FAMILY_TREATMENT, CONTACT_PERSON, CRIME_PREVENTION_COURSE."
    )
    provider: str = strawberry.field(description="Who delivers the measure.")
    start: date = strawberry.field(description="First day of the measure.")
    end: date | None = strawberry.field(description="Last day, if set.")
    status: str = strawberry.field(description="ACTIVE, PLANNED or ENDED.")
    legal_basis: str = strawberry.field(description="The statute the measure is granted under.")


@strawberry.type(description="A placement outside the home (anbringelse): §46 with consent, §47 without.")
class Placement:
    id: strawberry.ID = strawberry.field(description="SOF's id of the placement.")
    legal_basis: str = strawberry.field(description="Barnets lov §46 or §47.")
    with_consent: bool = strawberry.field(description="Whether the custody holders consented.")
    placement_type: str = strawberry.field(description="FOSTER_FAMILY, INSTITUTION, NETWORK, ...")
    start: date = strawberry.field(description="First day of the placement.")
    end: date | None = strawberry.field(description="Last day, if ended.")


@strawberry.type(description="Social support for an adult (e.g. Serviceloven §85).")
class AdultSupport:
    id: strawberry.ID = strawberry.field(description="SOF's id of the support.")
    legal_basis: str = strawberry.field(description="The statute the support is granted under.")
    kind: str = strawberry.field(description="The kind of support.")
    start: date = strawberry.field(description="First day.")
    end: date | None = strawberry.field(description="Last day, if set.")


@strawberry.type(
    description="SOF's assessment of the person's functioning (funktionsniveau): ICS in a child-welfare "
    "investigation and its follow-ups, VUM for an adult. Health data: shown only with a health basis."
)
class FunctioningAssessment:
    id: strawberry.ID = strawberry.field(description="SOF's id of the assessment.")
    method: str = strawberry.field(description="ICS (a child) or VUM (Voksenudredningsmetoden, an adult).")
    assessed_on: date = strawberry.field(description="When it was assessed.")
    level: int = strawberry.field(
        description="The ICF qualifier: 0 no, 1 mild, 2 moderate, 3 severe, 4 complete difficulties."
    )


@strawberry.type(description="Social services' (SOF) case data about one person.")
class SocialRecord:
    case_id: strawberry.ID = strawberry.field(description="SOF's case id.")
    caseworker: Contact = strawberry.field(description="The person's caseworker in SOF.")
    reports_of_concern: list[ReportOfConcern] = strawberry.field(
        description="Reports of concern (underretninger)."
    )
    investigations: list[ChildWelfareInvestigation] = strawberry.field(
        description="Child-welfare investigations."
    )
    measures: list[SupportiveMeasure] = strawberry.field(description="Supportive measures (§32).")
    placements: list[Placement] = strawberry.field(description="Placements outside the home.")
    child_plan_date: date | None = strawberry.field(description="Date of the child's plan (barnets plan).")
    adult_support: list[AdultSupport] = strawberry.field(description="Adult social support.")
    functioning: list[FunctioningAssessment] = strawberry.field(
        description="Assessments of the person's functioning, oldest first (health data: empty without a "
        "health basis; the section's healthWithheld says so)."
    )
    open_cases: int = strawberry.field(description="Number of open cases in SOF.")
    last_updated: datetime | None = strawberry.field(description="When SOF last changed this data.")

    @classmethod
    def of(cls, x: r.SocialRecord) -> SocialRecord:
        return cls(
            case_id=strawberry.ID(x.department_id),
            caseworker=Contact.of(x.caseworker),
            reports_of_concern=[
                ReportOfConcern(
                    id=strawberry.ID(v.id),
                    received_on=v.received_on,
                    reporter_type=v.reporter_type,
                    acute=v.acute,
                )
                for v in x.reports_of_concern
            ],
            investigations=[
                ChildWelfareInvestigation(
                    id=strawberry.ID(v.id),
                    opened_on=v.opened_on,
                    due_on=v.due_on,
                    status=v.status,
                    legal_basis=v.legal_basis,
                )
                for v in x.investigations
            ],
            measures=[
                SupportiveMeasure(
                    id=strawberry.ID(v.id),
                    kind=v.kind,
                    provider=v.provider,
                    start=v.start,
                    end=v.end,
                    status=v.status,
                    legal_basis=v.legal_basis,
                )
                for v in x.measures
            ],
            placements=[
                Placement(
                    id=strawberry.ID(v.id),
                    legal_basis=v.legal_basis,
                    with_consent=v.with_consent,
                    placement_type=v.placement_type,
                    start=v.start,
                    end=v.end,
                )
                for v in x.placements
            ],
            child_plan_date=x.child_plan_date,
            adult_support=[
                AdultSupport(
                    id=strawberry.ID(v.id), legal_basis=v.legal_basis, kind=v.kind, start=v.start, end=v.end
                )
                for v in x.adult_support
            ],
            functioning=[
                FunctioningAssessment(
                    id=strawberry.ID(v.id), method=v.method, assessed_on=v.assessed_on, level=v.level
                )
                for v in sorted(x.functioning, key=lambda f: f.assessed_on)
            ],
            open_cases=x.open_cases,
            last_updated=x.last_updated,
        )


# --- BIF -----------------------------------------------------------------------------------------


@strawberry.type(description="A benefit the person receives (ydelse).")
class Benefit:
    type: str = strawberry.field(
        description="KONTANTHJAELP, UDDANNELSESHJAELP, SYGEDAGPENGE, LEDIGHEDSYDELSE, NONE."
    )
    rate: str | None = strawberry.field(description="For kontanthjælp: MINIMUM, BASIC or RAISED.")
    start: date = strawberry.field(description="When the benefit started.")
    monthly_amount_dkk: int = strawberry.field(description="Monthly amount in DKK before tax.")


@strawberry.type(description="An employment activity in the person's plan (e.g. virksomhedspraktik, mentor).")
class EmploymentActivity:
    id: strawberry.ID = strawberry.field(description="The jobcentre's id of the activity.")
    kind: str = strawberry.field(
        description="VIRKSOMHEDSPRAKTIK, LOENTILSKUD, MENTOR, EDUCATION, FRITIDSJOB, ..."
    )
    provider: str = strawberry.field(description="Company or provider.")
    start: date = strawberry.field(description="First day.")
    end: date | None = strawberry.field(description="Last day, if set.")
    status: str = strawberry.field(description="ACTIVE, PLANNED or ENDED.")


@strawberry.type(description="Employment and benefits data (BIF, jobcentre) about one person.")
class EmploymentRecord:
    citizen_id: strawberry.ID = strawberry.field(description="The jobcentre's id of the citizen.")
    caseworker: Contact = strawberry.field(description="The coordinating caseworker.")
    benefit: Benefit | None = strawberry.field(description="The current benefit, if any.")
    target_group: str | None = strawberry.field(
        description="Målgruppe: JOBPARAT, AKTIVITETSPARAT, UDDANNELSESPARAT, RESSOURCEFORLOEB, JOBAFKLARING, FLEKSJOB."
    )
    activities: list[EmploymentActivity] = strawberry.field(description="Activities in the person's plan.")
    last_interview: date | None = strawberry.field(description="Date of the last job interview (samtale).")
    next_interview: date | None = strawberry.field(description="Date of the next job interview.")
    open_cases: int = strawberry.field(description="Number of open cases in BIF.")
    last_updated: datetime | None = strawberry.field(description="When BIF last changed this data.")

    @classmethod
    def of(cls, x: r.EmploymentRecord) -> EmploymentRecord:
        b = x.benefit
        return cls(
            citizen_id=strawberry.ID(x.department_id),
            caseworker=Contact.of(x.caseworker),
            benefit=Benefit(type=b.type, rate=b.rate, start=b.start, monthly_amount_dkk=b.monthly_amount_dkk)
            if b
            else None,
            target_group=x.target_group,
            activities=[
                EmploymentActivity(
                    id=strawberry.ID(a.id),
                    kind=a.kind,
                    provider=a.provider,
                    start=a.start,
                    end=a.end,
                    status=a.status,
                )
                for a in x.activities
            ],
            last_interview=x.last_interview,
            next_interview=x.next_interview,
            open_cases=x.open_cases,
            last_updated=x.last_updated,
        )


# --- BUF -----------------------------------------------------------------------------------------


@strawberry.type(description="The school or daycare the child attends.")
class Institution:
    name: str = strawberry.field(description="Name of the school or daycare.")
    kind: str = strawberry.field(description="SCHOOL or DAYCARE.")
    grade: str | None = strawberry.field(description="School grade (klassetrin); 0 is børnehaveklasse.")


@strawberry.type(description="School absence in one quarter, by type, in percent of school days.")
class AbsenceQuarter:
    quarter: str = strawberry.field(description="E.g. 2026Q3.")
    sick_pct: float = strawberry.field(description="Sick absence, percent.")
    permitted_pct: float = strawberry.field(description="Permitted absence, percent.")
    unlawful_pct: float = strawberry.field(description="Unlawful absence (ulovligt fravær), percent.")
    unlawful_flag: bool = strawberry.field(
        description="15 % or more unlawful absence: the school must report."
    )


@strawberry.type(description="Pedagogical-psychological assessment (PPV).")
class PedagogicalAssessment:
    status: str = strawberry.field(description="REQUESTED, IN_PROGRESS or COMPLETED.")
    date: date = strawberry.field(description="Date of the latest status.")
    recommendation: str | None = strawberry.field(description="The recommendation, once completed.")


@strawberry.type(
    description="A contact with a PPR psychologist. Health data: shown only under health consent."
)
class PsychologistContact:
    date: date = strawberry.field(description="Date of the contact.")
    purpose: str = strawberry.field(description="Purpose of the contact.")


@strawberry.type(description="A health-visitor (sundhedspleje) visit. Health data.")
class HealthVisit:
    kind: str = strawberry.field(description="NEWBORN, TWO_MONTHS, EIGHT_TO_ELEVEN_MONTHS, SCHOOL_START.")
    date: date = strawberry.field(description="Date of the visit.")


@strawberry.type(description="A screening result (e.g. SDQ). Health data.")
class Screening:
    instrument: str = strawberry.field(description="The instrument, e.g. SDQ.")
    score: int = strawberry.field(description="The total score.")
    date: date = strawberry.field(description="Date of the screening.")


@strawberry.type(
    description="Children and youth (BUF) data about one child: school, absence, PPR, health visitor."
)
class ChildYouthRecord:
    child_id: strawberry.ID = strawberry.field(description="BUF's id of the child.")
    caseworker: Contact = strawberry.field(description="The child's contact in BUF.")
    institution: Institution | None = strawberry.field(description="School or daycare.")
    absence: list[AbsenceQuarter] = strawberry.field(description="Absence per quarter, newest first.")
    unlawful_absence_flag: bool = strawberry.field(
        description="Any quarter at 15 % or more unlawful absence."
    )
    ppv: PedagogicalAssessment | None = strawberry.field(description="The latest PPV.")
    psychologist_contacts: list[PsychologistContact] = strawberry.field(
        description="PPR psychologist contacts."
    )
    health_visits: list[HealthVisit] = strawberry.field(description="Health-visitor visits (0–6 years).")
    screenings: list[Screening] = strawberry.field(description="Screening results.")
    open_cases: int = strawberry.field(description="Number of open cases in BUF.")
    last_updated: datetime | None = strawberry.field(description="When BUF last changed this data.")

    @classmethod
    def of(cls, x: r.ChildYouthRecord) -> ChildYouthRecord:
        i = x.institution
        p = x.ppv
        return cls(
            child_id=strawberry.ID(x.department_id),
            caseworker=Contact.of(x.caseworker),
            institution=Institution(name=i.name, kind=i.kind, grade=i.grade) if i else None,
            absence=[
                AbsenceQuarter(
                    quarter=a.quarter,
                    sick_pct=a.sick_pct,
                    permitted_pct=a.permitted_pct,
                    unlawful_pct=a.unlawful_pct,
                    unlawful_flag=a.unlawful_flag,
                )
                for a in x.absence
            ],
            unlawful_absence_flag=any(a.unlawful_flag for a in x.absence),
            ppv=PedagogicalAssessment(status=p.status, date=p.date, recommendation=p.recommendation)
            if p
            else None,
            psychologist_contacts=[
                PsychologistContact(date=c.date, purpose=c.purpose) for c in x.psychologist_contacts
            ],
            health_visits=[HealthVisit(kind=v.kind, date=v.date) for v in x.health_visits],
            screenings=[Screening(instrument=s.instrument, score=s.score, date=s.date) for s in x.screenings],
            open_cases=x.open_cases,
            last_updated=x.last_updated,
        )


# --- KFF -----------------------------------------------------------------------------------------


@strawberry.type(description="Membership of a leisure association.")
class Membership:
    id: strawberry.ID = strawberry.field(description="KFF's id of the membership.")
    association: str = strawberry.field(description="The association (forening).")
    activity: str = strawberry.field(description="The activity, e.g. football, swimming.")
    since: date = strawberry.field(description="Member since.")
    active: bool = strawberry.field(description="Whether the membership is still active.")


@strawberry.type(description="Referral to a FritidsGuide (volunteer leisure guide).")
class FritidsGuideReferral:
    referred_on: date = strawberry.field(description="When the referral was made.")
    status: str = strawberry.field(description="REFERRED, MATCHED or ENDED.")
    guide_name: str | None = strawberry.field(description="The guide's first name, once matched.")


@strawberry.type(description="Membership subsidy (kontingentstøtte) for ages 3–17.")
class MembershipSubsidy:
    year: int = strawberry.field(description="The year the subsidy is for.")
    amount_dkk: int = strawberry.field(description="Subsidy towards the membership fee, up to 1,000 DKK.")
    equipment_dkk: int = strawberry.field(description="Subsidy towards equipment, up to 500 DKK.")


@strawberry.type(description="Participation in FerieCamp.")
class FerieCamp:
    year: int = strawberry.field(description="The year.")
    camp: str = strawberry.field(description="The camp.")
    week: int = strawberry.field(description="ISO week of the camp.")


@strawberry.type(description="Culture and leisure (KFF) data about one person.")
class LeisureRecord:
    person_id: strawberry.ID = strawberry.field(description="KFF's id of the person.")
    contact: Contact = strawberry.field(description="The person's contact in KFF.")
    memberships: list[Membership] = strawberry.field(description="Leisure memberships.")
    active_leisure: bool = strawberry.field(description="Whether any membership is active.")
    fritidsguide: FritidsGuideReferral | None = strawberry.field(description="FritidsGuide referral, if any.")
    subsidies: list[MembershipSubsidy] = strawberry.field(description="Membership subsidies granted.")
    feriecamps: list[FerieCamp] = strawberry.field(description="FerieCamp participation.")
    open_cases: int = strawberry.field(description="Number of open cases in KFF.")
    last_updated: datetime | None = strawberry.field(description="When KFF last changed this data.")

    @classmethod
    def of(cls, x: r.LeisureRecord) -> LeisureRecord:
        g = x.fritidsguide
        return cls(
            person_id=strawberry.ID(x.department_id),
            contact=Contact.of(x.contact),
            memberships=[
                Membership(
                    id=strawberry.ID(m.id),
                    association=m.association,
                    activity=m.activity,
                    since=m.since,
                    active=m.active,
                )
                for m in x.memberships
            ],
            active_leisure=any(m.active for m in x.memberships),
            fritidsguide=FritidsGuideReferral(
                referred_on=g.referred_on, status=g.status, guide_name=g.guide_name
            )
            if g
            else None,
            subsidies=[
                MembershipSubsidy(year=s.year, amount_dkk=s.amount_dkk, equipment_dkk=s.equipment_dkk)
                for s in x.subsidies
            ],
            feriecamps=[FerieCamp(year=c.year, camp=c.camp, week=c.week) for c in x.feriecamps],
            open_cases=x.open_cases,
            last_updated=x.last_updated,
        )


# --- SUF -----------------------------------------------------------------------------------------


@strawberry.type(description="A family health conversation (familiesundhedssamtale).")
class HealthConversation:
    date: date = strawberry.field(description="Date of the conversation.")
    topics: list[str] = strawberry.field(
        description="Topics discussed. Health data: empty without health consent."
    )


@strawberry.type(description="A referral to another health service.")
class HealthReferral:
    id: strawberry.ID = strawberry.field(description="SUF's id of the referral.")
    to: str = strawberry.field(description="OWN_GP, REGIONAL, DENTAL, ...")
    date: date = strawberry.field(description="Date of the referral.")
    status: str = strawberry.field(description="Status of the referral.")
    reason: str | None = strawberry.field(description="Reason. Health data: null without health consent.")


@strawberry.type(description="A municipal health service in progress.")
class HealthService:
    id: strawberry.ID = strawberry.field(description="SUF's id of the service.")
    name: str = strawberry.field(description="The service.")
    start: date = strawberry.field(description="First day.")
    status: str = strawberry.field(description="Status of the service.")


@strawberry.type(
    description="Health and care (SUF) data about one person. Details only under health consent."
)
class HealthRecord:
    citizen_id: strawberry.ID = strawberry.field(description="SUF's id of the citizen.")
    contact: Contact = strawberry.field(description="The person's contact in SUF.")
    conversations: list[HealthConversation] = strawberry.field(description="Family health conversations.")
    referrals: list[HealthReferral] = strawberry.field(description="Referrals.")
    services: list[HealthService] = strawberry.field(description="Municipal health services in progress.")
    open_cases: int = strawberry.field(description="Number of open cases in SUF.")
    last_updated: datetime | None = strawberry.field(description="When SUF last changed this data.")

    @classmethod
    def of(cls, x: r.HealthRecord) -> HealthRecord:
        return cls(
            citizen_id=strawberry.ID(x.department_id),
            contact=Contact.of(x.contact),
            conversations=[HealthConversation(date=c.date, topics=list(c.topics)) for c in x.conversations],
            referrals=[
                HealthReferral(id=strawberry.ID(f.id), to=f.to, date=f.date, status=f.status, reason=f.reason)
                for f in x.referrals
            ],
            services=[
                HealthService(id=strawberry.ID(s.id), name=s.name, start=s.start, status=s.status)
                for s in x.services
            ],
            open_cases=x.open_cases,
            last_updated=x.last_updated,
        )
