"""Betting assets: per race (:mod:`.race_assets`: the H-5 analysis and tickets, settlement at H+15)
and per day (:mod:`.day_assets`: the ledger, the workbook, the season).

The maths lives in :mod:`hippique_assets.analysis` and :mod:`hippique_assets.betting`; these assets
read their inputs from our own tables and write through the Postgres IO manager and the files store.
"""

from hippique_assets.defs.betting.day_assets import betting_season, betting_workbook, ticket_ledger
from hippique_assets.defs.betting.race_assets import race_analysis_h5, ticket_settlement

ANALYSIS_ASSETS = [race_analysis_h5, ticket_settlement, ticket_ledger, betting_workbook, betting_season]
