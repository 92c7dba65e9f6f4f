-- Training institutes (LPK), courses, their sessions, enrolments with a waitlist, and the outbox of messages
-- that are not direct replies. Times are UTC text; each course keeps its venue's IANA time zone.

CREATE TABLE institutes (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    city TEXT NOT NULL,
    contact TEXT NOT NULL DEFAULT ''
);

CREATE TABLE courses (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    category TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    institute_id INTEGER NOT NULL REFERENCES institutes (id),
    regency TEXT NOT NULL,
    province_code TEXT NOT NULL,
    venue_address TEXT NOT NULL,
    timezone TEXT NOT NULL,
    capacity INTEGER NOT NULL CHECK (capacity > 0),
    registration_deadline TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'closed', 'finished')),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE INDEX courses_status_province ON courses (status, province_code);

CREATE TABLE course_sessions (
    id INTEGER PRIMARY KEY,
    course_id INTEGER NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    -- 1, 2, 3... in time order within the course; a re-import matches sessions by this number.
    position INTEGER NOT NULL,
    starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    topic TEXT NOT NULL,
    -- NULL: at the course's venue.
    venue_address TEXT,
    UNIQUE (course_id, position),
    CHECK (ends_at > starts_at)
);

CREATE INDEX course_sessions_starts ON course_sessions (starts_at);

CREATE TABLE enrollments (
    id INTEGER PRIMARY KEY,
    participant_id INTEGER NOT NULL REFERENCES participants (id),
    course_id INTEGER NOT NULL REFERENCES courses (id),
    status TEXT NOT NULL CHECK (status IN ('enrolled', 'waitlisted', 'cancelled')),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- One live (enrolled or waiting) enrolment per person and course; cancelled ones stay as history.
CREATE UNIQUE INDEX enrollments_live ON enrollments (participant_id, course_id)
    WHERE status IN ('enrolled', 'waitlisted');
CREATE INDEX enrollments_course_status ON enrollments (course_id, status, id);

-- Messages that are not a direct reply, written in the same transaction as the change that causes them.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    telegram_user_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    priority INTEGER NOT NULL DEFAULT 0,
    not_before TEXT NOT NULL,
    expires_at TEXT,
    -- What to send: a message key and JSON parameters, rendered at send time in the recipient's language...
    message_key TEXT,
    params TEXT NOT NULL DEFAULT '{}',
    -- ...or an existing message to copy (an announcement keeps its formatting and media).
    copy_from_chat_id INTEGER,
    copy_message_id INTEGER,
    -- What the row is about, e.g. "enrollment:12:session:40", so it can be withdrawn or replaced.
    subject TEXT,
    dedupe_key TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'expired', 'cancelled')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    sent_at TEXT,
    telegram_message_id INTEGER,
    created_at TEXT NOT NULL,
    CHECK ((message_key IS NULL) <> (copy_message_id IS NULL))
);

CREATE INDEX outbox_due ON outbox (status, not_before);
CREATE INDEX outbox_subject ON outbox (subject);
CREATE INDEX outbox_recipient_status ON outbox (telegram_user_id, status);
