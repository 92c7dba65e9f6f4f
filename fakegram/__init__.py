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
(403), :meth:`~FakeTelegram.rate_limit` (429 with ``retry_after``, overall, per chat, per group a minute) and
:meth:`~FakeTelegram.fail_next` (transient 5xx).

Groups (:class:`FakeGroup`) have members, the bot as a member or an administrator, and forum topics
(:class:`Topic`); the bot's messages land in the topic ``message_thread_id`` names, and members write there::

    staff = fake.group(-1001234567890, "Tanya Petugas")  # a forum supergroup
    staff.set_bot_admin(can_manage_topics=True)
    siti = fake.user(2001, first_name="Siti")
    staff.add_member(siti)
    topic = await app.bot.create_forum_topic(staff.chat_id, "Tiket #1 Budi")
    await app.bot.send_message(staff.chat_id, "Pertanyaan Budi", message_thread_id=topic.message_thread_id)
    [question] = await staff.wait_topic_messages(topic.message_thread_id, 1)
    await siti.reply_in(staff, topic.message_thread_id, question.message_id, "Senin jam 9")  # an update
    await siti.send_command_in(staff, topic.message_thread_id, "tutup", addressed=True)  # /tutup@bot

The modules: ``server`` (the HTTP surface, what a test inspects and injects), ``users`` (the simulated users, who
reach the server through the ``client_api`` Protocol; ``group_client``: what they write in groups), ``groups`` (a
group, its members, the bot's place in it and its messages), ``topics`` (a forum topic), ``updates`` (the update
queue and ``getUpdates``), ``methods/`` (the Bot API methods, one module per kind: ``messages``, ``media``,
``forum``, ``commands``, ``profile``), and what they share: ``chats`` (finding a chat, putting the bot's messages in
it), ``content`` (text, captions and keyboards checked as Telegram does), ``files``, ``faults``, ``request_params``,
``errors``, ``models``, ``_html``.

Note: PTB 22 warns (``PTBDeprecationWarning``) when it builds a ``RetryAfter`` unless the environment
variable ``PTB_TIMEDELTA=true`` is set; with ``filterwarnings=error`` set it when testing rate limits.
"""

from fakegram.errors import ApiError
from fakegram.files import StoredFile
from fakegram.groups import FakeGroup
from fakegram.models import BotMessage, RecordedRequest
from fakegram.server import FakeTelegram
from fakegram.topics import GENERAL_TOPIC, Topic
from fakegram.users import OWN, FakeUser

__all__ = [
    "GENERAL_TOPIC",
    "OWN",
    "ApiError",
    "BotMessage",
    "FakeGroup",
    "FakeTelegram",
    "FakeUser",
    "RecordedRequest",
    "StoredFile",
    "Topic",
]
