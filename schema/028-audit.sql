-- 028: the admins' audit log (/audit in the console, issue 24): console_audit and tip_events
-- read as one list, newest first, filtered by who, what, when.
-- tip_events newest first (a page of the log merges it with console_audit_at), and a range of
-- its dates: walked backwards in the index, not sorted.
CREATE INDEX tip_events_at ON tip_events (at);
-- Who: the officer filter's list (one look-up per name) and one officer's rows by date.
CREATE INDEX tip_events_by ON tip_events (by, at);
CREATE INDEX console_audit_by ON console_audit (by, at);
-- What: the action filter's list of the actions present, and one action's rows by date.
CREATE INDEX console_audit_action ON console_audit (action, at);
-- Whether any tip has an answer (the action filter lists "tip_answer" only then): the few
-- answers' own index, not a scan of every status change to find there is none.
CREATE INDEX tip_events_answers ON tip_events (tip_id) WHERE answer = 1;
