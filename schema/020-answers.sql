-- 020: answers to tipsters and new-tip alerts (issue 26).
-- An officer's answer to a tip is a tip_events row (its status unchanged: from = to) with
-- answer = 1 and the text as sent in note. given_at: when the tipster was given it — at once
-- for a tipster whose number is known (queued as an SMS), else with the next TT or BS that
-- quotes the tip's secret (an anonymous tipster cannot be reached).
ALTER TABLE tip_events ADD COLUMN answer INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tip_events ADD COLUMN given_at TEXT;
-- Which new tips an officer is told of by SMS (tipline contact set PHONE --tip-alerts).
ALTER TABLE contacts ADD COLUMN tip_alerts TEXT NOT NULL DEFAULT 'none'
	CHECK (tip_alerts IN ('all', 'urgent', 'none'));
-- The escalation check looks for tips still new.
CREATE INDEX tips_status_created ON tips (status, created_at);
