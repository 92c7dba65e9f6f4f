"""Sending: everything the bot says that is not a direct reply leaves through the outbox, paced to Telegram's limits.

`dispatcher.py` claims due outbox rows and sends them (woken by PTB's JobQueue, one elected sender per database);
`render.py` turns a row into a message at send time, in the recipient's language. Every request to Telegram passes
`ratelimit.py`, the PTB rate limiter that puts replies to people before bulk traffic: its `buckets.py` say how many
messages Telegram allows now (overall, per private chat, per group) and its `lanes.py` which waiting request goes
next.
"""
