-- PostgreSQL's form of 0010_lpk.sql (see bot/storage/db.py): LPK partners. The staff role gains 'lpk': PostgreSQL
-- replaces the CHECK constraint in place where SQLite rebuilds the table; the rest is the SQLite file with INTEGER
-- as BIGINT, as every other migration is translated.

ALTER TABLE staff DROP CONSTRAINT staff_role_check;
ALTER TABLE staff ADD CONSTRAINT staff_role_check CHECK (role IN ('admin', 'operator', 'viewer', 'lpk'));

-- The institutes an LPK member acts for, by the catalogue's institute name (`lpk` column). `institute_key` is the
-- name as scopes compare it (bot.services.staff.institute_key: case and spacing ignored); `institute_name` as the
-- admin typed it, for /staf. Staff data, not a participant's: the retention job and /hapusdata leave it alone.
CREATE TABLE staff_institutes (
    telegram_user_id BIGINT NOT NULL REFERENCES staff (telegram_user_id) ON DELETE CASCADE,
    institute_key TEXT NOT NULL,
    institute_name TEXT NOT NULL,
    added_by BIGINT NOT NULL,
    added_at TEXT NOT NULL,
    PRIMARY KEY (telegram_user_id, institute_key)
);
