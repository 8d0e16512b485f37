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
# Goals that fit an older adult (pension age): no job goal for a 72-year-old.
SENIOR_GOALS: tuple[Template, ...] = (
    ("Bedre helbred og trivsel", (Department.SUF,), [(Department.SUF, "Familiesundhedssamtale")]),
    (
        "Tryg hverdag og netværk i nærområdet",
        (Department.KFF, Department.SUF),
        [(Department.KFF, "Seniorklub i boligområdet")],
    ),
    (
        "Støtte familien med de yngste børn",
        (Department.SOF,),
        [(Department.SOF, "Netværksmøde")],
    ),
)
JOB_GOAL = "Komme i job eller uddannelse"
DANISH_CLASSES_GOAL = "Danskundervisning og netværk"
PENSION_AGE = 67
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
    "{name} har selv foreslået det næste skridt.",
    "{name} oplever, at samarbejdet med kontaktpersonen fungerer.",
    "Det har været svært at finde tid; {name} ønsker færre møder og mere konkret hjælp.",
    "Skolen melder om bedre fremmøde de seneste uger.",
    "{name} er startet, men har brug for følgeskab de første gange.",
    "Familien har haft besøg af netværket; det gav ro i hjemmet.",
    "Aftalen blev udskudt på grund af sygdom; ny tid er fundet.",
    "{name} fortæller, at det går bedre end forventet.",
)
DECISIONS = (
    "Makkerparret følger op med skolen inden næste møde.",
    "Jobcentret fremrykker samtalen om praktik.",
    "Familien vælger selv fritidsaktivitet sammen med FritidsGuiden.",
    "Sundhedsplejen tilbyder et ekstra besøg.",
    "Næste møde holdes i familiens hjem.",
)


# Minutes are composed per meeting (hub/plan/seed.py): an opening, a line per goal, the family's voice, a close.
OPENINGS = (
    "Mødet blev holdt {where}. Til stede: {names} og kerneteamet.",
    "{names} deltog sammen med makkerparret; mødet blev holdt {where}.",
    "Opfølgning {where} med {names}. Tovholderen ledte mødet.",
    "Familiehandleplansmøde {where}. {names} var med hele mødet.",
)
GOAL_LINES = (
    "{goal}: der er sket fremskridt, og indsatsen fortsætter.",
    "{goal}: går langsommere end planlagt; delmålet er gjort mindre.",
    "{goal}: familien oplever forbedring, men vil gerne have mere støtte.",
    "{goal}: nået et godt stykke; næste skridt er aftalt.",
    "{goal}: uændret siden sidst; årsagen blev drøftet åbent.",
)
FAMILY_VOICE = (
    "{name} fortalte, at hverdagen er blevet mere overskuelig.",
    "{name} ønsker, at møderne fremover holdes hjemme.",
    "{name} var bekymret for økonomien, og det blev taget med til jobcentret.",
    "{name} bad om hjælp til at forstå brevene fra kommunen.",
    "{name} er glad for den faste kontaktperson.",
    "{name} ønsker mere tid til børnenes fritidsaktiviteter.",
)
CLOSINGS = (
    "Referatet er læst op og godkendt af familien.",
    "Familien fik referatet med hjem.",
    "Næste møde blev aftalt inden mødet sluttede.",
    "Alle aftaler står i familiehandleplanen.",
)
