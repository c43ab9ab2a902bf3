"""The optional web sources (ZEturf, Geny): race cards the plan is cross-checked against."""
