"""The app in AppTest: run it (on a story), go to one of its pages, and the review page's
table of places, its cells changed and rows selected as a reader does in the browser, named by
place id (AppTest seeds a data editor's edit state); a story of several stops to review."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

APP = Path(__file__).resolve().parent.parent / "app.py"


def run_app(story_id: str | None = None) -> Any:
    """The app in AppTest, run once (on the library story ``story_id``, as a link opens it)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(APP), default_timeout=180)
    if story_id:
        at.query_params["story"] = story_id
    at.run()
    assert not at.exception, at.exception
    return at


def goto(at: Any, page: str) -> Any:
    """The app on one of its pages (app_pages/<page>.py), run."""
    at.switch_page(f"app_pages/{page}.py").run()
    # AppTest asks for that page on every later run too; a browser stays where the app took it last
    at._page_hash = ""
    assert not at.exception, at.exception
    return at


def table(at: Any) -> Any:
    """The review page's table of places."""
    [editor] = [e for e in at.data_editor if (e.key or "").startswith("places_table_")]
    return editor


def edit_table(at: Any, changes: dict[str, dict[str, Any]]) -> Any:
    """The table with these cells changed (``{place_id: {column: value}}``; ``select``: True to
    select the row), not yet run; the rows are found by their id column."""
    editor = table(at)
    ids = list(editor.value["id"])
    at.session_state[editor.key] = {"edited_rows": {ids.index(place_id): dict(cells)
                                                    for place_id, cells in changes.items()},
                                    "added_rows": [], "deleted_rows": []}
    return at


def stops_story(count: int) -> str:
    """A story of ``count`` (up to 8) stops along the Portuguese coast, in the library: its id."""
    from pipeline_support import event_row

    from storymap.corpus import write_geoparquet
    from storymap.events import EVENT_COLUMNS, trace
    from storymap.library import Library

    towns = [("Faro", -7.93, 37.02), ("Lagos", -8.67, 37.10), ("Sines", -8.87, 37.96), ("Setubal", -8.89, 38.52),
             ("Lisbon", -9.14, 38.72), ("Peniche", -9.38, 39.36), ("Aveiro", -8.65, 40.64), ("Porto", -8.61, 41.15)]
    folder = Path(tempfile.mkdtemp(prefix="storymap-stops-"))
    write_geoparquet(str(folder / "part-00000.parquet"), [
        event_row(f"a{i}", name, f"t:{name.lower()}", lon, lat, date=dt.date(2024, 3, 1 + i))
        for i, (name, lon, lat) in enumerate(towns[:count])], EVENT_COLUMNS)
    return Library().add(trace(folder, "Ines Ferro").story).id
