"""The racing rules of the generated world, as codes: families and disciplines, distances, field sizes,
prize shares, and the incidents that end a runner's race with their rates.

Disciplines and incidents are small integers indexing the tables here and in
:mod:`hippique_replay.gen_labels`, which holds the PMU wording of each.
"""

from __future__ import annotations

TROT = "TROT"
PLAT = "PLAT"
OBSTACLE = "OBSTACLE"
FAMILIES = (TROT, PLAT, OBSTACLE)

ATTELE, MONTE, PLAT_D, HAIE, STEEPLE, CROSS = range(6)
DISCIPLINES = ("ATTELE", "MONTE", "PLAT", "HAIE", "STEEPLECHASE", "CROSS")
FAMILY_OF_DISCIPLINE = (TROT, TROT, PLAT, OBSTACLE, OBSTACLE, OBSTACLE)

DISTANCES: dict[int, tuple[int, ...]] = {
    ATTELE: (2100, 2100, 2150, 2175, 2200, 2600, 2650, 2700, 2700, 2825, 2850, 2875, 2950),
    MONTE: (2150, 2175, 2200, 2550, 2700, 2825, 2850),
    PLAT_D: (1000, 1100, 1200, 1300, 1400, 1500, 1600, 1600, 1800, 1900, 2000, 2100, 2400, 2500, 3000),
    HAIE: (3000, 3200, 3400, 3500, 3600, 3800, 3900, 4000),
    STEEPLE: (3500, 3600, 3800, 3900, 4100, 4300, 4400, 4600, 5100, 5500),
    CROSS: (4000, 4100, 4500, 5000, 5500, 6000),
}
FIELD_LIMITS: dict[str, tuple[int, int]] = {TROT: (6, 18), PLAT: (5, 20), OBSTACLE: (8, 16)}

# Share of the prize paid to each place (first to seventh), by family of racing.
PRIZE_SHARES: dict[str, tuple[float, ...]] = {
    TROT: (0.45, 0.25, 0.14, 0.08, 0.05, 0.02, 0.01),
    PLAT: (0.50, 0.19, 0.14, 0.09, 0.04),
    OBSTACLE: (0.50, 0.19, 0.14, 0.09, 0.04),
}

# Where a runner ends: classified, non-runner or an incident; the rate of each incident per runner,
# by discipline.
CLASSIFIED, NON_PARTANT, DISQUALIFIE, ARRETE, TOMBE, DEROBE, DISTANCE = range(7)
INCIDENT_RATES: dict[int, tuple[tuple[int, float], ...]] = {
    ATTELE: ((DISQUALIFIE, 0.075), (DISTANCE, 0.004)),
    MONTE: ((DISQUALIFIE, 0.09), (DISTANCE, 0.004)),
    PLAT_D: ((ARRETE, 0.004),),
    HAIE: ((TOMBE, 0.035), (ARRETE, 0.04), (DEROBE, 0.004)),
    STEEPLE: ((TOMBE, 0.06), (ARRETE, 0.05), (DEROBE, 0.006)),
    CROSS: ((TOMBE, 0.05), (ARRETE, 0.05), (DEROBE, 0.01)),
}
