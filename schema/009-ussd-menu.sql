-- 009: the USSD menu (`tipline serve`, issue 12): the channel a message and a tip came by, and
-- every USSD session an aggregator opened.

-- How a message reached tipline: 'sms' (the modem) or 'ussd' (a step of the menu that made a
-- tip; its text is the tip as typed). Every report that counts received SMS counts
-- channel = 'sms' only; a tip counts once, by its tips row, whichever way it came.
ALTER TABLE inbox ADD COLUMN channel TEXT NOT NULL DEFAULT 'sms' CHECK (channel IN ('sms', 'ussd'));
ALTER TABLE tips ADD COLUMN channel TEXT NOT NULL DEFAULT 'sms' CHECK (channel IN ('sms', 'ussd'));

-- One row per USSD session (the aggregator's sessionId), kept after it ends.
-- outcome: NULL while open; tip (tip_id set), lookup, registered, optout, cancelled,
-- expired (no step for ussd.session_timeout seconds), busy (over ussd.max_sessions: 503),
-- capped (the number started ussd.max_per_hour sessions in the last hour).
-- text, screen, category and draft are the menu's state between steps: the aggregator's text of
-- the last step (to tell the next input from it), the screen shown, the chosen category and
-- what was typed so far (a tip's text, a name). draft is cleared when the session ends, so
-- the typed tip is kept in tips only.
CREATE TABLE ussd_sessions (
	id           TEXT PRIMARY KEY,          -- the aggregator's sessionId
	phone        TEXT NOT NULL,             -- E.164
	service_code TEXT NOT NULL,             -- the dialled code: *123#
	network_code TEXT,
	started_at   TEXT NOT NULL,
	last_step_at TEXT NOT NULL,
	last_step    TEXT NOT NULL,             -- the screen shown last: main, category, tip_text, ...
	steps        INTEGER NOT NULL DEFAULT 1, -- requests answered (a repeated request not counted)
	outcome      TEXT,
	tip_id       INTEGER REFERENCES tips (id),
	text         TEXT NOT NULL DEFAULT '',
	answer       TEXT NOT NULL DEFAULT '',   -- the last answer, "CON ..." or "END ...", for a repeat
	category     INTEGER NOT NULL DEFAULT -2,
	draft        TEXT
);
CREATE INDEX ussd_sessions_open ON ussd_sessions (last_step_at) WHERE outcome IS NULL;
CREATE INDEX ussd_sessions_phone ON ussd_sessions (phone, started_at);
