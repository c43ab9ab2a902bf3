"""Rapports-definitifs payloads: dividends in euros, non-runner combinations, bet prefixes."""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from hippique_assets.pmu import parsers
from hippique_assets.pmu.schema.rapports import DIVIDENDS

DAY = date(2026, 7, 7)


def _load(pmu_samples: Path, name: str) -> Any:
    return json.loads((pmu_samples / name).read_text(encoding="utf-8"))


def _dividend(frame: pd.DataFrame, bet_type: str, combination: str, label: str | None = None) -> pd.Series:
    rows = frame[(frame["bet_type"] == bet_type) & (frame["combination"] == combination)]
    if label is not None:
        rows = rows[rows["label"] == label]
    assert len(rows) == 1
    return rows.iloc[0]


def test_simple_bets(pmu_samples: Path) -> None:
    parsed = parsers.parse_rapports(
        _load(pmu_samples, "trimmed_07072026_rapports_definitifs.json"), DAY, 1, 1
    )
    assert parsed.bets["bet_type"].tolist() == ["SIMPLE_GAGNANT", "SIMPLE_PLACE"]
    assert (parsed.bets["base_stake_eur"] == 2.0).all() and not parsed.bets["refunded"].any()
    assert parsed.bets.set_index("bet_type").loc["SIMPLE_PLACE", "n_dividends"] == 2
    assert len(parsed.dividends) == 3
    win = _dividend(parsed.dividends, "SIMPLE_GAGNANT", "4")
    # dividendePourUnEuro 140 centimes: 1.40 euros for 1 euro; 2.80 for the 2-euro base stake.
    assert win["dividend_per_eur"] == 1.40 and win["dividend_per_base_stake"] == 2.80
    assert win["combination_numbers"] == [4] and not win["has_non_runner"]
    assert win["n_winners"] == 37460.69
    place = parsed.dividends[parsed.dividends["bet_type"] == "SIMPLE_PLACE"]
    assert dict(zip(place["combination"], place["dividend_per_eur"], strict=True)) == {"4": 1.05, "1": 1.10}
    assert (parsed.dividends["race_key"] == "2026-07-07-R1C1").all()


def test_couple_and_two_out_of_four_with_np_combinations(pmu_samples: Path) -> None:
    parsed = parsers.parse_rapports(
        _load(pmu_samples, "trimmed_07072026_rapports_couple_2sur4.json"), DAY, 1, 1
    )
    divs = parsed.dividends
    assert len(parsed.bets) == 3 and len(divs) == 18
    assert _dividend(divs, "COUPLE_GAGNANT", "5-3")["dividend_per_eur"] == 67.60
    np_row = _dividend(divs, "COUPLE_GAGNANT", "5-NP")
    assert np_row["has_non_runner"] and np_row["combination_numbers"] == [5]
    assert np_row["label"] == "Couplé Gagnant 1 NP" and np_row["dividend_per_eur"] == 0.0
    assert divs["has_non_runner"].sum() == 8
    # 2sur4 is quoted per 3-euro base stake: dividende 3090 = 30.90 euros, 10.30 per euro.
    two = _dividend(divs, "DEUX_SUR_QUATRE", "5-10")
    assert two["dividend"] == 30.90 and two["dividend_unit"] == "PourUneMiseDeBase"
    assert two["dividend_per_eur"] == 10.30 and two["base_stake_eur"] == 3.0
    assert two["combination_numbers"] == [5, 10]
    # nombreGagnants is absent on some NP rows of the couple place: unknown, not zero.
    assert pd.isna(_dividend(divs, "COUPLE_PLACE", "7-NP")["n_winners"])


def test_quinte_pays_order_and_disorder_on_the_same_combination(pmu_samples: Path) -> None:
    parsed = parsers.parse_rapports(_load(pmu_samples, "trimmed_07072026_rapports_quinte.json"), DAY, 1, 1)
    divs = parsed.dividends
    assert len(divs) == 8 and parsers.frame_problems(divs, DIVIDENDS) == []
    ordre = _dividend(divs, "QUINTE_PLUS", "5-3-7-10-2", "Quinté+ Ordre")
    desordre = _dividend(divs, "QUINTE_PLUS", "5-3-7-10-2", "Quinté+ Désordre")
    assert ordre["dividend_per_eur"] == 63175.70 and ordre["dividend"] == 126351.40
    assert desordre["dividend_per_eur"] == 526.40
    assert ordre["combination_numbers"] == [5, 3, 7, 10, 2]
    assert (divs["label"] == "Bonus 4sur5").sum() == 5
    assert _dividend(divs, "QUINTE_PLUS", "5-3-7")["dividend_per_eur"] == 4.40


def test_e_prefix_is_removed_and_kept_raw(pmu_samples: Path) -> None:
    payload = _load(pmu_samples, "trimmed_07072026_rapports_definitifs.json")
    for bet in payload:
        bet["typePari"] = "E_" + bet["typePari"]
    parsed = parsers.parse_rapports(payload, DAY, 1, 1)
    assert parsed.bets["bet_type"].tolist() == ["SIMPLE_GAGNANT", "SIMPLE_PLACE"]
    assert parsed.bets["bet_type_raw"].tolist() == ["E_SIMPLE_GAGNANT", "E_SIMPLE_PLACE"]
    assert set(parsed.dividends["bet_type"]) == {"SIMPLE_GAGNANT", "SIMPLE_PLACE"}


def test_bet_listed_with_and_without_prefix(pmu_samples: Path) -> None:
    payload = _load(pmu_samples, "trimmed_07072026_rapports_definitifs.json")
    prefixed = copy.deepcopy(payload[0])
    prefixed["typePari"] = "E_SIMPLE_GAGNANT"
    same = parsers.parse_rapports([*payload, prefixed], DAY, 1, 1)
    assert same.bets["bet_type"].tolist() == ["SIMPLE_GAGNANT", "SIMPLE_PLACE"]
    assert len(same.dividends) == 3
    prefixed["rapports"][0]["dividendePourUnEuro"] = 150
    with pytest.raises(parsers.PmuParseError, match="SIMPLE_GAGNANT and E_SIMPLE_GAGNANT"):
        parsers.parse_rapports([*payload, prefixed], DAY, 1, 1)


def test_refunded_bet(pmu_samples: Path) -> None:
    payload = _load(pmu_samples, "trimmed_07072026_rapports_couple_2sur4.json")
    payload[2]["rembourse"] = True
    bets = parsers.parse_rapports(payload, DAY, 1, 1).bets.set_index("bet_type")
    assert bool(bets.loc["DEUX_SUR_QUATRE", "refunded"]) and not bool(bets.loc["COUPLE_PLACE", "refunded"])


def test_combination_parsing() -> None:
    assert parsers.parse_combination("5-3-7", "x") == ([5, 3, 7], False)
    assert parsers.parse_combination("10-NP", "x") == ([10], True)
    assert parsers.parse_combination("NP-NP", "x") == ([], True)
    with pytest.raises(parsers.PmuParseError, match="'5-X' holds 'X'"):
        parsers.parse_combination("5-X", "x")


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda p: p[0].pop("typePari"), r"rapports 2026-07-07-R1C1: missing required key 'typePari'"),
        (lambda p: p[1].pop("rapports"), r"SIMPLE_PLACE: missing required key 'rapports'"),
        (lambda p: p[1]["rapports"][1].pop("combinaison"), r"SIMPLE_PLACE rapports\[1\]: .*'combinaison'"),
        (
            lambda p: p[0]["rapports"][0].update(dividendePourUnEuro="beaucoup"),
            "'dividendePourUnEuro' should be",
        ),
        (lambda p: p[1]["rapports"].append(p[1]["rapports"][0]), "listed twice"),
        (lambda p: p[0].update(rembourse="non"), "'rembourse' should be true or false"),
    ],
)
def test_broken_rapports_raise_named_errors(pmu_samples: Path, mutate: Any, message: str) -> None:
    payload = _load(pmu_samples, "trimmed_07072026_rapports_definitifs.json")
    mutate(payload)
    with pytest.raises(parsers.PmuParseError, match=message):
        parsers.parse_rapports(payload, DAY, 1, 1)


def test_rapports_must_be_an_array() -> None:
    with pytest.raises(parsers.PmuParseError, match="expected a JSON array of bets, got dict"):
        parsers.parse_rapports({"typePari": "SIMPLE_GAGNANT"}, DAY, 1, 1)  # type: ignore[arg-type]
    empty = parsers.parse_rapports([], DAY, 1, 1)
    assert empty.bets.empty and empty.dividends.empty
    assert parsers.frame_problems(empty.dividends, DIVIDENDS) == []
