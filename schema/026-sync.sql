-- Issue 27: the commune's change log for the district (sync.c). Every change to a row that
-- the district receives is recorded here by a trigger, in the same transaction as the change
-- itself: a change committed is a change logged, whatever door or path made it (an SMS, the
-- CLI, the console, forget, forget_after, a redaction). The log names the row, not its
-- values: a sync reads the row as it is then (never a phone number, a secret or a message's
-- text; store_sync.c), so a row changed five times is sent once, as it is now.
--
-- One pending entry per row: a new change to a row replaces its entry not yet sent (seq >
-- the cursor), so the log never holds more entries than there are rows changed since the last
-- sync. Entries up to sync_cursor.seq have been committed by the district and are deleted in
-- the transaction that advances the cursor.
CREATE TABLE sync_log (
	seq INTEGER PRIMARY KEY AUTOINCREMENT,
	tbl TEXT NOT NULL,                          -- the district's table name (store_sync.c)
	key TEXT NOT NULL,                          -- the row's id (a team's code)
	op  TEXT NOT NULL CHECK (op IN ('upsert', 'delete'))
);
CREATE UNIQUE INDEX sync_log_row ON sync_log (tbl, key);

CREATE TABLE sync_cursor (
	id         INTEGER PRIMARY KEY CHECK (id = 1),
	seq        INTEGER NOT NULL DEFAULT 0,      -- the last sync_log.seq the district committed
	synced_at  TEXT,                            -- when that commit was seen (UTC)
	tried_at   TEXT,                            -- the last attempt
	last_error TEXT                             -- why the last attempt failed; NULL: it did not
);
INSERT INTO sync_cursor (id) VALUES (1);

-- Everything already in the database is a change the district has not seen.
INSERT INTO sync_log (tbl, key, op) SELECT 'teams', code, 'upsert' FROM teams;
INSERT INTO sync_log (tbl, key, op) SELECT 'tips', id, 'upsert' FROM tips;
INSERT INTO sync_log (tbl, key, op) SELECT 'tip_events', id, 'upsert' FROM tip_events;
INSERT INTO sync_log (tbl, key, op) SELECT 'patrols', id, 'upsert' FROM patrols;
INSERT INTO sync_log (tbl, key, op) SELECT 'awareness_sessions', id, 'upsert' FROM awareness_sessions;
INSERT INTO sync_log (tbl, key, op) SELECT 'mediations', id, 'upsert' FROM mediations;
INSERT INTO sync_log (tbl, key, op) SELECT 'broadcasts', id, 'upsert' FROM broadcasts;
INSERT INTO sync_log (tbl, key, op) SELECT 'alerts', id, 'upsert' FROM alerts;
INSERT INTO sync_log (tbl, key, op) SELECT 'messages_in', id, 'upsert' FROM inbox;
INSERT INTO sync_log (tbl, key, op) SELECT 'messages_out', id, 'upsert' FROM outbox;

-- The triggers. REPLACE: the row's pending entry (if any) goes, the new one takes the next seq.
-- UPDATE OF lists the columns the district receives, so that a change it never sees (a
-- sender forgotten, an outbox row's attempts) logs nothing.
CREATE TRIGGER sync_teams_i AFTER INSERT ON teams BEGIN
	INSERT OR REPLACE INTO sync_log (tbl, key, op) VALUES ('teams', NEW.code, 'upsert'); END;
CREATE TRIGGER sync_teams_u AFTER UPDATE OF code, name, village, nights, night_by ON teams BEGIN
	INSERT OR REPLACE INTO sync_log (tbl, key, op) VALUES ('teams', NEW.code, 'upsert'); END;
CREATE TRIGGER sync_teams_d AFTER DELETE ON teams BEGIN
	INSERT OR REPLACE INTO sync_log (tbl, key, op) VALUES ('teams', OLD.code, 'delete'); END;

CREATE TRIGGER sync_tips_i AFTER INSERT ON tips BEGIN
	INSERT OR REPLACE INTO sync_log (tbl, key, op) VALUES ('tips', NEW.id, 'upsert'); END;
CREATE TRIGGER sync_tips_u AFTER UPDATE OF ref, anonymous, category, text, structured, status,
	created_at, updated_at, village, read_at, channel ON tips BEGIN
	INSERT OR REPLACE INTO sync_log (tbl, key, op) VALUES ('tips', NEW.id, 'upsert'); END;
CREATE TRIGGER sync_tips_d AFTER DELETE ON tips BEGIN
	INSERT OR REPLACE INTO sync_log (tbl, key, op) VALUES ('tips', OLD.id, 'delete'); END;

-- "by" changes when forget erases an officer's number: the district's name is redone.
CREATE TRIGGER sync_tip_events_i AFTER INSERT ON tip_events BEGIN
	INSERT OR REPLACE INTO sync_log (tbl, key, op) VALUES ('tip_events', NEW.id, 'upsert'); END;
CREATE TRIGGER sync_tip_events_u AFTER UPDATE ON tip_events BEGIN
	INSERT OR REPLACE INTO sync_log (tbl, key, op) VALUES ('tip_events', NEW.id, 'upsert'); END;
CREATE TRIGGER sync_tip_events_d AFTER DELETE ON tip_events BEGIN
	INSERT OR REPLACE INTO sync_log (tbl, key, op) VALUES ('tip_events', OLD.id, 'delete'); END;

CREATE TRIGGER sync_patrols_i AFTER INSERT ON patrols BEGIN
	INSERT OR REPLACE INTO sync_log (tbl, key, op) VALUES ('patrols', NEW.id, 'upsert'); END;
CREATE TRIGGER sync_patrols_u AFTER UPDATE OF team, started_at, ended_at, members ON patrols BEGIN
	INSERT OR REPLACE INTO sync_log (tbl, key, op) VALUES ('patrols', NEW.id, 'upsert'); END;
CREATE TRIGGER sync_patrols_d AFTER DELETE ON patrols BEGIN
	INSERT OR REPLACE INTO sync_log (tbl, key, op) VALUES ('patrols', OLD.id, 'delete'); END;

CREATE TRIGGER sync_awareness_i AFTER INSERT ON awareness_sessions BEGIN
	INSERT OR REPLACE INTO sync_log (tbl, key, op)
	VALUES ('awareness_sessions', NEW.id, 'upsert'); END;
CREATE TRIGGER sync_awareness_u AFTER UPDATE OF team, participants, held_at, sessions
	ON awareness_sessions BEGIN
	INSERT OR REPLACE INTO sync_log (tbl, key, op)
	VALUES ('awareness_sessions', NEW.id, 'upsert'); END;
CREATE TRIGGER sync_awareness_d AFTER DELETE ON awareness_sessions BEGIN
	INSERT OR REPLACE INTO sync_log (tbl, key, op)
	VALUES ('awareness_sessions', OLD.id, 'delete'); END;

CREATE TRIGGER sync_mediations_i AFTER INSERT ON mediations BEGIN
	INSERT OR REPLACE INTO sync_log (tbl, key, op) VALUES ('mediations', NEW.id, 'upsert'); END;
CREATE TRIGGER sync_mediations_u AFTER UPDATE OF ref, team, created_at ON mediations BEGIN
	INSERT OR REPLACE INTO sync_log (tbl, key, op) VALUES ('mediations', NEW.id, 'upsert'); END;
CREATE TRIGGER sync_mediations_d AFTER DELETE ON mediations BEGIN
	INSERT OR REPLACE INTO sync_log (tbl, key, op) VALUES ('mediations', OLD.id, 'delete'); END;

CREATE TRIGGER sync_broadcasts_i AFTER INSERT ON broadcasts BEGIN
	INSERT OR REPLACE INTO sync_log (tbl, key, op) VALUES ('broadcasts', NEW.id, 'upsert'); END;
CREATE TRIGGER sync_broadcasts_u AFTER UPDATE OF group_name, parts, recipients, created_at,
	scheduled_at, every, status ON broadcasts BEGIN
	INSERT OR REPLACE INTO sync_log (tbl, key, op) VALUES ('broadcasts', NEW.id, 'upsert'); END;
CREATE TRIGGER sync_broadcasts_d AFTER DELETE ON broadcasts BEGIN
	INSERT OR REPLACE INTO sync_log (tbl, key, op) VALUES ('broadcasts', OLD.id, 'delete'); END;

CREATE TRIGGER sync_alerts_i AFTER INSERT ON alerts BEGIN
	INSERT OR REPLACE INTO sync_log (tbl, key, op) VALUES ('alerts', NEW.id, 'upsert'); END;
CREATE TRIGGER sync_alerts_u AFTER UPDATE OF kind, subject, raised_at, sent_at ON alerts BEGIN
	INSERT OR REPLACE INTO sync_log (tbl, key, op) VALUES ('alerts', NEW.id, 'upsert'); END;
CREATE TRIGGER sync_alerts_d AFTER DELETE ON alerts BEGIN
	INSERT OR REPLACE INTO sync_log (tbl, key, op) VALUES ('alerts', OLD.id, 'delete'); END;

-- Messages: their times, channel, status and parts only (the SMS figures of the report).
CREATE TRIGGER sync_inbox_i AFTER INSERT ON inbox BEGIN
	INSERT OR REPLACE INTO sync_log (tbl, key, op) VALUES ('messages_in', NEW.id, 'upsert'); END;
CREATE TRIGGER sync_inbox_u AFTER UPDATE OF smsc_time, channel ON inbox BEGIN
	INSERT OR REPLACE INTO sync_log (tbl, key, op) VALUES ('messages_in', NEW.id, 'upsert'); END;
CREATE TRIGGER sync_inbox_d AFTER DELETE ON inbox BEGIN
	INSERT OR REPLACE INTO sync_log (tbl, key, op) VALUES ('messages_in', OLD.id, 'delete'); END;

CREATE TRIGGER sync_outbox_i AFTER INSERT ON outbox BEGIN
	INSERT OR REPLACE INTO sync_log (tbl, key, op) VALUES ('messages_out', NEW.id, 'upsert'); END;
CREATE TRIGGER sync_outbox_u AFTER UPDATE OF status, parts, sent_at, created_at, broadcast_id
	ON outbox BEGIN
	INSERT OR REPLACE INTO sync_log (tbl, key, op) VALUES ('messages_out', NEW.id, 'upsert'); END;
CREATE TRIGGER sync_outbox_d AFTER DELETE ON outbox BEGIN
	INSERT OR REPLACE INTO sync_log (tbl, key, op) VALUES ('messages_out', OLD.id, 'delete'); END;
