"""ValidationError: what every parser of typed input raises, carrying the key of the message that explains why.

The texts live in the gettext catalogues, not here. The parsers of registration answers sit beside this module
(``names``, ``identifiers``, ``dates``, ``education``) and use these keys:

``err-name-chars``, ``err-name-length``,
``err-nik-format``, ``err-nik-province``, ``err-nik-birthdate``, ``err-nik-serial``,
``err-kpj-format``,
``err-phone-format``, ``err-phone-foreign``, ``err-phone-not-mobile``,
``err-regency-format``, ``err-employer-format``,
``err-date-format``, ``err-date-future``, ``err-date-too-old``.
"""

from __future__ import annotations

from collections.abc import Mapping


class ValidationError(ValueError):
    """Invalid input; ``key`` names the message to show, ``params`` fills its placeholders."""

    key: str
    params: dict[str, str]

    def __init__(self, key: str, params: Mapping[str, str] | None = None) -> None:
        super().__init__(key)
        self.key = key
        self.params = dict(params) if params else {}
