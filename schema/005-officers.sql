-- 005: officers' work — tip triage, event times, alerts, expected patrol nights, status.

-- Triage: new -> checking -> valuable | false (unfounded) | closed; 'triaged' becomes 'checking'.
-- The status column's CHECK cannot be altered in place: a new column takes its place (a column
-- CHECK on the dropped column itself does not stop DROP COLUMN).
ALTER TABLE tips ADD COLUMN triage TEXT NOT NULL DEFAULT 'new'
	CHECK (triage IN ('new', 'checking', 'valuable', 'false', 'closed'));
UPDATE tips SET triage = CASE status WHEN 'triaged' THEN 'checking' ELSE status END;
ALTER TABLE tips DROP COLUMN status;
ALTER TABLE tips RENAME COLUMN triage TO status;

-- Every change of a tip's status: when, by whom (the officer's login name or phone), from, to.
CREATE TABLE tip_events (
	id          INTEGER PRIMARY KEY,
	tip_id      INTEGER NOT NULL REFERENCES tips (id),
	at          TEXT NOT NULL,
	by          TEXT NOT NULL,
	from_status TEXT NOT NULL,
	to_status   TEXT NOT NULL,
	note        TEXT
);
CREATE INDEX tip_events_tip ON tip_events (tip_id, id);

-- The village a tip is about: "thon X" in its text, else the sender's registered village.
ALTER TABLE tips ADD COLUMN village TEXT;

-- An event's time is when its sender sent it (the SMSC time of the message that reported it),
-- not when the daemon read it: a modem down for two hours must not move a patrol's start. The
-- read time is kept beside it. Rows from before this schema get their message's SMSC time.
ALTER TABLE tips ADD COLUMN read_at TEXT;
UPDATE tips SET read_at = created_at,
	created_at = coalesce((SELECT i.smsc_time FROM inbox i WHERE i.id = tips.inbox_id), created_at);
ALTER TABLE tip_supplements ADD COLUMN read_at TEXT;
UPDATE tip_supplements SET read_at = created_at,
	created_at = coalesce((SELECT i.smsc_time FROM inbox i WHERE i.id = tip_supplements.inbox_id),
	                      created_at);
ALTER TABLE patrols ADD COLUMN start_read_at TEXT;
ALTER TABLE patrols ADD COLUMN end_read_at TEXT;
UPDATE patrols SET start_read_at = started_at, end_read_at = ended_at,
	started_at = coalesce((SELECT i.smsc_time FROM inbox i WHERE i.id = patrols.start_inbox_id),
	                      started_at),
	ended_at = CASE WHEN ended_at IS NULL THEN NULL ELSE
		coalesce((SELECT i.smsc_time FROM inbox i WHERE i.id = patrols.end_inbox_id), ended_at) END;
ALTER TABLE awareness_sessions ADD COLUMN read_at TEXT;
UPDATE awareness_sessions SET read_at = held_at,
	held_at = coalesce((SELECT i.smsc_time FROM inbox i WHERE i.id = awareness_sessions.inbox_id),
	                   held_at);
ALTER TABLE mediations ADD COLUMN read_at TEXT;
UPDATE mediations SET read_at = created_at,
	created_at = coalesce((SELECT i.smsc_time FROM inbox i WHERE i.id = mediations.inbox_id),
	                      created_at);
CREATE INDEX patrols_started ON patrols (started_at);
CREATE INDEX awareness_held ON awareness_sessions (held_at);
CREATE INDEX mediations_created ON mediations (created_at);
CREATE INDEX inbox_smsc ON inbox (smsc_time);

-- Expected patrol nights of a team (local time): 'mon,wed,sat' and the hour by which a patrol
-- should have started ('21:00').
ALTER TABLE teams ADD COLUMN nights TEXT;
ALTER TABLE teams ADD COLUMN night_by TEXT;

-- Alerts raised by the daemon: a patrol out too long ('patrol_overdue', subject the patrol id),
-- a team-night without a patrol ('night_missed', subject 'TQ3 2026-12-01'). One row per kind and
-- subject: raised once, even across restarts. sent_at: when its SMS were queued.
CREATE TABLE alerts (
	id        INTEGER PRIMARY KEY,
	kind      TEXT NOT NULL,
	subject   TEXT NOT NULL,
	raised_at TEXT NOT NULL,
	sent_at   TEXT,
	detail    TEXT,
	UNIQUE (kind, subject)
);

-- What the daemon measures about itself, for `tipline status` (key, value, when measured):
-- heartbeat, clock skew against the SMSC, modem health, balance.
CREATE TABLE status (
	key        TEXT PRIMARY KEY,
	value      TEXT,
	updated_at TEXT NOT NULL
);
