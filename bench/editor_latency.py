"""Benchmark: the code editor's keystroke-to-paint latency in the lesson screen, against a bare app.

The tutor side is the real `CdcTutorApp` (its CSS, a `ProgressStore`, the embedded lab opened by
`open_lab` as `cdc-tutor run` does, lab key and all) at 120x40. It opens a temp copy of the
fixture `tests/fixtures/exercise_course` whose lesson gets `liveTopics:
["dbserver1.inventory.orders"]`, so the (hidden) topic pane tails the lab's live workload while the
student types; the exercise file `<data dir>/work/module-1/01-exercise/double.py` holds 300 lines
of Python before the lesson opens. Once the lab runs, the kernel is ready and the topic pane has
received events, Ctrl+E focuses the editor and Ctrl+N selects the exercise cell, as a student does.
The anchor is a bare Textual `App` whose only widget is the same `CodeEditor` with the same text,
sized like the tutor's editor, typed into with the same keys and timed the same way.

What is timed, per key: from handing a Key event for the letter to the app's driver (the
`driver.send_message` a terminal's input thread calls, as `Pilot.press` does; Pilot's wait for an
idle process is left out, as it only stretches the gaps) to the end of the first screen update
whose changed cells show it. Both apps' `_display` is wrapped: a headless app skips encoding
updates, so the wrapper encodes every update with `render_segments` (the escape sequences a
truecolor terminal would be sent) and, when the update's strips contain the last 8 typed
characters, stamps the time. The typed text is one new identifier of seeded random letters with
no 8-gram twice and none found in the file, so no update can show that suffix before the newest
key is painted; the first 7 keys are typed untimed (spaces are never typed: a trailing space would
match the blank cell that was there before). Writing the bytes to a real terminal is not included.

After each paint the next key waits 40-90 ms (seeded), about a fast typist's pace: longer than a
frame of Textual's 60 fps update timer, so no paint is held back to the next frame slot by the
previous key, and the gaps sample the topic pane's 5 Hz refresh and the workload at every phase.
Sessions alternate (tutor, bare, tutor, ...) so machine drift hits both; each starts from
`gc.unfreeze(); gc.collect()`, since the tutor freezes the heap once its lab runs and would
otherwise hand the anchor a frozen heap.
"""

from __future__ import annotations

import asyncio
import gc
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from textual import events  # noqa: E402
from textual.app import App, ComposeResult  # noqa: E402
from textual.widgets import TextArea  # noqa: E402

from cdc_tutor.ui.widgets.code_editor import CodeEditor  # noqa: E402

FIXTURE = HERE.parent / "tests" / "fixtures" / "exercise_course"
LESSON = "module-1/01-exercise"
EXERCISE = "double"
TOPIC = "dbserver1.inventory.orders"
SIZE = (120, 40)
LINES = 300
TYPE_AT_ROW = 150  # the new line goes after this one: the middle of the cell
KEYS_PER_SESSION = 30  # timed; SUFFIX - 1 more are typed first
SUFFIX = 8  # typed characters a painted update must show
GAP_SECONDS = (0.040, 0.090)
TARGET_MS, TARGET_RATIO = 16.0, 1.3


def cell_text(lines: int = LINES) -> str:
    """A student's long exercise cell: helpers over orders, then double() itself."""
    head = [
        '"""A long exercise cell: helpers over the orders topic, then double()."""',
        "",
        "import json",
        "from collections import Counter",
        "",
    ]
    body: list[str] = []
    n = 0
    while len(head) + len(body) < lines - 6:
        body += [
            f'def paid_quantity_{n}(orders, status="PAID"):',
            f'    """Twice the quantity of the {status_word(n)} orders whose id divides by {n + 2}."""',
            "    total = 0",
            "    for order in orders:",
            f'        if order["status"] == status and order["id"] % {n + 2} == 0:',
            '            total += order["quantity"] * 2  # twice',
            "    return total",
            "",
        ]
        n += 1
    tail = ["", "def double(x):", '    """x times two."""', "    return x * 2", ""]
    text = head + body[: lines - len(head) - len(tail)] + tail
    assert len(text) == lines, len(text)
    return "\n".join(text) + "\n"


def status_word(n: int) -> str:
    return ("paid", "shipped", "pending", "cancelled")[n % 4]


def typed_text(count: int, avoid: str, seed: int) -> str:
    """`count` seeded lowercase letters: no 8-gram twice, none found in `avoid`."""
    rng = random.Random(seed)
    while True:
        text = "x" + "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(count - 1))
        grams = [text[i : i + SUFFIX] for i in range(len(text) - SUFFIX + 1)]
        if len(set(grams)) == len(grams) and not any(gram in avoid for gram in grams):
            return text


def _update_lines(update) -> list[str]:
    """The text of every changed line segment of a compositor update (ChopsUpdate or LayoutUpdate)."""
    if hasattr(update, "chops"):
        return [strip.text for y, _x1, _x2 in update.spans for strip in update.chops[y].values() if strip is not None]
    if hasattr(update, "strips"):
        return ["".join(strip.text for strip in line) for line in update.strips]
    return []


class PaintProbe:
    """Wraps an app's `_display`: encodes every update as a terminal would get it and stamps the
    first one showing `wanted`."""

    def __init__(self, app: App) -> None:
        self.wanted: str | None = None
        self.painted_at: float | None = None
        self.painted = asyncio.Event()
        original = app._display

        def display(screen, renderable) -> None:
            original(screen, renderable)
            if renderable is None or not hasattr(renderable, "render_segments"):
                return
            renderable.render_segments(app.console)  # the bytes a terminal would be sent
            if self.wanted is not None and any(self.wanted in line for line in _update_lines(renderable)):
                self.painted_at = time.perf_counter()
                self.wanted = None
                self.painted.set()

        app._display = display  # type: ignore[method-assign]

    def arm(self, wanted: str) -> None:
        self.wanted, self.painted_at = wanted, None
        self.painted.clear()


def _send_key(app: App, character: str) -> None:
    """What a terminal's input thread does with a typed letter (and what Pilot.press does, minus its
    wait for the process to go idle, which would only stretch the gaps between keys)."""
    event = events.Key(character, character)
    event.set_sender(app)
    app._driver.send_message(event)


async def _type(app: App, probe: PaintProbe, text: str, rng: random.Random) -> list[float]:
    """Type `text` key by key; per key after the first SUFFIX - 1 (whose few letters could be
    anywhere on screen), ms from sending the key to the end of the paint showing it."""
    latencies = []
    for index, key in enumerate(text):
        probe.arm(text[max(0, index + 1 - SUFFIX) : index + 1])
        started = time.perf_counter()
        _send_key(app, key)
        await asyncio.wait_for(probe.painted.wait(), timeout=5.0)
        if index >= SUFFIX - 1:
            latencies.append((probe.painted_at - started) * 1000)
        await asyncio.sleep(rng.uniform(*GAP_SECONDS))
    return latencies


async def _start_typing_line(pilot, editor: TextArea) -> None:
    """The cursor at the end of the middle line, then Enter: a new (auto-indented) line to type on."""
    editor.move_cursor((TYPE_AT_ROW, len(editor.document[TYPE_AT_ROW])))
    await pilot.press("enter")
    await pilot.pause(0.3)


async def _until(pilot, predicate, what: str, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"editor bench: no {what} within {seconds:.0f}s")
        await pilot.pause(0.05)


def _course_copy(root: Path) -> Path:
    """The exercise fixture with `liveTopics` added to its lesson (the fixture itself is untouched)."""
    course = root / "course"
    shutil.copytree(FIXTURE, course)
    lesson_md = course / LESSON / "lesson.md"
    text = lesson_md.read_text(encoding="utf-8")
    marker = "prerequisites: []\n"
    assert marker in text, "the fixture's frontmatter changed: update bench/editor_latency.py"
    lesson_md.write_text(text.replace(marker, f'{marker}liveTopics: ["{TOPIC}"]\n', 1), encoding="utf-8")
    return course


async def _tutor_session(
    root: Path, session: int, text: str, typed: str, rng: random.Random
) -> tuple[list[float], tuple[tuple[int, int], int]]:
    """Per-key latencies in the lesson screen, the editor's (width, height) and events tailed meanwhile."""
    from cdc_tutor.course.loader import load_course
    from cdc_tutor.course.progress import ProgressStore
    from cdc_tutor.lab import lab_key, open_lab
    from cdc_tutor.practice.exercise_files import ExerciseFiles
    from cdc_tutor.settings import Settings
    from cdc_tutor.ui import messages
    from cdc_tutor.ui.app import CdcTutorApp
    from cdc_tutor.ui.widgets.code_pane import CodePane
    from cdc_tutor.ui.widgets.lesson_list import LessonList
    from cdc_tutor.ui.widgets.topic_pane import TopicPane

    data_dir = root / f"data{session}"  # a fresh student per session: nothing saved by the last one
    os.environ["CDC_TUTOR_DATA_DIR"] = str(data_dir)  # for anything reading the environment (measure restores it)
    settings = Settings(lessons_dir=root / "course", data_dir=data_dir)
    course = load_course(settings.lessons_dir)
    assert not course.all_problems(), course.all_problems()
    cell = ExerciseFiles(data_dir, LESSON).path(EXERCISE)
    cell.parent.mkdir(parents=True, exist_ok=True)
    cell.write_text(text, encoding="utf-8")
    store = ProgressStore.open(settings.progress_path)
    seen: list = []
    app = CdcTutorApp(course, store, partial(open_lab, settings), settings, lab_key=partial(lab_key, settings))
    try:
        async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
            probe = PaintProbe(app)
            await _until(pilot, lambda: app.lab is not None or app.lab_problem is not None, "lab")
            assert app.lab is not None, app.lab_problem
            lessons = app.screen.query_one(LessonList)
            lessons.highlighted = lessons.get_option_index(LESSON)
            await pilot.press("enter")
            await _until(
                pilot,
                lambda: any(isinstance(m, messages.KernelReady | messages.KernelFailed) for m in seen),
                "kernel",
            )
            assert not any(isinstance(m, messages.KernelFailed) for m in seen)
            topic_pane = app.screen.query_one(TopicPane)
            assert topic_pane.topics == (TOPIC,), topic_pane.topics
            await _until(pilot, lambda: topic_pane.tail is not None, "topic tail")
            await _until(pilot, lambda: topic_pane.tail.buffer.view(limit=1).received > 0, "tailed event")
            await pilot.press("ctrl+e", "ctrl+n")  # to the editor, then the exercise cell
            await pilot.pause(0.3)
            pane = app.screen.query_one(CodePane)
            editor = pane.editor
            assert editor.has_focus and not editor.read_only and pane.cell is not None
            assert editor.text == text, "the editor does not hold the 300-line exercise file"
            await _start_typing_line(pilot, editor)
            received = topic_pane.tail.buffer.view(limit=1).received
            latencies = await _type(app, probe, typed, rng)
            received = topic_pane.tail.buffer.view(limit=1).received - received
            assert typed in editor.text
            size = (editor.outer_size.width, editor.outer_size.height)
    finally:
        store.close()
    return latencies, (size, received)


class _BareEditorApp(App[None]):
    """The anchor: nothing but the tutor's CodeEditor, sized like the tutor's."""

    def __init__(self, text: str, size: tuple[int, int]) -> None:
        super().__init__()
        self.text, self.editor_size = text, size

    def compose(self) -> ComposeResult:
        editor = CodeEditor(id="code-editor")
        editor.styles.width, editor.styles.height = self.editor_size
        editor.styles.border = ("none", "black")
        editor.styles.padding = 0
        yield editor

    def on_mount(self) -> None:
        editor = self.query_one(CodeEditor)
        editor.load_text(self.text)
        editor.focus()


async def _bare_session(text: str, typed: str, editor_size: tuple[int, int], rng: random.Random) -> list[float]:
    app = _BareEditorApp(text, editor_size)
    async with app.run_test(size=SIZE) as pilot:
        probe = PaintProbe(app)
        await pilot.pause(0.3)
        editor = app.query_one(CodeEditor)
        assert editor.has_focus and editor.text == text
        await _start_typing_line(pilot, editor)
        latencies = await _type(app, probe, typed, rng)
        assert typed in editor.text
    return latencies


def _fresh_heap() -> None:
    gc.unfreeze()
    gc.collect()


def measure(runs: int = 3) -> list[dict]:
    """`runs` sessions a side, at most 3 (a tutor session starts a lab and a kernel, ~5 s), each
    KEYS_PER_SESSION timed keys: about 40 s for 90 keys a side."""
    sessions = max(1, min(runs, 3))
    text = cell_text()
    saved_env = {name: os.environ.get(name) for name in ("CDC_TUTOR_DATA_DIR", "COLORTERM")}
    tutor_ms: list[float] = []
    bare_ms: list[float] = []
    tailed = 0
    editor_size = None
    try:
        os.environ["COLORTERM"] = "truecolor"  # the app's console encodes as for a truecolor terminal
        with tempfile.TemporaryDirectory(prefix="cdc-bench-editor-") as temp:
            root = Path(temp)
            _course_copy(root)
            for session in range(sessions):
                typed = typed_text(KEYS_PER_SESSION + SUFFIX - 1, text, seed=session)
                _fresh_heap()
                latencies, (editor_size, received) = asyncio.run(
                    _tutor_session(root, session, text, typed, random.Random(session))
                )
                tutor_ms += latencies
                tailed += received
                _fresh_heap()
                bare_ms += asyncio.run(_bare_session(text, typed, editor_size, random.Random(session)))
    finally:
        for name, value in saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        _fresh_heap()
    median, anchor = statistics.median(tutor_ms), statistics.median(bare_ms)
    ratio = median / anchor
    return [
        {
            "metric": "editor_keystroke_to_paint_ms",
            "median": round(median, 2),
            "runs": len(tutor_ms),
            "sessions": sessions,
            "anchor": "bare_textual_code_editor_keystroke_to_paint_ms",
            "anchor_median": round(anchor, 2),
            "ratio": round(ratio, 3),
            "p90": round(_quantile(tutor_ms, 0.9), 2),
            "anchor_p90": round(_quantile(bare_ms, 0.9), 2),
            "editor_size": list(editor_size or ()),
            "lines": LINES,
            "tailed_events_while_typing": tailed,
            "target": f"median < {TARGET_MS:g} and ratio <= {TARGET_RATIO:g}",
            "met": median < TARGET_MS and ratio <= TARGET_RATIO,
        }
    ]


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


if __name__ == "__main__":
    import json

    for result in measure(int(sys.argv[1]) if len(sys.argv) > 1 else 3):
        print(json.dumps(result, ensure_ascii=False))
