"""A workshop round in real Chromium, served as ``make workshop`` serves it (``python -m ui.serve``: every interface,
XSRF and CORS on, allowed hosts). The facilitator's browser uses localhost; three participants' phone contexts
(390×844) use this machine's LAN address, so their client address is not a loopback one.

Journey: the facilitator opens a round on the Scoring page and lands on the join page, whose QR code decodes to the
link; three participants join by the link, answer, reload and find their answers, submit; the facilitator's count
follows without a reload; the reveal shows the strip plot; adopting the median changes the use case; a
participant's link opens no other page.
Screenshots of the join page, a phone and the reveal go to docs/screenshots with WORKBENCH_UPDATE_SCREENSHOTS=1.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from bench.fixtures import ROOT, free_port, step_slider, stop, wait_idle, wait_until_healthy
from core.store import Store
from core.workshop import SCORING_QUESTIONS, Answer, answer_statistics
from tests.e2e.conftest import require_chromium
from ui.access import lan_address

pytest.importorskip("playwright.sync_api", reason="e2e needs the playwright package (requirements-dev.txt)")
from playwright.sync_api import Browser, Page, expect

pytestmark = pytest.mark.e2e
expect.set_options(timeout=30_000)

CHATBOT_ID = "support-chatbot"
PROJECTOR = {"width": 1280, "height": 720}
PHONE = {"width": 390, "height": 844}
# Each participant moves the data-availability slider (5 % steps, starting at 50 %) by this many steps:
# 30 %, 60 %, 80 %.
PARTICIPANTS = (("Anna", -4), ("Ben", 2), ("Cem", 6))
# Nine more of the room answer through the store's participant calls, so that the reveal has a spread to show.
ROOM = ("Dana", "Emil", "Fatma", "Gert", "Hanna", "Ilja", "Jule", "Kai", "Lena")
FACILITATOR_PAGES = ("", "Scoring", "Workshop", "Use_cases", "Export")


@dataclass(frozen=True)
class WorkshopServer:
    local_url: str
    lan_url: str
    database_url: str
    log_path: Path


def start_workshop_server(folder: Path) -> tuple[WorkshopServer, subprocess.Popen]:
    """``python -m ui.serve`` on a free port with a fresh SQLite database; skips without a LAN address."""
    lan = lan_address()
    if lan is None:
        pytest.skip("the workshop journey needs a non-loopback IPv4 address on this machine")
    port = free_port()
    database_url = f"sqlite:///{folder / 'workbench.db'}"
    log_path = folder / "streamlit.log"
    with log_path.open("w", encoding="utf-8") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "ui.serve", "--port", str(port)], cwd=ROOT,
            env={**_environment(), "WORKBENCH_DATABASE_URL": database_url},
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
        )
    server = WorkshopServer(f"http://127.0.0.1:{port}", f"http://{lan}:{port}", database_url, log_path)
    try:
        wait_until_healthy(server.local_url, process)
    except RuntimeError as error:
        stop(process)
        pytest.fail(f"{error}\n{log_path.read_text(errors='replace')[-4000:]}")
    return server, process


def _environment() -> dict[str, str]:
    import os

    return {key: value for key, value in os.environ.items() if key != "WORKBENCH_PUBLIC_URL"}


@pytest.fixture(scope="module")
def workshop_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WorkshopServer]:
    require_chromium()
    server, process = start_workshop_server(tmp_path_factory.mktemp("workshop_app"))
    try:
        yield server
    finally:
        stop(process)


def _context_page(browser: Browser, viewport: dict[str, int]) -> Page:
    context = browser.new_context(viewport=viewport, locale="en-GB")
    context.set_default_timeout(30_000)
    return context.new_page()


def _metric(page: Page, label: str):
    return page.get_by_test_id("stMetric").filter(has_text=label).get_by_test_id("stMetricValue")


def _open_round(facilitator: Page, server: WorkshopServer, screenshot: Path) -> str:
    """Open a round on the chatbot's seven S3 inputs from the Scoring page; returns the link to share."""
    facilitator.goto(f"{server.local_url}/Scoring?uc={CHATBOT_ID}")
    button = facilitator.get_by_role("button", name="Open round and show the join page")
    expect(button).to_be_visible()
    facilitator.get_by_label("Title shown to participants").fill("E2E kick-off")
    button.click()
    expect(facilitator.get_by_role("heading", level=1)).to_contain_text("Workshop")
    expect(facilitator.get_by_test_id("stImage")).to_be_visible()
    wait_idle(facilitator)
    facilitator.reload()  # the projector's view from the top (switching pages keeps the Scoring page's scroll)
    expect(facilitator.get_by_test_id("stImage")).to_be_visible()
    wait_idle(facilitator)
    facilitator.mouse.move(1, 1)
    facilitator.screenshot(path=str(screenshot))
    facilitator.get_by_text("Full link (to paste into a chat)").click()
    link = facilitator.get_by_test_id("stCode").inner_text().strip()
    assert link.startswith(f"{server.lan_url}/Answer?r="), link
    # A phone's camera reads the QR code as it is on the screen: decoded from the screenshot, it is the link.
    qr = Image.open(io.BytesIO(facilitator.get_by_test_id("stImage").screenshot()))
    assert [code.text for code in zxingcpp.read_barcodes(qr)] == [link]
    return link


def _join_and_answer(phone: Page, link: str, name: str, steps: int) -> None:
    phone.goto(link)
    phone.get_by_role("textbox", name="Your name").fill(name)
    phone.get_by_role("button", name="Join").click()
    expect(phone.get_by_text(f"Answering as {name}")).to_be_visible()
    wait_idle(phone)
    assert "p=" in phone.url  # the participant's secret, so that a reload finds the answers
    slider = _slider(phone, "Data availability")
    step_slider(phone, slider, steps)
    expect(slider).to_have_attribute("aria-valuetext", f"{50 + 5 * steps}%")
    wait_idle(phone)
    phone.get_by_test_id("stApp").click(position={"x": 5, "y": 5})  # leave the slider, as a thumb does
    expect(phone.get_by_text("✓ Saved").first).to_be_visible()


def _more_of_the_room(store: Store, opened) -> None:
    for number, name in enumerate(ROOM):
        _, secret = store.join_round(opened.token, name)
        for index, question in enumerate(SCORING_QUESTIONS):
            # a calm question (cost), a split one (data availability), the rest in between
            spread = {1: 0.05, 3: 0.45}.get(index, 0.2)
            value = min(1.0, max(0.0, round(0.5 + spread * ((number * (index + 3)) % 9 - 4) / 4, 2)))
            store.save_answer(opened.token, secret, CHATBOT_ID, question, Answer(value=value))
        store.submit_answers(opened.token, secret)


def _median_percent(store: Store, round_id: str) -> float:
    answers = [a.answer.value for a in store.round_answers(round_id) if a.question == "scoring.data_availability"]
    return round(answer_statistics(answers).median * 100, 2)


def _wait_for_charts(page: Page, count: int) -> None:
    page.wait_for_function(
        """count => document.querySelectorAll('[data-testid="stSkeleton"]').length === 0
              && document.querySelectorAll('[data-testid="stVegaLiteChart"]').length >= count
              && [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')]
                   .every(chart => chart.querySelector('canvas, svg'))""", arg=count)
    wait_idle(page)


def _slider(page: Page, label: str):
    return page.get_by_test_id("stSlider").filter(has_text=label).get_by_role("slider")


def test_a_round_from_opening_to_adopting_with_three_phones(browser: Browser, workshop_server: WorkshopServer,
                                                            screenshot_dir: Path):
    server = workshop_server
    facilitator = _context_page(browser, PROJECTOR)
    link = _open_round(facilitator, server, screenshot_dir / "workshop_join.png")
    code = facilitator.get_by_test_id("stHeading").filter(has_text=re.compile(r"^[2-9A-Z]{6}$")).first.inner_text()
    assert len(code.strip()) == 6

    phones = [_context_page(browser, PHONE) for _ in PARTICIPANTS]
    for phone, (name, steps) in zip(phones, PARTICIPANTS, strict=True):
        _join_and_answer(phone, link, name, steps)
    expect(_metric(facilitator, "Answered")).to_have_text("3")  # the live fragment, no reload

    for phone, (_, steps) in zip(phones, PARTICIPANTS, strict=True):
        phone.reload()
        slider = _slider(phone, "Data availability")
        expect(slider).to_have_attribute("aria-valuetext", f"{50 + 5 * steps}%")
    phones[0].screenshot(path=str(screenshot_dir / "workshop_phone.png"))
    for phone in phones:
        overflow = phone.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"the phone page is {overflow} px wider than a 390 px screen"
        handle = phone.get_by_test_id("stSlider").filter(has_text="Data availability").locator(
            "div:has(> [data-testid=stSliderThumbValue])").bounding_box()
        button = phone.get_by_role("button", name="Submit").bounding_box()
        assert handle["width"] >= 30 and handle["height"] >= 30, handle  # a thumb's target, not a pin's
        assert button["height"] >= 44, button
    for phone in phones:
        phone.get_by_role("button", name="Submit").click()
        expect(phone.get_by_text("Thank you, your answers are in")).to_be_visible()
    expect(_metric(facilitator, "Submitted")).to_have_text("3")

    store = Store(server.database_url)
    workspace_id = store.list_workspaces()[0].id
    [opened] = store.rounds(workspace_id)
    assert store.round_progress(opened.id).answers == 3 * 7
    _more_of_the_room(store, opened)
    expect(_metric(facilitator, "Joined")).to_have_text(str(len(PARTICIPANTS) + len(ROOM)))

    facilitator.get_by_role("button", name="Reveal answers").click()
    expect(facilitator.get_by_text("Where the room disagrees (S3 inputs)")).to_be_visible()
    _wait_for_charts(facilitator, 2)
    reveal = browser.new_context(viewport={"width": 1280, "height": 2000}, locale="en-GB").new_page()
    reveal.goto(f"{server.local_url}/Workshop?round={opened.id}")
    expect(reveal.get_by_text("Matrix with spread")).to_be_visible()
    _wait_for_charts(reveal, 2)
    reveal.screenshot(path=str(screenshot_dir / "workshop_reveal.png"))
    median = _median_percent(store, opened.id)

    row = facilitator.locator(".st-key-w-ws-adopt_button-support-chatbot-scoring-data_availability")
    field = facilitator.locator(f".st-key-w-ws-adopt-{opened.id}-support-chatbot-scoring-data_availability input")
    expect(field).to_have_value(f"{median:g}")
    before = store.get_use_case(workspace_id, CHATBOT_ID)[0].scoring.data_availability
    assert before != pytest.approx(median / 100)
    row.get_by_role("button", name="Adopt").click()
    expect(facilitator.get_by_text("Adopted: Support-Chatbot")).to_be_visible()
    assert store.get_use_case(workspace_id, CHATBOT_ID)[0].scoring.data_availability == pytest.approx(median / 100)
    assert any(opened.id in (entry.new_value or "") and entry.action == "adopt_workshop_round"
               for entry in store.audit(workspace_id, CHATBOT_ID, limit=5))

    participant = phones[0]
    for path in FACILITATOR_PAGES:
        participant.goto(f"{server.lan_url}/{path}")
        expect(participant.get_by_text("This page is for the facilitator's own browser")).to_be_visible()
        expect(participant.get_by_test_id("stSidebar")).to_have_count(0)
        assert "Beispiel GmbH" not in participant.content()
    # A phone cannot pass for the facilitator's machine by claiming a loopback address in proxy headers: Streamlit
    # takes the WebSocket's peer address (tornado without xheaders).
    spoofing = browser.new_context(viewport=PHONE, locale="en-GB", extra_http_headers={
        "X-Forwarded-For": "127.0.0.1", "X-Real-IP": "127.0.0.1", "Forwarded": "for=127.0.0.1"}).new_page()
    spoofing.goto(f"{server.lan_url}/Scoring")
    expect(spoofing.get_by_text("This page is for the facilitator's own browser")).to_be_visible()
    assert "Beispiel GmbH" not in spoofing.content()
    store.dispose()
