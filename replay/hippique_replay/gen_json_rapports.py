"""Final dividends of the generated day (``/rapports-definitifs``), consistent with the arrival and the
market."""

from __future__ import annotations

from typing import Any

import numpy as np

from hippique_replay import gen_hash as hx
from hippique_replay import gen_market as mk
from hippique_replay.gen_day import DayModel
from hippique_replay.gen_offers import BETS, T_POOL, bet_types, paid_places
from hippique_replay.gen_rules import NON_PARTANT

# --- rapports -----------------------------------------------------------------------------------


def rapports_body(model: DayModel, race: int) -> list[dict[str, Any]]:
    """``/R{n}/C{n}/rapports-definitifs``: dividends consistent with the arrival and the market."""
    core = model.core
    runners = list(model.runners(race))
    first = runners[0]
    numbers = [int(core.run_number[i]) for i in runners]
    starters = [i - first for i in runners if int(core.run_status[i]) != NON_PARTANT]
    non_runners = [i - first for i in runners if int(core.run_status[i]) == NON_PARTANT]
    p = model.final_market_probabilities(race)
    ranks = {i - first: int(core.run_rank[i]) for i in runners if int(core.run_rank[i]) > 0}
    order = sorted(ranks, key=lambda j: (ranks[j], j))
    pool = _pool_size(model, race)
    n_starters = len(starters)
    places = paid_places(n_starters)
    bets: list[dict[str, Any]] = []

    def line(
        label: str, combo: list[int | str], per_eur: int, winners: float | None, base: int, unit: str
    ) -> dict:
        per_base = per_eur * base // 100
        entry: dict[str, Any] = {
            "libelle": label,
            "dividende": per_eur if unit == "PourUnEuro" else per_base,
            "dividendePourUnEuro": per_eur,
            "combinaison": "-".join(str(c) for c in combo),
        }
        if winners is not None:
            entry["nombreGagnants"] = winners
        entry["dividendePourUneMiseDeBase"] = per_base
        entry["dividendeUnite"] = unit
        return entry

    def bet(code: str, family_label: str, lines: list[dict], unit: str = "PourUnEuro") -> None:
        if lines:
            bets.append(
                {
                    "typePari": code,
                    "miseBase": BETS[code].base,
                    "rembourse": False,
                    "rapports": lines,
                    "audience": "NATIONAL",
                    "dividendeUnite": unit,
                    "famillePari": family_label,
                }
            )

    def winners(stake_share: float, code: str) -> float:
        return round(float(pool[code] * stake_share / (BETS[code].base / 100)), 2)

    if not order:
        return []
    winner = order[0]
    sg = mk.dividend_centimes(float(p[winner]), mk.TAKE["SIMPLE_GAGNANT"])
    bet(
        "SIMPLE_GAGNANT",
        "Simple",
        [
            line(
                "Simple gagnant",
                [numbers[winner]],
                sg,
                winners(float(p[winner]), "SIMPLE_GAGNANT"),
                200,
                "PourUnEuro",
            )
        ],
    )

    placed = order[:places]
    q = mk.top_k_probabilities(p, places)
    share = q / places
    profit = max((1 - mk.TAKE["SIMPLE_PLACE"]) - float(share[placed].sum()), 0.0)
    place_label = "Simple placé" if n_starters >= 8 else "Simple placé 4 à 7 partants"
    sp: dict[int, int] = {}
    lines = []
    for j in placed:
        euros = 1 + profit / (len(placed) * max(float(share[j]), 1e-9))
        sp[j] = max(110, int(np.floor(euros * 10 + 1e-9)) * 10)
        lines.append(
            line(
                place_label, [numbers[j]], sp[j], winners(float(share[j]), "SIMPLE_PLACE"), 200, "PourUnEuro"
            )
        )
    bet("SIMPLE_PLACE", "Simple", lines)

    offered = bet_types(len(runners), bool(core.race_quinte[race]))
    if "COUPLE_GAGNANT" in offered and len(order) >= 2:
        a, b = order[0], order[1]
        pair = mk.order_probability(p, (a, b)) + mk.order_probability(p, (b, a))
        lines = [
            line(
                "Couplé gagnant",
                [numbers[a], numbers[b]],
                mk.dividend_centimes(pair, mk.TAKE["COUPLE_GAGNANT"]),
                winners(pair, "COUPLE_GAGNANT"),
                200,
                "PourUnEuro",
            )
        ]
        if non_runners:
            lines.append(
                line(
                    "Couplé Gagnant 1 NP",
                    [numbers[a], "NP"],
                    sg,
                    winners(0.002, "COUPLE_GAGNANT"),
                    200,
                    "PourUnEuro",
                )
            )
        bet("COUPLE_GAGNANT", "Couple", lines)
    cp: dict[tuple[int, int], int] = {}
    if "COUPLE_PLACE" in offered and len(order) >= 3:
        lines = []
        for a, b in mk.pairs(order[:3]):
            prob = mk.pair_in_top3_probability(p, a, b)
            cp[(a, b)] = mk.dividend_centimes(prob, mk.TAKE["COUPLE_PLACE"])
            lines.append(
                line(
                    "Couplé placé",
                    [numbers[a], numbers[b]],
                    cp[(a, b)],
                    winners(prob / 3, "COUPLE_PLACE"),
                    200,
                    "PourUnEuro",
                )
            )
        if non_runners:
            for j in order[:3]:
                lines.append(
                    line(
                        "Couplé Placé 1 NP",
                        [numbers[j], "NP"],
                        sp.get(j, 110),
                        winners(0.001, "COUPLE_PLACE"),
                        200,
                        "PourUnEuro",
                    )
                )
        bet("COUPLE_PLACE", "Couple", lines)
    if "TRIO" in offered and len(order) >= 3:
        trio = tuple(order[:3])
        prob = mk.set_probability(p, trio)
        lines = [
            line(
                "Trio",
                [numbers[j] for j in trio],
                mk.dividend_centimes(prob, mk.TAKE["TRIO"]),
                winners(prob, "TRIO"),
                200,
                "PourUnEuro",
            )
        ]
        if non_runners:
            for a, b in mk.pairs(list(trio)):
                lines.append(
                    line(
                        "Trio 1 NP",
                        [numbers[a], numbers[b], "NP"],
                        cp.get((a, b), 110),
                        winners(0.0005, "TRIO"),
                        200,
                        "PourUnEuro",
                    )
                )
        bet("TRIO", "Trio", lines)
    if "QUINTE_PLUS" in offered and len(order) >= 5:
        bet("QUINTE_PLUS", "Quinte Plus", _quinte_lines(p, order, numbers, pool, line), "PourUneMiseDeBase")
    return bets


def _quinte_lines(
    p: np.ndarray, order: list[int], numbers: list[int], pool: dict[str, float], line: Any
) -> list[dict]:
    """Quinté+ tiers. A ticket names five horses; each tier pays its share of the pool to the
    tickets that hit it, and the market's tickets are modelled as its own Plackett-Luce draws."""
    take = mk.TAKE["QUINTE_PLUS"]
    top5 = tuple(order[:5])
    combo = [numbers[j] for j in top5]
    p_order = mk.order_probability(p, top5)
    p_set = mk.set_probability(p, top5)
    p_four = mk.covered_by_top5_probability(p, top5[:4])
    p_three = mk.covered_by_top5_probability(p, top5[:3])
    subsets = [
        tuple(top5[m] for m in members)
        for members in ((0, 1, 2, 4), (0, 1, 3, 4), (0, 2, 3, 4), (1, 2, 3, 4))
    ]
    p_four_of_five = sum(mk.covered_by_top5_probability(p, subset) for subset in subsets)
    base = BETS["QUINTE_PLUS"].base
    unit = "PourUneMiseDeBase"

    def winners(prob: float) -> float:
        return round(float(pool["QUINTE_PLUS"] * prob / (base / 100)), 2)

    four_of_five = mk.dividend_centimes(p_four_of_five, take, 0.15)
    lines = [
        line("Quinté+ Ordre", combo, mk.dividend_centimes(p_order, take, 0.3), winners(p_order), base, unit),
        line("Quinté+ Désordre", combo, mk.dividend_centimes(p_set, take, 0.15), winners(p_set), base, unit),
        line("Bonus 4", combo[:4], mk.dividend_centimes(p_four, take, 0.12), winners(p_four), base, unit),
    ]
    for subset in subsets:
        lines.append(
            line(
                "Bonus 4sur5",
                [numbers[j] for j in subset],
                four_of_five,
                winners(p_four_of_five / 4),
                base,
                unit,
            )
        )
    lines.append(
        line("Bonus 3", combo[:3], mk.dividend_centimes(p_three, take, 0.12), winners(p_three), base, unit)
    )
    return lines


def _pool_size(model: DayModel, race: int) -> dict[str, float]:
    core = model.core
    plan = core.reunions[int(core.race_reunion[race])]
    if bool(core.race_quinte[race]):
        base = 900_000.0
    elif plan.country != "FRA":
        base = 25_000.0
    elif plan.main:
        base = 220_000.0
    elif plan.regional:
        base = 30_000.0
    else:
        base = 80_000.0
    base *= 0.7 + 0.6 * hx.unit(model.seed, T_POOL, model.ordinal, race, 9)
    return {
        "SIMPLE_GAGNANT": base,
        "SIMPLE_PLACE": base * 0.8,
        "COUPLE_GAGNANT": base * 0.45,
        "COUPLE_PLACE": base * 0.35,
        "TRIO": base * 0.4,
        "QUINTE_PLUS": base * 8,
    }
