"""Personal data at rest: sealed tokens (AES-256-GCM) and blind indexes (HMAC-SHA256).

NIK, KPJ, phone and the full birth date never reach the database in clear. `Vault.seal` turns a value into a
versioned token, `v1.<key id>.<base64url(nonce | ciphertext | tag)>`, with a fresh 96-bit nonce per value and the
column's name as associated data, so a token copied into another column (or tampered with in any byte) is refused by
`open`, never decoded into something else. Look-ups and uniqueness use `Vault.index`, an HMAC-SHA256 of the
normalised value under a separate key, which reveals equality and nothing more.

Keys come from `DATA_KEYS` (or the file `DATA_KEYS_FILE` names): comma-separated `<id>:<base64url 32 bytes>` entries.
The entry named `index` is the blind-index key (it never changes: a new one would orphan every index); the others
are encryption keys, the first one writing and every one reading. Rotating is: put a new key first
(`python main.py new-key --add`), `python main.py rotate-keys`, then remove the old key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

INDEX_ID = "index"
# The fixed text each key's check value is made of (bot/storage/sealing.py).
CHECK_TEXT = "vokasi key check"
TOKEN_VERSION = "v1"
_KEY_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,31}$")
_NONCE_BYTES = 12
_KEY_BYTES = 32


class KeysRefused(ValueError):
    """DATA_KEYS is missing, malformed, or does not open this database; the message says which and how to fix it."""


class TamperedToken(ValueError):
    """A stored token does not decrypt: altered, moved to another column, or sealed with a key not given."""


# The purpose of the key that pseudonymises Telegram ids in logs and the audit log (bot.logs.use_pseudonym_key).
PSEUDONYM_PURPOSE: Final = "pseudonym"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def is_token(value: object) -> bool:
    """Whether a stored value is a sealed token (and not a clear value left by an older version)."""
    return isinstance(value, str) and value.startswith(TOKEN_VERSION + ".")


def token_key_id(token: str) -> str:
    return token.split(".", 2)[1]


@dataclass(frozen=True, slots=True)
class Vault:
    """The keys, and the two operations the repositories need: seal/open a value, index a value."""

    keys: tuple[tuple[str, bytes], ...]  # (id, key), the writing key first
    index_key: bytes

    @classmethod
    def parse(cls, text: str) -> Vault:
        """Read `DATA_KEYS`; a KeysRefused names what is wrong without echoing any key."""
        entries = [part.strip() for part in text.replace("\n", ",").split(",") if part.strip()]
        keys: list[tuple[str, bytes]] = []
        index_key: bytes | None = None
        seen: set[str] = set()
        for number, entry in enumerate(entries, start=1):
            key_id, sep, encoded = entry.partition(":")
            if not sep or not _KEY_ID.match(key_id):
                raise KeysRefused(f"DATA_KEYS entry {number} is not <id>:<key> (id: lower-case letters, digits, -)")
            if key_id in seen:
                raise KeysRefused(f"DATA_KEYS names key {key_id!r} twice")
            seen.add(key_id)
            try:
                key = _unb64(encoded)
            except ValueError:
                key = b""
            if len(key) != _KEY_BYTES:
                raise KeysRefused(f"DATA_KEYS key {key_id!r} is not 32 bytes in base64url (make one: main.py new-key)")
            if key_id == INDEX_ID:
                index_key = key
            else:
                keys.append((key_id, key))
        if index_key is None:
            raise KeysRefused("DATA_KEYS has no 'index' key (the blind-index key; main.py new-key makes a full set)")
        if not keys:
            raise KeysRefused("DATA_KEYS has no encryption key besides 'index' (main.py new-key makes a full set)")
        return cls(keys=tuple(keys), index_key=index_key)

    @classmethod
    def generate(cls, now: datetime | None = None) -> Vault:
        """A fresh set: a new index key and one encryption key (for new installations, the playground, tests)."""
        return cls(keys=((new_key_id(now), secrets.token_bytes(_KEY_BYTES)),), index_key=secrets.token_bytes(32))

    def text(self) -> str:
        """The set in the form DATA_KEYS takes (the writing key first)."""
        entries = [f"{INDEX_ID}:{_b64(self.index_key)}"] + [f"{key_id}:{_b64(key)}" for key_id, key in self.keys]
        return ",".join(entries)

    def with_new_key(self, now: datetime | None = None) -> Vault:
        """The same set with a fresh writing key in front (the old ones still read, until rotate-keys is done)."""
        key_id = new_key_id(now)
        while any(key_id == known for known, _ in self.keys):
            key_id = new_key_id(now)
        return Vault(keys=((key_id, secrets.token_bytes(_KEY_BYTES)), *self.keys), index_key=self.index_key)

    @property
    def current(self) -> str:
        """The id of the key new values are sealed with."""
        return self.keys[0][0]

    @property
    def key_ids(self) -> frozenset[str]:
        return frozenset(key_id for key_id, _ in self.keys)

    def seal(self, value: str, column: str) -> str:
        key_id, key = self.keys[0]
        nonce = os.urandom(_NONCE_BYTES)
        sealed = AESGCM(key).encrypt(nonce, value.encode("utf-8"), _aad(key_id, column))
        return f"{TOKEN_VERSION}.{key_id}.{_b64(nonce + sealed)}"

    def seal_opt(self, value: str | None, column: str) -> str | None:
        return None if value is None else self.seal(value, column)

    def open(self, token: str, column: str) -> str:
        """The clear value of a token sealed for this column; TamperedToken if it is anything else."""
        version, _, rest = token.partition(".")
        key_id, _, body = rest.partition(".")
        if version != TOKEN_VERSION or not body:
            raise TamperedToken(f"{column}: not a sealed token")
        key = dict(self.keys).get(key_id)
        if key is None:
            raise TamperedToken(f"{column}: sealed with key {key_id!r}, which DATA_KEYS does not have")
        try:
            raw = _unb64(body)
            clear = AESGCM(key).decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], _aad(key_id, column))
        except (InvalidTag, ValueError):
            raise TamperedToken(f"{column}: the token does not decrypt (altered or moved)") from None
        return clear.decode("utf-8")

    def open_opt(self, token: str | None, column: str) -> str | None:
        return None if token is None else self.open(token, column)

    def index(self, value: str, column: str) -> str:
        """The blind index of a normalised value: equal values, equal indexes; nothing else learnt."""
        digest = hmac.new(self.index_key, f"{column}\x00{value}".encode(), hashlib.sha256).digest()
        return _b64(digest)

    def derived_key(self, purpose: str) -> bytes:
        """A secret for another use (`purpose`), derived from the index key, so it is as stable as the blind indexes
        and needs no setting of its own: the pseudonyms of Telegram ids in logs and the audit log use one."""
        return hmac.new(self.index_key, f"derive\x00{purpose}".encode(), hashlib.sha256).digest()

    def index_opt(self, value: str | None, column: str) -> str | None:
        return None if value is None else self.index(value, column)

    def check_value(self) -> str:
        """What the index key makes of a fixed text: stored once, so a different index key is noticed at start-up."""
        return self.index(CHECK_TEXT, "check")


def mask_nik(nik: str) -> str:
    """What staff see of a NIK: ``"3201011501900001"`` -> ``"3201********0001"`` (8 characters or fewer: all masked)."""
    if len(nik) <= 8:
        return "*" * len(nik)
    return nik[:4] + "*" * (len(nik) - 8) + nik[-4:]


def _aad(key_id: str, column: str) -> bytes:
    return f"{TOKEN_VERSION}\x00{key_id}\x00{column}".encode()


def new_key_id(now: datetime | None = None) -> str:
    """A readable, unique-enough key id: the day it was made and a random suffix (k20261207-3fa2)."""
    day = (now or datetime.now(UTC)).strftime("%Y%m%d")
    return f"k{day}-{secrets.token_hex(2)}"


MISSING_KEYS = (
    "DATA_KEYS is not set, so the bot cannot read or store personal data. Make a key set once with"
    " `python main.py new-key`, keep it in your secret store (losing it loses every NIK, KPJ and phone),"
    " and give it as DATA_KEYS or in the file DATA_KEYS_FILE names."
)


def vault_from(text: str | None) -> Vault:
    """The vault of a DATA_KEYS text; KeysRefused, saying what to do, when there is none or it is malformed."""
    if text is None:
        raise KeysRefused(MISSING_KEYS)
    return Vault.parse(text)
