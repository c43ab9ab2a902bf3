"""The race day: the plan, its schedules, the race clock and the ledger sensor."""
