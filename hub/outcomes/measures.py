"""What a member's outcome snapshot holds: pure functions of typed department records and plan measurements.

Measures (each None when its source is not seen: no basis, not registered, not applicable):
- BENEFIT_TYPE, TARGET_GROUP (BIF): the benefit (or NONE) and the jobcentre's target group;
- ACTIVATION (BIF): activities running on the day (virksomhedspraktik, løntilskud, education, ...);
- UNLAWFUL_ABSENCE_PCT (BUF): the latest quarter's unlawful school absence;
- REPORTS_OF_CONCERN_6M, OPEN_INVESTIGATIONS (SOF): reports of concern in the last half year, open §20
  investigations;
- FUNCTIONING (SOF, health data): the latest assessment of the person's functioning on the day (ICS for a
  child, VUM for an adult; the ICF qualifier 0-4, higher is more difficulty), only with a health basis for SOF
  (without one the gate's redaction has removed the assessments, hub/family/redact.py);
- WHO5, ORS, CORS, SDQ (plan measurements, health data): the latest score, only with a health basis.
Each department may add its own effect indicators by configuration (`HUB_OUTCOME_INDICATORS`, JSON): a key,
a label, the department, a collection field of its record and equality filters; the measure is how many items
match (e.g. SOF's active supportive measures). No code per indicator.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from connectors.records import ChildYouthRecord, DepartmentRecord, EmploymentRecord, SocialRecord
from hub.domain import Department
from hub.plan.domain import Instrument

HALF_YEAR = timedelta(days=183)
ACTIVATION_KINDS = frozenset(
    {"VIRKSOMHEDSPRAKTIK", "LOENTILSKUD", "EDUCATION", "MENTOR", "FRITIDSJOB", "SMAAJOB"}
)

Value = str | float | int | None


@dataclass(frozen=True, slots=True)
class ConfiguredIndicator:
    """A department's own effect indicator: count the items of `collection` whose fields equal `where`."""

    key: str
    label: str
    department: Department
    collection: str
    where: Mapping[str, str]

    def measure(self, record: DepartmentRecord | None) -> int | None:
        if record is None or record.department is not self.department:
            return None
        items = getattr(record, self.collection, None)
        if not isinstance(items, tuple):
            return None
        return sum(
            1
            for item in items
            if dataclasses.is_dataclass(item)
            and all(str(getattr(item, k, None)) == v for k, v in self.where.items())
        )


def parse_indicators(raw: str) -> tuple[ConfiguredIndicator, ...]:
    """`HUB_OUTCOME_INDICATORS`: a JSON list of {key, label, department, collection, where}. ValueError if bad."""
    if not raw.strip():
        return ()
    data = json.loads(raw)
    if not isinstance(data, list):
        raise ValueError("outcome indicators must be a JSON list")
    out = []
    for entry in data:
        if not isinstance(entry, dict):
            raise ValueError("each outcome indicator must be an object")
        where = entry.get("where", {})
        if not isinstance(where, dict):
            raise ValueError("an indicator's `where` must be an object")
        out.append(
            ConfiguredIndicator(
                key=str(entry["key"]),
                label=str(entry["label"]),
                department=Department(str(entry["department"])),
                collection=str(entry["collection"]),
                where={str(k): str(v) for k, v in where.items()},
            )
        )
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Score:
    instrument: Instrument
    score: float
    measured_on: date


def measure(
    records: Mapping[Department, DepartmentRecord | None],
    scores: Iterable[Score] | None,
    on: date,
    indicators: Iterable[ConfiguredIndicator] = (),
) -> dict[str, Value]:
    """One member's measures on `on` from what was seen (`records` holds only what the gate allowed;
    `scores` is None without a health basis)."""
    out: dict[str, Value] = {}
    bif = records.get(Department.BIF)
    if isinstance(bif, EmploymentRecord):
        out["BENEFIT_TYPE"] = bif.benefit.type if bif.benefit is not None else "NONE"
        out["TARGET_GROUP"] = bif.target_group
        running = sorted(
            {
                a.kind
                for a in bif.activities
                if a.kind in ACTIVATION_KINDS and a.start <= on and (a.end is None or a.end >= on)
            }
        )
        out["ACTIVATION"] = ", ".join(running) if running else "NONE"
    buf = records.get(Department.BUF)
    if isinstance(buf, ChildYouthRecord) and buf.absence:
        out["UNLAWFUL_ABSENCE_PCT"] = max(buf.absence, key=lambda q: q.quarter).unlawful_pct
    sof = records.get(Department.SOF)
    if isinstance(sof, SocialRecord):
        out["REPORTS_OF_CONCERN_6M"] = sum(
            1 for r in sof.reports_of_concern if on - HALF_YEAR <= r.received_on <= on
        )
        out["OPEN_INVESTIGATIONS"] = sum(1 for i in sof.investigations if i.status == "OPEN")
        assessed = [f for f in sof.functioning if f.assessed_on <= on]
        if assessed:
            out["FUNCTIONING"] = max(assessed, key=lambda f: f.assessed_on).level
    if scores is not None:
        latest: dict[Instrument, Score] = {}
        for s in scores:
            if s.measured_on <= on and (
                s.instrument not in latest or s.measured_on >= latest[s.instrument].measured_on
            ):
                latest[s.instrument] = s
        for instrument, s in latest.items():
            out[instrument.value] = s.score
    for indicator in indicators:
        value = indicator.measure(records.get(indicator.department))
        if value is not None:
            out[indicator.key] = value
    return out


LABELS: dict[str, str] = {
    "BENEFIT_TYPE": "Forsørgelse (ydelsestype)",
    "TARGET_GROUP": "Målgruppe i jobcentret",
    "ACTIVATION": "Aktivering (praktik, løntilskud, uddannelse)",
    "UNLAWFUL_ABSENCE_PCT": "Ulovligt skolefravær, seneste kvartal (%)",
    "REPORTS_OF_CONCERN_6M": "Underretninger det seneste halve år",
    "OPEN_INVESTIGATIONS": "Igangværende børnefaglige undersøgelser",
    "FUNCTIONING": "Funktionsniveau (ICS/VUM, 0 ingen – 4 fuldstændige vanskeligheder)",
    "WHO5": "WHO-5 trivselsindeks",
    "ORS": "ORS",
    "CORS": "CORS",
    "SDQ": "SDQ, samlede vanskeligheder",
}
