-- 007: missed check-in alerts. Each SMS an alert queued points to it, so that `tipline alerts`
-- counts its recipients and what was sent, and the alert and its messages are one change.
ALTER TABLE outbox ADD COLUMN alert_id INTEGER REFERENCES alerts (id);
CREATE INDEX outbox_alert ON outbox (alert_id) WHERE alert_id IS NOT NULL;
-- The night check counts a team's patrols started in one evening.
CREATE INDEX patrols_team_started ON patrols (team, started_at);
