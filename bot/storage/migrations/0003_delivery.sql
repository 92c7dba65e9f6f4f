-- Reminders and delivery: attendance answers, and participants Telegram no longer lets us reach.

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
