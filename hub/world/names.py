"""Name pools for the fictitious world: residents of Nørrebro and Bispebjerg, and municipal staff.

Pure data. Every combination the generator makes is fictitious; nothing here may name a real resident.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Origin:
    """A naming tradition as met in the housing areas: first names by sex and family names."""

    key: str
    weight: float
    male: tuple[str, ...]
    female: tuple[str, ...]
    surnames: tuple[str, ...]


# fmt: off
DANISH = Origin(
    key="danish",
    weight=0.34,
    male=(
        "Mads", "Jonas", "Rasmus", "Mikkel", "Søren", "Anders", "Kasper", "Thomas", "Martin", "Jesper",
        "Lars", "Henrik", "Frederik", "Emil", "Oliver", "William", "Noah", "Lucas", "Carl", "Magnus",
        "Villads", "Aksel", "Bjørn", "Malthe", "Valdemar", "Elias", "Victor", "Christian",
    ),
    female=(
        "Anne", "Mette", "Camilla", "Louise", "Maria", "Line", "Sofie", "Julie", "Ida", "Emma", "Freja",
        "Clara", "Alma", "Ella", "Karla", "Agnes", "Asta", "Josefine", "Nanna", "Signe", "Sara",
        "Laura", "Mathilde", "Maja", "Rikke", "Tina", "Pernille", "Birgitte",
    ),
    surnames=(
        "Nielsen", "Jensen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen", "Sørensen",
        "Rasmussen", "Jørgensen", "Petersen", "Madsen", "Kristensen", "Olsen", "Thomsen", "Poulsen",
        "Johansen", "Møller", "Mortensen", "Holm", "Lund", "Bach", "Dam", "Kjær", "Frandsen", "Skov",
    ),
)

ARABIC = Origin(
    key="arabic",
    weight=0.22,
    male=(
        "Mohammad", "Ahmad", "Ali", "Omar", "Khaled", "Yousef", "Ibrahim", "Hassan", "Hussein",
        "Mahmoud", "Bilal", "Jamal", "Karim", "Samir", "Walid", "Tariq", "Adam", "Zakaria", "Yahya",
        "Rami", "Nour", "Hamza", "Mustafa", "Amir",
    ),
    female=(
        "Fatima", "Aisha", "Mariam", "Noor", "Layla", "Amira", "Hiba", "Rania", "Dina", "Yasmin",
        "Salma", "Zainab", "Hanan", "Lina", "Malak", "Jana", "Sara", "Rim", "Huda", "Nadia", "Sana",
        "Iman", "Ranim", "Asmaa",
    ),
    surnames=(
        "Hassan", "Ali", "Ahmad", "Khalil", "Saleh", "Abdallah", "Mansour", "Haddad", "Youssef",
        "Ibrahim", "El-Sayed", "Awad", "Hamdan", "Nasser", "Qasem", "Darwish", "Zaher", "Khatib",
        "Omar", "Mahmoud", "Al-Hassani", "Jaber", "Rashid", "Sabri",
    ),
)

SOMALI = Origin(
    key="somali",
    weight=0.12,
    male=(
        "Abdi", "Abdirahman", "Mohamed", "Ahmed", "Hassan", "Yusuf", "Abdullahi", "Ismail", "Farah",
        "Liban", "Mahad", "Hamse", "Said", "Osman", "Bashir", "Idris",
    ),
    female=(
        "Hodan", "Amina", "Fadumo", "Khadra", "Sahra", "Hibo", "Ayan", "Nimo", "Ifrah", "Sagal", "Ubah",
        "Hamdi", "Deeqa", "Ladan", "Asli", "Sucaad",
    ),
    surnames=(
        "Abdi", "Hussein", "Warsame", "Jama", "Farah", "Osman", "Ali", "Nur", "Aden", "Hersi",
        "Mohamud", "Yusuf", "Egal", "Dualeh", "Guled", "Ismail",
    ),
)

TURKISH_KURDISH = Origin(
    key="turkish_kurdish",
    weight=0.13,
    male=(
        "Mehmet", "Murat", "Emre", "Burak", "Serkan", "Kemal", "Hakan", "Yusuf", "Deniz", "Baran",
        "Rojhat", "Serhat", "Azad", "Dilan", "Kaan", "Eren", "Berk", "Ömer",
    ),
    female=(
        "Ayşe", "Elif", "Zeynep", "Emine", "Hatice", "Meryem", "Derya", "Sevgi", "Berfin", "Rojin",
        "Nesrin", "Hêvî", "Esra", "Büşra", "Ela", "Defne", "Leyla", "Gülistan",
    ),
    surnames=(
        "Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Yıldız", "Öztürk", "Aydın", "Arslan", "Doğan",
        "Kılıç", "Aslan", "Korkmaz", "Tekin", "Baran", "Zana", "Amed", "Botan",
    ),
)

SOUTH_ASIAN = Origin(
    key="south_asian",
    weight=0.08,
    male=(
        "Imran", "Bilal", "Usman", "Faisal", "Zeeshan", "Kamran", "Asif", "Haris", "Danish", "Rehan",
        "Ahmad Shah", "Farid", "Hamid", "Naveed", "Shahid", "Sohail",
    ),
    female=(
        "Ayesha", "Sana", "Hina", "Mahnoor", "Zara", "Nida", "Rabia", "Saima", "Farzana", "Shabnam",
        "Mariam", "Parwin", "Nazia", "Samina", "Iqra", "Khadija",
    ),
    surnames=(
        "Khan", "Ahmed", "Hussain", "Iqbal", "Malik", "Butt", "Chaudhry", "Qureshi", "Sheikh", "Rahimi",
        "Ahmadzai", "Hakimi", "Noori", "Sultani", "Karimi", "Javed",
    ),
)

EAST_EUROPEAN = Origin(
    key="east_european",
    weight=0.05,
    male=(
        "Piotr", "Tomasz", "Krzysztof", "Marek", "Andrzej", "Bogdan", "Adrian", "Mihai", "Jakub",
        "Filip",
    ),
    female=(
        "Anna", "Katarzyna", "Magdalena", "Agnieszka", "Joanna", "Ewa", "Ioana", "Elena", "Zofia",
        "Natalia",
    ),
    surnames=(
        "Kowalski", "Nowak", "Wiśniewski", "Wójcik", "Kamiński", "Lewandowski", "Zieliński", "Popescu",
        "Ionescu", "Dąbrowski", "Mazur", "Kaczmarek",
    ),
)

AFRICAN_ENGLISH = Origin(
    key="african",
    weight=0.06,
    male=(
        "Kwame", "Kofi", "Emmanuel", "Samuel", "Daniel", "Joseph", "Tesfaye", "Dawit", "Chinedu", "Yaw",
    ),
    female=(
        "Abena", "Ama", "Grace", "Esther", "Mercy", "Hirut", "Selam", "Ngozi", "Blessing", "Adwoa",
    ),
    surnames=(
        "Mensah", "Owusu", "Boateng", "Asante", "Tesfaye", "Bekele", "Haile", "Okafor", "Adeyemi",
        "Nwosu", "Osei", "Kidane",
    ),
)

ORIGINS: tuple[Origin, ...] = (
    DANISH, ARABIC, SOMALI, TURKISH_KURDISH, SOUTH_ASIAN, EAST_EUROPEAN, AFRICAN_ENGLISH,
)

# Names that second-generation children in every tradition are often given in Copenhagen.
SHARED_CHILD_MALE: tuple[str, ...] = (
    "Adam", "Noah", "Elias", "Isak", "Yusuf", "Liam", "Sami", "Malik", "Zakaria",
)
SHARED_CHILD_FEMALE: tuple[str, ...] = (
    "Sara", "Sofia", "Lina", "Maya", "Yasmin", "Nora", "Ella", "Hana", "Alma",
)

# Municipal staff (caseworkers, contacts, guides): a separate, Danish-heavy pool of fictitious people.
STAFF_FIRST: tuple[str, ...] = (
    "Anne", "Birgitte", "Camilla", "Dorte", "Eva", "Helle", "Inge", "Julie", "Karin", "Lone",
    "Marianne", "Nina", "Pia", "Rikke", "Susanne", "Tine", "Vibeke", "Anders", "Bo", "Claus", "Jakob",
    "Kim", "Morten", "Niels", "Peter", "Torben", "Ulrik", "Yasmin", "Nadia", "Ahmad", "Mehmet", "Fatma",
    "Hodan", "Sidsel", "Gitte", "Lasse",
)
STAFF_LAST: tuple[str, ...] = (
    "Lauridsen", "Vestergaard", "Bruun", "Overgaard", "Damgaard", "Kofoed", "Bisgaard", "Winther",
    "Lykke", "Brandt", "Ravn", "Krogh", "Hjorth", "Sommer", "Falk", "Toft", "Schou", "Nygaard", "Aziz",
    "Demir", "Farah", "Khalil",
)
# fmt: on
