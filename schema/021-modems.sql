-- 021: several modems (issue 25). The modem (its configured name) that took an outgoing
-- message: set when it is marked 'sending', so that a restarted modem process puts back only
-- its own interrupted sends (another modem's may be in the air), and kept once sent.
ALTER TABLE outbox ADD COLUMN modem TEXT;
