"""The PMU wording of the generated bodies: labels of disciplines and incidents, margins, coats, blinkers,
shoeing, tips, weather, going, race categories and age conditions.

Nothing here decides what happens in a race (see :mod:`hippique_replay.gen_rules`); these are the
words the API uses to say it, several drawn at random where the live API varies.
"""

from __future__ import annotations

from hippique_replay.gen_rules import (
    ARRETE,
    DEROBE,
    DISQUALIFIE,
    DISTANCE,
    NON_PARTANT,
    OBSTACLE,
    PLAT,
    TOMBE,
    TROT,
)

SPECIALITES = ("TROT_ATTELE", "TROT_MONTE", "PLAT", "OBSTACLE", "OBSTACLE", "OBSTACLE")
MUSIQUE_LETTER = ("a", "m", "p", "h", "s", "c")
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
