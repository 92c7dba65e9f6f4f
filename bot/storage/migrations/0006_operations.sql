-- Updates already taken: the same update_id delivered twice (a webhook retry) is handled once. Pruned after a day.
CREATE TABLE seen_updates (
    update_id INTEGER PRIMARY KEY,
    seen_at TEXT NOT NULL
);

CREATE INDEX seen_updates_at ON seen_updates (seen_at);
