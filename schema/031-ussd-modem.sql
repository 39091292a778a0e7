-- 031: the modem a `tipline ussd --modem NAME` request is for (issue 25, several modems): only
-- that modem's process takes it. NULL: the first modem's process answers it, as before.
ALTER TABLE ussd_requests ADD COLUMN modem TEXT;
