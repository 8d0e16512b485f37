"""One list of the municipal people a family deals with: the core team (makkerpar first) and every contact in
the departments' records and appointments the viewer may see, de-duplicated by name and department."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from connectors import records as r
from hub.agenda.model import ContactPerson
from hub.plan.views import TeamMemberView

_TEAM_ROLES = {"COORDINATOR": "Tovholder", "MAKKERPAR": "Makkerpar", "CORE_TEAM": "Kerneteam"}
_RECORD_ROLES = {
    r.SocialRecord: "Sagsbehandler",
    r.EmploymentRecord: "Koordinerende sagsbehandler",
    r.ChildYouthRecord: "Kontaktperson (skole/dagtilbud)",
    r.LeisureRecord: "Fritidskonsulent",
    r.HealthRecord: "Sundhedsfaglig kontakt",
}


def _main_contact(record: r.DepartmentRecord) -> r.Contact:
    if isinstance(record, r.LeisureRecord | r.HealthRecord):
        return record.contact
    return record.caseworker


def family_contacts(
    team: Iterable[TeamMemberView], records: Iterable[tuple[str, r.DepartmentRecord]]
) -> list[ContactPerson]:
    """`records` are (person id, record) pairs the viewer may see. Makkerpar first, then the coordinator and the
    rest of the core team, then the departments' people by department and name."""
    found: dict[tuple[str, str], ContactPerson] = {}

    def add(contact: ContactPerson) -> None:
        key = (
            " ".join(contact.name.split()).casefold(),
            contact.department.value if contact.department else "",
        )
        known = found.get(key)
        if known is None:
            found[key] = contact
            return
        found[key] = replace(
            known,
            person_ids=tuple(sorted({*known.person_ids, *contact.person_ids})),
            phone=known.phone or contact.phone,
            email=known.email or contact.email,
            unit=known.unit or contact.unit,
        )

    for assignment in team:
        worker = assignment.worker
        add(
            ContactPerson(
                name=worker.display_name,
                department=worker.department,
                role=_TEAM_ROLES.get(str(assignment.team_role), str(assignment.team_role)),
                unit=worker.unit or None,
                makkerpar=str(assignment.team_role) == "MAKKERPAR",
                core_team=True,
            )
        )
    for person_id, record in records:
        main = _main_contact(record)
        add(
            ContactPerson(
                name=main.name,
                department=record.department,
                role=_RECORD_ROLES[type(record)],
                unit=main.unit,
                phone=main.phone,
                email=main.email,
                person_ids=(person_id,),
            )
        )
        for appointment in record.appointments:
            if appointment.contact:
                add(
                    ContactPerson(
                        name=appointment.contact,
                        department=record.department,
                        role=appointment.contact_role or "Kontaktperson",
                        person_ids=(person_id,),
                    )
                )

    def order(c: ContactPerson) -> tuple[int, str, str]:
        rank = 0 if c.makkerpar else 1 if c.role == "Tovholder" else 2 if c.core_team else 3
        return (rank, c.department.value if c.department else "", c.name)

    return sorted(found.values(), key=order)
