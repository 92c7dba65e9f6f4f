"""The only SQL of the bot, written once for SQLite and PostgreSQL.

`db.py` is the interface the repositories see (sessions, migrations, stored times); `sqlite.py` and `postgres.py`
implement it and `connect.py` opens the one `DATABASE_URL` names. `store.py` groups the repositories (one module per
table family: participants, dialogs, catalogue, enrollments, surveys, outbox, broadcasts, staff, preferences,
updates, pending, reports) into units of work; `transfer.py` copies an installation between databases;
`migrations/` holds the numbered schema changes.
"""
