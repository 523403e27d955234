"""Elimination schedules: parsing and effective quotas."""

from __future__ import annotations

import pytest

from swisssim import InputError, parse_schedule


def test_constant_schedule_is_capped_so_one_model_stays():
    schedule = parse_schedule(3, 5, "test", "T")
    assert schedule.label == "3"
    assert schedule.quotas(8).tolist() == [3, 3, 1, 0, 0]


def test_per_round_schedule_from_text_and_list():
    assert parse_schedule("0, 1,1,2", 4, "t", "f").label == "0,1,1,2"
    assert parse_schedule([0, 1, 1, 2], 4, "t", "f").quotas(10).tolist() == [0, 1, 1, 2]
    assert parse_schedule("2", 3, "t", "f").per_round == (2, 2, 2)


def test_percent_schedule_rounds_down_on_the_active_field():
    schedule = parse_schedule("10%", 4, "t", "f")
    # 29 active -> floor(2.9) = 2; 27 -> 2; 25 -> 2; 23 -> 2
    assert schedule.quotas(29).tolist() == [2, 2, 2, 2]
    assert parse_schedule("50%", 3, "t", "f").quotas(8).tolist() == [4, 2, 1]
    assert parse_schedule("0%", 2, "t", "f").quotas(5).tolist() == [0, 0]


@pytest.mark.parametrize("value", [-1, "-1", [0, 1], "1,2,3,4", "100%", "x", "1.5", True, 2.0])
def test_bad_schedules(value):
    with pytest.raises(InputError) as error:
        parse_schedule(value, 3, "file.toml", "[simulation].elimination[0]")
    assert "file.toml: [simulation].elimination[0]: expected" in str(error.value)
