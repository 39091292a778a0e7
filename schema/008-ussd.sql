-- 008: USSD (issue 11) — every exchange with the network, the CLI's requests to the daemon,
-- and broadcasts held for want of airtime.

-- Every USSD exchange: a balance check, a `tipline ussd` request, or a notice the network sent
-- on its own (then code is NULL and asked_at = answered_at = when it was read). A card number
-- in a top-up code (*100*<card>#) is stored with its digits replaced by '*'.
CREATE TABLE ussd_log (
	id          INTEGER PRIMARY KEY,
	code        TEXT,                       -- as dialled, secrets redacted; NULL: a notice
	answer      TEXT,                       -- UTF-8; NULL when none came
	status      TEXT NOT NULL CHECK (status IN ('answered', 'more-input', 'not-supported',
	                                            'timeout', 'failed', 'lost', 'notice')),
	network_status INTEGER,                 -- a notice's +CUSD <m>: 0 notice, 1 asks, 2 ended
	asked_by    TEXT NOT NULL,              -- 'daemon' (balance check), 'cli:USER', 'network'
	asked_at    TEXT NOT NULL,
	answered_at TEXT,                       -- NULL: no answer
	error       TEXT,                       -- what went wrong, when the network did not answer
	balance     INTEGER                     -- the amount parsed from a balance check's answer
);
CREATE INDEX ussd_log_asked ON ussd_log (asked_at);

-- `tipline ussd CODE`: the CLI writes a row, the daemon (which owns the modem) runs it between
-- polls and links the result; the CLI waits on the row. queued -> running -> done, or
-- queued -> expired when the CLI stopped waiting first. The code keeps a card number only
-- until it has been dialled (or expired).
CREATE TABLE ussd_requests (
	id         INTEGER PRIMARY KEY,
	code       TEXT NOT NULL,
	timeout    INTEGER NOT NULL,            -- seconds for the network's answer
	asked_by   TEXT NOT NULL,
	asked_at   TEXT NOT NULL,
	status     TEXT NOT NULL DEFAULT 'queued'
	           CHECK (status IN ('queued', 'running', 'done', 'expired')),
	started_at TEXT,
	log_id     INTEGER REFERENCES ussd_log (id)
);
CREATE INDEX ussd_requests_open ON ussd_requests (status) WHERE status = 'queued';

-- A broadcast whose estimated cost (parts x ussd.price_per_part x recipients) exceeds the known
-- balance minus ussd.low_balance is held: no outbox rows until `tipline broadcast release`.
-- broadcasts.status gains 'held' (a column CHECK cannot be altered: a new column takes its place,
-- as in 005).
ALTER TABLE broadcasts ADD COLUMN state TEXT NOT NULL DEFAULT 'active'
	CHECK (state IN ('active', 'cancelled', 'held'));
UPDATE broadcasts SET state = status;
ALTER TABLE broadcasts DROP COLUMN status;
ALTER TABLE broadcasts RENAME COLUMN state TO status;
ALTER TABLE broadcasts ADD COLUMN held_reason TEXT;  -- why it is (or was) held
ALTER TABLE broadcasts ADD COLUMN held_round TEXT;   -- the due time of the round held
ALTER TABLE broadcasts ADD COLUMN released_at TEXT;
