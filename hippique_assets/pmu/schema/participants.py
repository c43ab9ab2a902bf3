"""Tables of the participants (``/R{n}/C{n}/participants``): ``pmu.participants``, one row per
runner of every race, and ``pmu.horses``, every horse seen among them (upserted on its key).

Horse identity (``horse_id``): the PMU ``idCheval`` when the payload has one (recent captures,
e.g. ``"LOVE IS GOLD-KAZEERA-HAVANA GOLD"``). Older payloads have none; the key is then derived as
``"d:"`` + the first 16 hex digits of the SHA-1 of ``NAME|birth year|FATHER|MOTHER`` (names
normalised: upper case, accents folded so that a ``?`` in an old capture matches the accented
letter, punctuation dropped; birth year = race year - age, since racing ages change on 1 January).
Sex is left out on purpose because a colt gelded later changes from ``MALES`` to ``HONGRES``.
A runner that has neither an age nor any parent cannot be told apart from a namesake: it gets a
race-scoped key ``"u:"`` + hash of name and race key, which never merges two horses.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Date, Integer, Numeric, Text

from hippique_assets.pmu.schema.columns import COURSE, RACE_DATE, RACE_KEY, REUNION
from hippique_assets.storage.tables import (
    KG,
    MONEY,
    ODDS,
    SECONDS,
    TIMESTAMPTZ,
    References,
    declare_table,
    rule,
)

HORSES = declare_table(
    schema="pmu",
    name="horses",
    description="Every horse seen in a race's participants, keyed by PMU idCheval or a derived key.",
    columns=(
        Column(
            "horse_id",
            Text,
            nullable=False,
            comment="Horse identifier: the PMU idCheval, else a derived key, see the module doc (idCheval)",
        ),
        Column(
            "horse_id_source",
            Text,
            nullable=False,
            comment="Where horse_id comes from: pmu (idCheval), derived (name, birth year, parents) or race (race-scoped)",
        ),
        Column("name", Text, nullable=False, comment="Horse name, as last seen (nom)"),
        Column("sex", Text, comment="Sex as last seen: MALES, FEMELLES, HONGRES (gelding) (sexe)"),
        Column("breed", Text, comment="Breed: TROTTEUR FRANCAIS, PUR-SANG... (race)"),
        Column(
            "birth_year",
            Integer,
            comment="Year of birth: race year minus age (age)",
            info=rule(ge=1950, le=2100),
        ),
        Column("coat", Text, comment="Coat colour, in French (robe.libelleLong)"),
        Column("country", Text, comment="Country of birth (pays)"),
        Column("father", Text, comment="Sire's name (nomPere)"),
        Column("mother", Text, comment="Dam's name (nomMere)"),
        Column("mother_father", Text, comment="Dam's sire's name (nomPereMere)"),
        Column("breeder", Text, comment="Breeder (eleveur)"),
        Column(
            "first_seen",
            Date,
            nullable=False,
            comment="First racing day the horse was among a race's participants",
        ),
        Column(
            "last_seen",
            Date,
            nullable=False,
            comment="Last racing day the horse was among a race's participants",
        ),
    ),
    primary_key=("horse_id",),
    write_mode="upsert",
    # The checks of a day look at the horses it saw.
    indexes=(("last_seen",),),
)

PARTICIPANTS = declare_table(
    schema="pmu",
    name="participants",
    description="One row per runner of every race: identity, connections, form, odds and result.",
    columns=(
        RACE_DATE,
        REUNION,
        COURSE,
        RACE_KEY,
        Column(
            "number",
            Integer,
            nullable=False,
            comment="Runner number on the saddle cloth (numPmu)",
            info=rule(ge=1, le=99),
        ),
        Column(
            "horse_id",
            Text,
            nullable=False,
            comment="Horse identifier, key of pmu.horses (idCheval, or derived)",
        ),
        Column("horse_name", Text, nullable=False, comment="Horse name (nom)"),
        Column(
            "age",
            Integer,
            comment="Age in years; racing ages change on 1 January (age)",
            info=rule(ge=1, le=40),
        ),
        Column("sex", Text, comment="Sex: MALES, FEMELLES, HONGRES (gelding) (sexe)"),
        Column("breed", Text, comment="Breed: TROTTEUR FRANCAIS, PUR-SANG... (race)"),
        Column("status", Text, comment="Runner status: PARTANT (runner), NON_PARTANT (withdrawn) (statut)"),
        Column(
            "non_runner",
            Boolean,
            nullable=False,
            comment="Withdrawn: status or incident NON_PARTANT (statut, incident)",
        ),
        Column("jockey", Text, comment="Jockey, or driver in harness trot (driver, else jockey)"),
        Column(
            "jockey_changed",
            Boolean,
            comment="The jockey or driver was changed after the declarations (driverChange)",
        ),
        Column("trainer", Text, comment="Trainer (entraineur)"),
        Column("owner", Text, comment="Owner (proprietaire)"),
        Column(
            "draw",
            Integer,
            comment="Draw, the starting stall or position at the rail (placeCorde)",
            info=rule(ge=0, le=99),
        ),
        Column(
            "weight_kg",
            KG,
            comment="Handicap weight, kg (handicapPoids, tenths of kg)",
            info=rule(ge=20, le=150),
        ),
        Column(
            "weight_carried_kg",
            KG,
            comment="Weight carried after allowances, kg (poidsConditionMonte)",
            info=rule(ge=0, le=150),
        ),
        Column("handicap_value", Numeric(6, 1), comment="Handicap rating (handicapValeur)", info=rule(ge=0)),
        Column(
            "handicap_distance_m",
            Integer,
            comment="Distance run in a trot handicap, metres (handicapDistance)",
            info=rule(ge=0, le=20000),
        ),
        Column("blinkers", Text, comment="Blinkers worn: OEILLERES_CLASSIQUE, SANS_OEILLERES... (oeilleres)"),
        Column("shoes", Text, comment="Shoes removed in trot, e.g. DEFERRE_ANTERIEURS (deferre)"),
        Column("musique", Text, comment="Recent form string, verbatim, e.g. (17)3p8p (musique)"),
        Column("unraced", Boolean, comment="Never raced before (indicateurInedit)"),
        Column("career_starts", Integer, comment="Career starts (nombreCourses)", info=rule(ge=0)),
        Column("career_wins", Integer, comment="Career wins (nombreVictoires)", info=rule(ge=0)),
        Column("career_places", Integer, comment="Career placings (nombrePlaces)", info=rule(ge=0)),
        Column(
            "career_seconds", Integer, comment="Career second places (nombrePlacesSecond)", info=rule(ge=0)
        ),
        Column(
            "career_thirds", Integer, comment="Career third places (nombrePlacesTroisieme)", info=rule(ge=0)
        ),
        Column(
            "earnings_career_eur",
            MONEY,
            comment="Career earnings, euros (gainsParticipant.gainsCarriere)",
            info=rule(ge=0),
        ),
        Column(
            "earnings_wins_eur",
            MONEY,
            comment="Career earnings from wins, euros (gainsParticipant.gainsVictoires)",
            info=rule(ge=0),
        ),
        Column(
            "earnings_places_eur",
            MONEY,
            comment="Career earnings from placings, euros (gainsParticipant.gainsPlace)",
            info=rule(ge=0),
        ),
        Column(
            "earnings_year_eur",
            MONEY,
            comment="Earnings of the current year, euros (gainsParticipant.gainsAnneeEnCours)",
            info=rule(ge=0),
        ),
        Column(
            "earnings_prev_year_eur",
            MONEY,
            comment="Earnings of the previous year, euros (gainsParticipant.gainsAnneePrecedente)",
            info=rule(ge=0),
        ),
        Column(
            "odds_direct",
            ODDS,
            comment="Latest live win odds, euros returned for 1 euro (dernierRapportDirect.rapport)",
            info=rule(ge=1),
        ),
        Column(
            "odds_direct_at",
            TIMESTAMPTZ,
            comment="When the latest live odds were published (dernierRapportDirect.dateRapport)",
        ),
        Column(
            "odds_reference",
            ODDS,
            comment="Reference (morning) win odds, euros returned for 1 euro (dernierRapportReference.rapport)",
            info=rule(ge=1),
        ),
        Column(
            "odds_reference_at",
            TIMESTAMPTZ,
            comment="When the reference odds were published (dernierRapportReference.dateRapport)",
        ),
        Column("favourite", Boolean, comment="Favourite of the live market (dernierRapportDirect.favoris)"),
        Column(
            "incident",
            Text,
            comment="Incident of the runner: NON_PARTANT, DISQUALIFIE_..., TOMBE (fell), ARRETE (pulled up)... (incident)",
        ),
        Column(
            "finish_rank",
            Integer,
            comment="Finishing rank; null when not classified (ordreArrivee)",
            info=rule(ge=1, le=99),
        ),
        Column(
            "time_s", SECONDS, comment="Race time of the runner, seconds (tempsObtenu, ms)", info=rule(ge=0)
        ),
        Column(
            "reduction_km_s",
            SECONDS,
            comment="Time per kilometre (trot reduction), seconds (reductionKilometrique, ms)",
            info=rule(ge=0),
        ),
        Column(
            "distance_to_previous",
            Text,
            comment="Distance behind the runner ahead, e.g. 1 longueur 1/2 (distanceChevalPrecedent.libelleLong)",
        ),
        Column(
            "trainer_opinion", Text, comment="Trainer's opinion: POSITIF, NEUTRE, NEGATIF (avisEntraineur)"
        ),
    ),
    primary_key=("race_date", "reunion", "course", "number"),
    partition_column="race_date",
    # The H-5 analysis reads one race's runners by its key, and the recent rides of its jockeys and
    # trainers by person and day.
    indexes=(("race_key",), ("jockey", "race_date"), ("trainer", "race_date")),
    references=(
        References(("race_date", "reunion", "course"), "pmu.races", ("race_date", "reunion", "course")),
        References(("horse_id",), "pmu.horses", ("horse_id",)),
    ),
)
