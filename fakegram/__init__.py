"""fakegram: a fake Telegram Bot API server for tests, benchmarks and a local playground.

The real python-telegram-bot ``Application`` (with its normal ``HTTPXRequest``) talks to it over HTTP on
127.0.0.1, so handlers, filters, conversation state, error handling and (de)serialisation all run for
real. PTB calls ``{base_url}{token}/{method}`` and downloads files from ``{base_file_url}{token}/{path}``::

    from telegram.ext import ApplicationBuilder
    from fakegram import FakeTelegram

    async with FakeTelegram() as fake:
        app = (
            ApplicationBuilder()
            .token(fake.token)
            .base_url(fake.base_url)  # "http://127.0.0.1:PORT/bot"
            .base_file_url(fake.base_file_url)  # "http://127.0.0.1:PORT/file/bot"
            .build()
        )
        # ... add handlers ...
        async with app:
            await app.start()
            await app.updater.start_polling(timeout=1)  # long polling against the fake
            budi = fake.user(1001, first_name="Budi")
            await budi.send_command("start")
            [welcome] = await budi.wait_messages(1)
            await budi.press("Daftar")  # inline button by visible text (or callback_data)
            await fake.wait_until(lambda: bool(fake.requests_for("answerCallbackQuery")))
            await app.updater.stop()
            await app.stop()

Simulated users (:class:`FakeUser`) send messages, documents, contacts and button presses as updates;
what the bot sends appears as :class:`BotMessage` snapshots in ``user.messages`` (edits applied,
deleted messages removed). Every Bot API call is recorded as a :class:`RecordedRequest` in
``fake.requests``. Faults can be injected: :meth:`FakeTelegram.block`, :meth:`~FakeTelegram.deactivate`
(403), :meth:`~FakeTelegram.rate_limit` (429 with ``retry_after``) and :meth:`~FakeTelegram.fail_next`
(transient 5xx).

The modules: ``server`` (the HTTP surface, what a test inspects and injects), ``users`` (the simulated users, who
reach the server through the ``client_api`` Protocol), ``updates`` (the update queue and ``getUpdates``),
``methods/`` (the Bot API methods, one module per kind: ``messages``, ``media``, ``commands``, ``profile``), and
what they share: ``chats`` (finding a chat, putting the bot's messages in it), ``content`` (text, captions and
keyboards checked as Telegram does), ``files``, ``faults``, ``request_params``, ``errors``, ``models``, ``_html``.

Note: PTB 22 warns (``PTBDeprecationWarning``) when it builds a ``RetryAfter`` unless the environment
variable ``PTB_TIMEDELTA=true`` is set; with ``filterwarnings=error`` set it when testing rate limits.
"""

from fakegram.errors import ApiError
from fakegram.files import StoredFile
from fakegram.models import BotMessage, RecordedRequest
from fakegram.server import FakeTelegram
from fakegram.users import OWN, FakeUser

__all__ = ["OWN", "ApiError", "BotMessage", "FakeTelegram", "FakeUser", "RecordedRequest", "StoredFile"]
