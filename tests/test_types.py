"""The package's types: mypy over ``storymap/`` at the strictness pyproject.toml states, and
the closed vocabularies (place types, event statuses, kinds, references) as StrEnums that
read and write as the words they replace."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from storymap.gazetteer import (AREA_TYPES, DIVISION_TYPES, JURISDICTION_TYPES, POPULATED_TYPES, GazetteerRecord,
                                PlaceType)
from storymap.itinerary import EventKind, EventStatus, Reference

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_mypy_reports_no_error_in_the_package() -> None:
    # `python -m mypy` from the repository root reads [tool.mypy] (files, strictness) in pyproject.toml
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.startswith("Success: no issues found"), run.stdout


def test_a_place_type_reads_and_writes_as_its_word() -> None:
    record = GazetteerRecord("geonames:1", "Porto", PlaceType.CITY, 41.15, -8.61)
    assert record.place_type == "city" and str(record.place_type) == "city" and f"{record.place_type}" == "city"
    assert json.dumps({"place_type": record.place_type}) == '{"place_type": "city"}'
    assert "city" in POPULATED_TYPES and PlaceType("aircraft plant") is PlaceType.AIRCRAFT_PLANT
    assert json.dumps([EventStatus.NOT_REACHED, EventKind.ORIGIN, Reference.PRONOUN]) == \
        '["not reached", "origin", "pronoun"]'


def test_the_groups_of_place_types_nest() -> None:
    assert DIVISION_TYPES < JURISDICTION_TYPES < AREA_TYPES
    assert not POPULATED_TYPES & AREA_TYPES


def test_every_curated_landmark_has_a_place_type() -> None:
    with (ROOT / "storymap" / "data" / "landmarks.csv").open(encoding="utf-8", newline="") as fh:
        kinds = {row["place_type"] for row in csv.DictReader(fh)}
    assert kinds <= {t.value for t in PlaceType}
