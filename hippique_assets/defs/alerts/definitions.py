"""The alerts domain in the code location: the notification channels, the sensors that raise alerts and
the day's operations report."""

from dagster import Definitions

from hippique_assets.defs.alerts.ops_report import build_ops_report
from hippique_assets.defs.alerts.resources import build_notifications
from hippique_assets.defs.alerts.sensors import build_alert_sensors
from hippique_assets.settings import Settings


def definitions(settings: Settings) -> Definitions:
    return Definitions(
        assets=[build_ops_report(odds_watch=settings.odds_watch)],
        sensors=build_alert_sensors(settings),
        resources={"notifications": build_notifications()},
    )
