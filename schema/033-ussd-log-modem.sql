-- 033: the modem whose SIM answered a USSD exchange (ussd_log.modem), by its configured name
-- (modem.name, or an entry's name in `modems`): with several modems each SIM has its own
-- balance, and a row that says only "5000" no longer says whose. NULL for rows written before
-- this schema.
ALTER TABLE ussd_log ADD COLUMN modem TEXT;
