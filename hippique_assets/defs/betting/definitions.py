"""The betting domain in the code location."""

from dagster import AssetsDefinition, Definitions

from hippique_assets.defs.betting.assets import ANALYSIS_ASSETS
from hippique_assets.defs.betting.jobs import ledger_job
from hippique_assets.defs.betting.model import MODEL_ASSETS, analysis_code_version, backtest_report, gpi_model
from hippique_assets.defs.betting.race_assets import race_analysis_h5
from hippique_assets.settings import Settings

# The assets that apply the analysis config: their code version is the config's version, so a new
# config marks them changed in the UI.
CONFIG_VERSIONED = (race_analysis_h5, gpi_model, backtest_report)


def for_settings(assets: AssetsDefinition, settings: Settings) -> AssetsDefinition:
    """``assets`` as the code location built from ``settings`` has it: an asset that applies the
    analysis config carries the version of the config ``settings`` name (read now, not at import)."""
    if not any(assets is versioned for versioned in CONFIG_VERSIONED):
        return assets
    version = analysis_code_version(settings.analysis_config)
    return assets.map_asset_specs(lambda spec: spec.replace_attributes(code_version=version))


def definitions(settings: Settings) -> Definitions:
    assets = [for_settings(a, settings) for a in (*ANALYSIS_ASSETS, *MODEL_ASSETS)]
    return Definitions(assets=assets, jobs=[ledger_job])
