"""Tables of schemas pmu, racing, betting and web: the baseline

Revision ID: 0001
Revises:
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


SCHEMAS = ("pmu", "racing", "betting", "web")


def upgrade() -> None:
    # A database whose tables were created before the migrations keeps them (IF NOT EXISTS).
    for schema in SCHEMAS:
        op.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    op.create_table(
        "decisions",
        sa.Column("race_key", sa.Text(), nullable=False, comment="Race partition key, e.g. 2026-03-23-R1C4"),
        sa.Column("race_date", sa.Date(), nullable=False, comment="Racing day (Europe/Paris)"),
        sa.Column("reunion", sa.Integer(), nullable=False),
        sa.Column("course", sa.Integer(), nullable=False),
        sa.Column("abstained", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("n_candidates", sa.Integer(), nullable=False),
        sa.Column("n_tickets", sa.Integer(), nullable=False),
        sa.Column("stake_eur", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("expected_return_eur", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("drift_available", sa.Boolean(), nullable=False),
        sa.Column("config_version", sa.Text(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("race_key", name=op.f("decisions_pkey")),
        if_not_exists=True,
        schema="betting",
        comment="One row per analysed race: bet or abstain, and why.",
    )
    op.create_table(
        "ledger",
        sa.Column("race_date", sa.Date(), nullable=False, comment="Racing day (Europe/Paris)"),
        sa.Column("race_key", sa.Text(), nullable=False, comment="Race partition key, e.g. 2026-03-23-R1C4"),
        sa.Column("reunion", sa.Integer(), nullable=False),
        sa.Column("course", sa.Integer(), nullable=False),
        sa.Column("abstained", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("n_tickets", sa.Integer(), nullable=False),
        sa.Column("n_won", sa.Integer(), nullable=False),
        sa.Column("stake_eur", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("expected_return_eur", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("return_eur", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("profit_eur", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("roi", sa.Double(), nullable=True, comment="profit / stake; null without stake"),
        sa.Column("settled", sa.Boolean(), nullable=False),
        sa.Column("brier", sa.Double(), nullable=True, comment="Brier score of p_finale against the arrival"),
        sa.Column("log_loss", sa.Double(), nullable=True),
        sa.Column("market_brier", sa.Double(), nullable=True),
        sa.Column("market_log_loss", sa.Double(), nullable=True),
        sa.PrimaryKeyConstraint("race_date", "race_key", name=op.f("ledger_pkey")),
        if_not_exists=True,
        schema="betting",
        comment="One row per race of the day: stakes, returns, ROI and the quality of the probabilities.",
    )
    op.create_table(
        "runner_analysis",
        sa.Column("race_key", sa.Text(), nullable=False, comment="Race partition key, e.g. 2026-03-23-R1C4"),
        sa.Column("race_date", sa.Date(), nullable=False, comment="Racing day (Europe/Paris)"),
        sa.Column("reunion", sa.Integer(), nullable=False),
        sa.Column("course", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("horse_id", sa.Text(), nullable=True),
        sa.Column("odds_h30", sa.Double(), nullable=True, comment="Direct odds at H-30 (null when missing)"),
        sa.Column("odds_h5", sa.Double(), nullable=True, comment="Direct odds at H-5"),
        sa.Column("p_market", sa.Double(), nullable=False, comment="Overround removed"),
        sa.Column("p_finale", sa.Double(), nullable=False, comment="Final win probability"),
        sa.Column("p_place", sa.Double(), nullable=True, comment="Probability of a paid place"),
        sa.Column("ev_win", sa.Double(), nullable=True, comment="EV per euro of a simple gagnant bet"),
        sa.Column(
            "jockey", sa.Double(), nullable=True, comment="Log-scale contribution of the jockey factor"
        ),
        sa.Column("trainer", sa.Double(), nullable=True),
        sa.Column("form", sa.Double(), nullable=True),
        sa.Column("chrono", sa.Double(), nullable=True),
        sa.Column("drift", sa.Double(), nullable=True),
        sa.Column("drift_available", sa.Boolean(), nullable=False),
        sa.Column("method", sa.Text(), nullable=False, comment="model:<version> or factors"),
        sa.Column("config_version", sa.Text(), nullable=False),
        sa.Column("analysed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("race_key", "number", name=op.f("runner_analysis_pkey")),
        if_not_exists=True,
        schema="betting",
        comment="Per runner at H-5: market and final win probabilities and what moved them.",
    )
    op.create_table(
        "settlements",
        sa.Column("race_key", sa.Text(), nullable=False, comment="Race partition key, e.g. 2026-03-23-R1C4"),
        sa.Column("race_date", sa.Date(), nullable=False, comment="Racing day (Europe/Paris)"),
        sa.Column("reunion", sa.Integer(), nullable=False),
        sa.Column("course", sa.Integer(), nullable=False),
        sa.Column("bet_type", sa.Text(), nullable=False),
        sa.Column("combination", sa.Text(), nullable=False),
        sa.Column("stake_eur", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False, comment="won, lost or refunded"),
        sa.Column("dividend_per_eur", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("return_eur", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("profit_eur", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("official", sa.Boolean(), nullable=False),
        sa.Column("settled_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("race_key", "bet_type", "combination", name=op.f("settlements_pkey")),
        if_not_exists=True,
        schema="betting",
        comment="Tickets settled at H+15 on the official dividends (refunds for non-runners).",
    )
    op.create_table(
        "tickets",
        sa.Column("race_key", sa.Text(), nullable=False, comment="Race partition key, e.g. 2026-03-23-R1C4"),
        sa.Column("race_date", sa.Date(), nullable=False, comment="Racing day (Europe/Paris)"),
        sa.Column("reunion", sa.Integer(), nullable=False),
        sa.Column("course", sa.Integer(), nullable=False),
        sa.Column("bet_type", sa.Text(), nullable=False),
        sa.Column("combination", sa.Text(), nullable=False, comment="Numbers ascending, e.g. 3-7"),
        sa.Column("numbers", sa.ARRAY(sa.Integer()), nullable=False),
        sa.Column("probability", sa.Double(), nullable=False),
        sa.Column("market_probability", sa.Double(), nullable=True),
        sa.Column("payout_estimate", sa.Double(), nullable=False, comment="Euros per euro"),
        sa.Column("ev", sa.Double(), nullable=False, comment="Expected value per euro staked"),
        sa.Column("stake_eur", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("config_version", sa.Text(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("race_key", "bet_type", "combination", name=op.f("tickets_pkey")),
        if_not_exists=True,
        schema="betting",
        comment="Bets decided at H-5, within the race budget.",
    )
    op.create_table(
        "bets",
        sa.Column("race_date", sa.Date(), nullable=False, comment="Racing day requested (Europe/Paris)"),
        sa.Column("reunion", sa.Integer(), nullable=False, comment="Reunion number (numOfficiel)"),
        sa.Column("course", sa.Integer(), nullable=False, comment="Race number in the reunion (numOrdre)"),
        sa.Column("race_key", sa.Text(), nullable=False, comment="Race partition key, e.g. 2026-03-23-R1C4"),
        sa.Column("bet_type", sa.Text(), nullable=False, comment="typePari without any E_ prefix"),
        sa.Column("bet_type_raw", sa.Text(), nullable=False, comment="typePari as served"),
        sa.Column("family", sa.Text(), nullable=True, comment="famillePari"),
        sa.Column(
            "base_stake_eur",
            sa.Numeric(precision=14, scale=2),
            nullable=True,
            comment="miseBase (centimes) in euros",
        ),
        sa.Column("refunded", sa.Boolean(), nullable=True, comment="rembourse"),
        sa.Column(
            "dividend_unit",
            sa.Text(),
            nullable=True,
            comment="dividendeUnite: PourUnEuro or PourUneMiseDeBase",
        ),
        sa.Column("audience", sa.Text(), nullable=True),
        sa.Column("n_dividends", sa.Integer(), nullable=False, comment="Rapports listed for the bet"),
        sa.PrimaryKeyConstraint("race_date", "reunion", "course", "bet_type", name=op.f("bets_pkey")),
        if_not_exists=True,
        schema="pmu",
        comment="Bet types settled for each race (rapports-definitifs), with base stake and refund flag.",
    )
    op.create_table(
        "dividends",
        sa.Column("race_date", sa.Date(), nullable=False, comment="Racing day requested (Europe/Paris)"),
        sa.Column("reunion", sa.Integer(), nullable=False, comment="Reunion number (numOfficiel)"),
        sa.Column("course", sa.Integer(), nullable=False, comment="Race number in the reunion (numOrdre)"),
        sa.Column("race_key", sa.Text(), nullable=False, comment="Race partition key, e.g. 2026-03-23-R1C4"),
        sa.Column("bet_type", sa.Text(), nullable=False, comment="typePari without any E_ prefix"),
        sa.Column("label", sa.Text(), nullable=False, comment="libelle: Simple gagnant, Quinte+ Ordre..."),
        sa.Column("combination", sa.Text(), nullable=False, comment="combinaison verbatim: 5-3-7, 5-NP"),
        sa.Column(
            "combination_numbers", sa.ARRAY(sa.Integer()), nullable=False, comment="Runner numbers only"
        ),
        sa.Column("has_non_runner", sa.Boolean(), nullable=False, comment="The combination holds NP"),
        sa.Column(
            "dividend_per_eur",
            sa.Numeric(precision=14, scale=2),
            nullable=True,
            comment="dividendePourUnEuro / 100: euros for 1 euro",
        ),
        sa.Column(
            "dividend",
            sa.Numeric(precision=14, scale=2),
            nullable=True,
            comment="dividende / 100, euros in dividend_unit",
        ),
        sa.Column("dividend_unit", sa.Text(), nullable=True, comment="PourUnEuro or PourUneMiseDeBase"),
        sa.Column(
            "dividend_per_base_stake",
            sa.Numeric(precision=14, scale=2),
            nullable=True,
            comment="dividendePourUneMiseDeBase / 100",
        ),
        sa.Column(
            "base_stake_eur",
            sa.Numeric(precision=14, scale=2),
            nullable=True,
            comment="miseBase of the bet in euros",
        ),
        sa.Column(
            "n_winners",
            sa.Numeric(precision=14, scale=2),
            nullable=True,
            comment="nombreGagnants (winning stakes, may be fractional)",
        ),
        sa.PrimaryKeyConstraint(
            "race_date", "reunion", "course", "bet_type", "combination", "label", name=op.f("dividends_pkey")
        ),
        if_not_exists=True,
        schema="pmu",
        comment="Official dividends per bet type and winning combination. A combination can be paid twice under different labels (Quinte+ Ordre and Desordre), hence label in the key.",
    )
    op.create_table(
        "horses",
        sa.Column(
            "horse_id", sa.Text(), nullable=False, comment="idCheval, or a derived key (see module doc)"
        ),
        sa.Column("horse_id_source", sa.Text(), nullable=False, comment="pmu, derived or race (race-scoped)"),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("sex", sa.Text(), nullable=True, comment="As last seen: MALES, FEMELLES, HONGRES"),
        sa.Column("breed", sa.Text(), nullable=True, comment="race: TROTTEUR FRANCAIS, PUR-SANG..."),
        sa.Column("birth_year", sa.Integer(), nullable=True, comment="Race year minus age"),
        sa.Column("coat", sa.Text(), nullable=True, comment="robe.libelleLong"),
        sa.Column("country", sa.Text(), nullable=True, comment="pays"),
        sa.Column("father", sa.Text(), nullable=True, comment="nomPere"),
        sa.Column("mother", sa.Text(), nullable=True, comment="nomMere"),
        sa.Column("mother_father", sa.Text(), nullable=True, comment="nomPereMere"),
        sa.Column("breeder", sa.Text(), nullable=True, comment="eleveur"),
        sa.Column("first_seen", sa.Date(), nullable=False),
        sa.Column("last_seen", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("horse_id", name=op.f("horses_pkey")),
        if_not_exists=True,
        schema="pmu",
        comment="Every horse seen in a race's participants, keyed by PMU idCheval or a derived key.",
    )
    op.create_table(
        "odds_snapshots",
        sa.Column("race_key", sa.Text(), nullable=False, comment="Race partition key, e.g. 2026-03-23-R1C4"),
        sa.Column("race_date", sa.Date(), nullable=False, comment="Racing day requested (Europe/Paris)"),
        sa.Column("reunion", sa.Integer(), nullable=False, comment="Reunion number (numOfficiel)"),
        sa.Column("course", sa.Integer(), nullable=False, comment="Race number in the reunion (numOrdre)"),
        sa.Column("phase", sa.Text(), nullable=False, comment="h30, h5 or another label"),
        sa.Column("captured_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("horse_id", sa.Text(), nullable=True),
        sa.Column("odds_direct", sa.Numeric(precision=10, scale=2), nullable=True),
        sa.Column("odds_direct_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("odds_reference", sa.Numeric(precision=10, scale=2), nullable=True),
        sa.Column("odds_reference_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("non_runner", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint(
            "race_key", "phase", "captured_at", "number", name=op.f("odds_snapshots_pkey")
        ),
        if_not_exists=True,
        schema="pmu",
        comment="Odds of every runner captured at a phase of the race day (h30, h5...), kept as history.",
    )
    op.create_table(
        "participants",
        sa.Column("race_date", sa.Date(), nullable=False, comment="Racing day requested (Europe/Paris)"),
        sa.Column("reunion", sa.Integer(), nullable=False, comment="Reunion number (numOfficiel)"),
        sa.Column("course", sa.Integer(), nullable=False, comment="Race number in the reunion (numOrdre)"),
        sa.Column("race_key", sa.Text(), nullable=False, comment="Race partition key, e.g. 2026-03-23-R1C4"),
        sa.Column("number", sa.Integer(), nullable=False, comment="numPmu"),
        sa.Column("horse_id", sa.Text(), nullable=False),
        sa.Column("horse_name", sa.Text(), nullable=False, comment="nom"),
        sa.Column("age", sa.Integer(), nullable=True),
        sa.Column("sex", sa.Text(), nullable=True),
        sa.Column("breed", sa.Text(), nullable=True),
        sa.Column("status", sa.Text(), nullable=True, comment="statut: PARTANT, NON_PARTANT"),
        sa.Column("non_runner", sa.Boolean(), nullable=False),
        sa.Column("jockey", sa.Text(), nullable=True, comment="driver (jockey, or driver in trot)"),
        sa.Column("jockey_changed", sa.Boolean(), nullable=True, comment="driverChange"),
        sa.Column("trainer", sa.Text(), nullable=True, comment="entraineur"),
        sa.Column("owner", sa.Text(), nullable=True, comment="proprietaire"),
        sa.Column("draw", sa.Integer(), nullable=True, comment="placeCorde"),
        sa.Column(
            "weight_kg",
            sa.Numeric(precision=5, scale=1),
            nullable=True,
            comment="handicapPoids (tenths of kg) in kg",
        ),
        sa.Column(
            "weight_carried_kg",
            sa.Numeric(precision=5, scale=1),
            nullable=True,
            comment="poidsConditionMonte in kg (after allowances)",
        ),
        sa.Column(
            "handicap_value", sa.Numeric(precision=6, scale=1), nullable=True, comment="handicapValeur"
        ),
        sa.Column("handicap_distance_m", sa.Integer(), nullable=True, comment="handicapDistance"),
        sa.Column("blinkers", sa.Text(), nullable=True, comment="oeilleres"),
        sa.Column("shoes", sa.Text(), nullable=True, comment="deferre"),
        sa.Column("musique", sa.Text(), nullable=True, comment="Recent form string, verbatim"),
        sa.Column("unraced", sa.Boolean(), nullable=True, comment="indicateurInedit"),
        sa.Column("career_starts", sa.Integer(), nullable=True, comment="nombreCourses"),
        sa.Column("career_wins", sa.Integer(), nullable=True, comment="nombreVictoires"),
        sa.Column("career_places", sa.Integer(), nullable=True, comment="nombrePlaces"),
        sa.Column("career_seconds", sa.Integer(), nullable=True, comment="nombrePlacesSecond"),
        sa.Column("career_thirds", sa.Integer(), nullable=True, comment="nombrePlacesTroisieme"),
        sa.Column(
            "earnings_career_eur",
            sa.Numeric(precision=14, scale=2),
            nullable=True,
            comment="gainsParticipant.gainsCarriere",
        ),
        sa.Column(
            "earnings_wins_eur",
            sa.Numeric(precision=14, scale=2),
            nullable=True,
            comment="gainsParticipant.gainsVictoires",
        ),
        sa.Column(
            "earnings_places_eur",
            sa.Numeric(precision=14, scale=2),
            nullable=True,
            comment="gainsParticipant.gainsPlace",
        ),
        sa.Column(
            "earnings_year_eur",
            sa.Numeric(precision=14, scale=2),
            nullable=True,
            comment="gainsParticipant.gainsAnneeEnCours",
        ),
        sa.Column(
            "earnings_prev_year_eur",
            sa.Numeric(precision=14, scale=2),
            nullable=True,
            comment="gainsParticipant.gainsAnneePrecedente",
        ),
        sa.Column(
            "odds_direct",
            sa.Numeric(precision=10, scale=2),
            nullable=True,
            comment="dernierRapportDirect.rapport, for 1 euro",
        ),
        sa.Column(
            "odds_direct_at",
            sa.DateTime(timezone=True),
            nullable=True,
            comment="dernierRapportDirect.dateRapport",
        ),
        sa.Column(
            "odds_reference",
            sa.Numeric(precision=10, scale=2),
            nullable=True,
            comment="dernierRapportReference.rapport (morning odds)",
        ),
        sa.Column(
            "odds_reference_at",
            sa.DateTime(timezone=True),
            nullable=True,
            comment="dernierRapportReference.dateRapport",
        ),
        sa.Column("favourite", sa.Boolean(), nullable=True, comment="dernierRapportDirect.favoris"),
        sa.Column(
            "incident", sa.Text(), nullable=True, comment="NON_PARTANT, DISQUALIFIE_..., TOMBE, ARRETE..."
        ),
        sa.Column(
            "finish_rank", sa.Integer(), nullable=True, comment="ordreArrivee; null when not classified"
        ),
        sa.Column(
            "time_s", sa.Numeric(precision=10, scale=3), nullable=True, comment="tempsObtenu (ms) in seconds"
        ),
        sa.Column(
            "reduction_km_s",
            sa.Numeric(precision=10, scale=3),
            nullable=True,
            comment="reductionKilometrique (ms per km) in seconds",
        ),
        sa.Column(
            "distance_to_previous", sa.Text(), nullable=True, comment="distanceChevalPrecedent.libelleLong"
        ),
        sa.Column("trainer_opinion", sa.Text(), nullable=True, comment="avisEntraineur"),
        sa.PrimaryKeyConstraint("race_date", "reunion", "course", "number", name=op.f("participants_pkey")),
        if_not_exists=True,
        schema="pmu",
        comment="One row per runner of every race: identity, connections, form, odds and result.",
    )
    op.create_table(
        "performances",
        sa.Column("horse_id", sa.Text(), nullable=False),
        sa.Column("past_race_date", sa.Date(), nullable=False, comment="date (local midnight) as a day"),
        sa.Column("horse_name", sa.Text(), nullable=True, comment="nomCheval"),
        sa.Column("hippodrome", sa.Text(), nullable=True),
        sa.Column("race_name", sa.Text(), nullable=True, comment="nomPrix"),
        sa.Column("discipline", sa.Text(), nullable=True),
        sa.Column("distance_m", sa.Integer(), nullable=True),
        sa.Column(
            "prize_eur", sa.Numeric(precision=14, scale=2), nullable=True, comment="allocation (euros)"
        ),
        sa.Column("n_runners", sa.Integer(), nullable=True, comment="nbParticipants"),
        sa.Column("place", sa.Integer(), nullable=True, comment="place.place of the horse"),
        sa.Column("place_raw", sa.Text(), nullable=True, comment="place.rawValue"),
        sa.Column(
            "finish_status",
            sa.Text(),
            nullable=True,
            comment="place.statusArrivee: PLACE, NON_PLACE, DISQUALIFIE...",
        ),
        sa.Column("jockey", sa.Text(), nullable=True, comment="nomJockey"),
        sa.Column(
            "jockey_weight_kg", sa.Numeric(precision=5, scale=1), nullable=True, comment="poidsJockey in kg"
        ),
        sa.Column("draw", sa.Integer(), nullable=True, comment="corde"),
        sa.Column("blinkers", sa.Text(), nullable=True, comment="oeillere"),
        sa.Column("distance_to_previous", sa.Text(), nullable=True, comment="distanceAvecPrecedent"),
        sa.Column("distance_covered_m", sa.Integer(), nullable=True, comment="distanceParcourue"),
        sa.Column(
            "reduction_km_s",
            sa.Numeric(precision=8, scale=2),
            nullable=True,
            comment="reductionKilometrique (hundredths) in s",
        ),
        sa.Column(
            "winner_time_s",
            sa.Numeric(precision=8, scale=2),
            nullable=True,
            comment="tempsDuPremier (hundredths) in s",
        ),
        sa.Column("winner_name", sa.Text(), nullable=True, comment="Horse placed first, when listed"),
        sa.Column("last_seen_date", sa.Date(), nullable=False, comment="Racing day of the payload"),
        sa.Column("last_seen_race_key", sa.Text(), nullable=False, comment="Race whose payload listed it"),
        sa.PrimaryKeyConstraint("horse_id", "past_race_date", name=op.f("performances_pkey")),
        if_not_exists=True,
        schema="pmu",
        comment="Past races of the day's runners (performances-detaillees), one row per horse and past race, the same past race seen on several days being one row.",
    )
    op.create_table(
        "race_dividends",
        sa.Column("race_key", sa.Text(), nullable=False),
        sa.Column("bet_type", sa.Text(), nullable=False),
        sa.Column("combination", sa.Text(), nullable=False),
        sa.Column("combination_numbers", sa.ARRAY(sa.Integer()), nullable=True),
        sa.Column("has_non_runner", sa.Boolean(), nullable=False),
        sa.Column("dividend_per_eur", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("race_key", "bet_type", "combination", name=op.f("race_dividends_pkey")),
        if_not_exists=True,
        schema="pmu",
        comment="Dividends of one race as fetched at H+15 (euros per 1 euro staked).",
    )
    op.create_table(
        "race_results",
        sa.Column("race_key", sa.Text(), nullable=False),
        sa.Column("race_date", sa.Date(), nullable=False),
        sa.Column("reunion", sa.Integer(), nullable=False),
        sa.Column("course", sa.Integer(), nullable=False),
        sa.Column("official", sa.Boolean(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False, comment="pmu or a web source such as geny"),
        sa.Column("arrival_order", sa.ARRAY(sa.Integer()), nullable=True),
        sa.Column("arrival_ranks", sa.ARRAY(sa.Integer()), nullable=True),
        sa.Column("non_runners", sa.ARRAY(sa.Integer()), nullable=True),
        sa.Column("n_dividends", sa.Integer(), nullable=True),
        sa.Column("resulted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("race_key", name=op.f("race_results_pkey")),
        if_not_exists=True,
        schema="pmu",
        comment="Arrival and status of each race, as known at H+15 (official when from PMU rapports).",
    )
    op.create_table(
        "races",
        sa.Column("race_date", sa.Date(), nullable=False, comment="Racing day requested (Europe/Paris)"),
        sa.Column("reunion", sa.Integer(), nullable=False, comment="Reunion number (numOfficiel)"),
        sa.Column("course", sa.Integer(), nullable=False, comment="Race number in the reunion (numOrdre)"),
        sa.Column("race_key", sa.Text(), nullable=False, comment="Race partition key, e.g. 2026-03-23-R1C4"),
        sa.Column("course_external", sa.Integer(), nullable=True, comment="numExterne"),
        sa.Column("name", sa.Text(), nullable=True, comment="libelle"),
        sa.Column("short_name", sa.Text(), nullable=True, comment="libelleCourt"),
        sa.Column("start_utc", sa.DateTime(timezone=True), nullable=False, comment="heureDepart"),
        sa.Column("start_paris", sa.DateTime(), nullable=False, comment="Start, Europe/Paris wall clock"),
        sa.Column(
            "timezone_offset_s", sa.Integer(), nullable=True, comment="course timezoneOffset in seconds"
        ),
        sa.Column(
            "discipline", sa.Text(), nullable=False, comment="ATTELE, MONTE, PLAT, HAIE, STEEPLECHASE, CROSS"
        ),
        sa.Column("specialite", sa.Text(), nullable=True, comment="TROT_ATTELE, TROT_MONTE, PLAT, OBSTACLE"),
        sa.Column("distance_m", sa.Integer(), nullable=True),
        sa.Column(
            "rope", sa.Text(), nullable=True, comment="corde: CORDE_GAUCHE, CORDE_DROITE, LIGNE_DROITE"
        ),
        sa.Column("track_type", sa.Text(), nullable=True, comment="typePiste"),
        sa.Column("track_course", sa.Text(), nullable=True, comment="parcours, free text"),
        sa.Column(
            "category", sa.Text(), nullable=True, comment="categorieParticularite: HANDICAP, A_RECLAMER..."
        ),
        sa.Column("condition_age", sa.Text(), nullable=True),
        sa.Column("condition_sex", sa.Text(), nullable=True),
        sa.Column("prize_eur", sa.Numeric(precision=14, scale=2), nullable=True, comment="montantPrix"),
        sa.Column(
            "prize_first_eur", sa.Numeric(precision=14, scale=2), nullable=True, comment="montantOffert1er"
        ),
        sa.Column("n_declared", sa.Integer(), nullable=True, comment="nombreDeclaresPartants"),
        sa.Column(
            "status",
            sa.Text(),
            nullable=True,
            comment="statut: PROGRAMMEE, FIN_COURSE, ARRIVEE_DEFINITIVE_COMPLETE...",
        ),
        sa.Column(
            "category_status", sa.Text(), nullable=True, comment="categorieStatut: A_PARTIR, ARRIVEE..."
        ),
        sa.Column(
            "duration_s",
            sa.Numeric(precision=10, scale=3),
            nullable=True,
            comment="dureeCourse (ms) in seconds",
        ),
        sa.Column(
            "arrival_order",
            sa.ARRAY(sa.Integer()),
            nullable=True,
            comment="Finishers in order (ordreArrivee flattened)",
        ),
        sa.Column(
            "arrival_ranks",
            sa.ARRAY(sa.Integer()),
            nullable=True,
            comment="Rank of each arrival_order element; dead heats share",
        ),
        sa.Column("arrival_final", sa.Boolean(), nullable=True, comment="arriveeDefinitive"),
        sa.Column("rapports_available", sa.Boolean(), nullable=True, comment="rapportsDefinitifsDisponibles"),
        sa.Column(
            "non_runners",
            sa.ARRAY(sa.Integer()),
            nullable=True,
            comment="Numbers with a NON_PARTANT incident",
        ),
        sa.Column("incidents", sa.Text(), nullable=True, comment="TYPE:n,n;TYPE:n from incidents"),
        sa.Column("going", sa.Text(), nullable=True, comment="penetrometre.intitule"),
        sa.Column("going_value", sa.Double(), nullable=True, comment="penetrometre.valeurMesure"),
        sa.Column(
            "bet_types",
            sa.ARRAY(sa.Text()),
            nullable=True,
            comment="Bet types offered (typePari without E_ prefix)",
        ),
        sa.Column("conditions", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("race_date", "reunion", "course", name=op.f("races_pkey")),
        sa.UniqueConstraint("race_key", name=op.f("races_race_key_key")),
        if_not_exists=True,
        schema="pmu",
        comment="One row per race: start time, discipline, distance, prize, status and arrival.",
    )
    op.create_table(
        "reunions",
        sa.Column("race_date", sa.Date(), nullable=False, comment="Racing day requested (Europe/Paris)"),
        sa.Column("reunion", sa.Integer(), nullable=False, comment="Reunion number (numOfficiel)"),
        sa.Column("reunion_external", sa.Integer(), nullable=True, comment="numExterne"),
        sa.Column("hippodrome_code", sa.Text(), nullable=True),
        sa.Column("hippodrome_name", sa.Text(), nullable=True, comment="hippodrome.libelleCourt"),
        sa.Column("hippodrome_long_name", sa.Text(), nullable=True, comment="hippodrome.libelleLong"),
        sa.Column("country_code", sa.Text(), nullable=True, comment="pays.code (FRA, DEU, CHL...)"),
        sa.Column("country_name", sa.Text(), nullable=True),
        sa.Column(
            "region", sa.Text(), nullable=True, comment="regionHippique, French regional reunions only"
        ),
        sa.Column("nature", sa.Text(), nullable=True, comment="DIURNE, SEMINOCTURNE, NOCTURNE"),
        sa.Column("audience", sa.Text(), nullable=True, comment="NATIONAL, REGIONAL..."),
        sa.Column("status", sa.Text(), nullable=True, comment="statut: PROGRAMMEE, TERMINEE..."),
        sa.Column(
            "disciplines", sa.ARRAY(sa.Text()), nullable=True, comment="disciplinesMere: TROT, PLAT, OBSTACLE"
        ),
        sa.Column(
            "specialities",
            sa.ARRAY(sa.Text()),
            nullable=True,
            comment="specialites: TROT_ATTELE, PLAT, OBSTACLE...",
        ),
        sa.Column("n_races", sa.Integer(), nullable=False, comment="Races listed in the payload"),
        sa.Column(
            "meteo_forecast_at", sa.DateTime(timezone=True), nullable=True, comment="meteo.datePrevision"
        ),
        sa.Column("meteo_code", sa.Text(), nullable=True, comment="meteo.nebulositeCode"),
        sa.Column("meteo_label", sa.Text(), nullable=True, comment="meteo.nebulositeLibelleCourt"),
        sa.Column(
            "temperature_c",
            sa.Numeric(precision=4, scale=1),
            nullable=True,
            comment="meteo.temperature, degrees Celsius",
        ),
        sa.Column(
            "wind_speed_kmh", sa.Numeric(precision=5, scale=1), nullable=True, comment="meteo.forceVent"
        ),
        sa.Column("wind_direction", sa.Text(), nullable=True, comment="meteo.directionVent"),
        sa.Column(
            "timezone_offset_s", sa.Integer(), nullable=True, comment="reunion timezoneOffset in seconds"
        ),
        sa.PrimaryKeyConstraint("race_date", "reunion", name=op.f("reunions_pkey")),
        if_not_exists=True,
        schema="pmu",
        comment="One row per reunion (race meeting) of the day, French and foreign.",
    )
    op.create_table(
        "missed_runs",
        sa.Column("run_key", sa.Text(), nullable=False, comment="race_key:phase:due instant"),
        sa.Column("race_key", sa.Text(), nullable=False),
        sa.Column("phase", sa.Text(), nullable=False, comment="h30, h5 or result"),
        sa.Column("due_utc", sa.DateTime(timezone=True), nullable=False),
        sa.Column("detected_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("run_key", name=op.f("missed_runs_pkey")),
        if_not_exists=True,
        schema="racing",
        comment="Race phases whose grace window closed before the race clock could fire them.",
    )
    op.create_table(
        "race_plan",
        sa.Column("race_date", sa.Date(), nullable=False, comment="Racing day (Europe/Paris)"),
        sa.Column("race_key", sa.Text(), nullable=False, comment="Race partition key, e.g. 2026-03-23-R1C4"),
        sa.Column("reunion", sa.Integer(), nullable=False),
        sa.Column("course", sa.Integer(), nullable=False),
        sa.Column("hippodrome", sa.Text(), nullable=True),
        sa.Column("country_code", sa.Text(), nullable=True),
        sa.Column("race_name", sa.Text(), nullable=True),
        sa.Column("discipline", sa.Text(), nullable=True),
        sa.Column("distance_m", sa.Integer(), nullable=True),
        sa.Column("n_declared", sa.Integer(), nullable=True),
        sa.Column(
            "start_utc",
            sa.DateTime(timezone=True),
            nullable=True,
            comment="Start instant; null when no source gives one",
        ),
        sa.Column("start_paris", sa.DateTime(), nullable=True, comment="Start, Europe/Paris wall clock"),
        sa.Column("start_paris_time", sa.Text(), nullable=True, comment="HH:MM in Paris, for reading"),
        sa.Column(
            "h30_due_utc",
            sa.DateTime(timezone=True),
            nullable=True,
            comment="Start - 30 min: first odds snapshot",
        ),
        sa.Column(
            "h5_due_utc",
            sa.DateTime(timezone=True),
            nullable=True,
            comment="Start - 5 min: snapshot, analysis, tickets",
        ),
        sa.Column(
            "result_due_utc",
            sa.DateTime(timezone=True),
            nullable=True,
            comment="Start + 15 min: official result, settlement",
        ),
        sa.Column("status", sa.Text(), nullable=True, comment="PMU statut of the race when planned"),
        sa.Column("cancelled", sa.Boolean(), nullable=False),
        sa.Column("start_source", sa.Text(), nullable=False, comment="pmu, zeturf, geny or none"),
        sa.Column(
            "identity_source", sa.Text(), nullable=False, comment="Source of reunion/course/hippodrome"
        ),
        sa.Column(
            "zeturf_agrees",
            sa.Boolean(),
            nullable=True,
            comment="ZEturf start time and runners match PMU (null: unchecked)",
        ),
        sa.Column(
            "geny_agrees",
            sa.Boolean(),
            nullable=True,
            comment="Geny start time and runners match PMU (null: unchecked)",
        ),
        sa.Column("cross_check_notes", sa.Text(), nullable=True, comment="What a web source disagreed on"),
        sa.Column(
            "planned_at", sa.DateTime(timezone=True), nullable=False, comment="When this version was built"
        ),
        sa.PrimaryKeyConstraint("race_key", name=op.f("race_plan_pkey")),
        sa.UniqueConstraint(
            "race_date", "reunion", "course", name=op.f("race_plan_race_date_reunion_course_key")
        ),
        if_not_exists=True,
        schema="racing",
        comment="The day's races with their start and due instants; rebuilt by every plan refresh.",
    )
    op.create_index(
        "race_plan_race_date_idx",
        "race_plan",
        ["race_date"],
        unique=False,
        schema="racing",
        if_not_exists=True,
    )
    op.create_table(
        "race_cards",
        sa.Column("race_date", sa.Date(), nullable=False),
        sa.Column("race_key", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False, comment="zeturf or geny"),
        sa.Column("start_utc", sa.DateTime(timezone=True), nullable=True),
        sa.Column("n_runners", sa.Integer(), nullable=False),
        sa.Column("non_runners", sa.ARRAY(sa.Integer()), nullable=True),
        sa.Column("page", sa.Text(), nullable=False, comment="Where the raw page is kept"),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("race_key", "source", name=op.f("race_cards_pkey")),
        if_not_exists=True,
        schema="web",
        comment="Start time and runners of each race as a web source (ZEturf, Geny) showed them.",
    )
    op.create_index(
        "race_cards_race_date_idx",
        "race_cards",
        ["race_date"],
        unique=False,
        schema="web",
        if_not_exists=True,
    )


def downgrade() -> None:
    op.drop_index("race_cards_race_date_idx", table_name="race_cards", schema="web")
    op.drop_table("race_cards", schema="web")
    op.drop_index("race_plan_race_date_idx", table_name="race_plan", schema="racing")
    op.drop_table("race_plan", schema="racing")
    op.drop_table("missed_runs", schema="racing")
    op.drop_table("reunions", schema="pmu")
    op.drop_table("races", schema="pmu")
    op.drop_table("race_results", schema="pmu")
    op.drop_table("race_dividends", schema="pmu")
    op.drop_table("performances", schema="pmu")
    op.drop_table("participants", schema="pmu")
    op.drop_table("odds_snapshots", schema="pmu")
    op.drop_table("horses", schema="pmu")
    op.drop_table("dividends", schema="pmu")
    op.drop_table("bets", schema="pmu")
    op.drop_table("tickets", schema="betting")
    op.drop_table("settlements", schema="betting")
    op.drop_table("runner_analysis", schema="betting")
    op.drop_table("ledger", schema="betting")
    op.drop_table("decisions", schema="betting")
