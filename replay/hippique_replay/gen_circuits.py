"""The circuits of the generated world: populations of horses that race against each other, French
and foreign, with their size, rhythm, careers, racecourses and meeting habits.

Foreign racecourses follow the PMU programme's style like the French ones
(see :mod:`hippique_replay.gen_racecourses`).
"""

from __future__ import annotations

from dataclasses import dataclass

from hippique_replay.gen_racecourses import Racecourse
from hippique_replay.gen_rules import OBSTACLE, PLAT, TROT

# Countries of the far-away circuits (Hong Kong, South America): their meetings may start past
# course 1, and the live API publishes no past performances for their races.
FAR_FOREIGN = ("AAA", "ARG", "CHL", "URY")


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
