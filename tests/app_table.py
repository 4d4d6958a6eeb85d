"""The review page's table of places in AppTest: cells changed and rows selected as a reader
does in the browser, named by place id (AppTest seeds a data editor's edit state)."""

from __future__ import annotations

from typing import Any


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
