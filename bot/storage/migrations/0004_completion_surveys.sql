-- foreign_keys: off
-- Course completion, surveys and employment check-ins.
-- The enrolment status gains 'completed' and 'dropped'; SQLite cannot change a CHECK constraint in place, so the
-- table is rebuilt (SQLite's documented procedure: the runner turns foreign keys off for this file and runs
-- foreign_key_check before committing).

CREATE TABLE enrollments_new (
    id INTEGER PRIMARY KEY,
    participant_id INTEGER NOT NULL REFERENCES participants (id),
    course_id INTEGER NOT NULL REFERENCES courses (id),
    status TEXT NOT NULL CHECK (status IN ('enrolled', 'waitlisted', 'cancelled', 'completed', 'dropped')),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    -- When staff marked the participant completed or dropped out.
    finished_at TEXT
);

INSERT INTO enrollments_new (id, participant_id, course_id, status, created_at, updated_at)
    SELECT id, participant_id, course_id, status, created_at, updated_at FROM enrollments;

DROP TABLE enrollments;

ALTER TABLE enrollments_new RENAME TO enrollments;

CREATE UNIQUE INDEX enrollments_live ON enrollments (participant_id, course_id)
    WHERE status IN ('enrolled', 'waitlisted');
CREATE INDEX enrollments_course_status ON enrollments (course_id, status, id);
CREATE INDEX enrollments_participant ON enrollments (participant_id, status);

-- The participant's latest employment status, from their latest check-in (for reports and broadcast audiences).
ALTER TABLE participants ADD COLUMN employment_status TEXT;
ALTER TABLE participants ADD COLUMN employment_status_at TEXT;

CREATE INDEX participants_employment ON participants (employment_status);

-- One survey a participant is asked: planned ('scheduled', waiting for its time or its turn), 'active' (the one
-- question in progress), then 'completed', 'expired' or 'cancelled'. At most one active survey per participant.
CREATE TABLE survey_runs (
    id INTEGER PRIMARY KEY,
    participant_id INTEGER NOT NULL REFERENCES participants (id),
    -- The survey definition (data/surveys/<survey>.yaml) and the occasion: 'completion', 'd30', 'd90', 'd180'
    -- (check-ins after completion) or 'self' (reported from the main menu).
    survey TEXT NOT NULL,
    wave TEXT NOT NULL,
    enrollment_id INTEGER REFERENCES enrollments (id),
    status TEXT NOT NULL CHECK (status IN ('scheduled', 'active', 'completed', 'expired', 'cancelled')),
    due_at TEXT NOT NULL,
    -- The question being asked, and choices ticked so far on a multiple-choice question.
    question TEXT,
    selection TEXT NOT NULL DEFAULT '[]',
    started_at TEXT,
    expires_at TEXT,
    finished_at TEXT,
    created_at TEXT NOT NULL
);

-- A check-in wave is asked once per completed enrolment ('self' reports may repeat).
CREATE UNIQUE INDEX survey_runs_once ON survey_runs (enrollment_id, survey, wave) WHERE wave <> 'self';
CREATE UNIQUE INDEX survey_runs_one_active ON survey_runs (participant_id) WHERE status = 'active';
CREATE INDEX survey_runs_due ON survey_runs (status, due_at);
-- Runs expiring, in expiry order; and one participant's runs (with due_at, so a participant's "next due" query
-- prefers it over survey_runs_due, which would visit every due run of a whole wave).
CREATE INDEX survey_runs_expiry ON survey_runs (status, expires_at);
CREATE INDEX survey_runs_participant ON survey_runs (participant_id, status, due_at);

-- Every answer as it is given (JSON value; NULL when skipped). Free-text answers are erased with the participant.
CREATE TABLE survey_answers (
    run_id INTEGER NOT NULL REFERENCES survey_runs (id) ON DELETE CASCADE,
    question TEXT NOT NULL,
    kind TEXT NOT NULL,
    value TEXT,
    answered_at TEXT NOT NULL,
    PRIMARY KEY (run_id, question)
);

-- Employment check-ins: one row per answered status question, kept as history per wave.
CREATE TABLE employment_checkins (
    run_id INTEGER PRIMARY KEY REFERENCES survey_runs (id),
    participant_id INTEGER NOT NULL REFERENCES participants (id),
    enrollment_id INTEGER REFERENCES enrollments (id),
    wave TEXT NOT NULL,
    status TEXT NOT NULL,
    answered_at TEXT NOT NULL
);

CREATE INDEX employment_checkins_participant ON employment_checkins (participant_id, answered_at);
CREATE INDEX employment_checkins_wave ON employment_checkins (wave, status);
