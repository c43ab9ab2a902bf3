"""Daily ingestion of the PMU turfinfo API: raw payloads, typed tables, the day's gaps."""
