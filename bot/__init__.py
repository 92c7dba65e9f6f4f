"""Vokasi Bot: the Telegram bot of BPJS Ketenagakerjaan's vocational-training programme for laid-off workers.

The packages are layers, each importing only those below it (checked by `make lint`, the contracts in
pyproject.toml): `app` and `runner` wire and run the bot; `handlers` speak Telegram; `context` carries the services
to them; `delivery` sends the outbox; `services` hold the programme's rules without Telegram objects; `storage`
holds the only SQL. Under them all the ground floor: `config`, `clock`, `i18n`, `text`, `logs`, `concurrency`,
`health` and `webhook`, which import nothing of the bot above them.
"""
