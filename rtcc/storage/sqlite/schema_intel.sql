-- Criminal intelligence records (28 CFR Part 23) and the log of every dissemination.
CREATE TABLE IF NOT EXISTS intel_records (
    id              TEXT PRIMARY KEY,
    subject         TEXT NOT NULL,
    body            TEXT NOT NULL,       -- the checked submission, JSON
    submitter       TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    validated_at    TEXT NOT NULL,       -- submission, then each revalidation
    validated_by    TEXT NOT NULL,
    validation_note TEXT NOT NULL,
    review_due      TEXT NOT NULL        -- validated_at + 5 years: revalidate or purge
);
CREATE INDEX IF NOT EXISTS intel_records_due ON intel_records (review_due);
CREATE TABLE IF NOT EXISTS intel_disseminations (
    id          INTEGER PRIMARY KEY,
    record_id   TEXT NOT NULL,           -- kept after a purge: who received what, when
    released_at TEXT NOT NULL,
    release     TEXT NOT NULL            -- recipient, agency, need and right to know, by whom
);
CREATE INDEX IF NOT EXISTS intel_disseminations_record ON intel_disseminations (record_id);
