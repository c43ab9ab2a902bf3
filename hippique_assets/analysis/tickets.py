"""From probabilities to tickets: EV per euro of each bet, gates, fractional Kelly stakes in a budget.

Each configured bet type (:mod:`hippique_assets.analysis.bets`) says on how many runners it is
offered, its combinations' probabilities and its payout estimated before the race; the simple
gagnant's is the payout expected at post time from the H-5 odds, passed in as ``odds``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from hippique_assets.analysis.bets import BetType, bet_type, known
from hippique_assets.analysis.config import AnalysisConfig

TICKET_COLUMNS = [
    "race_key",
    "bet_type",
    "combination",
    "numbers",
    "probability",
    "market_probability",
    "payout_estimate",
    "ev",
    "kelly_fraction_raw",
    "stake_eur",
]


@dataclass
class TicketDecision:
    tickets: pd.DataFrame
    abstained: bool
    reason: str | None
    candidates: pd.DataFrame


def kelly_fraction(probability: float, payout: float) -> float:
    """Kelly's optimal share of the bankroll for a bet paying ``payout`` euros per euro (0 when negative)."""
    b = payout - 1.0
    if b <= 0:
        return 0.0
    return max(0.0, (probability * b - (1.0 - probability)) / b)


def _candidate(bet: BetType, numbers: list[int], p: float, p_market: float, payout: float) -> dict:
    named = bet.combination(numbers)
    return {
        "bet_type": bet.code,
        "combination": "-".join(str(n) for n in named),
        "numbers": named,
        "probability": p,
        "market_probability": p_market,
        "payout_estimate": payout,
        "ev": p * payout - 1.0,
        "kelly_fraction_raw": kelly_fraction(p, payout),
    }


def candidate_bets(runners: pd.DataFrame, config: AnalysisConfig) -> pd.DataFrame:
    """Every bet of the configured types with its probability, estimated payout, EV and Kelly share.

    ``runners``: number, p_finale, p_market, odds (H-5 direct odds), starting runners only.
    """
    n = len(runners)
    numbers = runners["number"].astype(int).tolist()
    p = runners["p_finale"].to_numpy(dtype=float)
    q = runners["p_market"].to_numpy(dtype=float)
    odds = runners["odds"].astype(float).tolist()
    takeout = config.bets.takeout
    rows: list[dict] = []
    # In the registry's order whatever the config's, so the candidates' order is stable.
    configured = set(config.bets.types)
    for bet in (bet_type(code) for code in known() if code in configured):
        if n < bet.min_runners:
            continue
        mine, market = bet.probabilities(p), bet.probabilities(q)
        for idx, prob in mine.items():
            payout = bet.payout(market[idx], takeout[bet.code], odds[idx[0]])
            rows.append(_candidate(bet, [numbers[i] for i in idx], prob, market[idx], payout))
    return pd.DataFrame(rows, columns=TICKET_COLUMNS[1:-1])


def _floor_step(amount: float, step: float) -> float:
    return float(np.floor(amount / step + 1e-9) * step)


def allocate_stakes(chosen: pd.DataFrame, config: AnalysisConfig) -> pd.Series:
    """Fractional Kelly stakes, capped per horse and by the budget, rounded down to the step."""
    budget = config.budget
    stakes = chosen["kelly_fraction_raw"] * budget.kelly_fraction * budget.budget_eur
    cap = budget.max_share_per_horse * budget.budget_eur
    horses = sorted({n for nums in chosen["numbers"] for n in nums})
    for horse in horses:
        involved = chosen["numbers"].map(lambda nums, h=horse: h in nums)
        total = stakes[involved].sum()
        if total > cap:
            stakes[involved] *= cap / total
    if stakes.sum() > budget.budget_eur:
        stakes *= budget.budget_eur / stakes.sum()
    return stakes.map(lambda s: round(_floor_step(s, budget.stake_step_eur), 2))


def abstention(reason: str) -> TicketDecision:
    """No ticket, for a race that could not be analysed or bet (no odds, impossible market)."""
    return TicketDecision(
        pd.DataFrame(columns=TICKET_COLUMNS), True, reason, pd.DataFrame(columns=TICKET_COLUMNS[1:-1])
    )


def build_tickets(
    race_key: str, runners: pd.DataFrame, config: AnalysisConfig, *, blocked: str | None = None
) -> TicketDecision:
    """The race's tickets, or an abstention with its reason.

    ``blocked``: a reason set by the betting rule before any EV is looked at (no edge shown over
    the market); the candidates are still computed so a report can say what would have passed.
    """
    if runners.empty or runners["odds"].isna().all():
        return abstention("no priced runners")
    if len(runners) < 2:
        return abstention("fewer than 2 runners")
    candidates = candidate_bets(runners, config)
    empty = pd.DataFrame(columns=TICKET_COLUMNS)
    if blocked is not None:
        return TicketDecision(empty, True, blocked, candidates)
    passing = candidates[(candidates["ev"] >= config.budget.min_ev) & (candidates["kelly_fraction_raw"] > 0)]
    if passing.empty:
        best = candidates["ev"].max()
        return TicketDecision(empty, True, f"no bet reaches min EV (best EV {best:.2f})", candidates)
    chosen = passing.sort_values("ev", ascending=False).reset_index(drop=True)
    chosen["stake_eur"] = allocate_stakes(chosen, config)
    tickets = chosen[chosen["stake_eur"] >= config.budget.stake_step_eur - 1e-9].copy()
    if tickets.empty:
        return TicketDecision(empty, True, "stakes round to zero", candidates)
    tickets.insert(0, "race_key", race_key)
    return TicketDecision(tickets[TICKET_COLUMNS].reset_index(drop=True), False, None, candidates)
