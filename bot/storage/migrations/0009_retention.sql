-- Kept only as long as promised (RETENTION_MONTHS), and an audit log that keeps no participant's Telegram id.

-- The one notice before a participant's data is erased for inactivity: when it was queued and the moment erasure
-- may happen (the date the notice names, midnight in the participant's zone). Both cleared when they are active
-- again (a new enrolment), so a later notice can be given.
ALTER TABLE participants ADD COLUMN retention_notice_at TEXT;
ALTER TABLE participants ADD COLUMN retention_erase_at TEXT;

-- A non-staff actor (refused attempts at staff tools) is recorded by a pseudonym (bot.logs.user_hash) with actor 0;
-- staff keep their Telegram id (they are accountable). A refusal repeated within a short window is counted on the
-- row already written instead of adding rows (a flood of forged buttons stays one row).
ALTER TABLE audit_log ADD COLUMN actor_pseudonym TEXT;
ALTER TABLE audit_log ADD COLUMN repeats INTEGER NOT NULL DEFAULT 0;

CREATE INDEX audit_log_action_at ON audit_log (action, at);
CREATE INDEX audit_log_pseudonym ON audit_log (actor_pseudonym);
