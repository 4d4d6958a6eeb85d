"""The word lists in storymap/lexicons: their form, their loader, and that each is read."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from storymap import lexicon
from storymap.errors import LexiconError, StorymapError

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "storymap" / lexicon.PACKAGE_DIR
FILES = sorted(FOLDER.glob("*.txt"))


def _split(path: Path) -> tuple[list[str], list[str]]:
    """(header lines, entry lines) of a word list file."""
    lines = path.read_text(encoding="utf-8").split("\n")
    assert lines[-1] == "", f"{path.name}: ends with one newline"
    lines = lines[:-1]
    k = 0
    while k < len(lines) and lines[k].startswith("#"):
        k += 1
    return lines[:k], lines[k:]


def test_the_folder_holds_the_lists_the_loader_names():
    assert len(FILES) > 20
    assert lexicon.names() == tuple(p.stem for p in FILES)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_each_list_says_what_it_holds_and_who_reads_it(path):
    header, _ = _split(path)
    text = " ".join(line.removeprefix("#").strip() for line in header)
    assert header and all(line.startswith("# ") for line in header), f"{path.name}: a '# ' header first"
    assert len(text.split("Used by:")[0].split()) >= 5, f"{path.name}: the header says what class of words it holds"
    assert "Used by:" in text, f"{path.name}: the header says what reads it"
    assert "Source:" in text, f"{path.name}: the header says where the words come from"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_entries_are_one_clean_lower_case_word_or_phrase_a_line(path):
    _, entries = _split(path)
    assert entries, f"{path.name}: no entries"
    for e in entries:
        assert e, f"{path.name}: a blank line among the entries"
        assert not e.startswith("#"), f"{path.name}: a comment among the entries: {e!r}"
        assert e == e.strip() and "  " not in e and "\t" not in e, f"{path.name}: stray white space in {e!r}"
        # the rules compare lower-cased words ("tok.lower_", "text.lower()") or match them ignoring case
        assert e == e.lower(), f"{path.name}: {e!r} is not lower case"
    dupes = sorted({e for e in entries if entries.count(e) > 1})
    assert not dupes, f"{path.name}: entries twice: {dupes}"
    assert lexicon.phrases(path.stem) == tuple(entries)


def test_every_list_is_read_by_some_module():
    """No orphans: importing the package's modules reads every word list."""
    script = """
import importlib, json, pkgutil, sys
import storymap, storymap.lexicon as lx
read = set()
inner = lx.phrases
def recording(name):
    read.add(name)
    return inner(name)
lx.phrases = recording
for m in pkgutil.iter_modules(storymap.__path__):
    if m.name != "__main__":
        importlib.import_module("storymap." + m.name)
print(json.dumps(sorted(read)))
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    read = set(json.loads(out.stdout.strip().splitlines()[-1]))
    assert sorted(set(lexicon.names()) - read) == []


def test_an_unknown_list_is_a_storymap_error_that_names_the_lists():
    with pytest.raises(LexiconError) as err:
        lexicon.words("no_such_list")
    assert isinstance(err.value, StorymapError) and isinstance(err.value, LookupError)
    assert "no_such_list" in str(err.value) and "titles" in str(err.value)
    for bad in ("../errors", "Titles", "", "titles.txt"):
        with pytest.raises(LexiconError):
            lexicon.phrases(bad)


def test_lists_are_read_once_in_file_order():
    assert lexicon.phrases("weekdays")[:2] == ("monday", "tuesday")
    assert lexicon.words("weekdays") is lexicon.words("weekdays")
    assert lexicon.words("weekdays") == frozenset(lexicon.phrases("weekdays"))


def test_alternation_keeps_the_order_and_escapes():
    assert lexicon.alternation(("port city", "a.b", "town")) == r"port\ city|a\.b|town"


def test_the_calendar_lists_are_the_calendar():
    from storymap.dates import MONTHS, WEEKDAYS

    months = lexicon.phrases("months")
    assert len(months) == 12 and len(lexicon.phrases("weekdays")) == 7
    # each abbreviation is the start of one month's name, and the months are numbered in order
    for a in lexicon.phrases("month_abbreviations"):
        assert [m for m in months if m.startswith(a)] == [months[MONTHS[a] - 1]]
    assert MONTHS["sept"] == 9 and MONTHS["may"] == 5 and WEEKDAYS["sunday"] == 6


def test_a_wheel_carries_the_lists():
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert f"{lexicon.PACKAGE_DIR}/*{lexicon.SUFFIX}" in data["tool"]["setuptools"]["package-data"]["storymap"]


def test_the_gazetteer_hash_covers_the_lists_its_build_reads(monkeypatch):
    from storymap import gazetteer

    assert set(gazetteer.SOURCE_LEXICONS) <= set(lexicon.names())
    before = gazetteer.source_hash.__wrapped__()
    monkeypatch.setattr(gazetteer, "phrases", lambda name: (*lexicon.phrases(name), "mere"))
    assert gazetteer.source_hash.__wrapped__() != before  # a changed list builds a new gazetteer


def test_a_module_takes_a_subset_of_a_vocabulary_only_for_its_stated_reason():
    from storymap import dateline, itinerary, recognize, story

    # one list of name connectors: recognition leaves out "and" (it joins two names in prose)
    # and joins the hyphen-only ones by hyphens alone; a dateline's place takes them all
    assert recognize.CONNECTORS == lexicon.words("name_connectors") - {"and"}
    assert "on" in recognize.CONNECTORS and "on" not in recognize.SPACED_CONNECTORS
    # a dateline's place never opens with a sentence opener, but may with "the"
    for line, place in (("THE HAGUE — The court ruled.", True), ("DURING TALKS — The court ruled.", False)):
        assert (dateline.find_dateline(line, 0, len(line)) is not None) is place
    # "the middle of Syria" is in Syria: no direction; story's generic words take it
    assert "middle" not in itinerary.DIRECTIONS and "middle" in story.GENERIC_WORDS
    assert itinerary.DIRECTIONS is recognize.DIRECTIONS and itinerary.TITLES is recognize.TITLES
    # "Police Department" is a body; "the department of Antioquia" a division
    assert "department" not in recognize.ADMIN_SUFFIXES and recognize.ADMIN_CUES.search("the department of ")
    assert itinerary.COURTESY < itinerary.TITLES
