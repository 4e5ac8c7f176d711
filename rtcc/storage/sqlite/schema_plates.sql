-- Plate reads, indexed for search (rtcc/storage/sqlite/plate_reads.py, docs/lpr.md).
-- Kept by triggers on `events`, so a read is indexed in the same transaction that stores it.

-- Every distinct plate text once, with a small integer id and how often it was read
-- (the rarity weight of co-travel). Far fewer rows than reads: the n-gram index covers these.
CREATE TABLE IF NOT EXISTS plates (
    id     INTEGER PRIMARY KEY,
    plate  TEXT NOT NULL UNIQUE,
    reads  INTEGER NOT NULL DEFAULT 0
);

-- One row per read, clustered by (plate, time): a plate's reads in a time window are one
-- contiguous range, fetched without touching the events table.
CREATE TABLE IF NOT EXISTS plate_reads (
    plate_id     INTEGER NOT NULL,
    occurred_at  TEXT NOT NULL,
    seq          INTEGER NOT NULL,  -- events.seq
    event_id     TEXT NOT NULL,
    plate_state  TEXT,
    reader_id    TEXT NOT NULL,
    lat          REAL,
    lon          REAL,
    image_ref    TEXT,
    PRIMARY KEY (plate_id, occurred_at, seq)
) WITHOUT ROWID;
-- Who else passed this reader around that time (co-travel).
CREATE INDEX IF NOT EXISTS plate_reads_reader_time ON plate_reads (reader_id, occurred_at);

CREATE TRIGGER IF NOT EXISTS plate_reads_insert AFTER INSERT ON events
WHEN NEW.kind = 'lpr_read'
BEGIN
    INSERT INTO plates (plate, reads) VALUES (json_extract(NEW.payload, '$.plate'), 1)
    ON CONFLICT (plate) DO UPDATE SET reads = reads + 1;
    INSERT INTO plate_reads (plate_id, occurred_at, seq, event_id, plate_state, reader_id,
                             lat, lon, image_ref)
    SELECT p.id, NEW.occurred_at, NEW.seq, NEW.id, json_extract(NEW.payload, '$.plate_state'),
           json_extract(NEW.payload, '$.reader_id'), NEW.lat, NEW.lon,
           json_extract(NEW.payload, '$.image_ref')
    FROM plates p WHERE p.plate = json_extract(NEW.payload, '$.plate');
END;

-- Retention deletes a read from the index too (the plate's text stays: it holds no read).
CREATE TRIGGER IF NOT EXISTS plate_reads_delete AFTER DELETE ON events
WHEN OLD.kind = 'lpr_read'
BEGIN
    UPDATE plates SET reads = reads - 1 WHERE plate = json_extract(OLD.payload, '$.plate');
    DELETE FROM plate_reads
    WHERE plate_id = (SELECT id FROM plates WHERE plate = json_extract(OLD.payload, '$.plate'))
      AND occurred_at = OLD.occurred_at AND seq = OLD.seq;
END;
