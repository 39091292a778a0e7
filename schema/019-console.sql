-- 019: the officers' web console (issue 23): accounts on officers' contacts, sessions, and an
-- audit of the changes made in the console that tip_events does not record.

-- An officer's console password (crypt(3), yescrypt on Debian 12, as the PINs), whether the
-- account may manage others' (admin), whether it is disabled, and the wrong-password count:
-- the 5th wrong try in a row locks the account until locked_until (UTC text).
CREATE TABLE console_accounts (
	contact_id    INTEGER PRIMARY KEY REFERENCES contacts (id),
	password_hash TEXT NOT NULL,
	admin         INTEGER NOT NULL DEFAULT 0,
	disabled      INTEGER NOT NULL DEFAULT 0,
	failed_tries  INTEGER NOT NULL DEFAULT 0,
	locked_until  TEXT,
	created_at    TEXT NOT NULL,
	updated_at    TEXT NOT NULL
);

-- A logged-in browser. The cookie holds a random token; only its SHA-256 (hex) is kept, so a
-- copy of this file lets nobody in. csrf: the token every POST form of the session carries.
CREATE TABLE console_sessions (
	id         INTEGER PRIMARY KEY,
	token_hash TEXT NOT NULL UNIQUE,
	contact_id INTEGER NOT NULL REFERENCES contacts (id),
	csrf       TEXT NOT NULL,
	created_at TEXT NOT NULL,
	last_seen  TEXT NOT NULL
);
CREATE INDEX console_sessions_seen ON console_sessions (last_seen);

-- Every change made in the console that is not a tip's status (tip_events has those): who
-- (the officer's name and number), when, what, on what.
CREATE TABLE console_audit (
	id      INTEGER PRIMARY KEY,
	at      TEXT NOT NULL,
	by      TEXT NOT NULL,
	action  TEXT NOT NULL,
	subject TEXT,
	detail  TEXT
);
CREATE INDEX console_audit_at ON console_audit (at);
