"""Table of the performances (``performances-detaillees``): ``pmu.performances``, the past races
of the day's runners, shared by every day and upserted on (horse, past race day)."""

from __future__ import annotations

from sqlalchemy import Column, Date, Integer, Numeric, Text

from hippique_assets.storage.tables import KG, MONEY, References, declare_table, rule

PERFORMANCES = declare_table(
    schema="pmu",
    name="performances",
    description=(
        "Past races of the day's runners (performances-detaillees), one row per horse and past race, "
        "the same past race seen on several days being one row."
    ),
    columns=(
        Column(
            "horse_id",
            Text,
            nullable=False,
            comment="Horse identifier, key of pmu.horses (idCheval, or derived)",
        ),
        Column(
            "past_race_date",
            Date,
            nullable=False,
            comment="Day of the past race, Europe/Paris (date, ms at local midnight)",
        ),
        Column("horse_name", Text, comment="Horse name (nomCheval)"),
        Column("hippodrome", Text, comment="Racecourse of the past race (hippodrome)"),
        Column("race_name", Text, comment="Name of the past race (nomPrix)"),
        Column(
            "discipline", Text, comment="Discipline of the past race: ATTELE, MONTE, PLAT... (discipline)"
        ),
        Column(
            "distance_m",
            Integer,
            comment="Distance of the past race, metres (distance)",
            info=rule(ge=0, le=20000),
        ),
        Column(
            "prize_eur", MONEY, comment="Prize money of the past race, euros (allocation)", info=rule(ge=0)
        ),
        Column(
            "n_runners",
            Integer,
            comment="Number of runners in the past race (nbParticipants)",
            info=rule(ge=0, le=99),
        ),
        Column(
            "place", Integer, comment="Finishing place of the horse (place.place)", info=rule(ge=0, le=99)
        ),
        Column("place_raw", Text, comment="Finishing place as served, e.g. 1, D, A (place.rawValue)"),
        Column(
            "finish_status",
            Text,
            comment="Finish status: PLACE, NON_PLACE, DISQUALIFIE... (place.statusArrivee)",
        ),
        Column("jockey", Text, comment="Jockey or driver of the horse in the past race (nomJockey)"),
        Column(
            "jockey_weight_kg",
            KG,
            comment="Weight carried in the past race, kg (poidsJockey)",
            info=rule(ge=0, le=150),
        ),
        Column("draw", Integer, comment="Draw in the past race (corde)", info=rule(ge=0, le=99)),
        Column("blinkers", Text, comment="Blinkers worn in the past race (oeillere)"),
        Column(
            "distance_to_previous",
            Text,
            comment="Distance behind the horse ahead, as text (distanceAvecPrecedent)",
        ),
        Column(
            "distance_covered_m",
            Integer,
            comment="Distance run by the horse, metres (distanceParcourue)",
            info=rule(ge=0),
        ),
        Column(
            "reduction_km_s",
            Numeric(8, 2),
            comment="Time per kilometre (trot reduction), seconds (reductionKilometrique, hundredths)",
            info=rule(ge=0),
        ),
        Column(
            "winner_time_s",
            Numeric(8, 2),
            comment="Time of the winner, seconds (tempsDuPremier, hundredths)",
            info=rule(ge=0),
        ),
        Column(
            "winner_name",
            Text,
            comment="Name of the horse placed first, when listed (participants.nomCheval)",
        ),
        Column(
            "last_seen_date",
            Date,
            nullable=False,
            comment="Racing day of the latest payload that listed this past race",
        ),
        Column(
            "last_seen_race_key",
            Text,
            nullable=False,
            comment="Race whose payload last listed this past race",
        ),
    ),
    primary_key=("horse_id", "past_race_date"),
    write_mode="upsert",
    # The checks of a day look at the past races it listed.
    indexes=(("last_seen_date",),),
    references=(References(("horse_id",), "pmu.horses", ("horse_id",)),),
)
