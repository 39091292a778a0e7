-- 003: broadcasts to groups, named groups, officers' PINs, delivery reports.

-- One broadcast: a text for a group; one outbox row per recipient (outbox.broadcast_id).
CREATE TABLE broadcasts (
	id           INTEGER PRIMARY KEY,
	group_name   TEXT NOT NULL,             -- as the officer wrote it: THON3, TQ3, TATCA, ...
	text         TEXT NOT NULL,             -- as written
	sent_text    TEXT NOT NULL,             -- as sent (diacritics folded when that saves parts)
	ucs2         INTEGER NOT NULL,          -- 1 if sent_text needs UCS-2
	parts        INTEGER NOT NULL,          -- SMS parts per recipient
	recipients   INTEGER NOT NULL,          -- of the latest round
	created_by   TEXT NOT NULL,             -- 'cli' or the officer's phone
	created_at   TEXT NOT NULL,
	scheduled_at TEXT NOT NULL,             -- when the (first) round is due
	every        TEXT CHECK (every IN ('day', 'week', 'month')),
	next_run     TEXT,                      -- recurring: when the next round is queued
	status       TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'cancelled')),
	inbox_id     INTEGER UNIQUE REFERENCES inbox (id) -- the TB message, when sent by SMS
);

-- Named groups that officers manage, beside those derived from contacts.
CREATE TABLE groups (
	name       TEXT PRIMARY KEY,            -- uppercase, as given
	created_at TEXT NOT NULL
);
CREATE TABLE group_members (
	group_name TEXT NOT NULL REFERENCES groups (name) ON DELETE CASCADE,
	phone      TEXT NOT NULL,               -- E.164
	PRIMARY KEY (group_name, phone)
);

ALTER TABLE outbox ADD COLUMN broadcast_id INTEGER REFERENCES broadcasts (id);
ALTER TABLE outbox ADD COLUMN msgref INTEGER;     -- the network's reference of the last part
ALTER TABLE outbox ADD COLUMN delivery TEXT;      -- delivered | failed (from delivery reports)
ALTER TABLE outbox ADD COLUMN delivered_at TEXT;
CREATE INDEX outbox_broadcast ON outbox (broadcast_id, status);

-- Officers broadcast by SMS with a PIN, stored as a salted slow hash (crypt).
ALTER TABLE contacts ADD COLUMN pin_hash TEXT;
ALTER TABLE contacts ADD COLUMN pin_failures INTEGER NOT NULL DEFAULT 0;
ALTER TABLE contacts ADD COLUMN locked_until TEXT;
