-- 013: where a single-part message lay on the modem when it was read ("folder/location"; 'ussd'
-- for a menu tip, NULL before this schema). With the SMSC time and the text it tells a re-read
-- after a crash of a message whose sender is no longer kept (anonymous, forgotten) from
-- another person's message of the same text in the same second, which must be stored: both lie
-- on the modem at once, so in two places.
ALTER TABLE inbox ADD COLUMN modem_location TEXT;
