"""The declarations of Postgres schema ``pmu``, one module per PMU endpoint whose answers fill the
tables (programme, participants, performances, rapports, live odds) plus the ingestion gaps; the
key columns they share are in :mod:`~hippique_assets.pmu.schema.columns`. The registry of the
whole schema is :mod:`hippique_assets.pmu.tables`."""
