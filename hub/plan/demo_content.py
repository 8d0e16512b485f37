"""Danish demo text for the seeded plans: goal templates with their departments and actions, notes, decisions.

Pure constants, fictitious and generic: no person, no case, no health detail.
"""

from __future__ import annotations

from hub.domain import Department

# (title, departments involved, [(department, kind of service)])
Template = tuple[str, tuple[Department, ...], list[tuple[Department, str]]]

FAMILY_GOALS: tuple[Template, ...] = (
    (
        "En fælles hverdagsstruktur i hjemmet",
        (Department.SOF, Department.BUF),
        [(Department.SOF, "Familiebehandling (§32)")],
    ),
    (
        "Overblik over økonomi og bolig",
        (Department.BIF, Department.SOF),
        [(Department.BIF, "Økonomisk rådgivning")],
    ),
    ("Familien deltager i fællesskaber i området", (Department.KFF,), [(Department.KFF, "FerieCamp")]),
)
ADULT_GOALS: tuple[Template, ...] = (
    (
        "Komme i job eller uddannelse",
        (Department.BIF,),
        [(Department.BIF, "Virksomhedspraktik"), (Department.BIF, "Mentor")],
    ),
    ("Bedre helbred og trivsel", (Department.SUF,), [(Department.SUF, "Familiesundhedssamtale")]),
    ("Danskundervisning og netværk", (Department.BIF, Department.KFF), [(Department.BIF, "Danskuddannelse")]),
)
SCHOOL_GOALS: tuple[Template, ...] = (
    (
        "Stabilt fremmøde i skolen",
        (Department.BUF, Department.SOF),
        [(Department.BUF, "Fremmødeplan med skolen"), (Department.SOF, "Kontaktperson (§32)")],
    ),
    (
        "En fast fritidsaktivitet",
        (Department.KFF,),
        [(Department.KFF, "FritidsGuide"), (Department.KFF, "Kontingentstøtte")],
    ),
)
YOUTH_GOALS: tuple[Template, ...] = (
    (
        "Fritidsjob ved siden af skolen",
        (Department.BIF, Department.KFF),
        [(Department.BIF, "Fritidsjob/småjob")],
    ),
)
SMALL_CHILD_GOALS: tuple[Template, ...] = (
    (
        "Trives og udvikler sig i daginstitutionen",
        (Department.BUF,),
        [(Department.BUF, "Sundhedsplejebesøg")],
    ),
)
NOTES = (
    "Familien fortæller, at morgenerne er blevet roligere.",
    "Aftalt at følge op på næste familiehandleplansmøde.",
    "Mødt op til alle aftaler den seneste måned.",
    "Lidt tilbagegang efter ferien; planen justeres.",
)
DECISIONS = (
    "Makkerparret følger op med skolen inden næste møde.",
    "Jobcentret fremrykker samtalen om praktik.",
    "Familien vælger selv fritidsaktivitet sammen med FritidsGuiden.",
    "Sundhedsplejen tilbyder et ekstra besøg.",
    "Næste møde holdes i familiens hjem.",
)


MINUTES = (
    "Familien og kerneteamet gennemgik målene. Familien fortalte om hverdagen siden sidst; "
    "fremskridt og udfordringer blev noteret, og indsatserne blev justeret."
)
