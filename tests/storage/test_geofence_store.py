"""The geofence store: add, list (all or one owner's), get, delete, revision."""

from rtcc.storage.base import Storage
from rtcc.storage.sqlite import SqliteStorage

SQUARE = {"type": "Polygon", "coordinates": [[[0.0, 0.0], [0.01, 0.0], [0.01, 0.01], [0.0, 0.0]]]}
BBOX = (0.0, 0.0, 0.01, 0.01)


def same_database(storage: Storage) -> Storage:
    """A second storage on the database `storage` uses (another process, or a restart)."""
    if isinstance(storage, SqliteStorage):
        return SqliteStorage(storage.db.path, "NORMAL")
    from rtcc.storage.postgres import PostgresStorage

    assert isinstance(storage, PostgresStorage)
    return PostgresStorage(storage.db.url, pool_size=2)


def test_add_list_get_delete_and_revision(backend: Storage) -> None:
    fences = backend.geofences
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
    backend.close()
    reopened = same_database(backend)
    try:
        assert [f.id for f in reopened.geofences.list()] == [b.id, c.id]
    finally:
        reopened.close()


def test_a_change_made_through_another_storage_moves_the_revision(backend: Storage) -> None:
    """Another process adding or deleting a fence is seen by this one's rule."""
    other = same_database(backend)
    try:
        before = backend.geofences.revision()
        fence = other.geofences.add("Depot", "ana", SQUARE, BBOX)
        added = backend.geofences.revision()
        assert added != before and [f.id for f in backend.geofences.list()] == [fence.id]
        assert other.geofences.delete(fence.id) is True
        assert backend.geofences.revision() != added and backend.geofences.list() == []
    finally:
        other.close()
