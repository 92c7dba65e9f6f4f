-- A staff command sent without its argument (/cari alone) asks for it; the staff member's next message is the
-- argument (issue 22). One question per staff member at a time: a new one replaces it. Nothing personal is
-- stored: the command's name and the words typed with it (/staf hapus), never the answer.
CREATE TABLE staff_prompts (
    telegram_user_id INTEGER PRIMARY KEY,
    command TEXT NOT NULL,
    -- The arguments already given ('hapus' of /staf hapus); the answer's words follow them.
    prefix TEXT NOT NULL DEFAULT '',
    asked_at TEXT NOT NULL
);
