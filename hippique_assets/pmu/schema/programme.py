"""Tables of the programme (``/programme/DDMMYYYY``): ``pmu.reunions`` and ``pmu.races``, one row
per reunion and per race of the requested racing day."""

from __future__ import annotations

from sqlalchemy import ARRAY, Boolean, Column, DateTime, Double, Integer, Numeric, Text

from hippique_assets.pmu.schema.columns import COURSE, RACE_DATE, RACE_KEY, REUNION
from hippique_assets.storage.tables import (
    MONEY,
    SECONDS,
    TEXT_ARRAY,
    TIMESTAMPTZ,
    References,
    declare_table,
    rule,
)

REUNIONS = declare_table(
    schema="pmu",
    name="reunions",
    description="One row per reunion (race meeting) of the day, French and foreign.",
    columns=(
        RACE_DATE,
        REUNION,
        Column(
            "reunion_external", Integer, comment="Reunion number in PMU's external numbering (numExterne)"
        ),
        Column("hippodrome_code", Text, comment="Racecourse code, e.g. CHA for Chantilly (hippodrome.code)"),
        Column("hippodrome_name", Text, comment="Racecourse short name (hippodrome.libelleCourt)"),
        Column("hippodrome_long_name", Text, comment="Racecourse full name (hippodrome.libelleLong)"),
        Column(
            "country_code",
            Text,
            comment="Country of the racecourse, ISO 3 letters: FRA, DEU, CHL... (pays.code)",
        ),
        Column("country_name", Text, comment="Country of the racecourse, in French (pays.libelle)"),
        Column(
            "region",
            Text,
            comment="Regional racing federation, French regional reunions only (regionHippique)",
        ),
        Column(
            "nature",
            Text,
            comment="Time of day: DIURNE (day), SEMINOCTURNE (evening), NOCTURNE (night) (nature)",
        ),
        Column("audience", Text, comment="Betting audience: NATIONAL, REGIONAL... (audience)"),
        Column(
            "status", Text, comment="Reunion status: PROGRAMMEE (scheduled), TERMINEE (finished)... (statut)"
        ),
        Column(
            "disciplines",
            TEXT_ARRAY,
            comment="Parent disciplines raced: TROT, PLAT (flat), OBSTACLE (jumps) (disciplinesMere)",
        ),
        Column(
            "specialities",
            TEXT_ARRAY,
            comment="Specialities raced: TROT_ATTELE (harness), PLAT, OBSTACLE... (specialites)",
        ),
        Column(
            "n_races",
            Integer,
            nullable=False,
            comment="Number of races listed for the reunion in the programme (courses)",
            info=rule(ge=0),
        ),
        Column(
            "meteo_forecast_at",
            TIMESTAMPTZ,
            comment="When the weather forecast was made (meteo.datePrevision)",
        ),
        Column("meteo_code", Text, comment="Sky cover code of the forecast (meteo.nebulositeCode)"),
        Column(
            "meteo_label", Text, comment="Sky cover of the forecast, in French (meteo.nebulositeLibelleCourt)"
        ),
        Column(
            "temperature_c",
            Numeric(4, 1),
            comment="Forecast temperature, degrees Celsius (meteo.temperature)",
        ),
        Column(
            "wind_speed_kmh",
            Numeric(5, 1),
            comment="Forecast wind speed, km/h (meteo.forceVent)",
            info=rule(ge=0),
        ),
        Column(
            "wind_direction", Text, comment="Forecast wind direction: N, NE, O, SO... (meteo.directionVent)"
        ),
        Column(
            "timezone_offset_s",
            Integer,
            comment="Offset of the racecourse's local time from UTC, seconds (timezoneOffset, ms)",
        ),
    ),
    primary_key=("race_date", "reunion"),
    partition_column="race_date",
)

RACES = declare_table(
    schema="pmu",
    name="races",
    description="One row per race: start time, discipline, distance, prize, status and arrival.",
    columns=(
        RACE_DATE,
        REUNION,
        COURSE,
        RACE_KEY,
        Column("course_external", Integer, comment="Race number in PMU's external numbering (numExterne)"),
        Column("name", Text, comment="Race name, e.g. PRIX DE PARIS (libelle)"),
        Column("short_name", Text, comment="Race short name (libelleCourt)"),
        Column(
            "start_utc",
            TIMESTAMPTZ,
            nullable=False,
            comment="Scheduled start instant (heureDepart, ms since epoch)",
        ),
        Column(
            "start_paris",
            DateTime,
            nullable=False,
            comment="Scheduled start, Europe/Paris wall clock (from heureDepart)",
        ),
        Column(
            "timezone_offset_s",
            Integer,
            comment="Offset of the racecourse's local time from UTC, seconds (timezoneOffset, ms)",
        ),
        Column(
            "discipline",
            Text,
            nullable=False,
            comment="Discipline: ATTELE (harness trot), MONTE (ridden trot), PLAT (flat), HAIE (hurdles), STEEPLECHASE, CROSS (discipline)",
        ),
        Column(
            "specialite", Text, comment="Speciality: TROT_ATTELE, TROT_MONTE, PLAT, OBSTACLE (specialite)"
        ),
        Column(
            "distance_m", Integer, comment="Race distance, metres (distance)", info=rule(ge=100, le=20000)
        ),
        Column(
            "rope",
            Text,
            comment="Rail side: CORDE_GAUCHE (left-handed), CORDE_DROITE (right-handed), LIGNE_DROITE (straight) (corde)",
        ),
        Column("track_type", Text, comment="Track surface: HERBE, GAZON... (typePiste)"),
        Column("track_course", Text, comment="Course layout, free text (parcours)"),
        Column(
            "category",
            Text,
            comment="Race category: HANDICAP, A_RECLAMER (claimer)... (categorieParticularite)",
        ),
        Column(
            "condition_age",
            Text,
            comment="Age condition of the runners, e.g. QUATRE_ANS_ET_PLUS (conditionAge)",
        ),
        Column(
            "condition_sex",
            Text,
            comment="Sex condition of the runners: FEMELLES, MALES_ET_HONGRES, TOUS_CHEVAUX... (conditionSexe)",
        ),
        Column("prize_eur", MONEY, comment="Total prize money, euros (montantPrix)", info=rule(ge=0)),
        Column(
            "prize_first_eur",
            MONEY,
            comment="Prize money of the winner, euros (montantOffert1er)",
            info=rule(ge=0),
        ),
        Column(
            "n_declared",
            Integer,
            comment="Number of declared runners (nombreDeclaresPartants)",
            info=rule(ge=0, le=99),
        ),
        Column(
            "status",
            Text,
            comment="Race status: PROGRAMMEE, FIN_COURSE, ARRIVEE_DEFINITIVE_COMPLETE... (statut)",
        ),
        Column(
            "category_status",
            Text,
            comment="Race status group: A_PARTIR (to run), ARRIVEE (finished)... (categorieStatut)",
        ),
        Column("duration_s", SECONDS, comment="Time of the race, seconds (dureeCourse, ms)", info=rule(ge=0)),
        Column(
            "arrival_order",
            ARRAY(Integer),
            comment="Runner numbers of the finishers, first first (ordreArrivee, flattened)",
        ),
        Column(
            "arrival_ranks",
            ARRAY(Integer),
            comment="Finishing rank of each number of arrival_order; dead heats share a rank (ordreArrivee)",
        ),
        Column("arrival_final", Boolean, comment="The arrival is official (arriveeDefinitive)"),
        Column(
            "rapports_available",
            Boolean,
            comment="The official dividends are published (rapportsDefinitifsDisponibles)",
        ),
        Column(
            "non_runners",
            ARRAY(Integer),
            comment="Runner numbers withdrawn, from the NON_PARTANT incident (incidents)",
        ),
        Column(
            "incidents",
            Text,
            comment="Race incidents as TYPE:n,n;TYPE:n, e.g. NON_PARTANT:4 (incidents.type, incidents.numeroParticipants)",
        ),
        Column("going", Text, comment="State of the ground, e.g. Bon souple, PSF (penetrometre.intitule)"),
        Column(
            "going_value", Double, comment="Penetrometer reading of the ground (penetrometre.valeurMesure)"
        ),
        Column(
            "bet_types",
            TEXT_ARRAY,
            comment="Bet types offered on the race, without any E_ prefix (paris.typePari)",
        ),
        Column("conditions", Text, comment="Entry conditions of the race, free text (conditions)"),
    ),
    primary_key=("race_date", "reunion", "course"),
    partition_column="race_date",
    references=(References(("race_date", "reunion"), "pmu.reunions", ("race_date", "reunion")),),
    unique_keys=(("race_key",),),
)
