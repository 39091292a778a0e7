-- 011: anonymous tips stay anonymous on disk (issue 13).
-- An anonymous tip's number is never kept: tips.sender, inbox.sender and inbox_parts.sender
-- hold 'anonymous' instead, and the acknowledgement's outbox row loses its recipient once
-- the modem took it. The tipster proves a supplement is theirs with the tip's secret, which
-- the acknowledgement carries ("ma so T12-4821").
ALTER TABLE tips ADD COLUMN secret TEXT;
-- 1: the recipient is erased once the message is sent (or given up).
ALTER TABLE outbox ADD COLUMN anonymous INTEGER NOT NULL DEFAULT 0;
