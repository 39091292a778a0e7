-- 001: received and outgoing messages.
-- Times are UTC text 'YYYY-MM-DD HH:MM:SS', which SQLite's date functions understand.

-- Every message received, one row per message (multipart messages once assembled).
CREATE TABLE inbox (
	id          INTEGER PRIMARY KEY,
	sender      TEXT NOT NULL,              -- as the network gave it: +8491..., 0912..., VIETTEL
	smsc_time   TEXT NOT NULL,              -- the SMSC's timestamp of the (first) part, UTC
	received_at TEXT NOT NULL,              -- when tipline stored it, UTC
	text        TEXT NOT NULL,              -- UTF-8
	coding      TEXT NOT NULL,              -- gsm7 | ucs2 | 8bit (of the first part)
	parts       INTEGER NOT NULL DEFAULT 1, -- parts received
	parts_total INTEGER NOT NULL DEFAULT 1, -- parts announced by the sender's phone
	complete    INTEGER NOT NULL DEFAULT 1, -- 0: a multipart message that timed out incomplete
	smsc        TEXT,
	-- Dedupe key: a message read again after a crash between commit and delete is a no-op.
	UNIQUE (sender, smsc_time, text)
);
CREATE INDEX inbox_received ON inbox (received_at);

-- Each part of a concatenated message, stored as it arrives so that a restart loses nothing.
-- inbox_id is set when the message is assembled (or kept incomplete after the timeout).
CREATE TABLE inbox_parts (
	id          INTEGER PRIMARY KEY,
	sender      TEXT NOT NULL,
	concat_ref  INTEGER NOT NULL,           -- the sender phone's reference for this message
	parts_total INTEGER NOT NULL,
	seq         INTEGER NOT NULL,           -- 1-based
	smsc_time   TEXT NOT NULL,
	received_at TEXT NOT NULL,
	text        TEXT NOT NULL,
	coding      TEXT NOT NULL,
	smsc        TEXT,
	inbox_id    INTEGER REFERENCES inbox (id),
	UNIQUE (sender, concat_ref, parts_total, seq, smsc_time)
);
CREATE INDEX inbox_parts_open ON inbox_parts (sender, concat_ref, parts_total) WHERE inbox_id IS NULL;

-- Every message to send. States: queued -> sending -> sent | failed (queued again to retry).
CREATE TABLE outbox (
	id           INTEGER PRIMARY KEY,
	recipient    TEXT NOT NULL,                -- E.164
	text         TEXT NOT NULL,
	status       TEXT NOT NULL DEFAULT 'queued'
	             CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'cancelled')),
	priority     INTEGER NOT NULL DEFAULT 0,   -- lower goes first: 0 replies, 10 broadcasts
	kind         TEXT NOT NULL DEFAULT 'reply', -- reply | broadcast | manual
	inbox_id     INTEGER REFERENCES inbox (id),
	created_at   TEXT NOT NULL,
	not_before   TEXT NOT NULL,                -- due time (retries and scheduled sends)
	attempts     INTEGER NOT NULL DEFAULT 0,
	parts        INTEGER,                      -- SMS parts it took
	last_error   TEXT,
	sent_at      TEXT,
	updated_at   TEXT NOT NULL
);
CREATE INDEX outbox_due ON outbox (status, priority, not_before);
