"""`cdc-tutor serve` in a real headless browser (Debian's Chromium, driven by Playwright): the page
paints the catalog and a lesson opens by key presses; without this run's token every request gets
403. The screen is read the way the page's terminal gets it: the bytes of the websocket's frames,
replayed into a terminal emulator (pyte) of the size the page asked the tutor for."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from cdc_tutor.course.loader import load_course

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
FIRST = load_course(ROOT / "lessons").lessons()[0]


@pytest.fixture(scope="module")
def chromium() -> str:
    done = subprocess.run(["bash", str(ROOT / "scripts" / "browser-deps.sh")], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.fail(f"scripts/browser-deps.sh failed: {done.stdout}{done.stderr}")
    return CHROMIUM


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def served(tmp_path):
    """A running `cdc-tutor serve` on a free loopback port; yields the URL it printed (with token)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("CDC_TUTOR_")}
    env["CDC_TUTOR_CONFIG"] = str(tmp_path / "no-config.toml")
    server = subprocess.Popen(
        [sys.executable, "-m", "cdc_tutor", "--data-dir", str(tmp_path / "data"), "serve", "--port", str(free_port())],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=ROOT,
    )  # fmt: skip
    try:
        printed = [server.stdout.readline() for _ in range(1)]
        while "?token=" not in printed[-1] and printed[-1] and len(printed) < 30:  # warnings may come first
            printed.append(server.stdout.readline())
        assert "?token=" in printed[-1], "".join(printed)
        yield printed[-1].split()[-1]
    finally:
        server.terminate()
        server.wait(timeout=20)


def status(url: str, headers: dict[str, str] | None = None) -> int:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_without_the_token_every_request_is_refused(served):
    base = served.split("/?")[0]
    websocket = {"Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
                 "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="}  # fmt: skip
    for path in ("/", "/static/js/textual.js", "/ws"):
        assert status(base + path) == 403, path
        assert status(base + path + "?token=wrong") == 403, path
    assert status(base + "/ws", websocket) == 403
    assert status(served) == 200  # the printed link itself works
    assert status(base + "/", {"Cookie": "cdc_tutor_token=" + served.split("token=")[1]}) == 200


class Screen:
    """What the page's terminal was sent, replayed into a terminal of the size the page asked for."""

    def __init__(self) -> None:
        self.screen = None
        self.stream = None

    def sent(self, payload) -> None:
        import pyte

        message = json.loads(payload) if isinstance(payload, str) else None
        if message and message[0] == "resize":
            self.screen = pyte.Screen(message[1]["width"], message[1]["height"])
            self.stream = pyte.ByteStream(self.screen)

    def received(self, payload) -> None:
        if isinstance(payload, bytes) and self.stream is not None:
            self.stream.feed(payload)

    def text(self) -> str:
        return "\n".join(self.screen.display) if self.screen else ""

    def wait_for(self, text: str, page, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while text not in self.text():
            assert time.monotonic() < deadline, f"{text!r} not on screen:\n{self.text()}"
            page.wait_for_timeout(200)


def test_the_catalog_paints_and_a_lesson_opens_in_chromium(served, chromium):
    from playwright.sync_api import sync_playwright

    screen = Screen()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 700})
            page.on("websocket", lambda ws: (ws.on("framesent", screen.sent), ws.on("framereceived", screen.received)))
            page.goto(served)
            screen.wait_for(FIRST.title[:20], page)  # the catalog, its first lesson listed
            assert page.locator("canvas").count() > 0  # xterm.js draws it on a canvas
            assert screen.screen.columns >= 80, screen.screen.columns
            page.locator(".xterm-helper-textarea").focus()  # the keys go to the terminal
            page.keyboard.press("Enter")  # open the highlighted (first) lesson
            screen.wait_for(FIRST.steps[0].title[:20], page)
        finally:
            browser.close()


def test_binding_beyond_loopback_says_so_and_still_wants_the_token(tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith("CDC_TUTOR_")}
    env["CDC_TUTOR_CONFIG"] = str(tmp_path / "no-config.toml")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "cdc_tutor", "--data-dir", str(tmp_path / "data"), "serve", "--host", "0.0.0.0",
         "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT,
    )  # fmt: skip
    try:
        warning = server.stderr.readline()
        assert "0.0.0.0" in warning and "ssh -L" in warning, warning
        assert "?token=" in server.stdout.readline()
        assert status(f"http://127.0.0.1:{port}/") == 403
    finally:
        server.terminate()
        server.wait(timeout=20)
