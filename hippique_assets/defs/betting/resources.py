"""The GPI analysis as a resource: its versioned config file and the fitted model, when there is one.

The model file is written by the ``gpi_model`` asset (``hippique model fit``) into the files store.
"""

from dagster import ConfigurableResource

from hippique_assets.analysis.config import AnalysisConfig, load_config
from hippique_assets.analysis.model import FittedModel, model_from_json
from hippique_assets.storage.files import FilesResource

MODEL_PATH = "models/gpi_model.json"


class AnalysisResource(ConfigurableResource):
    """The GPI analysis settings: the versioned config file and the fitted model, when there is one."""

    config_path: str | None = None
    model_path: str = MODEL_PATH
    use_model: bool = True

    def config(self) -> AnalysisConfig:
        return load_config(self.config_path)

    def model(self, files: FilesResource) -> FittedModel | None:
        """The stored model; None when there is none or ``use_model`` is off (factors mode)."""
        store = files.store()
        if not self.use_model or not store.exists(self.model_path):
            return None
        return model_from_json(store.read_bytes(self.model_path).decode("utf-8"), store.uri(self.model_path))
