"""The test run's data keys: a throw-away set, made once per run, in DATA_KEYS for every Settings() and process."""

from __future__ import annotations

import os

from bot.storage.vault import Vault

VAULT = Vault.generate()
os.environ["DATA_KEYS"] = VAULT.text()
