"""Alerts as a Dagster resource: :class:`~hippique_assets.defs.alerts.resources.NotificationsResource`
configured from the ``HIPPIQUE_ALERT_*`` variables. What is sent lives in :mod:`hippique_assets.alerts`."""
