-- 002: what keyword messages turn into: contacts, teams, tips, patrols, reports.

-- How each stored message parsed (tip, patrol_start, unknown, ...); NULL for messages
-- not handled (alphanumeric senders, or stored before this schema).
ALTER TABLE inbox ADD COLUMN kind TEXT;

CREATE TABLE teams (
	code       TEXT PRIMARY KEY,          -- TQ3, ANND2 (uppercase)
	name       TEXT,
	village    TEXT,
	created_at TEXT NOT NULL
);

CREATE TABLE contacts (
	id         INTEGER PRIMARY KEY,
	phone      TEXT NOT NULL UNIQUE,      -- E.164: +84912345678
	name       TEXT,
	village    TEXT,
	role       TEXT NOT NULL DEFAULT 'villager' CHECK (role IN ('villager', 'leader', 'officer')),
	team       TEXT,                      -- teams.code of a leader (and of members)
	subscribed INTEGER NOT NULL DEFAULT 1,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX contacts_village ON contacts (village);
CREATE INDEX contacts_team ON contacts (team);

-- A tip: from TIN, or any message that could not be classified (structured = 0).
-- ref is what villagers quote ("BS T12 ..."); one tip per received message at most.
CREATE TABLE tips (
	id         INTEGER PRIMARY KEY,
	ref        TEXT UNIQUE,               -- 'T' || id
	inbox_id   INTEGER NOT NULL UNIQUE REFERENCES inbox (id),
	sender     TEXT NOT NULL,             -- E.164 when it is a phone number
	anonymous  INTEGER NOT NULL DEFAULT 0,
	category   TEXT,                      -- drugs, theft, ... or NULL
	text       TEXT NOT NULL,
	structured INTEGER NOT NULL DEFAULT 1,
	status     TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'triaged', 'valuable', 'closed')),
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX tips_created ON tips (created_at);

CREATE TABLE tip_supplements (
	id         INTEGER PRIMARY KEY,
	tip_id     INTEGER NOT NULL REFERENCES tips (id),
	inbox_id   INTEGER NOT NULL UNIQUE REFERENCES inbox (id),
	text       TEXT NOT NULL,
	created_at TEXT NOT NULL
);

CREATE TABLE patrols (
	id             INTEGER PRIMARY KEY,
	team           TEXT NOT NULL,
	leader         TEXT NOT NULL,         -- phone of who checked in
	started_at     TEXT NOT NULL,
	ended_at       TEXT,                  -- NULL while the patrol is out
	members        INTEGER,
	notes          TEXT,
	end_notes      TEXT,
	start_inbox_id INTEGER NOT NULL UNIQUE REFERENCES inbox (id),
	end_inbox_id   INTEGER UNIQUE REFERENCES inbox (id)
);
CREATE INDEX patrols_open ON patrols (team) WHERE ended_at IS NULL;

CREATE TABLE awareness_sessions (
	id           INTEGER PRIMARY KEY,
	inbox_id     INTEGER NOT NULL UNIQUE REFERENCES inbox (id),
	reporter     TEXT NOT NULL,
	team         TEXT,
	participants INTEGER NOT NULL,
	notes        TEXT,
	held_at      TEXT NOT NULL
);

CREATE TABLE mediations (
	id         INTEGER PRIMARY KEY,
	ref        TEXT UNIQUE,               -- 'H' || id
	inbox_id   INTEGER NOT NULL UNIQUE REFERENCES inbox (id),
	reporter   TEXT NOT NULL,
	team       TEXT,
	notes      TEXT NOT NULL,
	created_at TEXT NOT NULL
);

CREATE INDEX outbox_recipient ON outbox (recipient, created_at);
