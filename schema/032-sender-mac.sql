-- 032: a message two SIMs saw is stored once even when its stored row no longer holds its
-- sender (anonymous, forgotten) and the two SIMs held it in two places (issue 25). The mac is
-- SipHash-2-4 of (number, SMSC time, text) under a random key that exists only in the running
-- daemon's memory (src/anon.c), shared by its modem processes: it names one message, links no
-- two, and without the key nobody can test a number against it. NULL before this schema and
-- for messages not read from a modem (menu tips, joined parts).
ALTER TABLE inbox ADD COLUMN sender_mac TEXT;
-- The twin look-up by mac in one seek, as inbox_erased_twin (014) does by place: partial on the
-- same WHERE, which the query repeats word for word.
CREATE INDEX inbox_erased_mac ON inbox (smsc_time, text, sender_mac)
	WHERE (sender IN ('anonymous', 'forgotten') OR sender GLOB 'forgotten:*' OR
	       sender GLOB 'anonymous:*');
