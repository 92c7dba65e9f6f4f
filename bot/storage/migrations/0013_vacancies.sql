-- Job vacancies (issue 20): published by staff from a CSV/XLSX file, shown to participants who look for work,
-- matched to them in digests through the outbox, and followed from "Saya tertarik" to "diterima".
-- The whole issue's schema at once, so later steps need no further migration.

-- A vacancy, by its code (a re-import of the code updates it). Nothing of a participant's.
CREATE TABLE vacancies (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    position TEXT NOT NULL,
    employer TEXT NOT NULL,
    sector TEXT NOT NULL,
    -- BPS province code; NULL: anywhere in Indonesia ("seluruh Indonesia").
    province_code TEXT,
    -- The regency or city within the province; NULL: the whole province (or all Indonesia).
    regency TEXT,
    -- Monthly salary in rupiah, each optional; when both are given, from <= to.
    salary_from INTEGER,
    salary_to INTEGER,
    requirements TEXT NOT NULL,
    -- The last day to apply (the date in the file) and its end in UTC (23:59:59 in the province's zone, WIB for
    -- all Indonesia): past it the vacancy is no longer shown, matched or applied for.
    closes_on TEXT NOT NULL,
    closes_at TEXT NOT NULL,
    -- How to apply: 'contact' (apply_detail: whom to call or write to), 'link' (apply_detail: an https URL) or
    -- 'bot' ("lamar lewat bot": "Saya tertarik", the applicant list for staff).
    apply_method TEXT NOT NULL CHECK (apply_method IN ('contact', 'link', 'bot')),
    apply_detail TEXT NOT NULL DEFAULT '',
    -- Who published (last imported) it: a staff member's Telegram id, 0 for the command line. An LPK member
    -- acts on the vacancies they published only; institute_key is their institute then (for the reports per LPK).
    published_by INTEGER NOT NULL,
    institute_key TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK (salary_from IS NULL OR salary_to IS NULL OR salary_from <= salary_to),
    CHECK (province_code IS NOT NULL OR regency IS NULL)
);

CREATE INDEX vacancies_closes ON vacancies (closes_at);
CREATE INDEX vacancies_publisher ON vacancies (published_by);

-- The course categories a vacancy suits (the catalogue's `kategori` values, as the catalogue spells them).
CREATE TABLE vacancy_categories (
    vacancy_id INTEGER NOT NULL REFERENCES vacancies (id) ON DELETE CASCADE,
    category TEXT NOT NULL,
    PRIMARY KEY (vacancy_id, category)
);

CREATE INDEX vacancy_categories_category ON vacancy_categories (category, vacancy_id);

-- Which vacancy went to which participant (on publication or in a weekly digest): never the same one twice.
-- Ids and times only; after an erasure the row points at the anonymous participant row (for the funnel figures).
CREATE TABLE vacancy_deliveries (
    vacancy_id INTEGER NOT NULL REFERENCES vacancies (id) ON DELETE CASCADE,
    participant_id INTEGER NOT NULL REFERENCES participants (id),
    -- 'published' (when the vacancy was published) or 'digest' (the weekly digest).
    occasion TEXT NOT NULL CHECK (occasion IN ('published', 'digest')),
    -- The outbox row that carries it (one message lists up to VACANCY_DIGEST_MAX vacancies).
    dedupe_key TEXT NOT NULL,
    delivered_at TEXT NOT NULL,
    PRIMARY KEY (vacancy_id, participant_id)
);

CREATE INDEX vacancy_deliveries_participant ON vacancy_deliveries (participant_id);
CREATE INDEX vacancy_deliveries_dedupe ON vacancy_deliveries (dedupe_key);

-- "Saya tertarik" on a "lamar lewat bot" vacancy: the participant's consent that their name, phone, course and
-- certificate number go to that employer, then the staff's progress with the employer. Withdrawing the consent
-- (or erasing their data) takes them off the applicant list; the row stays, without anything personal (ids and
-- times), for the funnel figures.
CREATE TABLE vacancy_applications (
    id INTEGER PRIMARY KEY,
    vacancy_id INTEGER NOT NULL REFERENCES vacancies (id) ON DELETE CASCADE,
    participant_id INTEGER NOT NULL REFERENCES participants (id),
    -- The consent: when it was given, the version of the consent text shown; withdrawn_at when taken back.
    consented_at TEXT NOT NULL,
    consent_version TEXT NOT NULL,
    withdrawn_at TEXT,
    -- 'interested' (consented, not yet passed on), then as staff record it: 'sent' (dikirim ke perusahaan),
    -- 'interview' (wawancara), 'hired' (diterima) or 'rejected' (ditolak).
    status TEXT NOT NULL DEFAULT 'interested'
        CHECK (status IN ('interested', 'sent', 'interview', 'hired', 'rejected')),
    status_at TEXT NOT NULL,
    -- The staff member who last changed the status.
    status_by INTEGER,
    -- When each step was first reached (the funnel counts those who got there, whatever came after).
    sent_at TEXT,
    interview_at TEXT,
    hired_at TEXT,
    rejected_at TEXT,
    -- Set by an erasure: off every applicant list for good.
    participant_erased_at TEXT,
    UNIQUE (vacancy_id, participant_id)
);

CREATE INDEX vacancy_applications_participant ON vacancy_applications (participant_id);
CREATE INDEX vacancy_applications_status ON vacancy_applications (vacancy_id, status);

-- The check-in's answer "do you want job information" ('yes' 1, 'no' 0; NULL: never asked), kept on the participant
-- like employment_status, so the matching reads one row per person instead of every survey answer.
ALTER TABLE participants ADD COLUMN wants_vacancies INTEGER CHECK (wants_vacancies IN (0, 1));
ALTER TABLE participants ADD COLUMN wants_vacancies_at TEXT;

CREATE INDEX participants_wants_vacancies ON participants (wants_vacancies, employment_status);

-- Where a check-in came from: NULL a survey answered by the participant, 'vacancy' a staff member marking them
-- hired ("diterima") on a vacancy of the bot. vacancy_id: that vacancy, or the one the participant named when asked
-- whether they found the job through a vacancy from the bot.
ALTER TABLE employment_checkins ADD COLUMN source TEXT CHECK (source IN ('vacancy'));
ALTER TABLE employment_checkins ADD COLUMN vacancy_id INTEGER REFERENCES vacancies (id);
