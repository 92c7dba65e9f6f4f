-- foreign_keys: off
-- LPK partners: a staff role 'lpk' bound to one or more training institutes, who act on those institutes' courses
-- only. The staff role gains 'lpk'; SQLite cannot change a CHECK constraint in place, so the table is rebuilt
-- (PostgreSQL's form in migrations/postgresql/ alters the constraint).

CREATE TABLE staff_new (
    telegram_user_id INTEGER PRIMARY KEY,
    role TEXT NOT NULL CHECK (role IN ('admin', 'operator', 'viewer', 'lpk')),
    -- A name for the list, as given by the admin who added them.
    label TEXT NOT NULL DEFAULT '',
    added_by INTEGER NOT NULL,
    added_at TEXT NOT NULL
);

INSERT INTO staff_new (telegram_user_id, role, label, added_by, added_at)
    SELECT telegram_user_id, role, label, added_by, added_at FROM staff;

DROP TABLE staff;

ALTER TABLE staff_new RENAME TO staff;

-- The institutes an LPK member acts for, by the catalogue's institute name (`lpk` column). `institute_key` is the
-- name as scopes compare it (bot.services.staff.institute_key: case and spacing ignored); `institute_name` as the
-- admin typed it, for /staf. Staff data, not a participant's: the retention job and /hapusdata leave it alone.
CREATE TABLE staff_institutes (
    telegram_user_id INTEGER NOT NULL REFERENCES staff (telegram_user_id) ON DELETE CASCADE,
    institute_key TEXT NOT NULL,
    institute_name TEXT NOT NULL,
    added_by INTEGER NOT NULL,
    added_at TEXT NOT NULL,
    PRIMARY KEY (telegram_user_id, institute_key)
);
