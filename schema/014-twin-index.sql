-- 014: the twin look-up of a message read again after a crash (store_inbox.c,
-- q_inbox_anon_twin) in one seek. It asks for rows with an erased sender, the SMSC time, the
-- text and the place on the modem; through inbox_smsc it walked every row of that second, so
-- a burst of N messages in one second cost N^2 (issue 20). Partial: only the erased rows are
-- in it (the query repeats this WHERE word for word, which is what lets SQLite use it), so an
-- ordinary message's insert does not touch it.
CREATE INDEX inbox_erased_twin ON inbox (smsc_time, text, modem_location)
	WHERE (sender IN ('anonymous', 'forgotten') OR sender GLOB 'forgotten:*' OR
	       sender GLOB 'anonymous:*');
