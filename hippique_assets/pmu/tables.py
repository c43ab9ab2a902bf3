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

_DAY = Column("race_date", Date, nullable=False, comment="Racing day requested, Europe/Paris")
_REUNION = Column(
    "reunion",
    Integer,
    nullable=False,
    comment="Reunion (race meeting) number of the day, the R of R1C4 (numOfficiel)",
    info=rule(ge=1, le=99),
)
_COURSE = Column(
    "course",
    Integer,
    nullable=False,
    comment="Race number within the reunion, the C of R1C4 (numOrdre)",
    info=rule(ge=1, le=99),
)
_RACE_KEY = Column(
    "race_key", Text, nullable=False, comment="Race partition key, day-R-C, e.g. 2026-03-23-R1C4"
)

REUNIONS = declare_table(
    schema="pmu",
    name="reunions",
    description="One row per reunion (race meeting) of the day, French and foreign.",
    columns=(
        _DAY,
        _REUNION,
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
        _DAY,
        _REUNION,
        _COURSE,
        _RACE_KEY,
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
        _DAY,
        _REUNION,
        _COURSE,
        _RACE_KEY,
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

BETS = declare_table(
    schema="pmu",
    name="bets",
    description="Bet types settled for each race (rapports-definitifs), with base stake and refund flag.",
    columns=(
        _DAY,
        _REUNION,
        _COURSE,
        _RACE_KEY,
        Column(
            "bet_type",
            Text,
            nullable=False,
            comment="Bet type without any E_ prefix, e.g. SIMPLE_GAGNANT (typePari)",
        ),
        Column(
            "bet_type_raw",
            Text,
            nullable=False,
            comment="Bet type as served, e.g. E_SIMPLE_GAGNANT (typePari)",
        ),
        Column("family", Text, comment="Bet family, e.g. Simple, Couple, Trio (famillePari)"),
        Column(
            "base_stake_eur",
            MONEY,
            comment="Base stake of the bet, euros (miseBase, centimes)",
            info=rule(ge=0),
        ),
        Column("refunded", Boolean, comment="Stakes refunded (rembourse)"),
        Column(
            "dividend_unit",
            Text,
            comment="What a dividend is paid for: PourUnEuro (1 euro) or PourUneMiseDeBase (the base stake) (dividendeUnite)",
        ),
        Column("audience", Text, comment="Betting audience: NATIONAL, REGIONAL... (audience)"),
        Column(
            "n_dividends",
            Integer,
            nullable=False,
            comment="Number of dividends listed for the bet (rapports)",
            info=rule(ge=0),
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
        Column(
            "bet_type",
            Text,
            nullable=False,
            comment="Bet type without any E_ prefix, e.g. SIMPLE_GAGNANT (typePari)",
        ),
        Column(
            "label",
            Text,
            nullable=False,
            comment="Label of the dividend: Simple gagnant, Quinte+ Ordre... (libelle)",
        ),
        Column(
            "combination",
            Text,
            nullable=False,
            comment="Winning combination verbatim, e.g. 5-3-7, 5-NP (combinaison)",
        ),
        Column(
            "combination_numbers",
            ARRAY(Integer),
            nullable=False,
            comment="Runner numbers of the combination, non-runners left out (combinaison)",
        ),
        Column(
            "has_non_runner",
            Boolean,
            nullable=False,
            comment="The combination holds a non-runner, NP (combinaison)",
        ),
        Column(
            "dividend_per_eur",
            MONEY,
            comment="Dividend for a 1 euro stake, euros (dividendePourUnEuro, centimes)",
            info=rule(ge=0),
        ),
        Column(
            "dividend",
            MONEY,
            comment="Dividend, euros per dividend_unit (dividende, centimes)",
            info=rule(ge=0),
        ),
        Column(
            "dividend_unit",
            Text,
            comment="What dividend is paid for: PourUnEuro or PourUneMiseDeBase (dividendeUnite)",
        ),
        Column(
            "dividend_per_base_stake",
            MONEY,
            comment="Dividend for the base stake, euros (dividendePourUneMiseDeBase, centimes)",
            info=rule(ge=0),
        ),
        Column(
            "base_stake_eur",
            MONEY,
            comment="Base stake of the bet, euros (miseBase, centimes)",
            info=rule(ge=0),
        ),
        Column(
            "n_winners", MONEY, comment="Winning stakes, may be fractional (nombreGagnants)", info=rule(ge=0)
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
    description="Odds of every runner captured at a phase of the race day (h30, h5, last_call, and "
    "watch: about twice a minute from H-10 to the off), kept as history.",
    columns=(
        _RACE_KEY,
        _DAY,
        _REUNION,
        _COURSE,
        Column("phase", Text, nullable=False, comment="Phase of the capture: h30, h5 or another label"),
        Column("captured_at", TIMESTAMPTZ, nullable=False, comment="When the participants were fetched"),
        Column(
            "number",
            Integer,
            nullable=False,
            comment="Runner number on the saddle cloth (numPmu)",
            info=rule(ge=1, le=99),
        ),
        Column("horse_id", Text, comment="Horse identifier, key of pmu.horses (idCheval, or derived)"),
        Column(
            "odds_direct",
            ODDS,
            comment="Live win odds, euros returned for 1 euro (dernierRapportDirect.rapport)",
            info=rule(ge=1),
        ),
        Column(
            "odds_direct_at",
            TIMESTAMPTZ,
            comment="When the live odds were published (dernierRapportDirect.dateRapport)",
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
        Column("non_runner", Boolean, nullable=False, comment="Withdrawn at the capture (statut, incident)"),
        Column(
            "odds_direct_trend",
            Double,
            comment="Change of the live odds against the reference, percent "
            "(dernierRapportDirect.nombreIndicateurTendance); null before revision 0011",
        ),
        Column(
            "odds_direct_trend_sign",
            Text,
            comment="Trend indicator of the live odds: +, - or blank "
            "(dernierRapportDirect.indicateurTendance); null before revision 0011",
        ),
        Column(
            "odds_direct_favourite",
            Boolean,
            comment="Favourite of the live market (dernierRapportDirect.favoris); null before revision 0011",
        ),
        Column(
            "odds_direct_large_bet",
            Boolean,
            comment="A large bet moved the live odds (dernierRapportDirect.grossePrise); null before revision 0011",
        ),
        Column(
            "odds_reference_favourite",
            Boolean,
            comment="Favourite of the reference market (dernierRapportReference.favoris); null before "
            "revision 0011",
        ),
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
        Column(
            "endpoint",
            Text,
            nullable=False,
            comment="API endpoint: programme, participants, performances or rapports",
        ),
        Column("seq", Integer, nullable=False, comment="Order of the gap within the day and endpoint"),
        Column(
            "kind",
            Text,
            nullable=False,
            comment="request_failed, stale (failed or no data after data, earlier answer kept), not_requested, shrank (missing from a new answer, stored rows kept): transient, retried; rejected_race, rejected_row: permanent, the source's values broke their rules",
        ),
        Column("race_key", Text, comment="The race concerned, when there is one"),
        Column("path", Text, comment="API path of the request"),
        Column("status", Integer, comment="Last HTTP status (0: no answer)"),
        Column("runner", Integer, comment="Runner number of a rejected row (numPmu)"),
        Column("field", Text, comment="Column or API field whose value broke its rule"),
        Column("value", Text, comment="The offending value, as received"),
        Column("detail", Text, nullable=False, comment="What went wrong"),
    ),
    primary_key=("race_date", "endpoint", "seq"),
    partition_column="race_date",
)
