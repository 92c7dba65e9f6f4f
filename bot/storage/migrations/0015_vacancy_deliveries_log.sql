-- vacancy_deliveries reshaped for the weekly digest, which writes it set-based: 500 people and up to 2,500 rows per
-- statement (bot/storage/vacancy_matching.py), 205,000 rows for 41,000 people (bench/vacancies.py).
-- - One index instead of three: the primary key leads with the participant, so it serves both the "not sent to
--   them before" probe (participant, vacancy) and every lookup by participant (a batch's id range, /dataku, the
--   staff's applicant history); nothing looks rows up by dedupe_key alone (the digest reads a batch's rows back
--   through the participant range). SQLite keeps the rows in that order (WITHOUT ROWID).
-- - No foreign keys: each row is chosen by a join of existing vacancies and participants, and neither table ever
--   deletes a row (a vacancy closes, an erased participant is blanked in place), so they guarded nothing, while on
--   PostgreSQL they cost a trigger with a row lock per inserted row (5.4 s of a 12.7 s digest).
-- The primary key is what keeps "never the same vacancy twice" true.
CREATE TABLE vacancy_deliveries_new (
    participant_id INTEGER NOT NULL,
    vacancy_id INTEGER NOT NULL,
    -- 'published' (when the vacancy was published) or 'digest' (the weekly digest).
    occasion TEXT NOT NULL CHECK (occasion IN ('published', 'digest')),
    -- The outbox row that carries it (one message lists up to VACANCY_DIGEST_MAX vacancies).
    dedupe_key TEXT NOT NULL,
    delivered_at TEXT NOT NULL,
    PRIMARY KEY (participant_id, vacancy_id)
) WITHOUT ROWID;

INSERT INTO vacancy_deliveries_new (participant_id, vacancy_id, occasion, dedupe_key, delivered_at)
SELECT participant_id, vacancy_id, occasion, dedupe_key, delivered_at FROM vacancy_deliveries;

DROP TABLE vacancy_deliveries;
ALTER TABLE vacancy_deliveries_new RENAME TO vacancy_deliveries;
