"""The intranet chat page in a real browser: Debian's Chromium, headless, driven by Playwright.

Runs against the session's bot (conftest.bot: the servers as `make run` starts them). This
file sorts before test_end_to_end.py, whose last test stops that bot.
"""

from __future__ import annotations

import shutil
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Page, expect, sync_playwright

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Flags for this machine's closed network (see the environment notes): no background
# connections, no QUIC, no first-run or sync.
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
EXIT_URL = "https://www.knmi.nl/"


@pytest.fixture(scope="module")
def browser():
    if not shutil.which(CHROMIUM):
        pytest.fail("chromium is missing: `make test` installs it (Debian package chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, bot):
    context = browser.new_context(locale="nl-NL")
    page = context.new_page()
    page.requests = []  # type: ignore[attr-defined]
    page.on("request", lambda request: page.requests.append(request.url))
    page.dialogs = []  # type: ignore[attr-defined]
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    # The neutral site of "Snel weg" is answered locally: this machine has no internet.
    page.route(EXIT_URL + "**", lambda route: route.fulfill(
        status=200, content_type="text/html", body="<title>Weer</title><p>Het weer</p>"))
    page.goto(f"http://127.0.0.1:{bot.web_port}/")
    yield page
    context.close()


def chat(page: Page):
    return page.locator("#webchat")


def send(page: Page, text: str) -> None:
    box = page.get_by_role("textbox", name="Typ je bericht")
    box.fill(text)
    box.press("Enter")


def wait_for_welcome(page: Page) -> None:
    expect(chat(page)).to_contain_text("Wegwijzer-assistent", timeout=30_000)


def storage(page: Page, kind: str) -> dict:
    return page.evaluate(f"() => Object.fromEntries(Object.entries(window.{kind}))")


def test_a_conversation_with_buttons_and_typed_text(page):
    wait_for_welcome(page)
    button = chat(page).get_by_role("button", name="Ik maak zelf iets mee")
    expect(button).to_be_visible()
    button.click()
    expect(chat(page)).to_contain_text("Vertel in je eigen woorden", timeout=20_000)
    send(page, "ik word gepest")
    expect(chat(page)).to_contain_text("vertrouwenspersoon", timeout=20_000)
    expect(chat(page).get_by_role("button", name="Vertel me meer")).to_be_visible()
    # the conversation is in sessionStorage only; nothing in localStorage or cookies
    assert "gepest" in str(storage(page, "sessionStorage"))
    assert storage(page, "localStorage") == {}
    assert page.evaluate("document.cookie") == ""


def test_html_in_a_message_is_shown_as_text(page):
    wait_for_welcome(page)
    attack = "<img src=x onerror=alert(1)>"
    send(page, attack)
    expect(chat(page)).to_contain_text(attack, timeout=20_000)
    page.wait_for_timeout(1000)
    assert page.dialogs == []
    assert chat(page).locator("img[src='x']").count() == 0


def test_wis_gesprek_empties_the_view_and_the_session(page):
    wait_for_welcome(page)
    send(page, "ik word gepest door mijn team")
    expect(chat(page)).to_contain_text("vertrouwenspersoon", timeout=20_000)
    page.get_by_role("button", name="Wis gesprek").click()
    page.wait_for_load_state("load")
    wait_for_welcome(page)
    expect(chat(page)).not_to_contain_text("gepest door mijn team")
    assert "gepest door mijn team" not in str(storage(page, "sessionStorage"))
    assert storage(page, "localStorage") == {}


def test_snel_weg_leaves_without_a_way_back(page, bot):
    wait_for_welcome(page)
    send(page, "ik word gepest")
    page.get_by_role("button", name="Snel weg").click()
    page.wait_for_url(EXIT_URL)
    expect(page.locator("body")).to_contain_text("Het weer")
    page.go_back()
    assert f":{bot.web_port}" not in page.url  # the chat page is no longer in the history


def focused(page: Page) -> str:
    return page.evaluate("(document.activeElement.getAttribute('aria-label') || "
                         "document.activeElement.textContent || '').trim()")


def tab_to(page: Page, control: str) -> None:
    for _ in range(40):
        if focused(page) == control:
            return
        page.keyboard.press("Tab")
    pytest.fail(f"{control!r} cannot be reached with Tab")


def test_keyboard_only(page):
    """With Tab alone every control is reached, and Enter works the answer buttons."""
    wait_for_welcome(page)
    expect(chat(page).get_by_role("button", name="Ik maak zelf iets mee")).to_be_visible()
    reached = []
    for _ in range(20):
        page.keyboard.press("Tab")
        reached.append(focused(page))
    for control in ("Wis gesprek", "Snel weg", "Ik maak zelf iets mee", "Typ je bericht"):
        assert control in reached, (control, reached)
    tab_to(page, "Ik maak zelf iets mee")
    page.keyboard.press("Enter")
    expect(chat(page)).to_contain_text("Vertel in je eigen woorden", timeout=20_000)
    tab_to(page, "Typ je bericht")
    page.keyboard.type("ik word gepest")
    page.keyboard.press("Enter")
    expect(chat(page)).to_contain_text("vertrouwenspersoon", timeout=20_000)


def test_no_third_party_requests(page, bot):
    wait_for_welcome(page)
    send(page, "ik word gepest")
    expect(chat(page)).to_contain_text("vertrouwenspersoon", timeout=20_000)
    # every request the page even tried (also one the CSP would block) stays on this machine
    hosts = {urlparse(url).hostname for url in page.requests if not url.startswith("data:")}
    assert hosts <= {"127.0.0.1", "localhost"}, hosts


def test_readable_on_a_phone(browser, bot):
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True,
                                  has_touch=True, locale="nl-NL")
    page = context.new_page()
    page.goto(f"http://127.0.0.1:{bot.web_port}/")
    wait_for_welcome(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page is {width} px wide on a 360 px screen"
    for name in ("Wis gesprek", "Snel weg"):
        expect(page.get_by_role("button", name=name)).to_be_in_viewport()
    size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.intro p')).fontSize)")
    assert size >= 16
    context.close()
