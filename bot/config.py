"""Settings: one object, read from the environment and `.env` (never at import time)."""

from __future__ import annotations

import re
from datetime import time
from pathlib import Path
from typing import Annotated, Final, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

Language = Literal["id", "en"]
LANGUAGES: tuple[Language, ...] = ("id", "en")
# The project's data folder (sample catalogue, provinces, survey definitions), wherever the bot is started from.
DATA_DIR = Path(__file__).resolve().parents[1] / "data"
# What Telegram accepts as a webhook's secret token (sent back in X-Telegram-Bot-Api-Secret-Token).
WEBHOOK_SECRET_PATTERN: Final = re.compile(r"[A-Za-z0-9_-]{16,256}")


class SettingUnreadable(ValueError):
    """A setting names a file that cannot be read (DATA_KEYS_FILE)."""


class Settings(BaseSettings):
    """Every setting of the bot; documented in README and `.env.example`."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    # Secrets are SecretStr: shown as '**********' in a repr, a log line or a traceback; `.get_secret_value()`
    # where the value is needed. A DATABASE_URL may hold the PostgreSQL password.
    bot_token: SecretStr | None = None
    bot_api_url: str = "https://api.telegram.org/bot"
    # Where files are downloaded from; derived from BOT_API_URL when empty (".../bot" -> ".../file/bot").
    bot_file_url: str | None = None
    database_url: SecretStr = SecretStr("sqlite:///data/vokasi.db")
    # The keys that seal NIK, KPJ, phone and birth date at rest (bot/storage/vault.py): `index:<key>,<id>:<key>,...`,
    # made by `python main.py new-key`; or DATA_KEYS_FILE, a file holding the same (a mounted secret).
    data_keys: SecretStr | None = None
    data_keys_file: Path | None = None
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    default_language: Language = "id"
    # Lay-off window for eligibility, in whole months before today.
    eligibility_min_months: int = Field(default=1, ge=0)
    eligibility_max_months: int = Field(default=24, ge=1)
    # An unfinished registration is discarded after this long, so drafts of personal data do not linger.
    registration_timeout_hours: int = Field(default=72, ge=1)
    # What the consent notice promises ("paling lama 2 tahun setelah pelatihan selesai"): a participant whose last
    # training ended this many months ago, or who has been inactive that long, is erased as /hapusdata erases,
    # after one notice this many days before; the audit log is pruned after the same months.
    retention_months: int = Field(default=24, ge=1)
    retention_notice_days: int = Field(default=30, ge=1)
    # How many courses a participant may be enrolled in (or waiting for) at the same time.
    max_active_enrollments: int = Field(default=1, ge=1)
    # Session reminders (bot/services/reminders.py): the evening before a course's first day (and the first day
    # after a break) at this venue time, with the attendance question; on each day this many hours before the
    # start, or at the end of the quiet hours when that is earlier than their end.
    reminder_day_before_at: time = time(18, 0)
    reminder_hours_before: float = Field(default=2.0, gt=0)
    # Quiet hours in the participant's own zone: bulk messages wait for the morning; the evening reminder moves
    # earlier, the day-of reminder later (to the end of the quiet hours, if still before the start).
    quiet_hours_start: time = time(21, 0)
    quiet_hours_end: time = time(7, 0)
    # Telegram's limits, kept by the bot's one rate limiter: about 30 messages/s overall and 1/s per chat.
    telegram_messages_per_s: float = Field(default=30.0, gt=0)
    telegram_chat_messages_per_s: float = Field(default=1.0, gt=0)
    # Telegram's paid broadcasts (allow_paid_broadcast, charged in Stars): announcements up to this rate.
    allow_paid_broadcast: bool = False
    paid_broadcast_messages_per_s: float = Field(default=1000.0, gt=0)
    # Outbox messages sent at once; also the most a crash can duplicate (those in flight at that moment).
    dispatch_concurrency: int = Field(default=32, ge=1)
    # PostgreSQL with several instances: how often an instance that does not send the outbox stands for election
    # (and the sending one checks it still holds the lock), i.e. how fast another takes over when it dies.
    dispatcher_election_s: float = Field(default=2.0, gt=0)
    # Surveys (data/surveys/*.yaml): a survey not finished in this many days expires, with one nudge before.
    surveys_dir: Path = DATA_DIR / "surveys"
    survey_expiry_days: float = Field(default=7, gt=0)
    survey_nudge_after_days: float = Field(default=3, gt=0)
    # Employment check-ins: this many days after completion, at this time of day in the participant's zone.
    checkin_days: Annotated[tuple[int, ...], NoDecode] = (30, 90, 180)
    checkin_at: time = time(10, 0)
    # Reports: the re-employment target the figures are compared with, and the weekly summary sent to staff
    # who may read reports (day 0 = Monday, at this time WIB).
    report_target: float = Field(default=0.5, gt=0, le=1)
    report_weekly: bool = True
    report_weekly_day: int = Field(default=0, ge=0, le=6)
    report_weekly_at: time = time(8, 0)
    # Job vacancies matched to those looking for work: at most this many in one message (on publication, weekly).
    vacancy_digest_max: int = Field(default=5, ge=1, le=20)
    # Shown in /bantuan as the way to reach programme staff; empty means the catalogue's default text.
    support_contact: str = ""
    # Who sends the announcements: the first line of every broadcast a participant receives.
    programme_name: str = Field(default="Program Vokasi BPJS Ketenagakerjaan", min_length=1, max_length=80)
    # The help desk ("Tanya Petugas"): staff supergroups with forum topics (comma-separated chat ids; the bot an
    # admin that can manage topics), one topic per ticket. Empty: operators and admins get tickets in their private
    # chat with the bot. A person writing within HELPDESK_REOPEN_DAYS of their ticket's closing reopens it.
    helpdesk_chat_ids: Annotated[tuple[int, ...], NoDecode] = ()
    helpdesk_reopen_days: float = Field(default=7, ge=0)
    faq_path: Path = DATA_DIR / "faq.yaml"
    # Attendance (/absen): with ATTENDANCE_REQUIRE_LOCATION a participant who scanned the venue's QR also shares
    # their location, accepted within ATTENDANCE_RADIUS_M metres of the venue (catalogue columns lat, lon); courses
    # without coordinates are recorded "lokasi tidak diperiksa". /selesai asks staff to confirm the completion of
    # anyone present at less than MIN_ATTENDANCE (a share, 0..1) of the sessions held.
    attendance_require_location: bool = False
    attendance_radius_m: float = Field(default=300.0, gt=0)
    min_attendance: float = Field(default=0.8, ge=0, le=1)
    # The certificate's layout (page, positions, sizes, colours, which texts go where); checked at start-up.
    certificate_template: Path = DATA_DIR / "certificate.yaml"
    log_level: str = "INFO"
    # "text" (one line per event) or "json" (one JSON object per line, for log collectors).
    log_format: Literal["text", "json"] = "text"
    # Webhook mode: Telegram posts updates to WEBHOOK_URL (https) with WEBHOOK_SECRET in the
    # X-Telegram-Bot-Api-Secret-Token header; the bot listens on WEBHOOK_LISTEN:WEBHOOK_PORT. Unset: long polling.
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    # GET /health on this address and port (0 turns it off): database reachable, dispatcher delay.
    health_listen: str = "127.0.0.1"
    health_port: int = Field(default=8081, ge=0, le=65535)
    # /health answers 503 when the oldest message due has waited longer than this.
    health_max_delay_s: float = Field(default=300.0, gt=0)
    # Staff are alerted about an unexpected error at most once per kind in this many minutes.
    alert_cooldown_minutes: float = Field(default=10.0, ge=0)
    # The playground ("Mode latihan", `make run` without BOT_TOKEN): its web page on 127.0.0.1 at this port.
    playground_port: int = Field(default=8080, ge=1, le=65535)

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(int(part) for part in value.replace(" ", "").split(",") if part)
        if isinstance(value, int):
            return frozenset({value})
        return value

    @field_validator("helpdesk_chat_ids", mode="before")
    @classmethod
    def _split_chats(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(int(part) for part in value.replace(" ", "").split(",") if part)
        if isinstance(value, int):
            return (value,)
        return value

    @field_validator("data_keys", "data_keys_file", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("bot_token", "webhook_url", "webhook_secret", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("webhook_secret")
    @classmethod
    def _secret_pattern(cls, value: SecretStr | None) -> SecretStr | None:
        # Checked here rather than with Field(pattern=...), which pydantic cannot apply to a SecretStr.
        if value is not None and not WEBHOOK_SECRET_PATTERN.fullmatch(value.get_secret_value()):
            raise ValueError("WEBHOOK_SECRET must be 16 to 256 letters, digits, - or _")
        return value

    @field_validator("checkin_days", mode="before")
    @classmethod
    def _split_days(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(int(part) for part in value.replace(" ", "").split(",") if part)
        return value

    @field_validator("checkin_days")
    @classmethod
    def _sorted_days(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if any(days < 1 for days in value) or len(set(value)) != len(value):
            raise ValueError("CHECKIN_DAYS must be distinct whole numbers of days, at least 1")
        return tuple(sorted(value))

    @model_validator(mode="after")
    def _consistent(self) -> Settings:
        if self.survey_nudge_after_days >= self.survey_expiry_days:
            raise ValueError("SURVEY_NUDGE_AFTER_DAYS must be less than SURVEY_EXPIRY_DAYS")
        if self.retention_notice_days >= self.retention_months * 28:
            raise ValueError("RETENTION_NOTICE_DAYS must be shorter than RETENTION_MONTHS")
        if self.webhook_url and not self.webhook_secret:
            raise ValueError("WEBHOOK_SECRET is required with WEBHOOK_URL (16+ letters, digits, - or _)")
        return self

    def data_keys_text(self) -> str | None:
        """DATA_KEYS, or the contents of DATA_KEYS_FILE; None when neither is set."""
        if self.data_keys is not None:
            return self.data_keys.get_secret_value()
        if self.data_keys_file is not None:
            try:
                return self.data_keys_file.read_text(encoding="utf-8").strip() or None
            except OSError as error:
                raise SettingUnreadable(
                    f"DATA_KEYS_FILE {self.data_keys_file} cannot be read ({error.strerror})"
                ) from None
        return None

    @property
    def overall_messages_per_s(self) -> float:
        """The bot's overall sending rate: Telegram's free limit, or the paid-broadcast rate when enabled."""
        if self.allow_paid_broadcast:
            return max(self.telegram_messages_per_s, self.paid_broadcast_messages_per_s)
        return self.telegram_messages_per_s

    @property
    def file_url(self) -> str:
        """Base URL for file downloads of the configured Bot API server."""
        if self.bot_file_url:
            return self.bot_file_url
        base = self.bot_api_url.rstrip("/")
        if base.endswith("/bot"):
            return base[: -len("/bot")] + "/file/bot"
        return base + "/file/bot"

    @property
    def sqlite_path(self) -> Path:
        """The database file named by DATABASE_URL (only sqlite:/// URLs are supported for now)."""
        prefix = "sqlite:///"
        url = self.database_url.get_secret_value()
        if not url.startswith(prefix):
            raise ValueError(f"DATABASE_URL must start with {prefix!r}, got {url.split(':')[0]}:")
        return Path(url[len(prefix) :])


def configuration_problems(error: ValidationError) -> list[str]:
    """What is wrong with the settings, one line per problem, naming the variable but never quoting its value:
    pydantic's own text shows the input (``input_value='123456:AA...'``), which for BOT_TOKEN is most of a secret."""
    lines = []
    for problem in error.errors(include_input=False, include_url=False, include_context=False):
        where = ".".join(str(part) for part in problem["loc"])
        # A field's name is its environment variable in upper case; a check across fields has no name.
        lines.append(f"{where.upper()}: {problem['msg']}" if where else str(problem["msg"]))
    return lines
