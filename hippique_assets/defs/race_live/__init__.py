"""Per-race work launched by the race clock: odds snapshots at H-30 and H-5, the result at H+15."""
