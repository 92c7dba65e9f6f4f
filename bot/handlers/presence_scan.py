"""The participant's side of attendance: the venue's QR opens /start h-<code>, and (with
ATTENDANCE_REQUIRE_LOCATION) the location they share afterwards. Every answer is a single reply."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_time
from telegram import KeyboardButton, ReplyKeyboardMarkup, Update

from bot.context import VokasiContext
from bot.handlers import dispatch, registration
from bot.handlers.common import main_menu_for, send, translator_for, user_id_of
from bot.i18n import Translator, zone_label
from bot.services.enrollment import Refusal
from bot.services.presence import DEEP_LINK_PREFIX, AskLocation, Recorded

# /start with a QR's code (Telegram allows 1-64 of these characters in a deep link's parameter).
START_PATTERN = rf"^/start {DEEP_LINK_PREFIX}[A-Za-z0-9_-]{{1,60}}$"


def clock_time(t: Translator, moment: datetime, timezone: str) -> str:
    """08.07 WIB: a time of day in the venue's zone."""
    local = moment.astimezone(ZoneInfo(timezone))
    return f"{format_time(local, format=t('fmt-time'), locale=t.language)} {zone_label(timezone)}"


async def start_with_code(update: Update, context: VokasiContext) -> None:
    """/start h-<code>: record the participant present at the code's session, or say why not."""
    t = await translator_for(update, context)
    code = (context.args or [""])[0].removeprefix(DEEP_LINK_PREFIX)
    result = await context.services.presence.scan(user_id_of(update), code)
    if isinstance(result, Refusal):
        if result.key == "presence-register-first":
            await send(update, context, t(result.key))
            await registration.start(update, context)
            return
        params = dict(result.params)
        if "at" in params:
            params["at"] = t.moment(datetime.fromisoformat(params["at"]), params.pop("timezone"))
        await send(update, context, t(result.key, **params))
        return
    if isinstance(result, AskLocation):
        await send(update, context, t("presence-ask-location", title=result.choice.course.title), _share_location(t))
        return
    await send(update, context, recorded_text(t, result), await main_menu_for(update, context, t))


async def location(update: Update, context: VokasiContext) -> None:
    """A shared location: the check after a scan, when one waits for it; otherwise what any other message gets."""
    message = update.effective_message
    assert message is not None and message.location is not None
    t = await translator_for(update, context)
    presence = context.services.presence
    if message.forward_origin is not None:  # someone else's location, forwarded: not where this person is
        if await presence.waiting_location(user_id_of(update)):
            await send(update, context, t("presence-location-forwarded"), _share_location(t))
        else:
            await dispatch.other(update, context)
        return
    result = await presence.location(user_id_of(update), message.location.latitude, message.location.longitude)
    if result is None:
        await dispatch.other(update, context)
    elif isinstance(result, Refusal):
        await send(update, context, t(result.key, **result.params), _share_location(t))
    else:
        await send(update, context, recorded_text(t, result), await main_menu_for(update, context, t))


def recorded_text(t: Translator, recorded: Recorded) -> str:
    choice = recorded.choice
    return t(
        "presence-recorded",
        position=choice.session.position,
        title=choice.course.title,
        time=clock_time(t, recorded.at, choice.course.timezone),
    )


def _share_location(t: Translator) -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        [[KeyboardButton(t.plain("btn-share-location"), request_location=True)]],
        resize_keyboard=True,
        one_time_keyboard=True,
    )
