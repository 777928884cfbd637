"""The Textual application: routes messages between screens and the course core, decides nothing."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import signal
import threading
from collections.abc import Iterable
from functools import partial
from pathlib import Path

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from cdc_tutor import strings
from cdc_tutor.course import unlocks
from cdc_tutor.course.model import BrokenLesson, Course
from cdc_tutor.course.progress import ProgressStore
from cdc_tutor.ui.keys import bindings_table
from cdc_tutor.ui.messages import LabFailed, LabStarted, LessonChosen, LessonCompleted, LessonReset, StepReset
from cdc_tutor.ui.screens.catalog import CatalogScreen, quoted_titles

# The lesson and document screens pull in Markdown (markdown-it, pygments): imported when first
# opened, so they cost nothing before the catalog is painted.


def limit_notice(reason: str) -> str:
    """What the student reads when a client of theirs runs into one of the lab's limits."""
    from cdc_tutor.kafka.proxy import MAX_AUTO_TOPICS, MAX_CONNECTIONS, MAX_REQUEST_BYTES

    if reason == "topic limit":
        return strings.LAB_TOPIC_LIMIT.format(limit=MAX_AUTO_TOPICS, key="Ctrl+R")
    if reason == "too many connections":
        return strings.LAB_CONNECTION_LIMIT.format(limit=MAX_CONNECTIONS)
    return strings.LAB_REQUEST_LIMIT.format(limit=MAX_REQUEST_BYTES // (1024 * 1024))


class CdcTutorApp(App[None]):
    """cdc-tutor: the catalog first, a lesson screen per opened lesson."""

    CSS_PATH = Path(__file__).with_name("app.tcss")  # absolute: subclasses live elsewhere
    TITLE = strings.APP_TITLE
    SUB_TITLE = strings.APP_SUBTITLE
    BINDINGS = [
        Binding("f1", "help", strings.ACTION_HELP),
        Binding("ctrl+q,f10", "quit", strings.ACTION_QUIT),
        Binding("ctrl+p", "command_palette", strings.ACTION_PALETTE, show=False),
        Binding("f12", "toggle_outage", strings.ACTION_OUTAGE, show=False),
        Binding("ctrl+r", "restart_lab", strings.ACTION_RESTART_LAB, show=False),
    ]
    LAB_WATCH_SECONDS = 1.0  # how often the app looks whether the lab's broker process still runs
    LAB_START_DELAY = 1.0  # seconds after the first refresh; the lab takes seconds to start anyway

    def __init__(self, course: Course, store: ProgressStore, lab_factory=None, settings=None, lab_key=None) -> None:
        """`lab_factory(lesson)` returns a started lab for `lesson` (None: the first lab, opened after
        the first frame); it runs in a thread. None runs the tutor without a lab (tests of the
        shell). `lab_key(lesson)` says which lab a lesson needs: when it differs from the running
        lab's, opening that lesson replaces the lab (cdc_tutor.lab.lab_key); None keeps one lab for
        every lesson. `settings` reach the lesson kernels (data dir, user); None: Settings.load()."""
        super().__init__()
        self.course = course
        self.store = store
        self.lab_factory = lab_factory
        self.lab_key = lab_key
        self.settings = settings
        self.lab = None
        """The running lab once LabStarted arrives (cdc_tutor.lab.Lab)."""
        self.lab_problem: str | None = None
        self._lab_wanted: object = None  # the key of the lab being opened or running
        self._lab_settled = threading.Event()  # set while a lab runs or its start failed
        self._lost_lab: object = None  # the lab whose loss was reported (once per lab)
        self._limits_lab: object = None  # the lab whose limits below were reported
        self._limits_told: set[str] = set()
        self._progress = None  # the workshop's progress publisher, made on the first lesson

    def progress_observer(self):
        """Lab mode with `workshop_topic` set: an observer publishing this student's progress to
        the workshop's broker (cdc_tutor.kafka.progress_topic); otherwise None."""
        settings = self.settings_or_default()
        if not (settings.workshop_topic and settings.bootstrap_servers):
            return None
        if self._progress is None:
            from cdc_tutor.kafka.progress_topic import ProgressPublisher

            self._progress = ProgressPublisher(settings.bootstrap_servers, settings.workshop_topic)
        return self._progress.observer(settings.user, settings.shares_answers)

    @property
    def lab_coming(self) -> bool:
        """Whether this app opens labs at all (a pane without a lab says which case it is)."""
        return self.lab_factory is not None

    def settings_or_default(self):
        if self.settings is None:
            from cdc_tutor.settings import Settings

            self.settings = Settings.load()
        return self.settings

    def on_mount(self) -> None:
        # A dropped SSH session (SIGHUP) or a `kill` (SIGTERM) ends the tutor like Ctrl+Q does:
        # kernels, the lab's broker process and their private folders go with it.
        loop = asyncio.get_running_loop()
        for ending in (signal.SIGHUP, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):  # not the main thread
                loop.add_signal_handler(ending, self.exit)
        self.push_screen(CatalogScreen(self.course, self.store))
        for notice in self.store.notices:
            self.notify(notice, severity="warning", timeout=30)
        if self.lab_factory is not None:
            self._lab_wanted = self.lab_key(None) if self.lab_key else None
            # After the first frame is on the terminal, not just composed: the lab's start (imports,
            # a broker) holds the GIL for a while and would hold back the writer thread's paint.
            first = partial(self._start_first_lab, self._lab_wanted)
            self.call_after_refresh(self.set_timer, self.LAB_START_DELAY, first)
            self.set_interval(self.LAB_WATCH_SECONDS, self._watch_lab)

    def _start_first_lab(self, key: object) -> None:
        """The lab of the catalog, unless a lesson opened meanwhile asked for its own."""
        if self._lab_wanted == key and self.lab is None and not self._lab_settled.is_set():
            self._start_lab(None, key)

    @work(thread=True, group="lab", description="lab")
    def _start_lab(self, lesson, key: object) -> None:
        # `key` is the lab wanted when this start was asked for: a start that began for another
        # lesson must not pass for the lab wanted now (its LabStarted is then closed, not used).
        try:
            lab = self.lab_factory(lesson)  # confluent_kafka loads here, off the UI thread
        except Exception as problem:  # noqa: BLE001 - shown to the student; the tutor still works
            self.post_message(LabFailed(f"{type(problem).__name__}: {problem}"))
            return
        self.post_message(LabStarted(lab, key))

    def on_lab_started(self, message: LabStarted) -> None:
        if not self.is_running or message.key != self._lab_wanted:  # quitting, or a lab replaced meanwhile
            threading.Thread(target=message.lab.close, name="lab-close", daemon=True).start()
            return
        self.lab, self.lab_problem = message.lab, None
        self._lab_settled.set()
        if fallback := getattr(message.lab, "fallback", None):
            self.notify(strings.LAB_FALLBACK.format(problem=fallback), severity="warning", timeout=30)
        # Everything loaded so far (Textual, confluent_kafka, the lab) lives as long as the
        # app: keep it out of the garbage collector's full passes, which otherwise stall
        # the UI for 40-80 ms while a topic pane churns through events (bench/tail_ui.py).
        gc.freeze()

    def on_lab_failed(self, message: LabFailed) -> None:
        self.lab_problem = message.problem
        self._lab_settled.set()
        self.notify(strings.LAB_FAILED.format(problem=message.problem), severity="error", timeout=30)

    def wait_for_lab(self, lesson, timeout: float, on_wait=None):
        """From a worker thread: the lab `lesson` needs once it runs (None without labs, after a
        failure or after `timeout`). Replaces the running lab when the lesson asks for another."""
        if self.lab_factory is None:
            return None
        if self.lab_key is not None and self.lab_key(lesson) != self._lab_wanted:
            self._lab_settled.clear()
            self.call_from_thread(self._replace_lab, lesson)
        if not self._lab_settled.is_set() and on_wait is not None:
            on_wait()
        self._lab_settled.wait(timeout)
        return self.lab

    def _replace_lab(self, lesson) -> None:
        old, self.lab, self.lab_problem = self.lab, None, None
        self._lab_wanted = self.lab_key(lesson) if self.lab_key else None
        self._lab_settled.clear()
        if old is not None:  # its tails stop with it; panes reattach to the new one
            threading.Thread(target=old.close, name="lab-close", daemon=True).start()
        self._start_lab(lesson, self._lab_wanted)

    def _watch_lab(self) -> None:
        """A broker process that ended (a crash, a kill) is reported once, with the way back."""
        lab = self.lab
        reason = getattr(lab, "lost", None) if lab is not None else None
        if reason and self._lost_lab is not lab:
            self._lost_lab = lab
            self.notify(
                strings.LAB_LOST.format(reason=reason, key="Ctrl+R", kernel_key="Ctrl+F"), severity="error", timeout=60
            )
        hit = lab.limits_hit() if lab is not None and hasattr(lab, "limits_hit") else set()
        if self._limits_lab is not lab:
            self._limits_lab, self._limits_told = lab, set()
        for reason in sorted(hit - self._limits_told):  # each limit once per lab, when first hit
            self._limits_told.add(reason)
            self.notify(limit_notice(reason), severity="warning", timeout=30)

    def action_restart_lab(self) -> None:
        if self.lab_factory is None:
            self.notify(strings.LAB_NOT_RUNNING, severity="warning")
            return
        self.notify(strings.LAB_RESTARTING)
        session = getattr(self.screen, "session", None)  # a lesson screen's: its lesson's lab
        self._replace_lab(getattr(session, "lesson", None))

    def on_unmount(self) -> None:
        self._lab_wanted = object()  # a lab still starting is closed when it arrives
        self._lab_settled.set()  # nobody waits for a lab any more
        if self.lab is not None:
            self.lab.close()
            self.lab = None
        if self._progress is not None:
            self._progress.close()  # the last events go out before the tutor ends

    def action_toggle_outage(self) -> None:
        if self.lab is None:
            self.notify(self.lab_problem or strings.LAB_NOT_RUNNING, severity="warning")
        elif not self.lab.can_cut:
            self.notify(strings.LAB_CUT_UNSUPPORTED, severity="warning")
        else:
            try:
                self._toggle_outage()
            except Exception as problem:  # noqa: BLE001 - e.g. a native broker that does not come back
                self.notify(
                    strings.LAB_OUTAGE_FAILED.format(problem=f"{type(problem).__name__}: {problem}"), severity="error"
                )

    def _toggle_outage(self) -> None:
        if self.lab.reachable:
            self.lab.cut()
            self.notify(strings.LAB_CUT.format(key="F12"), severity="warning")
        else:
            self.lab.restore()
            self.notify(strings.LAB_RESTORED.format(bootstrap=self.lab.bootstrap_servers))

    def on_lesson_chosen(self, message: LessonChosen) -> None:
        lesson = self.course.find(message.lesson_id)
        if lesson is None:
            return
        status = unlocks.lesson_status(lesson, self.course, self.store.all_passed())
        if isinstance(lesson, BrokenLesson):
            self.notify(strings.LESSON_BROKEN, severity="error")
        elif status is unlocks.LessonStatus.LOCKED:
            missing = quoted_titles(self.course, lesson.prerequisites)
            self.notify(strings.LESSON_LOCKED.format(lessons=missing), severity="warning")
        else:
            from cdc_tutor.course.session import LessonSession  # the checks' code: not for the catalog
            from cdc_tutor.ui.screens.lesson import LessonScreen

            self.push_screen(LessonScreen(LessonSession(lesson, self.store, self.progress_observer())))

    def on_lesson_completed(self, _message: LessonCompleted) -> None:
        self._refresh_catalog()

    def on_lesson_reset(self, _message: LessonReset) -> None:
        self._refresh_catalog()

    def on_step_reset(self, _message: StepReset) -> None:
        self._refresh_catalog()

    def _refresh_catalog(self) -> None:
        """Progress changed under the catalog: its marks and locks are redrawn now, not on return."""
        for screen in self.screen_stack:
            if isinstance(screen, CatalogScreen):
                screen.refresh_catalog()

    def action_help(self) -> None:
        from cdc_tutor.ui.screens.document import DocumentScreen

        if isinstance(self.screen, DocumentScreen):
            return
        keys = bindings_table([*self.screen.BINDINGS, *self.BINDINGS, *getattr(self.screen, "HELP_ONLY", [])])
        self.push_screen(DocumentScreen(strings.HELP_TITLE, strings.HELP_TEXT.format(keys=keys)))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        # Every action of the current screen and the app is in the palette, under its Russian name.
        for binding in [*screen.BINDINGS, *self.BINDINGS]:
            if binding.description and binding.action != "command_palette":
                target = screen if any(b is binding for b in screen.BINDINGS) else self
                action = partial(self.call_later, target.run_action, binding.action)  # run_action is async
                yield SystemCommand(binding.description, binding.key, action)
        # Textual's own commands, in Russian; its key panel and SVG screenshot are left out (F1 is help).
        yield SystemCommand(strings.PALETTE_THEME, strings.PALETTE_THEME_HELP, self.action_change_theme)
        if screen.maximized is not None:
            yield SystemCommand(strings.PALETTE_MINIMIZE, strings.PALETTE_MINIMIZE_HELP, screen.action_minimize)
        elif screen.focused is not None and screen.focused.allow_maximize:
            yield SystemCommand(strings.PALETTE_MAXIMIZE, strings.PALETTE_MAXIMIZE_HELP, screen.action_maximize)

    def action_command_palette(self) -> None:
        from textual.command import CommandPalette

        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(CommandPalette(placeholder=strings.PALETTE_PLACEHOLDER, id="--command-palette"))
