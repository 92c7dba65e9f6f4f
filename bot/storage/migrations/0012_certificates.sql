-- Certificates: one per completed enrolment, verifiable by its number (/cek, the deep link in its QR code).
-- The holder's name is not stored here: it is read from the participant when the PDF is made or a verification
-- asks (so it goes with the participant's erasure). An erasure keeps the row, marked participant_erased_at, so a
-- verification can say the holder erased their data, without anything personal.
CREATE TABLE certificates (
    id INTEGER PRIMARY KEY,
    -- VOK-<year>-XXXX-XXXX: random, with a check character (bot/services/certificate_numbers.py).
    number TEXT NOT NULL UNIQUE,
    enrollment_id INTEGER NOT NULL UNIQUE REFERENCES enrollments (id),
    participant_id INTEGER NOT NULL REFERENCES participants (id),
    course_id INTEGER NOT NULL REFERENCES courses (id),
    issued_at TEXT NOT NULL,
    sessions_attended INTEGER NOT NULL,
    sessions_total INTEGER NOT NULL,
    minutes_attended INTEGER NOT NULL,
    -- The sessions attended as they were at issue (JSON: position, topic, starts_at, ends_at), so a later
    -- change of the catalogue does not change a certificate already handed out.
    sessions TEXT NOT NULL DEFAULT '[]',
    -- The participant's language when it was issued.
    language TEXT NOT NULL,
    revoked_at TEXT,
    -- Shown to staff only; cleared by an erasure (staff may have named the person).
    revoked_reason TEXT,
    revoked_by INTEGER,
    participant_erased_at TEXT
);

CREATE INDEX certificates_participant ON certificates (participant_id);
