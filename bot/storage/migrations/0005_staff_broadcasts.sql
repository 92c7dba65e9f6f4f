-- Staff roles, the audit log, announcement opt-outs and broadcasts.

-- Staff added by an admin; ADMIN_IDS are admins without a row (the setting cannot be taken away from the bot).
CREATE TABLE staff (
    telegram_user_id INTEGER PRIMARY KEY,
    role TEXT NOT NULL CHECK (role IN ('admin', 'operator', 'viewer')),
    -- A name for the list, as given by the admin who added them.
    label TEXT NOT NULL DEFAULT '',
    added_by INTEGER NOT NULL,
    added_at TEXT NOT NULL
);

-- Who did what and when: every staff action, and refused attempts at one. `detail` is JSON without personal data
-- of participants (ids and counts, never NIK, phone or message texts).
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor INTEGER NOT NULL,
    role TEXT,
    action TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '{}',
    allowed INTEGER NOT NULL CHECK (allowed IN (0, 1))
);

CREATE INDEX audit_log_at ON audit_log (at);

-- /berhenti: no announcements (reminders, surveys and check-ins still come); /lanjut clears it.
ALTER TABLE participants ADD COLUMN announcements_off_at TEXT;

-- An announcement: the staff member's own message, copied to each recipient through the outbox.
CREATE TABLE broadcasts (
    id INTEGER PRIMARY KEY,
    created_by INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    -- The message to copy; NULL while the staff member has not sent it yet.
    source_chat_id INTEGER,
    source_message_id INTEGER,
    -- 'text', 'photo' or 'document', for the list of recent broadcasts.
    content TEXT,
    -- While a draft: what the composer waits for ('message', 'audience', 'time').
    step TEXT,
    -- The audience filters (JSON) and its size when it was sent or scheduled.
    audience TEXT NOT NULL DEFAULT '{}',
    recipients INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL CHECK (status IN ('draft', 'scheduled', 'sending', 'done', 'stopped', 'cancelled')),
    send_at TEXT,
    -- The staff member's progress message, edited while it goes out.
    progress_chat_id INTEGER,
    progress_message_id INTEGER,
    finished_at TEXT
);

CREATE INDEX broadcasts_status ON broadcasts (status);
-- Broadcast rows are found by subject ('broadcast:<id>:'); the audience query walks participants by province.
CREATE INDEX participants_regency ON participants (province_code, regency);

-- The outbox at the scale of a national broadcast (a million pending rows):
-- claiming walks this index in sending order and stops after one batch, instead of sorting every pending row;
CREATE INDEX outbox_claim ON outbox (status, priority DESC, not_before, id);
-- withdrawing a subject's pending rows (an enrolment's reminders, a survey's nudge) and a broadcast's figures look
-- only at those rows; it replaces the index on the subject alone (every index slows a million-row enqueue).
CREATE INDEX outbox_pending_subject ON outbox (status, subject);
DROP INDEX outbox_subject;
