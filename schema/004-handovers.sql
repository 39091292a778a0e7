-- 004: how many times the modem took an outgoing message without the daemon learning what
-- became of it. libGammu's AT driver writes the PDU and its Ctrl-Z and only then waits for the
-- modem's answer; a daemon killed in between cannot know whether the SMS went out. Such a
-- message is sent again, but only while this count is below 2: every message goes out at
-- least once and, through any number of crashes, at most twice (outbox.c).
ALTER TABLE outbox ADD COLUMN handovers INTEGER NOT NULL DEFAULT 0;
