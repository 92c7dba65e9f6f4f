-- PostgreSQL's form of 0015_vacancy_deliveries_log.sql (see bot/storage/db.py; why: the SQLite file):
-- vacancy_deliveries' primary key leads with the participant, its two other indexes and its two foreign keys go.
-- PostgreSQL changes the table in place where SQLite rebuilds it.

ALTER TABLE vacancy_deliveries DROP CONSTRAINT vacancy_deliveries_vacancy_id_fkey;
ALTER TABLE vacancy_deliveries DROP CONSTRAINT vacancy_deliveries_participant_id_fkey;
ALTER TABLE vacancy_deliveries DROP CONSTRAINT vacancy_deliveries_pkey;
ALTER TABLE vacancy_deliveries ADD PRIMARY KEY (participant_id, vacancy_id);
DROP INDEX vacancy_deliveries_participant;
DROP INDEX vacancy_deliveries_dedupe;
