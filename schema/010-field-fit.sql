-- 010: field fit. One awareness report may count several sessions, as officers write it
-- ("TTPL 15 dot / 1.410 luot nguoi tham gia"); a row stored before counted one.
ALTER TABLE awareness_sessions ADD COLUMN sessions INTEGER NOT NULL DEFAULT 1
	CHECK (sessions >= 0);
