-- 015 (issue 21): the WAL scrub after a redaction no longer waits for readers; while a reader
-- holds old frames it stays pending and is retried by the daemon's (or `tipline serve`'s) job
-- table. One row says since when it is pending (NULL: nothing is), which request is the last
-- (pending_seq, so a scrub done by one process does not clear another's newer request), and
-- when the last one was done and how long it had been pending. `tipline status` shows it.
CREATE TABLE wal_scrub (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    pending_since TEXT,
    pending_ms INTEGER,
    pending_seq INTEGER NOT NULL DEFAULT 0,
    last_done_at TEXT,
    last_took_ms INTEGER
);
INSERT INTO wal_scrub (id) VALUES (1);

-- Menu attempts turned away (ussd.max_sessions open: 'busy'; the number over
-- ussd.max_per_hour: 'capped') are counted per hour, not stored as a session row each: a
-- flood of them grows this table by two rows an hour at most, and names nobody.
CREATE TABLE ussd_turned_away (
    hour TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('busy', 'capped')),
    count INTEGER NOT NULL,
    PRIMARY KEY (hour, outcome)
);
