-- 012: a PIN the SIM refused is never entered again, across restarts of the daemon.
-- One row per PIN entered and not (yet) known to be accepted: written, synced, just before
-- AT+CPIN= goes out ('pending'), made 'refused' when the SIM says no; a 'pending' row left
-- by a crash, a watchdog exit or a power cut counts as refused (the SIM may have counted it).
-- All rows go when a PIN is accepted (the SIM's count of wrong tries starts again) or when
-- the operator runs `tipline modem pin-retry`.
-- pin_hash is crypt(3) of the PIN (salted yescrypt), never the PIN: what it costs is in
-- src/sim.c.
CREATE TABLE sim_pins (
	id         INTEGER PRIMARY KEY,
	pin_hash   TEXT NOT NULL,
	entered_at TEXT NOT NULL,
	outcome    TEXT NOT NULL DEFAULT 'pending' CHECK (outcome IN ('pending', 'refused'))
);
