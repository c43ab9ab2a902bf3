"""Fixed reference data of the generated racing world: racecourses, circuits, distances, labels.

Codes and labels follow the style of the PMU programme (``"VIN"``, ``"VINCENNES"``,
``"HIPPODROME DE PARIS-VINCENNES"``). Only a handful of codes are taken from real captures; the
rest are plausible three-letter codes, which is all the consumers rely on.
"""

from __future__ import annotations

from dataclasses import dataclass

TROT = "TROT"
PLAT = "PLAT"
OBSTACLE = "OBSTACLE"
FAMILIES = (TROT, PLAT, OBSTACLE)

ATTELE, MONTE, PLAT_D, HAIE, STEEPLE, CROSS = range(6)
DISCIPLINES = ("ATTELE", "MONTE", "PLAT", "HAIE", "STEEPLECHASE", "CROSS")
SPECIALITES = ("TROT_ATTELE", "TROT_MONTE", "PLAT", "OBSTACLE", "OBSTACLE", "OBSTACLE")
MUSIQUE_LETTER = ("a", "m", "p", "h", "s", "c")
FAMILY_OF_DISCIPLINE = (TROT, TROT, PLAT, OBSTACLE, OBSTACLE, OBSTACLE)

DISTANCES: dict[int, tuple[int, ...]] = {
    ATTELE: (2100, 2100, 2150, 2175, 2200, 2600, 2650, 2700, 2700, 2825, 2850, 2875, 2950),
    MONTE: (2150, 2175, 2200, 2550, 2700, 2825, 2850),
    PLAT_D: (1000, 1100, 1200, 1300, 1400, 1500, 1600, 1600, 1800, 1900, 2000, 2100, 2400, 2500, 3000),
    HAIE: (3000, 3200, 3400, 3500, 3600, 3800, 3900, 4000),
    STEEPLE: (3500, 3600, 3800, 3900, 4100, 4300, 4400, 4600, 5100, 5500),
    CROSS: (4000, 4100, 4500, 5000, 5500, 6000),
}
FIELD_LIMITS: dict[str, tuple[int, int]] = {TROT: (6, 18), PLAT: (5, 20), OBSTACLE: (8, 16)}


@dataclass(frozen=True)
class Racecourse:
    """A racecourse as the programme names it."""

    code: str
    short: str
    long: str
    display: str  # the mixed-case name used by past performances
    families: tuple[str, ...]
    corde: str | None = "CORDE_GAUCHE"
    region: str | None = None  # regionHippique of regional meetings
    sand: bool = False  # has an all-weather (PSF) track


FRENCH_RACECOURSES: tuple[Racecourse, ...] = (
    Racecourse("VIN", "VINCENNES", "HIPPODROME DE PARIS-VINCENNES", "Vincennes", (TROT,)),
    Racecourse("ENG", "ENGHIEN", "HIPPODROME D'ENGHIEN SOISY", "Enghien", (TROT, OBSTACLE), "CORDE_DROITE"),
    Racecourse("CAE", "CAEN", "HIPPODROME DE CAEN", "Caen", (TROT, PLAT), "CORDE_GAUCHE"),
    Racecourse("CRO", "LE CROISE LAROCHE", "HIPPODROME DU CROISE LAROCHE", "Le Croisé-Laroche", (TROT, PLAT)),
    Racecourse("CAB", "CABOURG", "HIPPODROME DE CABOURG", "Cabourg", (TROT,)),
    Racecourse("LAV", "LAVAL", "HIPPODROME DE LAVAL", "Laval", (TROT,), "CORDE_DROITE"),
    Racecourse("VIC", "VICHY", "HIPPODROME DE VICHY", "Vichy", (TROT, PLAT), "CORDE_DROITE"),
    Racecourse("COR", "CORDEMAIS", "HIPPODROME DE CORDEMAIS", "Cordemais", (TROT,), region="REGION_OUEST"),
    Racecourse(
        "PCH", "PONTCHATEAU", "HIPPODROME DE PONTCHATEAU", "Pontchâteau", (TROT,), region="REGION_OUEST"
    ),
    Racecourse(
        "RAM", "RAMBOUILLET", "HIPPODROME DE RAMBOUILLET", "Rambouillet", (TROT,), region="REGION_CENTRE_EST"
    ),
    Racecourse(
        "BEA",
        "BEAUMONT DE LOMAGNE",
        "HIPPODROME DE BEAUMONT DE LOMAGNE",
        "Beaumont-de-Lomagne",
        (TROT,),
        "CORDE_DROITE",
        region="REGION_SUD_OUEST",
    ),
    Racecourse(
        "CRP",
        "CARPENTRAS",
        "HIPPODROME DE CARPENTRAS",
        "Carpentras",
        (TROT,),
        "CORDE_DROITE",
        region="REGION_SUD",
    ),
    Racecourse("MAU", "MAUQUENCHY", "HIPPODROME DE MAUQUENCHY", "Mauquenchy", (TROT,), region="REGION_NORD"),
    Racecourse("GRA", "GRAIGNES", "HIPPODROME DE GRAIGNES", "Graignes", (TROT,), region="REGION_OUEST"),
    Racecourse("REI", "REIMS", "HIPPODROME DE REIMS", "Reims", (TROT,), "CORDE_DROITE"),
    Racecourse("AGE", "AGEN", "HIPPODROME D'AGEN LE PASSAGE", "Agen", (TROT,), region="REGION_SUD_OUEST"),
    Racecourse(
        "CHA", "CHANTILLY", "HIPPODROME DE CHANTILLY", "Chantilly", (PLAT,), "CORDE_DROITE", sand=True
    ),
    Racecourse(
        "LON", "PARISLONGCHAMP", "HIPPODROME DE PARISLONGCHAMP", "ParisLongchamp", (PLAT,), "CORDE_DROITE"
    ),
    Racecourse(
        "DEA", "DEAUVILLE", "HIPPODROME DE DEAUVILLE", "Deauville", (PLAT,), "CORDE_DROITE", sand=True
    ),
    Racecourse("SCL", "SAINT-CLOUD", "HIPPODROME DE SAINT-CLOUD", "Saint-Cloud", (PLAT,)),
    Racecourse(
        "LYP", "LYON-PARILLY", "HIPPODROME DE LYON-PARILLY", "Lyon-Parilly", (PLAT, OBSTACLE), "CORDE_DROITE"
    ),
    Racecourse(
        "VIL",
        "LYON LA SOIE",
        "HIPPODROME DE LYON LA SOIE",
        "Lyon-la-Soie",
        (PLAT, TROT),
        "CORDE_DROITE",
        sand=True,
    ),
    Racecourse("PET", "NANTES", "HIPPODROME DE NANTES", "Nantes", (PLAT, OBSTACLE, TROT)),
    Racecourse("TOU", "TOULOUSE", "HIPPODROME DE TOULOUSE", "Toulouse", (PLAT, OBSTACLE), "CORDE_DROITE"),
    Racecourse(
        "MAR", "MONT DE MARSAN", "HIPPODROME DE MONT DE MARSAN", "Mont-de-Marsan", (PLAT,), "CORDE_DROITE"
    ),
    Racecourse("PAU", "PAU", "HIPPODROME DE PAU", "Pau", (PLAT, OBSTACLE), "CORDE_DROITE", sand=True),
    Racecourse(
        "CAG", "CAGNES/MER", "HIPPODROME DE CAGNES/MER", "Cagnes-sur-Mer", (PLAT, OBSTACLE, TROT), sand=True
    ),
    Racecourse("COM", "COMPIEGNE", "HIPPODROME DE COMPIEGNE", "Compiègne", (PLAT, OBSTACLE), "CORDE_DROITE"),
    Racecourse(
        "FON",
        "FONTAINEBLEAU",
        "HIPPODROME DE FONTAINEBLEAU",
        "Fontainebleau",
        (PLAT, OBSTACLE),
        "CORDE_DROITE",
    ),
    Racecourse("STR", "STRASBOURG", "HIPPODROME DE STRASBOURG", "Strasbourg", (PLAT, OBSTACLE)),
    Racecourse(
        "CLA",
        "CLAIREFONTAINE",
        "HIPPODROME DE CLAIREFONTAINE",
        "Clairefontaine",
        (PLAT, OBSTACLE),
        "CORDE_DROITE",
    ),
    Racecourse(
        "LTE", "LA TESTE DE BUCH", "HIPPODROME DE LA TESTE DE BUCH", "La Teste", (PLAT,), "CORDE_DROITE"
    ),
    Racecourse("BOR", "BORDEAUX LE BOUSCAT", "HIPPODROME DE BORDEAUX LE BOUSCAT", "Bordeaux", (PLAT, TROT)),
    Racecourse("AUT", "AUTEUIL", "HIPPODROME D'AUTEUIL", "Auteuil", (OBSTACLE,), None),
    Racecourse("CRA", "CRAON", "HIPPODROME DE CRAON", "Craon", (OBSTACLE, TROT), None, region="REGION_OUEST"),
    Racecourse(
        "LIO", "LE LION D'ANGERS", "HIPPODROME DU LION D'ANGERS", "Le Lion-d'Angers", (OBSTACLE,), None
    ),
    Racecourse("DIE", "DIEPPE", "HIPPODROME DE DIEPPE", "Dieppe", (PLAT, TROT), "CORDE_DROITE"),
)


@dataclass(frozen=True)
class Circuit:
    """A population of horses that race against each other: a country and a family of racing.

    French circuits race every day; a foreign circuit only on its ``weekdays`` (Monday is 0), and
    its horses keep to one of those weekdays so that their schedule meets a meeting.
    """

    code: str
    country: str
    country_label: str
    family: str
    slots: int
    periods: tuple[int, ...]
    period_weights: tuple[float, ...]
    riders: int
    trainers: int
    start_ages: tuple[int, int]
    career_days: tuple[int, int]
    weekdays: tuple[int, ...] | None = None
    racecourses: tuple[Racecourse, ...] = ()
    first_race: tuple[int, int] = (13 * 60, 14 * 60)  # local Paris minutes: earliest, latest first race
    prize: tuple[int, int] = (15000, 45000)
    race_count: tuple[int, int] = (6, 9)
    nature: str = "DIURNE"
    breed: str = "PUR-SANG"
    horse_country: str = "France"


_FR_PERIODS = (14, 16, 18, 21, 24, 28, 32, 35, 42)
_FR_WEIGHTS = (0.6, 0.8, 1.0, 1.4, 1.2, 1.2, 0.9, 0.8, 0.6)
_WEEKLY = (7, 14, 21, 28)
_WEEKLY_WEIGHTS = (0.3, 1.0, 1.0, 0.6)


def _foreign(
    code: str, short: str, long: str, display: str, family: str, corde: str | None = "CORDE_GAUCHE"
) -> Racecourse:
    return Racecourse(code, short, long, display, (family,), corde)


CIRCUITS: tuple[Circuit, ...] = (
    Circuit(
        "FR_TROT",
        "FRA",
        "FRANCE",
        TROT,
        slots=8600,
        periods=_FR_PERIODS,
        period_weights=_FR_WEIGHTS,
        riders=420,
        trainers=760,
        start_ages=(2, 4),
        career_days=(900, 1600),
        breed="TROTTEUR FRANCAIS",
    ),
    Circuit(
        "FR_PLAT",
        "FRA",
        "FRANCE",
        PLAT,
        slots=5600,
        periods=_FR_PERIODS,
        period_weights=_FR_WEIGHTS,
        riders=230,
        trainers=480,
        start_ages=(2, 3),
        career_days=(540, 1400),
    ),
    Circuit(
        "FR_OBSTACLE",
        "FRA",
        "FRANCE",
        OBSTACLE,
        slots=2700,
        periods=_FR_PERIODS,
        period_weights=_FR_WEIGHTS,
        riders=130,
        trainers=260,
        start_ages=(3, 5),
        career_days=(700, 1400),
        breed="AQPS",
    ),
    Circuit(
        "SE_TROT",
        "SWE",
        "SUEDE",
        TROT,
        slots=460,
        periods=_WEEKLY,
        period_weights=_WEEKLY_WEIGHTS,
        riders=45,
        trainers=60,
        start_ages=(3, 5),
        career_days=(700, 1500),
        weekdays=(2, 5),
        racecourses=(
            _foreign("SOL", "SOLVALLA", "HIPPODROME DE SOLVALLA", "Solvalla", TROT),
            _foreign("ABY", "ABY", "HIPPODROME D'ABY", "Åby", TROT),
            _foreign("JAG", "JAGERSRO", "HIPPODROME DE JAGERSRO", "Jägersro", TROT),
        ),
        first_race=(17 * 60 + 30, 19 * 60),
        prize=(3000, 12000),
        race_count=(6, 9),
        nature="SEMINOCTURNE",
        breed="TROTTEUR ETRANGER",
        horse_country="Suède",
    ),
    Circuit(
        "DE_PLAT",
        "DEU",
        "ALLEMAGNE",
        PLAT,
        slots=240,
        periods=_WEEKLY,
        period_weights=_WEEKLY_WEIGHTS,
        riders=35,
        trainers=50,
        start_ages=(2, 4),
        career_days=(500, 1200),
        weekdays=(6,),
        racecourses=(
            _foreign("D15", "NEUSS", "HIPPODROME DE NEUSS", "Neuss", PLAT, "CORDE_DROITE"),
            _foreign("KOL", "COLOGNE", "HIPPODROME DE COLOGNE", "Cologne", PLAT, "CORDE_DROITE"),
            _foreign("HOP", "HOPPEGARTEN", "HIPPODROME DE HOPPEGARTEN", "Hoppegarten", PLAT, "CORDE_DROITE"),
        ),
        first_race=(12 * 60 + 30, 14 * 60),
        prize=(4000, 9000),
        race_count=(6, 9),
        horse_country="Allemagne",
    ),
    Circuit(
        "DE_TROT",
        "DEU",
        "ALLEMAGNE",
        TROT,
        slots=470,
        periods=_WEEKLY,
        period_weights=_WEEKLY_WEIGHTS,
        riders=40,
        trainers=50,
        start_ages=(3, 5),
        career_days=(700, 1500),
        weekdays=(1, 4),
        racecourses=(
            _foreign("GEL", "GELSENKIRCHEN", "HIPPODROME DE GELSENKIRCHEN", "Gelsenkirchen", TROT),
            _foreign("MAH", "MARIENDORF", "HIPPODROME DE BERLIN MARIENDORF", "Mariendorf", TROT),
        ),
        first_race=(17 * 60 + 30, 18 * 60 + 30),
        prize=(3000, 8000),
        race_count=(6, 9),
        nature="SEMINOCTURNE",
        breed="TROTTEUR ETRANGER",
        horse_country="Allemagne",
    ),
    Circuit(
        "AT_TROT",
        "AUT",
        "AUTRICHE",
        TROT,
        slots=170,
        periods=_WEEKLY,
        period_weights=_WEEKLY_WEIGHTS,
        riders=30,
        trainers=35,
        start_ages=(3, 5),
        career_days=(700, 1500),
        weekdays=(6,),
        racecourses=(_foreign("KRI", "KRIEAU (VIENNE)", "HIPPODROME DE KRIEAU  VIENNE", "Krieau", TROT),),
        first_race=(17 * 60, 18 * 60 + 45),
        prize=(3000, 6000),
        race_count=(4, 7),
        nature="SEMINOCTURNE",
        breed="TROTTEUR ETRANGER",
        horse_country="Autriche",
    ),
    Circuit(
        "HK_PLAT",
        "AAA",
        "Indetermine",
        PLAT,
        slots=330,
        periods=_WEEKLY,
        period_weights=_WEEKLY_WEIGHTS,
        riders=30,
        trainers=25,
        start_ages=(3, 5),
        career_days=(600, 1400),
        weekdays=(2, 6),
        racecourses=(
            _foreign(
                "SHT",
                "SHA TIN (HONG KONG)",
                "HIPPODROME DE SHA TIN HONG KONG",
                "Sha Tin",
                PLAT,
                "CORDE_DROITE",
            ),
            _foreign(
                "HAP",
                "HAPPY VALLEY (HONG KONG)",
                "HIPPODROME DE HAPPY VALLEY",
                "Happy Valley",
                PLAT,
                "CORDE_DROITE",
            ),
        ),
        first_race=(7 * 60, 9 * 60 + 15),
        prize=(130000, 700000),
        race_count=(4, 6),
        horse_country="Hong-Kong",
    ),
    Circuit(
        "AR_PLAT",
        "ARG",
        "Argentine",
        PLAT,
        slots=760,
        periods=_WEEKLY,
        period_weights=_WEEKLY_WEIGHTS,
        riders=50,
        trainers=60,
        start_ages=(2, 4),
        career_days=(500, 1300),
        weekdays=(0, 3, 5, 6),
        racecourses=(
            _foreign("SIO", "SAN ISIDRO", "HIPPODROME DE SAN ISIDRO ARG", "San Isidro", PLAT),
            _foreign("PMO", "PALERMO", "HIPPODROME DE PALERMO ARG", "Palermo", PLAT),
        ),
        first_race=(19 * 60 + 30, 20 * 60 + 45),
        prize=(2500, 11000),
        race_count=(5, 7),
        nature="NOCTURNE",
        horse_country="Argentine",
    ),
    Circuit(
        "CL_PLAT",
        "CHL",
        "Chili",
        PLAT,
        slots=460,
        periods=_WEEKLY,
        period_weights=_WEEKLY_WEIGHTS,
        riders=35,
        trainers=40,
        start_ages=(2, 4),
        career_days=(500, 1300),
        weekdays=(0, 4),
        racecourses=(
            _foreign("S88", "SANTIAGO", "HIPPODROME DE SANTIAGO CHILI", "Santiago", PLAT, "CORDE_DROITE"),
        ),
        first_race=(18 * 60 + 30, 19 * 60 + 30),
        prize=(2000, 9000),
        race_count=(6, 9),
        nature="SEMINOCTURNE",
        horse_country="Chili",
    ),
    Circuit(
        "UY_PLAT",
        "URY",
        "Uruguay",
        PLAT,
        slots=150,
        periods=_WEEKLY,
        period_weights=_WEEKLY_WEIGHTS,
        riders=25,
        trainers=30,
        start_ages=(2, 4),
        career_days=(500, 1300),
        weekdays=(5,),
        racecourses=(_foreign("MXD", "MARONAS", "HIPPODROME DE MARONAS URUGUAY", "Maroñas", PLAT),),
        first_race=(20 * 60 + 30, 21 * 60 + 30),
        prize=(6000, 15000),
        race_count=(4, 6),
        nature="NOCTURNE",
        horse_country="Uruguay",
    ),
)

# Where the French circuits race.
FRENCH_BY_FAMILY: dict[str, tuple[Racecourse, ...]] = {
    family: tuple(rc for rc in FRENCH_RACECOURSES if family in rc.families) for family in FAMILIES
}
# French first-race windows (local minutes) for meetings after the main one.
FRENCH_SLOTS: tuple[tuple[int, int, str], ...] = (
    (11 * 60, 12 * 60, "DIURNE"),
    (11 * 60 + 30, 12 * 60 + 30, "DIURNE"),
    (12 * 60 + 30, 13 * 60 + 30, "DIURNE"),
    (14 * 60, 15 * 60, "DIURNE"),
    (16 * 60, 17 * 60, "SEMINOCTURNE"),
    (17 * 60, 18 * 60, "SEMINOCTURNE"),
    (18 * 60 + 30, 19 * 60 + 30, "NOCTURNE"),
    (12 * 60, 13 * 60, "DIURNE"),
    (15 * 60, 16 * 60, "DIURNE"),
)
MAIN_FIRST_RACE = (13 * 60 + 15, 13 * 60 + 55)
LAST_START = 23 * 60 + 40

# Share of the prize paid to each place (first to seventh), by family of racing.
PRIZE_SHARES: dict[str, tuple[float, ...]] = {
    TROT: (0.45, 0.25, 0.14, 0.08, 0.05, 0.02, 0.01),
    PLAT: (0.50, 0.19, 0.14, 0.09, 0.04),
    OBSTACLE: (0.50, 0.19, 0.14, 0.09, 0.04),
}

# Incident kinds; the rate of each per runner, by discipline.
CLASSIFIED, NON_PARTANT, DISQUALIFIE, ARRETE, TOMBE, DEROBE, DISTANCE = range(7)
INCIDENT_TYPES = {
    NON_PARTANT: "NON_PARTANT",
    DISQUALIFIE: "DISQUALIFIE_POUR_ALLURE_IRREGULIERE",
    ARRETE: "ARRETE",
    TOMBE: "TOMBE",
    DEROBE: "DEROBE",
    DISTANCE: "DISTANCE",
}
MUSIQUE_INCIDENT = {DISQUALIFIE: "D", ARRETE: "A", TOMBE: "T", DEROBE: "R", DISTANCE: "D"}
PERF_STATUS = {
    DISQUALIFIE: "DISQUALIFIE",
    ARRETE: "ARRETE",
    TOMBE: "TOMBE",
    DEROBE: "DEROBE",
    DISTANCE: "DISTANCE",
}
INCIDENT_RATES: dict[int, tuple[tuple[int, float], ...]] = {
    ATTELE: ((DISQUALIFIE, 0.075), (DISTANCE, 0.004)),
    MONTE: ((DISQUALIFIE, 0.09), (DISTANCE, 0.004)),
    PLAT_D: ((ARRETE, 0.004),),
    HAIE: ((TOMBE, 0.035), (ARRETE, 0.04), (DEROBE, 0.004)),
    STEEPLE: ((TOMBE, 0.06), (ARRETE, 0.05), (DEROBE, 0.006)),
    CROSS: ((TOMBE, 0.05), (ARRETE, 0.05), (DEROBE, 0.01)),
}

# Past-performance margin labels (libelleCourt, libelleLong, code, identifiant), by length lost.
MARGINS: tuple[tuple[float, tuple[str, str, int, str]], ...] = (
    (0.05, ("NEZ", "Nez", 1, "NEZ")),
    (0.1, ("CTE TETE", "Courte tête", 2, "COURTE_TETE")),
    (0.2, ("TETE", "Tête", 10, "TETE")),
    (0.3, ("CTE ENC.", "Courte encolure", 20, "COURTE_ENCOLURE")),
    (0.4, ("ENC.", "Encolure", 30, "ENCOLURE")),
    (0.6, ("1/2 L", "Demi-longueur", 50, "DEMI_LONGUEUR")),
    (0.85, ("3/4 L", "Trois quarts de longueur", 75, "TROIS_QUARTS_DE_LONGUEUR")),
    (1.1, ("1 L", "Une longueur", 100, "UNE_LONGUEUR")),
    (1.35, ("1 L 1/4", "Une longueur et quart", 125, "UNE_LONGUEUR_ET_QUART")),
    (1.6, ("1 L 1/2", "Une longueur et demie", 150, "UNE_LONGUEUR_ET_DEMIE")),
    (1.85, ("1 L 3/4", "Une longueur trois quarts", 175, "UNE_LONGUEUR_TROIS_QUARTS")),
    (2.25, ("2 L", "Deux longueurs", 200, "DEUX_LONGUEURS")),
    (2.75, ("2 L 1/2", "Deux longueurs et demie", 250, "DEUX_LONGUEURS_ET_DEMIE")),
    (3.25, ("3 L", "Trois longueurs", 300, "TROIS_LONGUEURS")),
    (3.75, ("3 L 1/2", "Trois longueurs et demie", 350, "TROIS_LONGUEURS_ET_DEMIE")),
    (4.5, ("4 L", "Quatre longueurs", 400, "QUATRE_LONGUEURS")),
    (5.5, ("5 L", "Cinq longueurs", 500, "CINQ_LONGUEURS")),
    (7.0, ("6 L", "Six longueurs", 600, "SIX_LONGUEURS")),
    (9.0, ("8 L", "Huit longueurs", 800, "HUIT_LONGUEURS")),
    (12.0, ("10 L", "Dix longueurs", 1000, "DIX_LONGUEURS")),
    (1e9, ("LOIN", "Loin", 9999, "LOIN")),
)

ROBES = (
    ("020", "BAI", "BAI"),
    ("020", "BAI", "BAI"),
    ("021", "BAI F.", "BAI FONCE"),
    ("001", "ALEZAN", "ALEZAN"),
    ("002", "ALEZAN B.", "ALEZAN BRULE"),
    ("022", "BAI BRUN", "BAI BRUN"),
    ("030", "GRIS", "GRIS"),
    ("040", "NOIR", "NOIR"),
    ("011", "ALEZAN C.", "ALEZAN CLAIR"),
)
OEILLERES = ("SANS_OEILLERES",) * 8 + ("OEILLERES_CLASSIQUE", "OEILLERES_AUSTRALIENNES")
DEFERRE = (
    None,
    None,
    "DEFERRE_ANTERIEURS",
    "DEFERRE_POSTERIEURS",
    "DEFERRE_ANTERIEURS_POSTERIEURS",
    "PROTEGE_ANTERIEURS_POSTERIEURS",
    "DEFERRE_ANTERIEURS_POSTERIEURS",
)
AVIS = ("NEUTRE", "NEUTRE", "POSITIF", "NEGATIF")

METEO = (
    ("P1", "Ensoleillé", "Le soleil brillera généreusement toute la journée."),
    ("P4", "Peu Nuageux", "Le soleil l'emportera et les nuages resteront discrets."),
    ("P5", "Nuageux", "Les nuages seront nombreux mais quelques éclaircies perceront."),
    ("P6", "Très nuageux", "Le ciel restera le plus souvent couvert."),
    (
        "P7",
        "Variable avec Averses",
        "Les éclaircies alterneront avec des passages nuageux porteurs d'averses.",
    ),
    ("P8", "Pluies", "Le temps sera très perturbé avec des précipitations soutenues."),
    ("P8c", "Pluie faible", "Le ciel sera chargé et s'accompagnera de pluies de faible intensité."),
)
WIND_DIRECTIONS = ("N", "NE", "E", "SE", "S", "SO", "O", "NO")
GOING = (
    ("2,8", "Bon léger"),
    ("3,0", "Bon"),
    ("3,3", "Bon souple"),
    ("3,6", "Souple"),
    ("4,1", "Très souple"),
    ("4,3", "Collant"),
    ("4,7", "Lourd"),
)

CATEGORIES: dict[str, tuple[str, ...]] = {
    TROT: (
        "COURSE_A_CONDITIONS",
        "AUTOSTART",
        "NATIONALE_AUTOSTART",
        "EUROPEENNE_AUTOSTART",
        "NATIONALE",
        "APPRENTIS_LADS_JOCKEYS",
        "AMATEURS",
        "INCONNU",
    ),
    PLAT: (
        "COURSE_A_CONDITIONS",
        "HANDICAP",
        "HANDICAP_DIVISE",
        "A_RECLAMER",
        "HANDICAP_DE_CATEGORIE",
        "COURSE_A_CONDITION_QUALIF_HP",
    ),
    OBSTACLE: ("COURSE_A_CONDITIONS", "HANDICAP", "A_RECLAMER", "HANDICAP_DE_CATEGORIE"),
}
AGE_CONDITIONS: dict[str, tuple[tuple[str, int, int], ...]] = {
    TROT: (
        ("TROIS_ANS", 3, 3),
        ("QUATRE_ANS", 4, 4),
        ("CINQ_ANS", 5, 5),
        ("QUATRE_CINQ_ANS", 4, 5),
        ("CINQ_ANS_ET_PLUS", 5, 99),
        ("SIX_ANS_ET_PLUS", 6, 99),
    ),
    PLAT: (
        ("DEUX_ANS", 2, 2),
        ("TROIS_ANS", 3, 3),
        ("TROIS_ANS_ET_PLUS", 3, 99),
        ("QUATRE_ANS_ET_PLUS", 4, 99),
    ),
    OBSTACLE: (
        ("TROIS_ANS", 3, 3),
        ("QUATRE_ANS", 4, 4),
        ("QUATRE_ANS_ET_PLUS", 4, 99),
        ("CINQ_ANS_ET_PLUS", 5, 99),
    ),
}
