"""Tables of the official results (``rapports-definitifs``): ``pmu.bets``, the bet types settled
for each race, and ``pmu.dividends``, what each winning combination paid."""

from __future__ import annotations

from sqlalchemy import ARRAY, Boolean, Column, Integer, Text

from hippique_assets.pmu.schema.columns import COURSE, RACE_DATE, RACE_KEY, REUNION
from hippique_assets.storage.tables import MONEY, References, declare_table, rule

BETS = declare_table(
    schema="pmu",
    name="bets",
    description="Bet types settled for each race (rapports-definitifs), with base stake and refund flag.",
    columns=(
        RACE_DATE,
        REUNION,
        COURSE,
        RACE_KEY,
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
        RACE_DATE,
        REUNION,
        COURSE,
        RACE_KEY,
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
