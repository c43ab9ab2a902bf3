"""The racecourses of the generated world as the PMU programme names them, and where each family races.

Codes and labels follow the style of the PMU programme (``"VIN"``, ``"VINCENNES"``,
``"HIPPODROME DE PARIS-VINCENNES"``). Only a handful of codes are taken from real captures; the
rest are plausible three-letter codes, which is all the consumers rely on.
"""

from __future__ import annotations

from dataclasses import dataclass

from hippique_replay.gen_rules import FAMILIES, OBSTACLE, PLAT, TROT


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


# Where the French circuits race.
FRENCH_BY_FAMILY: dict[str, tuple[Racecourse, ...]] = {
    family: tuple(rc for rc in FRENCH_RACECOURSES if family in rc.families) for family in FAMILIES
}
