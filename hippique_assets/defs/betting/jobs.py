"""The day's betting roll-ups, launched by the ledger sensor once the last result is in (and again
by the next-morning consolidation)."""

from dagster import AssetSelection, define_asset_job

# The day's operations report (alerts domain) closes the day with the ledger and is sent to the channels.
LEDGER_SELECTION = AssetSelection.assets("ticket_ledger", "betting_workbook", "ops_report")

ledger_job = define_asset_job(
    "ledger_day",
    selection=LEDGER_SELECTION,
    description="The day's ticket ledger (ROI, Brier, log-loss), its Excel workbook and ticket files, and "
    "the operations report.",
)
