-- Reminders and delivery: what an outbox row is about (to cancel or replace it), attendance answers, and
-- participants Telegram no longer lets us reach.

-- e.g. "enrollment:12:session:40" for a session reminder; NULL for messages about nothing in particular.
ALTER TABLE outbox ADD COLUMN subject TEXT;
CREATE INDEX outbox_subject ON outbox (subject);
CREATE INDEX outbox_recipient_status ON outbox (telegram_user_id, status);

-- Set when Telegram answered 403 (blocked, deactivated) or "chat not found"; cleared when they write again.
ALTER TABLE participants ADD COLUMN unreachable_since TEXT;
ALTER TABLE participants ADD COLUMN unreachable_reason TEXT;

CREATE TABLE attendance (
    enrollment_id INTEGER NOT NULL REFERENCES enrollments (id),
    session_id INTEGER NOT NULL REFERENCES course_sessions (id) ON DELETE CASCADE,
    intent TEXT NOT NULL CHECK (intent IN ('yes', 'no')),
    answered_at TEXT NOT NULL,
    PRIMARY KEY (enrollment_id, session_id)
);
