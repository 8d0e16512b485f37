"""GraphQL types of each department's typed record, derived from the records themselves (connectors/records.py).

Fields, descriptions and nullability are written once, on the record; the derived types resolve straight from the
record objects. For the type checker each GraphQL type is the record it resolves from.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from connectors import records as r
from schema.derived import Deriver

_INTERNAL = ("appointments", "sensitivity", "department")  # the agenda and the gate read these, not the API

if TYPE_CHECKING:
    Contact = r.Contact
    SocialRecord = r.SocialRecord
    EmploymentRecord = r.EmploymentRecord
    ChildYouthRecord = r.ChildYouthRecord
    LeisureRecord = r.LeisureRecord
    HealthRecord = r.HealthRecord
else:
    _d = Deriver()
    Contact = _d.derive(r.Contact)
    # SOF
    for _record in (
        r.ReportOfConcern,
        r.ChildWelfareInvestigation,
        r.SupportiveMeasure,
        r.Placement,
        r.AdultSupport,
        r.FunctioningAssessment,
    ):
        _d.derive(_record)
    SocialRecord = _d.derive(r.SocialRecord, names={"department_id": "caseId"}, hidden=_INTERNAL)
    # BIF
    _d.derive(r.Benefit)
    _d.derive(r.EmploymentActivity)
    EmploymentRecord = _d.derive(r.EmploymentRecord, names={"department_id": "citizenId"}, hidden=_INTERNAL)
    # BUF
    _d.derive(r.Institution)
    _d.derive(r.AbsenceQuarter, computed={"unlawful_flag": "unlawful_pct"})
    for _record in (r.PedagogicalAssessment, r.PsychologistContact, r.HealthVisit, r.Screening):
        _d.derive(_record)
    ChildYouthRecord = _d.derive(
        r.ChildYouthRecord,
        names={"department_id": "childId"},
        hidden=_INTERNAL,
        computed={"unlawful_absence_flag": "absence"},
    )
    # KFF
    for _record in (r.Membership, r.FritidsGuideReferral, r.MembershipSubsidy, r.FerieCamp):
        _d.derive(_record)
    LeisureRecord = _d.derive(
        r.LeisureRecord,
        names={"department_id": "personId"},
        hidden=_INTERNAL,
        computed={"active_leisure": "memberships"},
    )
    # SUF
    for _record in (r.HealthConversation, r.HealthReferral, r.HealthService):
        _d.derive(_record)
    HealthRecord = _d.derive(r.HealthRecord, names={"department_id": "citizenId"}, hidden=_INTERNAL)
