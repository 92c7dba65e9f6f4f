-- Real attendance at a session (the venue's QR code, or the roll call), kept apart from `attendance`, which holds
-- the intent the reminder's buttons record ("Saya akan hadir" / "Tidak bisa hadir").

-- One row per enrolment and session once anyone recorded something: present, absent or excused; how (the QR scan
-- or staff's roll call); and whether the venue's location was checked: 'not_checked' (no coordinates, or
-- ATTENDANCE_REQUIRE_LOCATION off), 'pending' (scanned, asked to share the location: absent until it comes),
-- 'inside' (within ATTENDANCE_RADIUS_M), 'outside' (farther: stays absent) or 'staff' (the roll call). No
-- coordinates of the participant are stored, only the outcome.
CREATE TABLE session_presence (
    enrollment_id INTEGER NOT NULL REFERENCES enrollments (id),
    session_id INTEGER NOT NULL REFERENCES course_sessions (id) ON DELETE CASCADE,
    status TEXT NOT NULL CHECK (status IN ('present', 'absent', 'excused')),
    source TEXT NOT NULL CHECK (source IN ('qr', 'roll_call')),
    location TEXT NOT NULL CHECK (location IN ('not_checked', 'pending', 'inside', 'outside', 'staff')),
    recorded_at TEXT NOT NULL,
    -- The staff member's Telegram id for a roll call; NULL for the participant's own scan.
    recorded_by INTEGER,
    PRIMARY KEY (enrollment_id, session_id)
);

CREATE INDEX session_presence_session ON session_presence (session_id, status);

-- The codes behind the venue's QR (https://t.me/<bot>?start=h-<code>): random, one session's, valid from
-- valid_from (60 minutes before the start) until valid_until (the session's end), each only until it expires
-- (a few minutes after it was made) or is replaced by the next one shown.
CREATE TABLE attendance_codes (
    code TEXT PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES course_sessions (id) ON DELETE CASCADE,
    created_by INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    replaced_at TEXT
);

CREATE INDEX attendance_codes_session ON attendance_codes (session_id, created_at);

-- The venue's coordinates (optional catalogue columns lat, lon), for ATTENDANCE_REQUIRE_LOCATION.
ALTER TABLE courses ADD COLUMN lat DOUBLE PRECISION;
ALTER TABLE courses ADD COLUMN lon DOUBLE PRECISION;
