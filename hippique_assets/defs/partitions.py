"""Partitions: one per Europe/Paris racing day, and one per race registered from the plan."""

from dagster import DailyPartitionsDefinition, DynamicPartitionsDefinition

# PMU's turfinfo archive answers from 2013; end_offset=1 makes today's partition exist on race day.
daily_partitions = DailyPartitionsDefinition(start_date="2013-02-20", timezone="Europe/Paris", end_offset=1)

RACES_PARTITIONS_NAME = "races"
race_partitions = DynamicPartitionsDefinition(name=RACES_PARTITIONS_NAME)
