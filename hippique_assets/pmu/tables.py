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

from hippique_assets.storage.tables import Column, ForeignKey, TableSpec, register_tables

MONEY = "numeric(14,2)"
ODDS = "numeric(10,2)"
KG = "numeric(5,1)"
SECONDS = "numeric(10,3)"

_DAY = Column("race_date", "date", nullable=False, description="Racing day requested (Europe/Paris)")
_REUNION = Column("reunion", "integer", nullable=False, description="Reunion number (numOfficiel)")
_COURSE = Column("course", "integer", nullable=False, description="Race number in the reunion (numOrdre)")
_RACE_KEY = Column("race_key", "text", nullable=False, description="Race partition key, e.g. 2026-03-23-R1C4")

REUNIONS = TableSpec(
    schema="pmu",
    name="reunions",
    description="One row per reunion (race meeting) of the day, French and foreign.",
    columns=(
        _DAY,
        _REUNION,
        Column("reunion_external", "integer", description="numExterne"),
        Column("hippodrome_code", "text"),
        Column("hippodrome_name", "text", description="hippodrome.libelleCourt"),
        Column("hippodrome_long_name", "text", description="hippodrome.libelleLong"),
        Column("country_code", "text", description="pays.code (FRA, DEU, CHL...)"),
        Column("country_name", "text"),
        Column("region", "text", description="regionHippique, French regional reunions only"),
        Column("nature", "text", description="DIURNE, SEMINOCTURNE, NOCTURNE"),
        Column("audience", "text", description="NATIONAL, REGIONAL..."),
        Column("status", "text", description="statut: PROGRAMMEE, TERMINEE..."),
        Column("disciplines", "text[]", description="disciplinesMere: TROT, PLAT, OBSTACLE"),
        Column("specialities", "text[]", description="specialites: TROT_ATTELE, PLAT, OBSTACLE..."),
        Column("n_races", "integer", nullable=False, description="Races listed in the payload"),
        Column("meteo_forecast_at", "timestamptz", description="meteo.datePrevision"),
        Column("meteo_code", "text", description="meteo.nebulositeCode"),
        Column("meteo_label", "text", description="meteo.nebulositeLibelleCourt"),
        Column("temperature_c", "numeric(4,1)", description="meteo.temperature, degrees Celsius"),
        Column("wind_speed_kmh", "numeric(5,1)", description="meteo.forceVent"),
        Column("wind_direction", "text", description="meteo.directionVent"),
        Column("timezone_offset_s", "integer", description="reunion timezoneOffset in seconds"),
    ),
    primary_key=("race_date", "reunion"),
    partition_column="race_date",
)

RACES = TableSpec(
    schema="pmu",
    name="races",
    description="One row per race: start time, discipline, distance, prize, status and arrival.",
    columns=(
        _DAY,
        _REUNION,
        _COURSE,
        _RACE_KEY,
        Column("course_external", "integer", description="numExterne"),
        Column("name", "text", description="libelle"),
        Column("short_name", "text", description="libelleCourt"),
        Column("start_utc", "timestamptz", nullable=False, description="heureDepart"),
        Column("start_paris", "timestamp", nullable=False, description="Start, Europe/Paris wall clock"),
        Column("timezone_offset_s", "integer", description="course timezoneOffset in seconds"),
        Column(
            "discipline", "text", nullable=False, description="ATTELE, MONTE, PLAT, HAIE, STEEPLECHASE, CROSS"
        ),
        Column("specialite", "text", description="TROT_ATTELE, TROT_MONTE, PLAT, OBSTACLE"),
        Column("distance_m", "integer"),
        Column("rope", "text", description="corde: CORDE_GAUCHE, CORDE_DROITE, LIGNE_DROITE"),
        Column("track_type", "text", description="typePiste"),
        Column("track_course", "text", description="parcours, free text"),
        Column("category", "text", description="categorieParticularite: HANDICAP, A_RECLAMER..."),
        Column("condition_age", "text"),
        Column("condition_sex", "text"),
        Column("prize_eur", MONEY, description="montantPrix"),
        Column("prize_first_eur", MONEY, description="montantOffert1er"),
        Column("n_declared", "integer", description="nombreDeclaresPartants"),
        Column(
            "status", "text", description="statut: PROGRAMMEE, FIN_COURSE, ARRIVEE_DEFINITIVE_COMPLETE..."
        ),
        Column("category_status", "text", description="categorieStatut: A_PARTIR, ARRIVEE..."),
        Column("duration_s", SECONDS, description="dureeCourse (ms) in seconds"),
        Column("arrival_order", "integer[]", description="Finishers in order (ordreArrivee flattened)"),
        Column(
            "arrival_ranks", "integer[]", description="Rank of each arrival_order element; dead heats share"
        ),
        Column("arrival_final", "boolean", description="arriveeDefinitive"),
        Column("rapports_available", "boolean", description="rapportsDefinitifsDisponibles"),
        Column("non_runners", "integer[]", description="Numbers with a NON_PARTANT incident"),
        Column("incidents", "text", description="TYPE:n,n;TYPE:n from incidents"),
        Column("going", "text", description="penetrometre.intitule"),
        Column("going_value", "double precision", description="penetrometre.valeurMesure"),
        Column("bet_types", "text[]", description="Bet types offered (typePari without E_ prefix)"),
        Column("conditions", "text"),
    ),
    primary_key=("race_date", "reunion", "course"),
    partition_column="race_date",
    foreign_keys=(ForeignKey(("race_date", "reunion"), "pmu.reunions", ("race_date", "reunion")),),
    unique_keys=(("race_key",),),
)

HORSES = TableSpec(
    schema="pmu",
    name="horses",
    description="Every horse seen in a race's participants, keyed by PMU idCheval or a derived key.",
    columns=(
        Column("horse_id", "text", nullable=False, description="idCheval, or a derived key (see module doc)"),
        Column("horse_id_source", "text", nullable=False, description="pmu, derived or race (race-scoped)"),
        Column("name", "text", nullable=False),
        Column("sex", "text", description="As last seen: MALES, FEMELLES, HONGRES"),
        Column("breed", "text", description="race: TROTTEUR FRANCAIS, PUR-SANG..."),
        Column("birth_year", "integer", description="Race year minus age"),
        Column("coat", "text", description="robe.libelleLong"),
        Column("country", "text", description="pays"),
        Column("father", "text", description="nomPere"),
        Column("mother", "text", description="nomMere"),
        Column("mother_father", "text", description="nomPereMere"),
        Column("breeder", "text", description="eleveur"),
        Column("first_seen", "date", nullable=False),
        Column("last_seen", "date", nullable=False),
    ),
    primary_key=("horse_id",),
    write_mode="upsert",
)

PARTICIPANTS = TableSpec(
    schema="pmu",
    name="participants",
    description="One row per runner of every race: identity, connections, form, odds and result.",
    columns=(
        _DAY,
        _REUNION,
        _COURSE,
        _RACE_KEY,
        Column("number", "integer", nullable=False, description="numPmu"),
        Column("horse_id", "text", nullable=False),
        Column("horse_name", "text", nullable=False, description="nom"),
        Column("age", "integer"),
        Column("sex", "text"),
        Column("breed", "text"),
        Column("status", "text", description="statut: PARTANT, NON_PARTANT"),
        Column("non_runner", "boolean", nullable=False),
        Column("jockey", "text", description="driver (jockey, or driver in trot)"),
        Column("jockey_changed", "boolean", description="driverChange"),
        Column("trainer", "text", description="entraineur"),
        Column("owner", "text", description="proprietaire"),
        Column("draw", "integer", description="placeCorde"),
        Column("weight_kg", KG, description="handicapPoids (tenths of kg) in kg"),
        Column("weight_carried_kg", KG, description="poidsConditionMonte in kg (after allowances)"),
        Column("handicap_value", "numeric(6,1)", description="handicapValeur"),
        Column("handicap_distance_m", "integer", description="handicapDistance"),
        Column("blinkers", "text", description="oeilleres"),
        Column("shoes", "text", description="deferre"),
        Column("musique", "text", description="Recent form string, verbatim"),
        Column("unraced", "boolean", description="indicateurInedit"),
        Column("career_starts", "integer", description="nombreCourses"),
        Column("career_wins", "integer", description="nombreVictoires"),
        Column("career_places", "integer", description="nombrePlaces"),
        Column("career_seconds", "integer", description="nombrePlacesSecond"),
        Column("career_thirds", "integer", description="nombrePlacesTroisieme"),
        Column("earnings_career_eur", MONEY, description="gainsParticipant.gainsCarriere"),
        Column("earnings_wins_eur", MONEY, description="gainsParticipant.gainsVictoires"),
        Column("earnings_places_eur", MONEY, description="gainsParticipant.gainsPlace"),
        Column("earnings_year_eur", MONEY, description="gainsParticipant.gainsAnneeEnCours"),
        Column("earnings_prev_year_eur", MONEY, description="gainsParticipant.gainsAnneePrecedente"),
        Column("odds_direct", ODDS, description="dernierRapportDirect.rapport, for 1 euro"),
        Column("odds_direct_at", "timestamptz", description="dernierRapportDirect.dateRapport"),
        Column("odds_reference", ODDS, description="dernierRapportReference.rapport (morning odds)"),
        Column("odds_reference_at", "timestamptz", description="dernierRapportReference.dateRapport"),
        Column("favourite", "boolean", description="dernierRapportDirect.favoris"),
        Column("incident", "text", description="NON_PARTANT, DISQUALIFIE_..., TOMBE, ARRETE..."),
        Column("finish_rank", "integer", description="ordreArrivee; null when not classified"),
        Column("time_s", SECONDS, description="tempsObtenu (ms) in seconds"),
        Column("reduction_km_s", SECONDS, description="reductionKilometrique (ms per km) in seconds"),
        Column("distance_to_previous", "text", description="distanceChevalPrecedent.libelleLong"),
        Column("trainer_opinion", "text", description="avisEntraineur"),
    ),
    primary_key=("race_date", "reunion", "course", "number"),
    partition_column="race_date",
    foreign_keys=(
        ForeignKey(("race_date", "reunion", "course"), "pmu.races", ("race_date", "reunion", "course")),
        ForeignKey(("horse_id",), "pmu.horses", ("horse_id",)),
    ),
)

PERFORMANCES = TableSpec(
    schema="pmu",
    name="performances",
    description=(
        "Past races of the day's runners (performances-detaillees), one row per horse and past race, "
        "the same past race seen on several days being one row."
    ),
    columns=(
        Column("horse_id", "text", nullable=False),
        Column("past_race_date", "date", nullable=False, description="date (local midnight) as a day"),
        Column("horse_name", "text", description="nomCheval"),
        Column("hippodrome", "text"),
        Column("race_name", "text", description="nomPrix"),
        Column("discipline", "text"),
        Column("distance_m", "integer"),
        Column("prize_eur", MONEY, description="allocation (euros)"),
        Column("n_runners", "integer", description="nbParticipants"),
        Column("place", "integer", description="place.place of the horse"),
        Column("place_raw", "text", description="place.rawValue"),
        Column("finish_status", "text", description="place.statusArrivee: PLACE, NON_PLACE, DISQUALIFIE..."),
        Column("jockey", "text", description="nomJockey"),
        Column("jockey_weight_kg", KG, description="poidsJockey in kg"),
        Column("draw", "integer", description="corde"),
        Column("blinkers", "text", description="oeillere"),
        Column("distance_to_previous", "text", description="distanceAvecPrecedent"),
        Column("distance_covered_m", "integer", description="distanceParcourue"),
        Column("reduction_km_s", "numeric(8,2)", description="reductionKilometrique (hundredths) in s"),
        Column("winner_time_s", "numeric(8,2)", description="tempsDuPremier (hundredths) in s"),
        Column("winner_name", "text", description="Horse placed first, when listed"),
        Column("last_seen_date", "date", nullable=False, description="Racing day of the payload"),
        Column("last_seen_race_key", "text", nullable=False, description="Race whose payload listed it"),
    ),
    primary_key=("horse_id", "past_race_date"),
    write_mode="upsert",
    foreign_keys=(ForeignKey(("horse_id",), "pmu.horses", ("horse_id",)),),
)

BETS = TableSpec(
    schema="pmu",
    name="bets",
    description="Bet types settled for each race (rapports-definitifs), with base stake and refund flag.",
    columns=(
        _DAY,
        _REUNION,
        _COURSE,
        _RACE_KEY,
        Column("bet_type", "text", nullable=False, description="typePari without any E_ prefix"),
        Column("bet_type_raw", "text", nullable=False, description="typePari as served"),
        Column("family", "text", description="famillePari"),
        Column("base_stake_eur", MONEY, description="miseBase (centimes) in euros"),
        Column("refunded", "boolean", description="rembourse"),
        Column("dividend_unit", "text", description="dividendeUnite: PourUnEuro or PourUneMiseDeBase"),
        Column("audience", "text"),
        Column("n_dividends", "integer", nullable=False, description="Rapports listed for the bet"),
    ),
    primary_key=("race_date", "reunion", "course", "bet_type"),
    partition_column="race_date",
    foreign_keys=(
        ForeignKey(("race_date", "reunion", "course"), "pmu.races", ("race_date", "reunion", "course")),
    ),
)

DIVIDENDS = TableSpec(
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
        Column("bet_type", "text", nullable=False, description="typePari without any E_ prefix"),
        Column("label", "text", nullable=False, description="libelle: Simple gagnant, Quinte+ Ordre..."),
        Column("combination", "text", nullable=False, description="combinaison verbatim: 5-3-7, 5-NP"),
        Column("combination_numbers", "integer[]", nullable=False, description="Runner numbers only"),
        Column("has_non_runner", "boolean", nullable=False, description="The combination holds NP"),
        Column("dividend_per_eur", MONEY, description="dividendePourUnEuro / 100: euros for 1 euro"),
        Column("dividend", MONEY, description="dividende / 100, euros in dividend_unit"),
        Column("dividend_unit", "text", description="PourUnEuro or PourUneMiseDeBase"),
        Column("dividend_per_base_stake", MONEY, description="dividendePourUneMiseDeBase / 100"),
        Column("base_stake_eur", MONEY, description="miseBase of the bet in euros"),
        Column("n_winners", MONEY, description="nombreGagnants (winning stakes, may be fractional)"),
    ),
    primary_key=("race_date", "reunion", "course", "bet_type", "combination", "label"),
    partition_column="race_date",
    foreign_keys=(
        ForeignKey(
            ("race_date", "reunion", "course", "bet_type"),
            "pmu.bets",
            ("race_date", "reunion", "course", "bet_type"),
        ),
    ),
)

ODDS_SNAPSHOTS = TableSpec(
    schema="pmu",
    name="odds_snapshots",
    description="Odds of every runner captured at a phase of the race day (h30, h5...), kept as history.",
    columns=(
        _RACE_KEY,
        _DAY,
        _REUNION,
        _COURSE,
        Column("phase", "text", nullable=False, description="h30, h5 or another label"),
        Column("captured_at", "timestamptz", nullable=False),
        Column("number", "integer", nullable=False),
        Column("horse_id", "text"),
        Column("odds_direct", ODDS),
        Column("odds_direct_at", "timestamptz"),
        Column("odds_reference", ODDS),
        Column("odds_reference_at", "timestamptz"),
        Column("non_runner", "boolean", nullable=False),
    ),
    primary_key=("race_key", "phase", "captured_at", "number"),
    partition_column="race_key",
    write_mode="append",
)

ALL_TABLES: tuple[TableSpec, ...] = (
    REUNIONS,
    RACES,
    HORSES,
    PARTICIPANTS,
    PERFORMANCES,
    BETS,
    DIVIDENDS,
    ODDS_SNAPSHOTS,
)

register_tables(ALL_TABLES)
