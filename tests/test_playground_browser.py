"""The playground page in a real browser: headless Chromium from Debian's package (`make test` installs it),
driven by Playwright without any browser download. A participant registers by typing and clicking, enrols,
the clock moves 30 days forward, and the session reminder appears; a worker asks the help desk and Dewi answers
and closes the ticket in the "Grup Petugas" panel, on a wide screen and a narrow one; Siti "scans" the venue's QR
that Dewi shows; on a phone (390 px, touch), one chat at a time behind tabs, every control tapped where a finger
would be."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.async_api import Locator, Page, async_playwright, expect

from bot.config import Settings
from bot.i18n import Translations
from playground import Playground, PlaygroundPage
from playground.world import ADMIN_ID, example_person
from tests.harness import START
from tests.test_playground import register

CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags Chromium keeps trying to reach Google on a closed network.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PARTICIPANT = 1002  # Budi Santoso; the page opens the first participant and the admin, Budi is opened by hand
SITI = 1001  # the first participant, on screen from the start
QUESTION = "Saya belum menerima surat undangan"  # no FAQ entry matches it: it goes to the staff at once
WAIT_MS = 15_000

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (make test does)")

t = Translations("id").get("id")


def plain(text: str) -> str:
    """A bot text as the page shows it (markup gone)."""
    return re.sub(r"<[^>]+>", "", text).split("\n")[0]


@pytest.fixture
async def page_url(tmp_path: Path) -> AsyncIterator[str]:
    async with Playground(Settings(_env_file=None), tmp_path / "world", start=START) as world:
        page = PlaygroundPage(world)
        await page.start(0)
        try:
            yield page.url
        finally:
            await page.stop()
        assert world.server.internal_errors == []


@pytest.fixture
async def browser_page(tmp_path: Path) -> AsyncIterator[Page]:
    profile = tmp_path / "chromium-profile"  # an empty user data dir, removed with tmp_path
    profile.mkdir()
    async with async_playwright() as playwright:
        context = await playwright.chromium.launch_persistent_context(
            profile,
            executable_path=str(CHROMIUM),
            args=CHROMIUM_ARGS,
            headless=True,
            viewport={"width": 1400, "height": 900},
        )
        try:
            page = await context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            yield page
            assert errors == [], errors
        finally:
            await context.close()


class Phone:
    """One phone on the page, used as a person would: type, tap, read."""

    def __init__(self, root: Locator) -> None:
        self.root = root

    async def say(self, text: str) -> None:
        await self.root.locator(".message").fill(text)
        await self.root.locator(".send").click()

    async def tap(self, label: str) -> None:
        await self.root.locator(".inline-kb button", has_text=label).last.click()

    async def tap_keyboard(self, label: str) -> None:
        await self.root.locator(".reply-kb button", has_text=label).click()

    async def sees(self, text: str) -> None:
        await expect(self.root.locator(".msg:not(.mine)", has_text=text).last).to_be_visible(timeout=WAIT_MS)

    async def last_is(self, text: str) -> None:
        await expect(self.root.locator(".msg:not(.mine)").last).to_contain_text(text, timeout=WAIT_MS)


async def test_register_enrol_and_get_the_reminder_in_the_browser(
    page_url: str, browser_page: Page, tmp_path: Path
) -> None:
    page = browser_page
    await page.goto(page_url)
    await expect(page.locator("body[data-ready=true]")).to_be_attached(timeout=WAIT_MS)
    await expect(page.locator("#clock-now")).to_contain_text("23 November 2026")
    # Budi is not on screen yet: pick him from the list.
    await page.select_option("#person-pick", str(PARTICIPANT))
    budi = Phone(page.locator(f'[data-person="{PARTICIPANT}"]'))
    person = example_person(PARTICIPANT, "Budi Santoso")

    await budi.say("/start")
    await budi.last_is(plain(t("consent-notice")))
    await budi.tap(t("btn-consent-yes"))
    await budi.last_is(plain(t("ask-name")))
    await budi.say(person.name)
    await budi.last_is(plain(t("ask-nik")))
    # The example data under the chat fills the message box.
    await budi.root.locator(".examples summary").click()
    await budi.root.locator(".chips button", has_text="NIK").click()
    await expect(budi.root.locator(".message")).to_have_value(person.nik)
    await budi.root.locator(".send").click()
    await budi.root.locator(".examples summary").click()  # folded again
    await budi.last_is(plain(t("ask-kpj")))
    await budi.tap(t("btn-kpj-unknown"))
    await budi.last_is(plain(t("ask-phone")))
    await expect(budi.root.locator(".reply-kb button")).to_have_text([t("btn-share-phone")])  # one 📱, not two
    await budi.tap_keyboard(t("btn-share-phone"))  # shares Budi's own contact
    await expect(budi.root.locator(".msg.mine .contact")).to_contain_text(person.phone)
    await budi.last_is(plain(t("ask-province")))
    await budi.tap("Jawa")
    await budi.tap("Jawa Barat")  # the region's message is edited in place into its provinces
    await budi.last_is("Jawa Barat")
    await budi.say("kota bandung")
    await budi.last_is(plain(t("ask-employer")))
    await budi.say("PT Maju Jaya Sentosa")
    await budi.last_is(plain(t("ask-phk-date")))
    await budi.say("15-09-2026")
    await budi.last_is(plain(t("ask-education")))
    await budi.tap("SMA/SMK")
    await budi.tap(t("btn-confirm"))
    await budi.sees(plain(t("welcome", name=person.name)))
    # Formatting is built from entities: the welcome's bold heading is a <b>, and no markup shows as text.
    await expect(budi.root.locator(".msg:not(.mine) .text b", has_text="Pendaftaran berhasil")).to_be_visible()
    assert "<b>" not in await budi.root.locator(".chat").inner_text()
    screenshot = tmp_path / "playground-registered.png"
    await page.screenshot(path=str(screenshot), full_page=True, animations="disabled")
    print(f"screenshot of the page after registration: {screenshot}")

    # What a person types is shown as text, never run as HTML.
    await budi.say('<img src=x onerror="document.body.dataset.hacked=1">')
    await expect(budi.root.locator(".msg.mine", has_text="<img src=x")).to_be_visible()
    assert await budi.root.locator(".chat img").count() == 0
    assert await page.evaluate("document.body.dataset.hacked") is None

    # Enrol from the main menu (a reply keyboard).
    await budi.tap_keyboard(t("menu-courses"))
    await budi.tap("Operator Crane")
    await budi.tap(t("btn-enrol"))
    await budi.tap(t("btn-enrol-confirm"))
    await budi.sees("Anda terdaftar di pelatihan")

    # The first session is on 7 December: 30 days later its reminders have come, at their own times.
    await page.locator('[data-advance="30d"]').click()
    reminder = budi.root.locator(".msg:not(.mine)", has_text=plain(t("reminder-day-before"))).first
    await expect(reminder).to_be_visible(timeout=60_000)
    await expect(reminder.locator(".inline-kb button").first).to_have_text(re.compile(r"hadir"))
    await expect(page.locator("#clock-now")).to_contain_text("Desember 2026", timeout=60_000)
    await expect(page.locator("[data-advance='30d']")).to_be_enabled(timeout=60_000)
    await page.screenshot(path=str(tmp_path / "playground-reminder.png"), full_page=True, animations="disabled")


async def test_a_ticket_both_ways_through_the_helpdesk_group_panel(
    page_url: str, browser_page: Page, tmp_path: Path
) -> None:
    page = browser_page
    await page.goto(page_url)
    await expect(page.locator("body[data-ready=true]")).to_be_attached(timeout=WAIT_MS)
    panel = page.locator("#group")
    await expect(panel.locator(".group-title")).to_have_text("Grup Petugas")
    await expect(panel.locator(".topics-empty")).to_contain_text("/tanya")
    siti = Phone(page.locator(f'[data-person="{SITI}"]'))

    # The worker asks from her phone; the ticket's topic appears in the group, its card and question unread.
    await siti.say("/tanya")
    await siti.last_is(plain(t("helpdesk-ask")))
    await siti.say(QUESTION)
    await siti.last_is(plain(t("helpdesk-received", ticket=1)))
    item = panel.locator(".topic-item")
    await expect(item).to_have_count(1, timeout=WAIT_MS)
    await expect(item.locator(".unread")).to_have_text("2", timeout=WAIT_MS)
    await item.click()
    await expect(item).to_have_class(re.compile(r"\bactive\b"))
    await expect(item.locator(".unread")).to_have_count(0)
    topic = panel.locator("#topic-chat")
    await expect(topic.locator(".service")).to_contain_text("dibuat")
    # The card, formatted from its entities ("Tiket #1" in bold), and the copy of the question, from the bot.
    await expect(topic.locator(".msg:not(.mine) .text b", has_text="Tiket #1")).to_be_visible(timeout=WAIT_MS)
    question = topic.locator(".msg:not(.mine)", has_text=QUESTION)
    await expect(question).to_be_visible()
    await expect(question.locator(".sender")).to_have_text("Vokasi Bot")

    # Dewi answers in the topic; Siti's phone shows it signed with her name.
    await panel.locator("#topic-input").fill("Undangan dikirim hari Senin, Bu.")
    await panel.locator("#topic-composer .send").click()
    await expect(topic.locator(".msg.mine", has_text="Undangan dikirim hari Senin")).to_be_visible(timeout=WAIT_MS)
    await siti.last_is("Undangan dikirim hari Senin, Bu.")
    await expect(siti.root.locator(".msg:not(.mine)").last.locator(".text b")).to_have_text("Petugas Dewi")

    # Siti writes back: it reaches the open topic as text, never as markup.
    await siti.say("Terima kasih <i>Bu</i>")
    await expect(topic.locator(".msg:not(.mine)", has_text="Terima kasih <i>Bu</i>")).to_be_visible(timeout=WAIT_MS)
    assert await topic.locator("i").count() == 0
    await page.screenshot(path=str(tmp_path / "playground-helpdesk.png"), full_page=True, animations="disabled")

    # A narrow screen: the panel is behind its tab, as wide as the screen, the topic list above the topic.
    await page.set_viewport_size({"width": 390, "height": 844})
    assert await page.evaluate("document.documentElement.scrollWidth") <= 390
    await page.locator("#tabs .tab", has_text="Grup Petugas").click()
    await panel.scroll_into_view_if_needed()
    box = await panel.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    list_box, topic_box = await panel.locator("#group-topics").bounding_box(), await topic.bounding_box()
    assert list_box is not None and topic_box is not None and list_box["y"] < topic_box["y"]
    await page.screenshot(path=str(tmp_path / "playground-helpdesk-narrow.png"), full_page=True, animations="disabled")

    # /tutup from the topic's commands: the ticket closes for Siti, the topic shows it is closed.
    await panel.locator("#topic-commands button", has_text="/tutup").click()
    await expect(panel.locator("#topic-input")).to_have_value("/tutup")
    await panel.locator("#topic-composer .send").click()
    await expect(panel.locator("#topic-closed")).to_be_visible(timeout=WAIT_MS)
    await expect(topic.locator(".service").last).to_have_text("Topik ditutup")
    await expect(panel.locator("#topic-composer")).to_be_hidden()
    await expect(panel.locator("#topic-locked")).to_be_visible()
    await expect(item).to_contain_text("🔒")
    # Siti's tab has news (a dot); her phone, behind it, shows the closing notice.
    siti_tab = page.locator("#tabs .tab", has_text="Siti")
    await expect(siti_tab.locator(".tab-new")).to_be_visible(timeout=WAIT_MS)
    await siti_tab.click()
    await expect(siti_tab.locator(".tab-new")).to_have_count(0)
    await siti.sees(plain(t("helpdesk-closed-by-staff", ticket=1)))


@pytest.fixture
async def world_and_url(tmp_path: Path) -> AsyncIterator[tuple[Playground, str]]:
    async with Playground(Settings(_env_file=None), tmp_path / "world", start=START) as world:
        page = PlaygroundPage(world)
        await page.start(0)
        try:
            yield world, page.url
        finally:
            await page.stop()
        assert world.server.internal_errors == []


async def test_siti_scans_the_venue_qr_shown_on_dewis_phone(
    world_and_url: tuple[Playground, str], browser_page: Page, tmp_path: Path
) -> None:
    """Dewi opens /absen at the venue, shows the QR; Siti's phone "scans" it (the link's /start) and is recorded."""
    world, url = world_and_url
    await register(world, world.user(SITI))
    listing = await world.services.catalogue.page(None, 0, None)
    assert listing is not None
    crane = next(c for c in listing.courses if c.code == "CLG-CRANE-01")
    await world.services.enrollment.enrol(SITI, crane.id, waitlist=False)
    assert crane.first_start is not None
    await world.advance(crane.first_start - timedelta(minutes=30) - world.clock.now())  # half an hour before

    page = browser_page
    await page.goto(url)
    await expect(page.locator("body[data-ready=true]")).to_be_attached(timeout=WAIT_MS)
    dewi = Phone(page.locator(f'[data-person="{ADMIN_ID}"]'))
    siti = Phone(page.locator(f'[data-person="{SITI}"]'))
    await dewi.say("/absen")
    await dewi.root.locator(".inline-kb button", has_text=crane.title).first.click()  # its first session
    await dewi.tap(t.plain("btn-presence-qr"))
    qr = dewi.root.locator(".msg:not(.mine)", has=page.locator("img")).last
    await expect(qr).to_be_visible(timeout=WAIT_MS)
    await qr.locator(".scan button", has_text="Siti").click()
    await siti.sees("Kehadiran Anda tercatat")
    await page.screenshot(path=str(tmp_path / "playground-attendance.png"), full_page=True, animations="disabled")


PHONE_VIEWPORT = {"width": 390, "height": 844}  # a common phone's CSS pixels (iPhone 12-15)


@pytest.fixture
async def phone_page(tmp_path: Path) -> AsyncIterator[Page]:
    """The page in Chromium emulating a phone: 390x844 CSS pixels, a touch screen, the mobile viewport rules."""
    profile = tmp_path / "chromium-profile-phone"
    profile.mkdir()
    async with async_playwright() as playwright:
        context = await playwright.chromium.launch_persistent_context(
            profile,
            executable_path=str(CHROMIUM),
            args=CHROMIUM_ARGS,
            headless=True,
            viewport=PHONE_VIEWPORT,
            device_scale_factor=2,
            is_mobile=True,
            has_touch=True,
        )
        try:
            page = await context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            yield page
            assert errors == [], errors
        finally:
            await context.close()


async def no_sideways_scroll(page: Page) -> None:
    """Nothing on the page is wider than the screen (a mobile browser would otherwise zoom out or scroll)."""
    width, inner = await page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
    assert inner == PHONE_VIEWPORT["width"] and width <= inner, (width, inner)


async def finger(page: Page, control: Locator) -> None:
    """A tap as a finger does it: the control is on screen, it is what lies under the finger (no chat area, toast
    or panel covers it), and then it is tapped (touch events, not a mouse click)."""
    await expect(control).to_be_visible(timeout=WAIT_MS)
    await control.scroll_into_view_if_needed()
    box = await control.bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    assert 0 <= x <= PHONE_VIEWPORT["width"] and 0 <= y <= PHONE_VIEWPORT["height"], (x, y)
    topmost = await control.evaluate(
        "(node, [x, y]) => { const hit = document.elementFromPoint(x, y); return !!hit && node.contains(hit); }",
        [x, y],
    )
    assert topmost, f"something covers the control at ({x:.0f}, {y:.0f})"
    await control.tap()
    await no_sideways_scroll(page)


async def test_the_playground_on_a_phone(page_url: str, phone_page: Page, tmp_path: Path) -> None:
    """On a 390 px touch screen: no sideways scrolling, one chat at a time behind tabs (Siti / Dewi / the group),
    the clock's buttons in view, and every control the walk uses tapped where a finger would tap it."""
    page = phone_page
    await page.goto(page_url)
    await expect(page.locator("body[data-ready=true]")).to_be_attached(timeout=WAIT_MS)
    await no_sideways_scroll(page)
    tabs = page.locator("#tabs .tab")
    await expect(tabs).to_have_text(["Siti", "Dewi", "Grup Petugas"])
    siti_root, dewi_root = page.locator(f'[data-person="{SITI}"]'), page.locator(f'[data-person="{ADMIN_ID}"]')
    await expect(siti_root).to_be_visible()
    await expect(dewi_root).to_be_hidden()  # one phone at a time
    # The time controls are on the first screen, without scrolling.
    for button in await page.locator("[data-advance]").all():
        box = await button.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE_VIEWPORT["width"]
        assert box["y"] + box["height"] <= PHONE_VIEWPORT["height"]
    siti = Phone(siti_root)
    person = example_person(SITI, "Siti Rahayu", woman=True)

    # The command menu, then the message box and its send button.
    await finger(page, siti_root.locator(".menu-button"))
    await finger(page, siti_root.locator(".menu-list button", has_text="/start"))
    await siti.last_is(plain(t("consent-notice")))
    await finger(page, siti_root.locator(".inline-kb button", has_text=t("btn-consent-yes")).last)
    await siti.last_is(plain(t("ask-name")))
    await siti_root.locator(".message").fill(person.name)
    await finger(page, siti_root.locator(".send"))
    await siti.last_is(plain(t("ask-nik")))
    await finger(page, siti_root.locator(".examples summary"))
    await finger(page, siti_root.locator(".chips button", has_text="NIK"))
    await expect(siti_root.locator(".message")).to_have_value(person.nik)
    await finger(page, siti_root.locator(".send"))
    await finger(page, siti_root.locator(".examples summary"))  # folded again
    await siti.last_is(plain(t("ask-kpj")))
    await finger(page, siti_root.locator(".inline-kb button", has_text=t("btn-kpj-unknown")).last)
    await siti.last_is(plain(t("ask-phone")))
    # The contact button shows the catalogue's text as it is: one phone emoji, not two.
    contact = siti_root.locator(".reply-kb button.contact-button")
    await expect(contact).to_have_text(t("btn-share-phone"))
    await finger(page, contact)
    await expect(siti_root.locator(".msg.mine .contact")).to_contain_text(person.phone)
    await siti.last_is(plain(t("ask-province")))
    await finger(page, siti_root.locator(".inline-kb button", has_text="Jawa").first)
    await finger(page, siti_root.locator(".inline-kb button", has_text="Jawa Barat").last)
    await siti.last_is("Jawa Barat")
    await page.screenshot(path=str(tmp_path / "playground-phone-siti.png"), animations="disabled")

    # Dewi's tab shows her phone instead; the group's tab the help desk.
    await finger(page, tabs.filter(has_text="Dewi"))
    await expect(dewi_root).to_be_visible()
    await expect(siti_root).to_be_hidden()
    await dewi_root.locator(".message").fill("/staf")
    await finger(page, dewi_root.locator(".send"))
    await expect(dewi_root.locator(".msg.mine", has_text="/staf")).to_be_visible(timeout=WAIT_MS)
    await finger(page, tabs.filter(has_text="Grup Petugas"))
    await expect(page.locator("#group")).to_be_visible()
    await expect(dewi_root).to_be_hidden()
    await expect(page.locator("#group .topics-empty")).to_be_visible()

    # The clock's buttons: an hour later the bot's time shows it, and the buttons come back.
    await finger(page, tabs.filter(has_text="Siti"))
    await expect(page.locator("#clock-now")).to_contain_text("10.00")
    await finger(page, page.locator('[data-advance="1h"]'))
    await expect(page.locator("#clock-now")).to_contain_text("11.00", timeout=WAIT_MS)
    await expect(page.locator('[data-advance="1d"]')).to_be_enabled(timeout=WAIT_MS)
    await finger(page, page.locator('[data-advance="1d"]'))
    await expect(page.locator("#clock-now")).to_contain_text("24 November 2026", timeout=WAIT_MS)
    await expect(page.locator('[data-advance="30d"]')).to_be_enabled(timeout=WAIT_MS)
    await finger(page, page.locator('[data-advance="30d"]'))
    await expect(page.locator("#clock-now")).to_contain_text("Desember 2026", timeout=60_000)
    await expect(page.locator('[data-advance="30d"]')).to_be_enabled(timeout=60_000)
    # A month later the unfinished registration has lapsed; Siti's message box and send button still work.
    await siti_root.locator(".message").fill("/start")
    await finger(page, siti_root.locator(".send"))
    await siti.last_is(plain(t("consent-notice")))
    await page.screenshot(path=str(tmp_path / "playground-phone-end.png"), animations="disabled")
