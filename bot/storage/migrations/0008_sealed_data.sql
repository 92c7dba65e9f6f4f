-- Personal data at rest (bot/storage/vault.py): nik, kpj, phone and birth_date now hold sealed tokens
-- (v1.<key id>.<AES-256-GCM>), never the clear value; look-ups and uniqueness go through blind indexes (HMAC-SHA256
-- under a separate key). The values an existing installation holds in clear are sealed in place by
-- bot/storage/sealing.py right after this migration, before the bot serves anyone (SQL cannot encrypt).
ALTER TABLE participants ADD COLUMN nik_index TEXT;
ALTER TABLE participants ADD COLUMN kpj_index TEXT;
ALTER TABLE participants ADD COLUMN phone_index TEXT;
-- What staff see of a NIK (3201********0001), kept so that lists and reports need no decryption.
ALTER TABLE participants ADD COLUMN nik_masked TEXT;
-- The key the row's values are sealed with (NULL: still in clear, from before this migration); rotate-keys
-- re-seals the rows whose key is not the current one, in batches, and so can resume after a crash.
ALTER TABLE participants ADD COLUMN key_id TEXT;

CREATE UNIQUE INDEX participants_nik_index ON participants (nik_index);
CREATE INDEX participants_kpj_index ON participants (kpj_index);
CREATE INDEX participants_phone_index ON participants (phone_index);
CREATE INDEX participants_key ON participants (key_id);

-- One check value per key (what the key makes of a fixed text), so a wrong key in DATA_KEYS stops the bot at
-- start-up instead of failing on the first participant, and a different index key is noticed before it lets a
-- NIK register twice.
CREATE TABLE data_keys (
    key_id TEXT PRIMARY KEY,
    check_value TEXT NOT NULL,
    added_at TEXT NOT NULL
);
