-- 027: several modems (issue 25). The modem (its configured name) that took an outgoing
-- message: set when it is marked 'sending', so that a restarted modem process puts back only
-- its own interrupted sends (another modem's may be in the air), and kept once sent.
ALTER TABLE outbox ADD COLUMN modem TEXT;
-- The modem whose SIM a PIN was entered into: one SIM accepting its PIN clears its own entries
-- only (the others' may be pending, and count as refused until their SIM answers). NULL: the
-- entries of a daemon with one modem, which count for every modem.
ALTER TABLE sim_pins ADD COLUMN modem TEXT;
