"""What each generated race offers to bet on (the ``paris`` of a race) and the pools behind them:
bet types by field size, base stakes and pool ids, following the real captures."""

from __future__ import annotations

from typing import Any, NamedTuple

from hippique_assets.analysis.bets import COUPLE_GAGNANT, SIMPLE_GAGNANT, SIMPLE_PLACE, TRIO, BetType
from hippique_replay import gen_hash as hx
from hippique_replay.gen_day import DayModel

T_POOL = 502


def pool_id(*parts: int) -> str:
    h = f"{hx.key(*parts):016x}{hx.key(*parts, 1):016x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}"


class Offer(NamedTuple):
    """How PMU offers a bet type on a race (the programme's ``paris``) and pays it (the rapports)."""

    horses: int  # horses a ticket names
    ordered: bool
    complement: bool
    flexi: tuple[int, ...] | None  # flexi percentages allowed
    jackpot: int | None  # the jackpot's base stake, if it has one
    base: int  # base stake in centimes
    e_base: int  # base stake online
    min_declared: int  # offered on races with at least this many declared runners
    quinte_only: bool = False


def _offer(bet: BetType, **terms: Any) -> Offer:
    # The bet types the product bets on take what a ticket names from its own record.
    return Offer(horses=bet.horses, ordered=bet.ordered, **terms)


# In the programme's order.
BETS: dict[str, Offer] = {
    "SIMPLE_GAGNANT": _offer(
        SIMPLE_GAGNANT, complement=False, flexi=None, jackpot=300, base=200, e_base=100, min_declared=0
    ),
    "SIMPLE_PLACE": _offer(
        SIMPLE_PLACE, complement=False, flexi=None, jackpot=300, base=200, e_base=100, min_declared=0
    ),
    "COUPLE_GAGNANT": _offer(
        COUPLE_GAGNANT, complement=True, flexi=(50,), jackpot=None, base=200, e_base=100, min_declared=4
    ),
    "COUPLE_PLACE": Offer(
        horses=2,
        ordered=False,
        complement=True,
        flexi=(50,),
        jackpot=None,
        base=200,
        e_base=100,
        min_declared=8,
    ),
    "TRIO": _offer(TRIO, complement=True, flexi=(50,), jackpot=None, base=200, e_base=100, min_declared=8),
    "QUINTE_PLUS": Offer(
        horses=5,
        ordered=True,
        complement=True,
        flexi=(25, 50),
        jackpot=None,
        base=200,
        e_base=200,
        min_declared=0,
        quinte_only=True,
    ),
}


def paid_places(starters: int) -> int:
    """Places paid by the simple placé: 3 with 8 starters or more, 2 with 4 to 7, 1 below."""
    return 3 if starters >= 8 else (2 if starters >= 4 else 1)


def bet_types(n_declared: int, quinte: bool) -> list[str]:
    """Bets offered on a race (those the rapports can pay)."""
    return [
        code
        for code, offer in BETS.items()
        if n_declared >= offer.min_declared and (quinte or not offer.quinte_only)
    ]


def paris(model: DayModel, race: int, on_sale: bool, paid: bool) -> list[dict[str, Any]]:
    core = model.core
    n = len(model.runners(race))
    out: list[dict[str, Any]] = []
    for code in bet_types(n, bool(core.race_quinte[race])):
        offer = BETS[code]
        horses, flexi, jackpot = offer.horses, offer.flexi, offer.jackpot
        common = {"spotAutorise": True, "combine": True, "ordre": offer.ordered}
        regular: dict[str, Any] = {
            "typePari": code,
            "miseBase": offer.base,
            "enVente": on_sale,
            "audience": "NATIONAL",
            "reportable": horses == 1,
            "misEnPaiement": paid,
            "codePari": code,
            **common,
        }
        online: dict[str, Any] = {
            "poolId": pool_id(model.seed, T_POOL, model.ordinal, race, len(out)),
            "typePari": f"E_{code}",
            "miseBase": offer.e_base,
            "miseMax": 3_000_000,
            "enVente": on_sale,
            "audience": "NATIONAL",
            "cagnotte": 0,
            "reportable": horses == 1,
            "codePari": f"E_{code}",
            **common,
        }
        for entry in (regular, online):
            if flexi is not None:
                entry["valeursFlexiAutorisees"] = list(flexi)
            entry["nbChevauxReglementaire"] = horses
            entry["complement"] = offer.complement
            if jackpot is not None:
                entry["infosJackpot"] = {
                    "miseBase": jackpot if entry is regular else jackpot // 2,
                    "tauxContribution": {"numerateur": 1, "denominateur": 3},
                }
            if code == "QUINTE_PLUS":
                entry["infosOptionMax"] = {
                    "miseBase": 300,
                    "tauxContribution": {"numerateur": 1, "denominateur": 3},
                }
        if code == "QUINTE_PLUS":
            regular["nouveauQuinte"] = True
        out += [regular, online]
    out.append(
        {
            "typePari": "REPORT_PLUS",
            "enVente": on_sale,
            "reportable": False,
            "codePari": "REPORT_PLUS",
            "spotAutorise": False,
            "combine": False,
            "ordre": False,
            "nbChevauxReglementaire": 1,
            "complement": False,
        }
    )
    return out
