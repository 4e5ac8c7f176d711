"""The SQLite geofence store: add, list (all or one owner's), get, delete, revision."""

from pathlib import Path

from rtcc.storage.sqlite import SqliteStorage

SQUARE = {"type": "Polygon", "coordinates": [[[0.0, 0.0], [0.01, 0.0], [0.01, 0.01], [0.0, 0.0]]]}
BBOX = (0.0, 0.0, 0.01, 0.01)


def test_add_list_get_delete_and_revision(tmp_path: Path) -> None:
    storage = SqliteStorage(tmp_path / "t.db", "NORMAL")
    fences = storage.geofences
    empty = fences.revision()
    a = fences.add("School", "ana", SQUARE, BBOX)
    b = fences.add("Park", "ofc", SQUARE, BBOX)
    assert [f.name for f in fences.list()] == ["School", "Park"]
    assert fences.list("ofc") == [b]
    assert fences.get(a.id) == a and a.geometry == SQUARE and a.bbox == BBOX
    two = fences.revision()
    assert two != empty
    assert fences.delete(a.id) is True
    assert fences.delete(a.id) is False
    assert fences.get(a.id) is None
    assert fences.revision() not in (empty, two)
    c = fences.add("Mall", "ana", SQUARE, BBOX)
    assert fences.revision() not in (empty, two)  # same count as before, a newer fence
    storage.close()
    reopened = SqliteStorage(tmp_path / "t.db", "NORMAL")
    assert [f.id for f in reopened.geofences.list()] == [b.id, c.id]
