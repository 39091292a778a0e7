-- 023 (issue 23): the console's pages on a year of data (100,000 messages, 20,000 tips) within
-- 50 ms, as `scripts/bench.sh console` measures them.
-- A tip's supplements by their tip: the list counts them per row and searches them, the tip's
-- page lists them; without it each was a scan of every supplement.
CREATE INDEX tip_supplements_tip ON tip_supplements (tip_id);
-- The list filtered by status (the overview's new tips, their count; "valuable", "checking"),
-- newest first, and its far pages: walked in the index, not row by row through the table.
-- (020 made the same index for the escalation check: IF NOT EXISTS keeps one.)
CREATE INDEX IF NOT EXISTS tips_status_created ON tips (status, created_at);
-- The SMS sent in a month (the overview's figures, `tipline report`): a range of one status's
-- send times instead of every sent message ever (outbox_due's status alone).
CREATE INDEX outbox_status_sent ON outbox (status, sent_at);
-- The villages tips name, for the list's filter on every page of it: read from the index one
-- village after another (store_console_villages), not by a scan of every tip.
CREATE INDEX tips_village ON tips (village);
-- The oldest message waiting in the outbox (the overview, `tipline status`): the first entry
-- of the queued ones, not every queued row read for its time.
CREATE INDEX outbox_status_created ON outbox (status, created_at);
