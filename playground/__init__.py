"""Mode latihan: the whole bot in a browser, without Telegram.

The fake Bot API server (fakegram), the real bot pointed at it, a fresh database with the sample catalogue, and a
web page on 127.0.0.1 with phone-like chats for simulated participants and an admin, plus a clock control that
moves the bot's time forward. `make run` without BOT_TOKEN, or `python main.py playground [--port N]`.
"""

from playground.serve import serve_playground
from playground.web import PlaygroundPage
from playground.world import ADMIN_ID, Playground

__all__ = ["ADMIN_ID", "Playground", "PlaygroundPage", "serve_playground"]
