-- The help desk ("Tanya Petugas"): a person's questions, answered by staff in a forum topic of a helpdesk group
-- or, without one, in their private chats with the bot. No message text is stored here: what the person and the
-- staff wrote stays in Telegram (the topic, the chats) and travels as copies through the outbox.
CREATE TABLE tickets (
    id INTEGER PRIMARY KEY,
    telegram_user_id INTEGER NOT NULL,
    -- 'asking': the bot asked for the question and waits for it; 'open': staff are to answer; 'closed'.
    status TEXT NOT NULL CHECK (status IN ('asking', 'open', 'closed')),
    -- Where staff see it: a helpdesk group (and its forum topic, once created), or NULL for staff private chats.
    group_chat_id INTEGER,
    thread_id INTEGER,
    topic_closed INTEGER NOT NULL DEFAULT 0,
    assigned_to INTEGER,
    opened_at TEXT NOT NULL,
    -- When the question came (leaving 'asking'), the latest message of the person's, and the first staff answer.
    asked_at TEXT,
    last_in_at TEXT,
    first_response_at TEXT,
    -- When the person was last told "received" (a flood of messages is acknowledged once).
    acknowledged_at TEXT,
    closed_at TEXT,
    closed_by INTEGER,
    rating INTEGER CHECK (rating BETWEEN 1 AND 5),
    messages_in INTEGER NOT NULL DEFAULT 0,
    messages_out INTEGER NOT NULL DEFAULT 0
);

CREATE INDEX tickets_person ON tickets (telegram_user_id, status);
CREATE INDEX tickets_status ON tickets (status, asked_at);
CREATE UNIQUE INDEX tickets_topic ON tickets (group_chat_id, thread_id);

-- A staff member who pressed "Balas" on a ticket in their private chat: their next message goes to its asker.
CREATE TABLE ticket_replies (
    staff_telegram_id INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    started_at TEXT NOT NULL
);
