"""The alerts domain in the code location: the notification channels and the sensors that raise alerts."""

from dagster import Definitions

from hippique_assets.defs.alerts.resources import build_notifications
from hippique_assets.defs.alerts.sensors import build_alert_sensors
from hippique_assets.settings import Settings


def definitions(settings: Settings) -> Definitions:
    return Definitions(
        sensors=build_alert_sensors(settings), resources={"notifications": build_notifications()}
    )
