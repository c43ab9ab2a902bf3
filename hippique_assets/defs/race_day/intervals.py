"""How often the race-day sensors tick.

The race clock ticks every ``HIPPIQUE_RACE_CLOCK_INTERVAL_S`` (10 s by default, 1 s on a replayed
day's accelerated clock). The sensors that follow what the runs did (the failure sensors, the day's
watch and the ledger) tick as often, or half as often, but never more than once every
``FOLLOWER_FLOOR_S``: each evaluation builds its resources and a Dagster instance and reads the
runs, and nothing they do is timed in seconds. Production's 10 s is above the floor and unchanged.
"""

FOLLOWER_FLOOR_S = 5
# The ledger and the day's watch look at the whole day: at most once a minute is enough.
DAY_SENSOR_CEILING_S = 60


def run_follower_interval_s(race_clock_interval_s: int) -> int:
    """The interval of the failure sensors: the race clock's, at least ``FOLLOWER_FLOOR_S``."""
    return max(race_clock_interval_s, FOLLOWER_FLOOR_S)


def day_sensor_interval_s(race_clock_interval_s: int) -> int:
    """The interval of the ledger and watch sensors: twice the race clock's, within the floor and
    the ceiling."""
    return min(DAY_SENSOR_CEILING_S, max(race_clock_interval_s * 2, FOLLOWER_FLOOR_S))
