"""The Telegram layer, kept thin: each module reads an update, asks a service, and answers with texts from locales/.

Free messages (typed text, contacts, photos, edits, unknown commands) go through one table, `dispatch.py`, to what
the person is in the middle of (a broadcast draft, the registration dialog, a survey); `menu.py` answers when nothing
waits. Participants' commands: `registration`, `account`, `courses`, `schedule`, `attendance`, `surveys`. Staff:
`access` (role checks), `completion`, `broadcasts` with `broadcast_panel` and `broadcast_progress`, `lookup`, `team`,
`reports`, `staff` (catalogue upload). `keyboards`, `views`, `common`, `commands` and `errors` serve them all.
"""
