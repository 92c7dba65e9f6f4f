-- Participants, registration dialogs in progress, and per-user language choice.
-- Times are UTC text (YYYY-MM-DDTHH:MM:SS.ffffffZ), dates ISO (YYYY-MM-DD).

CREATE TABLE participants (
    id INTEGER PRIMARY KEY,
    -- NULL once the participant erased their data (/hapusdata); the row stays for anonymous statistics.
    telegram_user_id INTEGER UNIQUE,
    full_name TEXT,
    nik TEXT UNIQUE,
    birth_date TEXT,
    birth_year INTEGER,
    gender TEXT CHECK (gender IN ('F', 'M')),
    kpj TEXT,
    phone TEXT,
    province_code TEXT NOT NULL,
    regency TEXT,
    last_employer TEXT,
    phk_date TEXT NOT NULL,
    education TEXT NOT NULL,
    -- 1 when the lay-off date is outside the eligibility window: staff check ("perlu verifikasi").
    needs_verification INTEGER NOT NULL DEFAULT 0 CHECK (needs_verification IN (0, 1)),
    consent_at TEXT NOT NULL,
    consent_version TEXT NOT NULL,
    registered_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    erased_at TEXT
);

CREATE INDEX participants_province ON participants (province_code);

-- One conversation in progress per Telegram user (registration, profile edit, ...): the step it is at and
-- the answers given so far, written at every step so a restart resumes where the person was.
CREATE TABLE dialogs (
    telegram_user_id INTEGER PRIMARY KEY,
    flow TEXT NOT NULL,
    step TEXT NOT NULL,
    data TEXT NOT NULL,
    started_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE INDEX dialogs_updated_at ON dialogs (updated_at);

CREATE TABLE user_preferences (
    telegram_user_id INTEGER PRIMARY KEY,
    language TEXT NOT NULL CHECK (language IN ('id', 'en')),
    updated_at TEXT NOT NULL
);
