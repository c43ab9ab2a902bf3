import pandas as pd

from hippique_assets.quality import arrival_mismatches, duplicate_keys, missing_references


def test_duplicate_keys_lists_every_copy():
    frame = pd.DataFrame({"r": [1, 1, 2], "c": [1, 1, 1], "x": ["a", "b", "c"]})
    dupes = duplicate_keys(frame, ["r", "c"])
    assert dupes.to_dict("records") == [{"r": 1, "c": 1}, {"r": 1, "c": 1}]
    assert duplicate_keys(frame, ["x"]).empty


def test_missing_references_ignores_nulls():
    child = pd.DataFrame({"horse_id": ["a", "b", None, "b"]})
    parent = pd.DataFrame({"id": ["a"]})
    assert missing_references(child, ["horse_id"], parent, ["id"])["horse_id"].tolist() == ["b"]


def _races(arrival):
    return pd.DataFrame({"race_key": ["2026-03-23-R1C1"], "arrival_order": [arrival]})


def _runners(ranks):
    return pd.DataFrame(
        {
            "race_key": "2026-03-23-R1C1",
            "number": list(ranks),
            "finish_rank": pd.array(list(ranks.values()), dtype="Int64"),
        }
    )


def test_consistent_arrival_with_dead_heat():
    # 3 and 5 dead-heat for second place; 7 has no rank (disqualified).
    runners = _runners({4: 1, 3: 2, 5: 2, 1: 4, 7: None})
    assert arrival_mismatches(_races([4, 3, 5, 1]), runners) == []
    assert arrival_mismatches(_races([4, 5, 3, 1]), runners) == []


def test_arrival_disagreement_is_reported():
    runners = _runners({4: 1, 3: 2, 5: 3})
    problems = arrival_mismatches(_races([3, 4, 5]), runners)
    assert len(problems) == 1 and "2026-03-23-R1C1" in problems[0]


def test_races_without_arrival_are_not_compared():
    assert arrival_mismatches(_races([]), _runners({4: 1})) == []
    assert arrival_mismatches(_races(None), _runners({4: 1})) == []
