-- Criminal intelligence records (28 CFR Part 23) and the log of every dissemination
-- (rtcc/storage/sql/intel.py). Same tables and columns as schema_intel.sql; times in
-- the "C" collation so they sort as times whatever the database's locale.
CREATE TABLE IF NOT EXISTS intel_records (
    id              TEXT PRIMARY KEY,
    subject         TEXT NOT NULL,
    body            TEXT NOT NULL,             -- the checked submission, JSON
    submitter       TEXT NOT NULL,
    created_at      TEXT COLLATE "C" NOT NULL,
    validated_at    TEXT COLLATE "C" NOT NULL, -- submission, then each revalidation
    validated_by    TEXT NOT NULL,
    validation_note TEXT NOT NULL,
    review_due      TEXT COLLATE "C" NOT NULL  -- validated_at + 5 years: revalidate or purge
);
CREATE INDEX IF NOT EXISTS intel_records_due ON intel_records (review_due);
CREATE INDEX IF NOT EXISTS intel_records_created ON intel_records (created_at);
CREATE TABLE IF NOT EXISTS intel_disseminations (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    record_id   TEXT NOT NULL,           -- kept after a purge: who received what, when
    released_at TEXT COLLATE "C" NOT NULL,
    release     TEXT NOT NULL            -- recipient, agency, need and right to know, by whom
);
CREATE INDEX IF NOT EXISTS intel_disseminations_record ON intel_disseminations (record_id);
