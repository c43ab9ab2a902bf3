"""Per-race betting assets: the H-5 analysis, its decision and tickets, and their settlement at H+15
on the official dividends (with each ticket's closing-line value)."""

import json
from collections.abc import Iterator

import pandas as pd
from dagster import (
    AssetExecutionContext,
    AssetKey,
    MetadataValue,
    Output,
    asset,
    multi_asset,
)

from hippique_assets.analysis.clv import with_clv
from hippique_assets.analysis.history import race_inputs
from hippique_assets.analysis.pipeline import analyse_race
from hippique_assets.analysis.settlement import settle
from hippique_assets.betting import safe_text
from hippique_assets.betting.decision_rows import decision_rows, named_runners, with_race
from hippique_assets.betting.tables import DECISIONS, RUNNER_ANALYSIS, SETTLEMENTS, TICKETS
from hippique_assets.defs.betting.resources import AnalysisResource
from hippique_assets.defs.clock_resource import ClockResource
from hippique_assets.defs.partitions import (
    across_days,
    race_partitions,
)
from hippique_assets.lib.table_assets import PG_IO_MANAGER, table_metadata, table_out
from hippique_assets.pmu import parsers
from hippique_assets.pmu.validation import Rejection
from hippique_assets.racing.keys import parse_race_key
from hippique_assets.racing.results import RACE_RESULTS
from hippique_assets.racing.tables import RACE_PLAN
from hippique_assets.storage.files import FilesResource
from hippique_assets.storage.postgres import PostgresResource
from hippique_assets.storage.tables import column_names

BETTING_GROUP = "betting"


def horse_names(postgres: PostgresResource, race_key: str) -> dict[int, str]:
    """The race's horse names by runner number (``pmu.participants``), cleaned like exported text."""
    frame = postgres.query_frame(
        "select number, horse_name from pmu.participants where race_key = %s", (race_key,)
    )
    return (
        {
            int(number): safe_text.clean_text(name)
            for number, name in zip(frame["number"], frame["horse_name"], strict=True)
            if isinstance(name, str) and name
        }
        if not frame.empty
        else {}
    )


def race_identity(postgres: PostgresResource, race_key: str) -> dict[str, str]:
    """What a person reads a race by: hippodrome, race name, discipline and Paris start time, from
    the race plan, plus one line joining them; empty when the race is not planned."""
    if not postgres.table_exists(RACE_PLAN.fullname):
        return {}
    plan = postgres.query_frame(
        f"select reunion, course, hippodrome, race_name, discipline, start_paris_time "
        f"from {RACE_PLAN.fullname} where race_key = %s",
        (race_key,),
    )
    if plan.empty:
        return {}
    row = plan.iloc[0]
    identity = {
        name: safe_text.clean_text(str(row[column]))
        for name, column in (
            ("hippodrome", "hippodrome"),
            ("race_name", "race_name"),
            ("discipline", "discipline"),
            ("start_paris", "start_paris_time"),
        )
        if isinstance(row[column], str) and row[column]
    }
    parts = [
        f"R{int(row['reunion'])}C{int(row['course'])}",
        identity.get("start_paris"),
        identity.get("hippodrome"),
    ]
    parts += [identity.get("race_name"), identity.get("discipline")]
    identity["race"] = " · ".join(part for part in parts if part)
    return identity


@multi_asset(
    outs={
        "race_analysis_h5": table_out(
            RUNNER_ANALYSIS,
            key=AssetKey("race_analysis_h5"),
            group=BETTING_GROUP,
            description="Per runner at H-5: p_market, p_finale, place probability, EV and the factors.",
        ),
        "race_decision": table_out(
            DECISIONS,
            key=AssetKey("race_decision"),
            group=BETTING_GROUP,
            description="Bet or abstain, and why (betting.decisions).",
        ),
        "race_tickets": table_out(
            TICKETS,
            key=AssetKey("race_tickets"),
            group=BETTING_GROUP,
            description="Tickets within the race budget (betting.tickets).",
        ),
    },
    partitions_def=race_partitions,
    deps=[
        AssetKey("odds_snapshot_h5"),
        AssetKey("odds_snapshot_h30"),
        across_days("participants"),
        AssetKey("gpi_model"),
    ],
)
def race_analysis_h5(
    context: AssetExecutionContext,
    postgres: PostgresResource,
    files: FilesResource,
    analysis: AnalysisResource,
    clock: ClockResource,
) -> Iterator[Output]:
    """The H-5 analysis of one race, on the odds known at H-5 and H-30 (the snapshots in
    ``pmu.odds_snapshots``): market probabilities without overround, the fitted model (or the
    factor weights), EVs at the expected post-time payout and tickets within budget. An impossible
    market, or no out-of-sample edge behind the probabilities, gives an abstention with its reason.
    Without an H-30 snapshot the drift is left out and the decision says so."""
    race_key = context.partition_key
    config = analysis.config()
    model = analysis.model(files)
    inputs = race_inputs(postgres, race_key, config)
    result = analyse_race(inputs, config, model)
    now = clock.now()
    evidence = model.evidence if model is not None else None
    names = horse_names(postgres, race_key)
    identity = race_identity(postgres, race_key)
    rows = decision_rows(
        result,
        config_version=config.version,
        now=now,
        names=names,
        edge_evidence=evidence.describe() if evidence is not None else None,
    )
    runners, tickets, decision = rows.runners, rows.tickets, result.decision
    if not result.drift_available:
        context.log.warning(f"{race_key}: no H-30 snapshot, analysed without the drift factor")
    verdict = rows.verdict
    if not decision.abstained:
        backed = sorted({int(n) for numbers in tickets["numbers"] for n in numbers})
        verdict += f" on {named_runners(backed, names)}"
    context.log.info(f"{race_key}: {len(runners)} priced runners, {result.method}, {verdict}")
    shown = (
        runners[["number", "horse_name", "odds_h5", "payout_win", "p_market", "p_finale", "ev_win"]].round(3)
        if not runners.empty
        else runners
    )
    yield Output(
        with_race(race_key, runners, column_names(RUNNER_ANALYSIS)),
        output_name="race_analysis_h5",
        metadata={
            **identity,
            "method": result.method,
            "drift_available": result.drift_available,
            "priced_runners": MetadataValue.int(len(runners)),
            "runners": MetadataValue.md(
                shown.to_markdown(index=False) if not shown.empty else "_no priced runners_"
            ),
        },
    )
    yield Output(
        with_race(race_key, pd.DataFrame([rows.decision]), column_names(DECISIONS)),
        output_name="race_decision",
        metadata={**identity, "decision": safe_text.clean_text(verdict)},
    )
    ticket_view = (
        tickets[
            ["bet_type", "combination", "horse_names", "stake_eur", "probability", "payout_estimate", "ev"]
        ]
        if not tickets.empty
        else tickets
    )
    yield Output(
        with_race(race_key, tickets, column_names(TICKETS)),
        output_name="race_tickets",
        metadata={
            **identity,
            "stake_eur": MetadataValue.float(float(rows.decision["stake_eur"])),
            "tickets": MetadataValue.md(
                ticket_view.round(3).to_markdown(index=False) if not tickets.empty else "_none_"
            ),
        },
    )


@asset(
    partitions_def=race_partitions,
    group_name=BETTING_GROUP,
    io_manager_key=PG_IO_MANAGER,
    metadata=table_metadata(SETTLEMENTS),
    kinds={"postgres", "pandas"},
    deps=[AssetKey("race_tickets"), AssetKey("race_result"), AssetKey("race_dividends")],
)
def ticket_settlement(
    context: AssetExecutionContext, postgres: PostgresResource, files: FilesResource, clock: ClockResource
) -> pd.DataFrame:
    """The race's tickets settled on the official dividends (``dividendePourUnEuro``); a ticket on a
    non-runner is refunded. Each simple-gagnant ticket gets the horse's final odds (from the runners
    answer ``race_result`` kept), its closing-line value and whether it beat the final price. Runs at
    H+15 after ``race_result``."""
    race_key = context.partition_key
    context.add_output_metadata(race_identity(postgres, race_key))
    tickets = postgres.query_frame(f"select * from {TICKETS.fullname} where race_key = %s", (race_key,))
    result = postgres.query_frame(f"select * from {RACE_RESULTS.fullname} where race_key = %s", (race_key,))
    if result.empty:
        raise LookupError(f"no result stored for {race_key}: race_result must run first")
    if tickets.empty:
        context.log.info(f"{race_key}: no tickets to settle")
        return pd.DataFrame(columns=column_names(SETTLEMENTS))
    dividends = postgres.query_frame("select * from pmu.race_dividends where race_key = %s", (race_key,))
    row = result.iloc[0]
    settled = settle(tickets, dividends, list(row["non_runners"] or []), list(row["arrival_order"] or []))
    unsettled = settled[settled["outcome"] == "unsettled"]
    if not unsettled.empty:
        # No dividend published for the bet type: neither won nor lost, so no settlement row.
        context.log.warning(
            f"{race_key}: {len(unsettled)} tickets left unsettled, no dividend for "
            f"{sorted(set(unsettled['bet_type']))}"
        )
        settled = settled[settled["outcome"] != "unsettled"]
    settled = settled.assign(official=bool(row["official"]), settled_at=clock.now())
    final = final_odds(files, race_key)
    if not final:
        context.log.warning(f"{race_key}: no final odds kept with the result, no closing-line value")
    settled = with_clv(settled, final)
    profit = float(settled["profit_eur"].sum())
    context.log.info(f"{race_key}: {len(settled)} tickets settled, profit {profit:+.2f} EUR")
    shown = [
        c
        for c in (
            "bet_type",
            "combination",
            "horse_names",
            "stake_eur",
            "outcome",
            "return_eur",
            "decision_odds",
            "final_odds",
            "clv",
        )
        if c in settled
    ]
    context.add_output_metadata(
        {
            "profit_eur": MetadataValue.float(round(profit, 2)),
            "stake_eur": MetadataValue.float(round(float(settled["stake_eur"].astype(float).sum()), 2)),
            "unsettled": MetadataValue.int(len(unsettled)),
            "settlement": MetadataValue.md(settled[shown].to_markdown(index=False)),
        }
    )
    return with_race(race_key, settled, column_names(SETTLEMENTS))


def final_odds(files: FilesResource, race_key: str) -> dict[int, float]:
    """The final win odds by runner number, from the latest runners answer ``race_result`` kept for
    the race (``dernierRapportDirect`` once the race is run); empty when none was kept. A runner whose
    entry cannot be read has no final odds (its tickets get no closing-line value); the others keep
    theirs, and the settlement goes on."""
    store = files.store()
    kept = sorted(p for p in store.list(f"pmu/live/{race_key}/result/") if "/participants-" in p)
    if not kept:
        return {}
    race = parse_race_key(race_key)
    payload = json.loads(store.read_bytes(kept[-1]))
    rejected: list[Rejection] = []
    runners = parsers.parse_participants(
        payload, race.race_date, race.reunion, race.course, rejected=rejected
    ).participants
    return {
        int(n): float(o)
        for n, o in zip(runners["number"], runners["odds_direct"], strict=True)
        if pd.notna(o) and float(o) > 1
    }
