"""The Postgres tables of schema ``pmu``, filled from the PMU turfinfo API.

Daily tables (reunions, races, participants, bets, dividends) are partitioned by ``race_date``,
the racing day that was requested (Europe/Paris), and a materialization replaces the whole day.
``horses`` and ``performances`` are shared by every day and upserted on their key;
``odds_snapshots`` keeps every capture, partitioned by race key.

Units are converted at parse time (see :mod:`hippique_assets.pmu.units`): money in euros,
weights in kilograms, durations in seconds, instants as ``timestamptz``.

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

from sqlalchemy import (
    ARRAY,
    Boolean,
    Column,
    Date,
    DateTime,
    Double,
    Integer,
    Numeric,
    Table,
    Text,
)

from hippique_assets.storage.tables import (
    KG,
    MONEY,
    ODDS,
    SECONDS,
    TEXT_ARRAY,
    TIMESTAMPTZ,
    References,
    declare_table,
    rule,
)

_DAY = Column("race_date", Date, nullable=False, comment="Racing day requested (Europe/Paris)")
_REUNION = Column(
    "reunion", Integer, nullable=False, comment="Reunion number (numOfficiel)", info=rule(ge=1, le=99)
)
_COURSE = Column(
    "course", Integer, nullable=False, comment="Race number in the reunion (numOrdre)", info=rule(ge=1, le=99)
)
_RACE_KEY = Column("race_key", Text, nullable=False, comment="Race partition key, e.g. 2026-03-23-R1C4")

REUNIONS = declare_table(
    schema="pmu",
    name="reunions",
    description="One row per reunion (race meeting) of the day, French and foreign.",
    columns=(
        _DAY,
        _REUNION,
        Column("reunion_external", Integer, comment="numExterne"),
        Column("hippodrome_code", Text),
        Column("hippodrome_name", Text, comment="hippodrome.libelleCourt"),
        Column("hippodrome_long_name", Text, comment="hippodrome.libelleLong"),
        Column("country_code", Text, comment="pays.code (FRA, DEU, CHL...)"),
        Column("country_name", Text),
        Column("region", Text, comment="regionHippique, French regional reunions only"),
        Column("nature", Text, comment="DIURNE, SEMINOCTURNE, NOCTURNE"),
        Column("audience", Text, comment="NATIONAL, REGIONAL..."),
        Column("status", Text, comment="statut: PROGRAMMEE, TERMINEE..."),
        Column("disciplines", TEXT_ARRAY, comment="disciplinesMere: TROT, PLAT, OBSTACLE"),
        Column("specialities", TEXT_ARRAY, comment="specialites: TROT_ATTELE, PLAT, OBSTACLE..."),
        Column("n_races", Integer, nullable=False, comment="Races listed in the payload", info=rule(ge=0)),
        Column("meteo_forecast_at", TIMESTAMPTZ, comment="meteo.datePrevision"),
        Column("meteo_code", Text, comment="meteo.nebulositeCode"),
        Column("meteo_label", Text, comment="meteo.nebulositeLibelleCourt"),
        Column("temperature_c", Numeric(4, 1), comment="meteo.temperature, degrees Celsius"),
        Column("wind_speed_kmh", Numeric(5, 1), comment="meteo.forceVent", info=rule(ge=0)),
        Column("wind_direction", Text, comment="meteo.directionVent"),
        Column("timezone_offset_s", Integer, comment="reunion timezoneOffset in seconds"),
    ),
    primary_key=("race_date", "reunion"),
    partition_column="race_date",
)

RACES = declare_table(
    schema="pmu",
    name="races",
    description="One row per race: start time, discipline, distance, prize, status and arrival.",
    columns=(
        _DAY,
        _REUNION,
        _COURSE,
        _RACE_KEY,
        Column("course_external", Integer, comment="numExterne"),
        Column("name", Text, comment="libelle"),
        Column("short_name", Text, comment="libelleCourt"),
        Column("start_utc", TIMESTAMPTZ, nullable=False, comment="heureDepart"),
        Column("start_paris", DateTime, nullable=False, comment="Start, Europe/Paris wall clock"),
        Column("timezone_offset_s", Integer, comment="course timezoneOffset in seconds"),
        Column("discipline", Text, nullable=False, comment="ATTELE, MONTE, PLAT, HAIE, STEEPLECHASE, CROSS"),
        Column("specialite", Text, comment="TROT_ATTELE, TROT_MONTE, PLAT, OBSTACLE"),
        Column("distance_m", Integer, info=rule(ge=100, le=20000)),
        Column("rope", Text, comment="corde: CORDE_GAUCHE, CORDE_DROITE, LIGNE_DROITE"),
        Column("track_type", Text, comment="typePiste"),
        Column("track_course", Text, comment="parcours, free text"),
        Column("category", Text, comment="categorieParticularite: HANDICAP, A_RECLAMER..."),
        Column("condition_age", Text),
        Column("condition_sex", Text),
        Column("prize_eur", MONEY, comment="montantPrix", info=rule(ge=0)),
        Column("prize_first_eur", MONEY, comment="montantOffert1er", info=rule(ge=0)),
        Column("n_declared", Integer, comment="nombreDeclaresPartants", info=rule(ge=0, le=99)),
        Column("status", Text, comment="statut: PROGRAMMEE, FIN_COURSE, ARRIVEE_DEFINITIVE_COMPLETE..."),
        Column("category_status", Text, comment="categorieStatut: A_PARTIR, ARRIVEE..."),
        Column("duration_s", SECONDS, comment="dureeCourse (ms) in seconds", info=rule(ge=0)),
        Column("arrival_order", ARRAY(Integer), comment="Finishers in order (ordreArrivee flattened)"),
        Column(
            "arrival_ranks", ARRAY(Integer), comment="Rank of each arrival_order element; dead heats share"
        ),
        Column("arrival_final", Boolean, comment="arriveeDefinitive"),
        Column("rapports_available", Boolean, comment="rapportsDefinitifsDisponibles"),
        Column("non_runners", ARRAY(Integer), comment="Numbers with a NON_PARTANT incident"),
        Column("incidents", Text, comment="TYPE:n,n;TYPE:n from incidents"),
        Column("going", Text, comment="penetrometre.intitule"),
        Column("going_value", Double, comment="penetrometre.valeurMesure"),
        Column("bet_types", TEXT_ARRAY, comment="Bet types offered (typePari without E_ prefix)"),
        Column("conditions", Text),
    ),
    primary_key=("race_date", "reunion", "course"),
    partition_column="race_date",
    references=(References(("race_date", "reunion"), "pmu.reunions", ("race_date", "reunion")),),
    unique_keys=(("race_key",),),
)

HORSES = declare_table(
    schema="pmu",
    name="horses",
    description="Every horse seen in a race's participants, keyed by PMU idCheval or a derived key.",
    columns=(
        Column("horse_id", Text, nullable=False, comment="idCheval, or a derived key (see module doc)"),
        Column("horse_id_source", Text, nullable=False, comment="pmu, derived or race (race-scoped)"),
        Column("name", Text, nullable=False),
        Column("sex", Text, comment="As last seen: MALES, FEMELLES, HONGRES"),
        Column("breed", Text, comment="race: TROTTEUR FRANCAIS, PUR-SANG..."),
        Column("birth_year", Integer, comment="Race year minus age", info=rule(ge=1950, le=2100)),
        Column("coat", Text, comment="robe.libelleLong"),
        Column("country", Text, comment="pays"),
        Column("father", Text, comment="nomPere"),
        Column("mother", Text, comment="nomMere"),
        Column("mother_father", Text, comment="nomPereMere"),
        Column("breeder", Text, comment="eleveur"),
        Column("first_seen", Date, nullable=False),
        Column("last_seen", Date, nullable=False),
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
        _DAY,
        _REUNION,
        _COURSE,
        _RACE_KEY,
        Column("number", Integer, nullable=False, comment="numPmu", info=rule(ge=1, le=99)),
        Column("horse_id", Text, nullable=False),
        Column("horse_name", Text, nullable=False, comment="nom"),
        Column("age", Integer, info=rule(ge=1, le=40)),
        Column("sex", Text),
        Column("breed", Text),
        Column("status", Text, comment="statut: PARTANT, NON_PARTANT"),
        Column("non_runner", Boolean, nullable=False),
        Column("jockey", Text, comment="driver (jockey, or driver in trot)"),
        Column("jockey_changed", Boolean, comment="driverChange"),
        Column("trainer", Text, comment="entraineur"),
        Column("owner", Text, comment="proprietaire"),
        Column("draw", Integer, comment="placeCorde", info=rule(ge=0, le=99)),
        Column("weight_kg", KG, comment="handicapPoids (tenths of kg) in kg", info=rule(ge=20, le=150)),
        Column(
            "weight_carried_kg",
            KG,
            comment="poidsConditionMonte in kg (after allowances)",
            info=rule(ge=0, le=150),
        ),
        Column("handicap_value", Numeric(6, 1), comment="handicapValeur", info=rule(ge=0)),
        Column("handicap_distance_m", Integer, comment="handicapDistance", info=rule(ge=0, le=20000)),
        Column("blinkers", Text, comment="oeilleres"),
        Column("shoes", Text, comment="deferre"),
        Column("musique", Text, comment="Recent form string, verbatim"),
        Column("unraced", Boolean, comment="indicateurInedit"),
        Column("career_starts", Integer, comment="nombreCourses", info=rule(ge=0)),
        Column("career_wins", Integer, comment="nombreVictoires", info=rule(ge=0)),
        Column("career_places", Integer, comment="nombrePlaces", info=rule(ge=0)),
        Column("career_seconds", Integer, comment="nombrePlacesSecond", info=rule(ge=0)),
        Column("career_thirds", Integer, comment="nombrePlacesTroisieme", info=rule(ge=0)),
        Column("earnings_career_eur", MONEY, comment="gainsParticipant.gainsCarriere", info=rule(ge=0)),
        Column("earnings_wins_eur", MONEY, comment="gainsParticipant.gainsVictoires", info=rule(ge=0)),
        Column("earnings_places_eur", MONEY, comment="gainsParticipant.gainsPlace", info=rule(ge=0)),
        Column("earnings_year_eur", MONEY, comment="gainsParticipant.gainsAnneeEnCours", info=rule(ge=0)),
        Column(
            "earnings_prev_year_eur", MONEY, comment="gainsParticipant.gainsAnneePrecedente", info=rule(ge=0)
        ),
        Column("odds_direct", ODDS, comment="dernierRapportDirect.rapport, for 1 euro", info=rule(ge=1)),
        Column("odds_direct_at", TIMESTAMPTZ, comment="dernierRapportDirect.dateRapport"),
        Column(
            "odds_reference", ODDS, comment="dernierRapportReference.rapport (morning odds)", info=rule(ge=1)
        ),
        Column("odds_reference_at", TIMESTAMPTZ, comment="dernierRapportReference.dateRapport"),
        Column("favourite", Boolean, comment="dernierRapportDirect.favoris"),
        Column("incident", Text, comment="NON_PARTANT, DISQUALIFIE_..., TOMBE, ARRETE..."),
        Column(
            "finish_rank", Integer, comment="ordreArrivee; null when not classified", info=rule(ge=1, le=99)
        ),
        Column("time_s", SECONDS, comment="tempsObtenu (ms) in seconds", info=rule(ge=0)),
        Column(
            "reduction_km_s", SECONDS, comment="reductionKilometrique (ms per km) in seconds", info=rule(ge=0)
        ),
        Column("distance_to_previous", Text, comment="distanceChevalPrecedent.libelleLong"),
        Column("trainer_opinion", Text, comment="avisEntraineur"),
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

PERFORMANCES = declare_table(
    schema="pmu",
    name="performances",
    description=(
        "Past races of the day's runners (performances-detaillees), one row per horse and past race, "
        "the same past race seen on several days being one row."
    ),
    columns=(
        Column("horse_id", Text, nullable=False),
        Column("past_race_date", Date, nullable=False, comment="date (local midnight) as a day"),
        Column("horse_name", Text, comment="nomCheval"),
        Column("hippodrome", Text),
        Column("race_name", Text, comment="nomPrix"),
        Column("discipline", Text),
        Column("distance_m", Integer, info=rule(ge=0, le=20000)),
        Column("prize_eur", MONEY, comment="allocation (euros)", info=rule(ge=0)),
        Column("n_runners", Integer, comment="nbParticipants", info=rule(ge=0, le=99)),
        Column("place", Integer, comment="place.place of the horse", info=rule(ge=0, le=99)),
        Column("place_raw", Text, comment="place.rawValue"),
        Column("finish_status", Text, comment="place.statusArrivee: PLACE, NON_PLACE, DISQUALIFIE..."),
        Column("jockey", Text, comment="nomJockey"),
        Column("jockey_weight_kg", KG, comment="poidsJockey in kg", info=rule(ge=0, le=150)),
        Column("draw", Integer, comment="corde", info=rule(ge=0, le=99)),
        Column("blinkers", Text, comment="oeillere"),
        Column("distance_to_previous", Text, comment="distanceAvecPrecedent"),
        Column("distance_covered_m", Integer, comment="distanceParcourue", info=rule(ge=0)),
        Column(
            "reduction_km_s",
            Numeric(8, 2),
            comment="reductionKilometrique (hundredths) in s",
            info=rule(ge=0),
        ),
        Column("winner_time_s", Numeric(8, 2), comment="tempsDuPremier (hundredths) in s", info=rule(ge=0)),
        Column("winner_name", Text, comment="Horse placed first, when listed"),
        Column("last_seen_date", Date, nullable=False, comment="Racing day of the payload"),
        Column("last_seen_race_key", Text, nullable=False, comment="Race whose payload listed it"),
    ),
    primary_key=("horse_id", "past_race_date"),
    write_mode="upsert",
    # The checks of a day look at the past races it listed.
    indexes=(("last_seen_date",),),
    references=(References(("horse_id",), "pmu.horses", ("horse_id",)),),
)

BETS = declare_table(
    schema="pmu",
    name="bets",
    description="Bet types settled for each race (rapports-definitifs), with base stake and refund flag.",
    columns=(
        _DAY,
        _REUNION,
        _COURSE,
        _RACE_KEY,
        Column("bet_type", Text, nullable=False, comment="typePari without any E_ prefix"),
        Column("bet_type_raw", Text, nullable=False, comment="typePari as served"),
        Column("family", Text, comment="famillePari"),
        Column("base_stake_eur", MONEY, comment="miseBase (centimes) in euros", info=rule(ge=0)),
        Column("refunded", Boolean, comment="rembourse"),
        Column("dividend_unit", Text, comment="dividendeUnite: PourUnEuro or PourUneMiseDeBase"),
        Column("audience", Text),
        Column(
            "n_dividends", Integer, nullable=False, comment="Rapports listed for the bet", info=rule(ge=0)
        ),
    ),
    primary_key=("race_date", "reunion", "course", "bet_type"),
    partition_column="race_date",
    references=(
        References(("race_date", "reunion", "course"), "pmu.races", ("race_date", "reunion", "course")),
    ),
)

DIVIDENDS = declare_table(
    schema="pmu",
    name="dividends",
    description=(
        "Official dividends per bet type and winning combination. A combination can be paid twice "
        "under different labels (Quinte+ Ordre and Desordre), hence label in the key."
    ),
    columns=(
        _DAY,
        _REUNION,
        _COURSE,
        _RACE_KEY,
        Column("bet_type", Text, nullable=False, comment="typePari without any E_ prefix"),
        Column("label", Text, nullable=False, comment="libelle: Simple gagnant, Quinte+ Ordre..."),
        Column("combination", Text, nullable=False, comment="combinaison verbatim: 5-3-7, 5-NP"),
        Column("combination_numbers", ARRAY(Integer), nullable=False, comment="Runner numbers only"),
        Column("has_non_runner", Boolean, nullable=False, comment="The combination holds NP"),
        Column(
            "dividend_per_eur", MONEY, comment="dividendePourUnEuro / 100: euros for 1 euro", info=rule(ge=0)
        ),
        Column("dividend", MONEY, comment="dividende / 100, euros in dividend_unit", info=rule(ge=0)),
        Column("dividend_unit", Text, comment="PourUnEuro or PourUneMiseDeBase"),
        Column("dividend_per_base_stake", MONEY, comment="dividendePourUneMiseDeBase / 100", info=rule(ge=0)),
        Column("base_stake_eur", MONEY, comment="miseBase of the bet in euros", info=rule(ge=0)),
        Column(
            "n_winners", MONEY, comment="nombreGagnants (winning stakes, may be fractional)", info=rule(ge=0)
        ),
    ),
    primary_key=("race_date", "reunion", "course", "bet_type", "combination", "label"),
    partition_column="race_date",
    references=(
        References(
            ("race_date", "reunion", "course", "bet_type"),
            "pmu.bets",
            ("race_date", "reunion", "course", "bet_type"),
        ),
    ),
)

ODDS_SNAPSHOTS = declare_table(
    schema="pmu",
    name="odds_snapshots",
    description="Odds of every runner captured at a phase of the race day (h30, h5...), kept as history.",
    columns=(
        _RACE_KEY,
        _DAY,
        _REUNION,
        _COURSE,
        Column("phase", Text, nullable=False, comment="h30, h5 or another label"),
        Column("captured_at", TIMESTAMPTZ, nullable=False),
        Column("number", Integer, nullable=False, info=rule(ge=1, le=99)),
        Column("horse_id", Text),
        Column("odds_direct", ODDS, info=rule(ge=1)),
        Column("odds_direct_at", TIMESTAMPTZ),
        Column("odds_reference", ODDS, info=rule(ge=1)),
        Column("odds_reference_at", TIMESTAMPTZ),
        Column("non_runner", Boolean, nullable=False),
    ),
    primary_key=("race_key", "phase", "captured_at", "number"),
    partition_column="race_key",
    write_mode="append",
)

ALL_TABLES: tuple[Table, ...] = (
    REUNIONS,
    RACES,
    HORSES,
    PARTICIPANTS,
    PERFORMANCES,
    BETS,
    DIVIDENDS,
    ODDS_SNAPSHOTS,
)

INGEST_GAPS = declare_table(
    schema="pmu",
    name="ingest_gaps",
    description=(
        "What a day's ingestion could not land or keep: requests that failed for good (an earlier "
        "answer kept when there was one), races never requested, and races or runners rejected by "
        "validation. Empty when the day is complete."
    ),
    columns=(
        _DAY,
        Column("endpoint", Text, nullable=False, comment="programme, participants, performances or rapports"),
        Column("seq", Integer, nullable=False, comment="Order of the gap within the day and endpoint"),
        Column(
            "kind",
            Text,
            nullable=False,
            comment="request_failed, stale (failed or no data after data, earlier answer kept), not_requested, "
            "shrank (missing from a new answer, stored rows kept): transient, retried; rejected_race, "
            "rejected_row: permanent, the source's values broke their rules",
        ),
        Column("race_key", Text, comment="The race concerned, when there is one"),
        Column("path", Text, comment="API path of the request"),
        Column("status", Integer, comment="Last HTTP status (0: no answer)"),
        Column("runner", Integer, comment="Runner number of a rejected row"),
        Column("field", Text, comment="Column whose value broke its rule"),
        Column("value", Text, comment="The offending value, as received"),
        Column("detail", Text, nullable=False, comment="What went wrong"),
    ),
    primary_key=("race_date", "endpoint", "seq"),
    partition_column="race_date",
)
