"""Appointments on the wire: every department sends the same few facts about a dated appointment, each in its
own naming style (BIF PascalCase, BUF and SUF camelCase, KFF snake_case, SOF Danish). One model per style,
mapped to `connectors.records.Appointment`; only the connectors import this module.
"""

from __future__ import annotations

from datetime import date

import pydantic
from pydantic import AwareDatetime
from pydantic.alias_generators import to_camel, to_pascal

from connectors._wire import WireModel, utc
from connectors.records import Appointment

# SOF's Danish field names for the same facts.
_DANISH = {
    "id": "id",
    "kind": "type",
    "title": "titel",
    "start": "start",
    "end": "slut",
    "place": "sted",
    "contact": "kontaktperson",
    "contact_role": "rolle",
    "service": "ydelse",
    "weekly_until": "ugentligTil",
    "health": "helbred",
}


class _AppointmentWire(WireModel):
    id: str
    kind: str
    title: str
    start: AwareDatetime
    end: AwareDatetime
    place: str | None = None
    contact: str | None = None
    contact_role: str | None = None
    service: str | None = None
    weekly_until: date | None = None
    health: bool = False

    def record(self) -> Appointment:
        start, end = utc(self.start), utc(self.end)
        assert start is not None  # noqa: S101 - a required field
        assert end is not None  # noqa: S101 - a required field
        return Appointment(
            id=self.id,
            kind=self.kind,
            title=self.title,
            start=start,
            end=end,
            place=self.place,
            contact=self.contact,
            contact_role=self.contact_role,
            service=self.service,
            weekly_until=self.weekly_until,
            health=self.health,
        )


_BASE = WireModel.model_config


class PascalAppointment(_AppointmentWire):
    model_config = pydantic.ConfigDict(**{**_BASE, "alias_generator": to_pascal})


class CamelAppointment(_AppointmentWire):
    model_config = pydantic.ConfigDict(**{**_BASE, "alias_generator": to_camel})


class SnakeAppointment(_AppointmentWire):
    pass


class DanishAppointment(_AppointmentWire):
    model_config = pydantic.ConfigDict(**{**_BASE, "alias_generator": _DANISH.__getitem__})


WIRE_KEYS: dict[str, dict[str, str]] = {
    "pascal": {k: to_pascal(k) for k in _DANISH},
    "camel": {k: to_camel(k) for k in _DANISH},
    "snake": {k: k for k in _DANISH},
    "danish": dict(_DANISH),
}
"""Hub field -> wire key, per style (the world generator writes with these)."""
