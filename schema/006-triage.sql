-- 006: tip triage and period reports.

-- A TTPL message is one awareness session unless it says more ("TTPL 3 buoi 240 ...").
ALTER TABLE awareness_sessions ADD COLUMN sessions INTEGER NOT NULL DEFAULT 1;

-- Tips stored before tips.village was filled: the sender's registered village (the text's
-- "thon X" is the parser's to find, and SQL does not run the parser).
UPDATE tips SET village = (SELECT c.village FROM contacts c WHERE c.phone = tips.sender)
	WHERE village IS NULL;

-- The report's range queries, each on the event time it counts by (the others have one:
-- tips_created, patrols_started, awareness_held, mediations_created, inbox_smsc).
CREATE INDEX outbox_sent ON outbox (sent_at) WHERE status = 'sent';
CREATE INDEX outbox_broadcast_created ON outbox (created_at) WHERE broadcast_id IS NOT NULL;
CREATE INDEX alerts_raised ON alerts (raised_at);
