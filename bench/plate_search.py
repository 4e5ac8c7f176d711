"""Partial and fuzzy plate search over millions of reads: this index against its peers.

Synthetic US-style reads (per-state plate formats, a heavy-tailed repeat distribution:
most plates are read a few times, a few very often; 300 readers over 30 days) go into:
SQLite with this project's plate index (rtcc/storage/sqlite/plate_reads.py +
rtcc/analysis/plate_index.py), a plain SQLite reads table (`LIKE '%…%'` scan and an FTS5
trigram index over it) and PostgreSQL (pg_trgm GIN index; fuzzy with `%` + levenshtein).
The same 3-5 character substring queries (drawn from stored plates) run on each and ask
what the search page and `/api/v1/lpr/search` show: the exact number of matching reads
and the newest page of them (the API's default page, 500 rows; ties by event, so every
engine returns the same page, which is checked). The old question, every matching row
fetched into Python, is timed too. Fuzzy queries are stored plates with one character
changed (a look-alike or any other). Two-character patterns are reported apart: answered
or refused. A second part measures what the index costs on ingest (events append with
and without the plate-read triggers). Targets (issue 5): substring p95 < 40 ms and faster
than pg_trgm, fuzzy p95 < 25 ms.
"""

import argparse
import gc
import os
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from common import busy_warning, load_average, markdown_table, percentile, record_section
from plate_data import CENTRE, READERS, START, Dataset, make_plates, pick_queries

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from rtcc.analysis.plate_search import (  # noqa: E402
    DEFAULT_LIMIT,
    PlateSearch,
    SearchError,
    SearchMode,
    parse_pattern,
)
from rtcc.core.clock import iso  # noqa: E402
from rtcc.storage.sqlite import SqliteStorage  # noqa: E402

PG_DSN = "host=127.0.0.1 port=5432 user=postgres"
PG_DB = "rtcc_bench_plates"
LIKE_QUERIES = 25  # the scan is slow: a sample of the same queries
SMALL_PAGE = 100  # also timed for this index: what a smaller page would save
HEADERS = [
    "method",
    "queries",
    "p50 ms",
    "p95 ms",
    "p99 ms",
    "p95 ms, every row",
    "mean total",
    "target",
]
COLUMNS = "plate, plate_state, occurred_at, reader_id, lat, lon, image_ref, event_id"
#: Newest first; equal times by event id, which orders reads as the index's seq does.
NEWEST = "ORDER BY occurred_at DESC, event_id DESC"
#: (total matching reads, event ids of the page shown)
Answer = tuple[int, list[str]]
T = TypeVar("T")


def timed(run: Callable[[str], T], queries: list[str]) -> tuple[list[float], list[T]]:
    times, answers = [], []
    for q in queries:
        t0 = time.perf_counter()
        answers.append(run(q))
        times.append((time.perf_counter() - t0) * 1000)
    return times, answers


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build_mine(ds: Dataset, folder: Path) -> tuple[SqliteStorage, PlateSearch, dict[str, str]]:
    storage = SqliteStorage(folder / "index.db", "OFF")
    with storage.db.transaction() as conn:
        conn.execute("PRAGMA cache_size=-1000000")
    with storage.db.reading() as conn:
        conn.execute("PRAGMA cache_size=-1000000")
    t0 = time.perf_counter()
    storage.plate_reads.bulk_load(ds.rows())
    load_s = time.perf_counter() - t0
    search = PlateSearch(storage.plate_reads)
    gc.collect()
    rss0 = rss_mib()
    t0 = time.perf_counter()
    search.index.rebuild()
    build_s = time.perf_counter() - t0
    base, _ = search.index.refresh()
    facts = {
        "distinct plates": f"{len(base):,}",
        "index build (distinct plates → n-gram lists)": f"{build_s:.1f} s",
        "index memory (numpy arrays)": f"{base.nbytes() / 2**20:.0f} MiB",
        "peak RSS growth while building": f"{rss_mib() - rss0:.0f} MiB",
        "bulk load into plate_reads (incl. reader index)": f"{load_s:.0f} s",
    }
    return storage, search, facts


def build_sqlite_peers(ds: Dataset, folder: Path) -> tuple[object, dict[str, str]]:
    import sqlite3

    conn = sqlite3.connect(folder / "peers.db", isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-1000000")
    conn.execute(
        "CREATE TABLE reads (id INTEGER PRIMARY KEY, plate TEXT, plate_state TEXT, "
        "occurred_at TEXT, reader_id TEXT, lat REAL, lon REAL, image_ref TEXT, event_id TEXT)"
    )
    t0 = time.perf_counter()
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO reads (plate, plate_state, occurred_at, reader_id, lat, lon, image_ref, "
        "event_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        ds.rows(np.argsort(ds.seconds, kind="stable")),
    )
    conn.execute("COMMIT")
    load_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    conn.execute(
        "CREATE VIRTUAL TABLE reads_fts USING fts5(plate, content='reads', content_rowid='id', "
        "tokenize='trigram')"
    )
    conn.execute("INSERT INTO reads_fts(reads_fts) VALUES ('rebuild')")
    fts_s = time.perf_counter() - t0
    return conn, {
        "SQLite reads table load": f"{load_s:.0f} s",
        "FTS5 trigram build": f"{fts_s:.0f} s",
    }


def build_postgres(ds: Dataset) -> tuple[object, dict[str, str]] | None:
    try:
        import psycopg
    except ImportError:
        print("psycopg not installed (pip install -e '.[bench]'): PostgreSQL skipped")
        return None
    try:
        admin = psycopg.connect(f"{PG_DSN} dbname=postgres", autocommit=True)
    except psycopg.OperationalError as exc:
        print(f"PostgreSQL not reachable ({exc}): skipped")
        return None
    admin.execute(f"DROP DATABASE IF EXISTS {PG_DB}")
    admin.execute(f"CREATE DATABASE {PG_DB}")
    admin.close()
    conn = psycopg.connect(f"{PG_DSN} dbname={PG_DB}", autocommit=True)
    conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    conn.execute("CREATE EXTENSION IF NOT EXISTS fuzzystrmatch")
    conn.execute(
        "CREATE TABLE reads (id bigserial PRIMARY KEY, plate text, plate_state text, "
        "occurred_at timestamptz, reader_id text, lat float8, lon float8, image_ref text, "
        "event_id text)"
    )
    t0 = time.perf_counter()
    columns = "plate, plate_state, occurred_at, reader_id, lat, lon, image_ref, event_id"
    with conn.cursor() as cur, cur.copy(f"COPY reads ({columns}) FROM STDIN") as copy:
        lines: list[str] = []
        for row in ds.rows(np.argsort(ds.seconds, kind="stable")):
            lines.append("\t".join(map(str, row)))
            if len(lines) >= 100_000:
                copy.write("\n".join(lines) + "\n")
                lines = []
        if lines:
            copy.write("\n".join(lines) + "\n")
    load_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    conn.execute("SET maintenance_work_mem = '1GB'")
    conn.execute("CREATE INDEX reads_plate_trgm ON reads USING gin (plate gin_trgm_ops)")
    conn.execute("VACUUM ANALYZE reads")
    gin_s = time.perf_counter() - t0
    return conn, {"PostgreSQL COPY": f"{load_s:.0f} s", "pg_trgm GIN build": f"{gin_s:.0f} s"}


def ingest_cost(folder: Path, reads: int = 20_000) -> tuple[float, float]:
    """µs per lpr_read through SqliteEventStore.append, without and with the index triggers
    (batches of 1,000, synchronous=NORMAL)."""
    from rtcc.core.events import EVENT_IN_ADAPTER, event_from_wire

    rng = np.random.default_rng(3)
    plates = [p.decode() for p in make_plates(reads // 3, rng)[0]]
    items = [
        {
            "kind": "lpr_read",
            "id": f"r{j}",
            "occurred_at": iso(START + timedelta(seconds=j)),
            "location": {"lat": CENTRE[0], "lon": CENTRE[1]},
            "payload": {
                "reader_id": f"LPR{j % READERS:03d}",
                "plate": plates[j % len(plates)],
                "plate_state": "OH",
            },
        }
        for j in range(reads)
    ]
    costs: dict[bool, list[float]] = {False: [], True: []}
    for run, with_index in enumerate([False, True] * 3):  # alternated: the machine is shared
        storage = SqliteStorage(folder / f"ingest-{run}.db", "NORMAL")
        if not with_index:
            with storage.db.transaction() as conn:
                conn.execute("DROP TRIGGER plate_reads_insert")
        events = [event_from_wire(EVENT_IN_ADAPTER.validate_python(x), "b", START) for x in items]
        t0 = time.perf_counter()
        for k in range(0, reads, 1_000):
            storage.events.append(events[k : k + 1_000])
        costs[with_index].append((time.perf_counter() - t0) / reads * 1e6)
        storage.close()
    return min(costs[False]), min(costs[True])  # the least disturbed of three runs each


def stats(
    name: str,
    times: list[float],
    answers: list[Answer],
    target: str,
    every_row: list[float] | None = None,
) -> list[str]:
    return [
        name,
        str(len(times)),
        f"{percentile(times, 50):.1f}",
        f"{percentile(times, 95):.1f}",
        f"{percentile(times, 99):.1f}",
        "—" if not every_row else f"{percentile(every_row, 95):.1f}",
        f"{sum(n for n, _ in answers) / len(answers):,.0f}" if answers else "—",
        target,
    ]


def three_chars(queries: list[str], values: list[T]) -> list[T]:
    return [v for q, v in zip(queries, values, strict=True) if len(q) == 3]


def sqlite_peers(conn: Any, page: int) -> dict[str, Callable[[str], Any]]:
    """A LIKE scan (count and page in one pass) and FTS5 (count, then the page)."""

    def like(q: str) -> Answer:
        sql = f"SELECT event_id, count(*) OVER () FROM reads WHERE plate LIKE ? {NEWEST} LIMIT ?"
        rows = conn.execute(sql, (f"%{q}%", page)).fetchall()
        return (rows[0][1] if rows else 0), [r[0] for r in rows]

    def fts(q: str) -> Answer:
        match = f'"{q}"'
        total = conn.execute(
            "SELECT count(*) FROM reads_fts WHERE reads_fts MATCH ?", (match,)
        ).fetchone()[0]
        sql = (
            "SELECT r.event_id FROM reads_fts f JOIN reads r ON r.id = f.rowid"
            " WHERE reads_fts MATCH ? ORDER BY r.occurred_at DESC, r.event_id DESC LIMIT ?"
        )
        return total, [r[0] for r in conn.execute(sql, (match, page))]

    def fts_all(q: str) -> int:
        columns = ", ".join("r." + c for c in COLUMNS.split(", "))
        sql = (
            f"SELECT {columns} FROM reads_fts f JOIN reads r ON r.id = f.rowid"
            " WHERE reads_fts MATCH ?"
        )
        return len(conn.execute(sql, (f'"{q}"',)).fetchall())

    return {"like": like, "fts": fts, "fts_all": fts_all}


def pg_peers(conn: Any, page: int) -> dict[str, Callable[[str], Any]]:
    """pg_trgm: count(*), then the newest page, each with the trigram predicate."""
    newest = 'ORDER BY occurred_at DESC, event_id COLLATE "C" DESC'

    def trgm(q: str) -> Answer:
        like = f"%{q}%"
        total = conn.execute("SELECT count(*) FROM reads WHERE plate LIKE %s", (like,))
        sql = f"SELECT event_id FROM reads WHERE plate LIKE %s {newest} LIMIT %s"
        return total.fetchone()[0], [r[0] for r in conn.execute(sql, (like, page))]

    def trgm_all(q: str) -> int:
        sql = f"SELECT {COLUMNS} FROM reads WHERE plate LIKE %s"
        return len(conn.execute(sql, (f"%{q}%",)).fetchall())

    fuzzy_where = "plate %% %s AND levenshtein(plate, %s) <= 1"

    def fuzzy(q: str) -> Answer:
        total = conn.execute(f"SELECT count(*) FROM reads WHERE {fuzzy_where}", (q, q))
        sql = (
            f"SELECT event_id FROM reads WHERE {fuzzy_where}"
            f" ORDER BY levenshtein(plate, %s), occurred_at DESC LIMIT %s"
        )
        return total.fetchone()[0], [r[0] for r in conn.execute(sql, (q, q, q, page))]

    def fuzzy_all(q: str) -> int:
        sql = f"SELECT {COLUMNS} FROM reads WHERE {fuzzy_where}"
        return len(conn.execute(sql, (q, q)).fetchall())

    return {"trgm": trgm, "trgm_all": trgm_all, "fuzzy": fuzzy, "fuzzy_all": fuzzy_all}


def agreeing(mine: list[Answer], theirs: list[Answer]) -> str:
    """How many queries got the same total and the same page (same reads, same order)."""
    same = sum(a == b for a, b in zip(mine, theirs, strict=False))
    return f"{same}/{len(theirs)} queries"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reads", type=int, default=10_000_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--page", type=int, default=DEFAULT_LIMIT, help="rows shown per query")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--record", action="store_true", help="write docs/PERFORMANCE.md")
    args = parser.parse_args()
    load_before = load_average()
    if warning := busy_warning():
        print(f"warning: {warning}")
    root = Path(tempfile.mkdtemp(prefix="rtcc-plates-", dir=os.environ.get("RTCC_BENCH_DIR")))
    t0 = time.perf_counter()
    ds = Dataset(args.reads, args.seed)
    took = time.perf_counter() - t0
    print(f"{ds.total:,} reads of {len(ds.plates):,} plates generated in {took:.0f} s")
    facts: dict[str, str] = {"reads": f"{ds.total:,}", "page": f"{args.page} rows"}
    storage, search, mine_facts = build_mine(ds, root)
    facts |= mine_facts
    print(mine_facts)
    peers, sqlite_facts = build_sqlite_peers(ds, root)
    facts |= sqlite_facts
    print(sqlite_facts)
    pg = None if args.no_postgres else build_postgres(ds)
    if pg is not None:
        facts |= pg[1]
        print(pg[1])
    subs, fuzzy, pairs = pick_queries(ds, args.queries, args.seed)
    page = args.page

    def mine(q: str, mode: SearchMode = SearchMode.WILDCARD, shown: int = page) -> Answer:
        found = search.search(parse_pattern(q, mode), limit=shown)
        return found.total, [r.event_id for r in found.reads]

    def mine_small(q: str) -> Answer:
        return mine(q, shown=SMALL_PAGE)

    def mine_all(q: str, mode: SearchMode = SearchMode.WILDCARD) -> int:
        return search.search(parse_pattern(q, mode), limit=None).total

    def mine_fuzzy(q: str) -> Answer:
        return mine(q, SearchMode.FUZZY)

    def mine_fuzzy_all(q: str) -> int:
        return mine_all(q, SearchMode.FUZZY)

    timed(mine, subs)  # each engine once over the queries first: lazy parts, page caches
    mine_t, mine_a = timed(mine, subs)
    mine_all_t, _ = timed(mine_all, subs)
    sq = sqlite_peers(peers, page)
    timed(sq["fts"], subs)
    fts_t, fts_a = timed(sq["fts"], subs)
    fts_all_t, _ = timed(sq["fts_all"], subs)
    like_t, like_a = timed(sq["like"], subs[:LIKE_QUERIES])
    facts["same totals and pages as FTS5"] = agreeing(mine_a, fts_a)
    facts["same totals and pages as the LIKE scan"] = agreeing(mine_a, like_a)
    rows = [
        stats("SQLite LIKE '%…%' scan", like_t, like_a, "peer"),
        stats("SQLite FTS5 trigram", fts_t, fts_a, "peer", fts_all_t),
    ]
    p95_pg = float("inf")
    if pg is not None:
        pgq = pg_peers(pg[0], page)
        timed(pgq["trgm"], subs)
        pg_t, pg_a = timed(pgq["trgm"], subs)
        pg_all_t, _ = timed(pgq["trgm_all"], subs)
        p95_pg = percentile(pg_t, 95)
        facts["same totals and pages as pg_trgm"] = agreeing(mine_a, pg_a)
        name = "PostgreSQL pg_trgm GIN, LIKE '%…%'"
        rows.append(stats(name, pg_t, pg_a, "peer", pg_all_t))
        three_pg = three_chars(subs, pg_t)
        rows.append(
            stats(
                "pg_trgm, 3-character queries only",
                three_pg,
                three_chars(subs, pg_a),
                "peer",
                three_chars(subs, pg_all_t),
            )
        )
    ok = percentile(mine_t, 95) < 40 and percentile(mine_t, 95) < p95_pg
    rows.append(
        stats(
            "**this index** (n-grams of distinct plates)",
            mine_t,
            mine_a,
            f"p95 < 40 ms, < pg_trgm: {'met' if ok else 'MISSED'}",
            mine_all_t,
        )
    )
    three = three_chars(subs, mine_t)
    rows.append(
        stats(
            "this index, 3-character queries only",
            three,
            three_chars(subs, mine_a),
            f"p95 < 40 ms: {'met' if percentile(three, 95) < 40 else 'MISSED'}",
            three_chars(subs, mine_all_t),
        )
    )
    if page != SMALL_PAGE:
        small_t, small_a = timed(mine_small, subs)
        rows.append(stats(f"this index, a page of {SMALL_PAGE}", small_t, small_a, "—"))
    if pg is not None:
        pgf_t, pgf_a = timed(pgq["fuzzy"], fuzzy)
        pgf_all_t, _ = timed(pgq["fuzzy_all"], fuzzy)
        name = "PostgreSQL pg_trgm `%` + levenshtein ≤ 1 (fuzzy)"
        rows.append(stats(name, pgf_t, pgf_a, "peer", pgf_all_t))
    mf_t, mf_a = timed(mine_fuzzy, fuzzy)
    mf_all_t, _ = timed(mine_fuzzy_all, fuzzy)
    rows.append(
        stats(
            "**this index, fuzzy** (weighted distance ≤ 1)",
            mf_t,
            mf_a,
            f"p95 < 25 ms: {'met' if percentile(mf_t, 95) < 25 else 'MISSED'}",
            mf_all_t,
        )
    )
    answered, refused, pair_t = 0, 0, []
    for q in pairs:
        t1 = time.perf_counter()
        try:
            search.search(parse_pattern(q), limit=page)
            answered += 1
        except SearchError:
            refused += 1
        pair_t.append((time.perf_counter() - t1) * 1000)
    rows.append(
        stats(
            f"this index, 2 characters ({answered} answered, {refused} refused)",
            pair_t,
            [],
            "fast or refused",
        )
    )
    without, with_index = ingest_cost(root)
    facts["ingest, events append per lpr_read"] = (
        f"{without:.1f} µs without the plate index, {with_index:.1f} µs with it "
        f"(+{with_index - without:.1f} µs per read; best of 3 alternated runs, 20,000 reads)"
    )
    table = markdown_table(HEADERS, rows)
    lines = [f"- {k}: {v}" for k, v in facts.items()]
    body = table + "\n\n" + "\n".join(lines)
    print(body)
    storage.close()
    peers.close()  # type: ignore[attr-defined]
    if pg is not None:
        pg[0].close()  # type: ignore[attr-defined]
    shutil.rmtree(root, ignore_errors=True)
    if args.record:
        record_section("plate_search", body, root, load_before)
        print("recorded in docs/PERFORMANCE.md")


if __name__ == "__main__":
    main()
