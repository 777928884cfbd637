"""The lesson screen: lesson text beside the live panes, the step bar below."""

from __future__ import annotations

from typing import Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Markdown

from cdc_tutor import strings
from cdc_tutor.course.checkpoints import KINDS
from cdc_tutor.course.session import FAILURES_BEFORE_SOLUTION, LessonSession
from cdc_tutor.ui import messages
from cdc_tutor.ui.screens.confirm import ConfirmScreen
from cdc_tutor.ui.screens.document import DocumentScreen
from cdc_tutor.ui.widgets.lesson_panes import LessonPanes
from cdc_tutor.ui.widgets.step_bar import StepBar

NARROW_WIDTH = 100  # below this the panes share the screen with the text by toggling (F9)
SHORT_HEIGHT = 30  # below this the checkpoint list scrolls in fewer lines, so the input stays visible


def lesson_markdown(session: LessonSession) -> str:
    """The text of the current step, with the lesson's introduction on the first step."""
    lesson, step, index = session.lesson, session.step, session.index
    parts = [f"# {lesson.title}"]
    if index == 0 and lesson.intro:
        parts.append(lesson.intro)
    if not step.text.lstrip().startswith("#"):  # the section has no heading of its own: add one
        parts.append(f"## {strings.STEP_TITLE.format(number=index + 1, total=len(lesson.steps), title=step.title)}")
    parts.append(step.text)
    return "\n\n".join(parts)


class LessonScreen(Screen[None]):
    """Routes the student's keys to the `LessonSession` and shows what it answers."""

    # F-keys and Ctrl+letters both survive SSH and tmux; letters alone would go to the input.
    BINDINGS = [
        Binding("f2,ctrl+t", "check", strings.ACTION_CHECK),
        Binding("f3,ctrl+g", "hint", strings.ACTION_HINT),
        Binding("f4,ctrl+o", "solution", strings.ACTION_SOLUTION),
        Binding("f6,ctrl+r", "reset_step", strings.ACTION_RESET_STEP),
        Binding("f7", "previous_step", strings.ACTION_PREV_STEP),
        Binding("f8", "next_step", strings.ACTION_NEXT_STEP),
        Binding("f9", "toggle_panes", strings.ACTION_TOGGLE_PANES),
        Binding("escape", "back", strings.ACTION_BACK),
        Binding("ctrl+y", "reset_lesson", strings.ACTION_RESET_LESSON, show=False),
    ]

    def __init__(self, session: LessonSession) -> None:
        super().__init__()
        self.session = session
        self.notice = ""

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="lesson-body"):
            with VerticalScroll(id="text-column"):
                yield Markdown(id="lesson-text")
            yield LessonPanes(self.session.lesson, id="panes")
        yield StepBar(id="step-bar")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = self.session.lesson.title
        self._apply_size(self.app.size.width, self.app.size.height)
        self.show_step()
        self.query_one("#answer", Input).focus()

    def on_resize(self, event) -> None:
        self._apply_size(event.size.width, event.size.height)

    def _apply_size(self, width: int, height: int) -> None:
        self.set_class(width < NARROW_WIDTH, "narrow")
        self.set_class(height < SHORT_HEIGHT, "short")

    # -- showing -------------------------------------------------------------------------------

    def show_step(self, reload_text: bool = True) -> None:
        session = self.session
        if reload_text:
            self.query_one("#lesson-text", Markdown).update(lesson_markdown(session))
            self.query_one("#text-column").scroll_home(animate=False)
        views = session.views()
        active = session.active_checkpoint(views)
        needs_input = active is not None and KINDS[active.kind].needs_input
        title = strings.STEP_TITLE.format(
            number=session.index + 1, total=len(session.lesson.steps), title=session.step.title
        )
        self.query_one(StepBar).show(title, views, active.id if active else None, needs_input, self.notice)

    def _say(self, notice: str) -> None:
        self.notice = notice
        self.show_step(reload_text=False)

    # -- actions -------------------------------------------------------------------------------

    @on(Input.Submitted, "#answer")
    def _answer_submitted(self) -> None:
        self.action_check()

    def action_check(self) -> None:
        session = self.session
        checkpoint = session.active_checkpoint()
        if checkpoint is None:
            self._say(strings.NO_ACTIVE_CHECKPOINT)
            return
        answer_input = self.query_one("#answer", Input)
        lesson_id, step_id = session.lesson.id, session.step.id
        outcome = session.check(checkpoint.id, answer_input.value)
        if outcome.verdict.passed:
            answer_input.value = ""
            self.post_message(messages.CheckpointPassed(lesson_id, step_id, checkpoint.id))
            notice = ""
            if outcome.next_step_unlocked is not None:
                self.post_message(messages.StepUnlocked(lesson_id, outcome.next_step_unlocked))
                notice = strings.NEXT_STEP_OPENED.format(number=outcome.next_step_unlocked + 1)
            elif outcome.step_passed:
                notice = strings.STEP_PASSED
            if outcome.lesson_completed:
                self.post_message(messages.LessonCompleted(lesson_id))
                notice = strings.LESSON_DONE
            self._say(notice)
        else:
            self.post_message(
                messages.CheckpointFailed(lesson_id, step_id, checkpoint.id, outcome.verdict.reason)
            )
            self._say("")

    def action_hint(self) -> None:
        revealed = self.session.next_hint()
        if revealed is None:
            no_active = self.session.active_checkpoint() is None
            self._say(strings.NO_ACTIVE_CHECKPOINT if no_active else strings.NO_MORE_HINTS)
            return
        checkpoint, level, _ = revealed
        self.post_message(messages.HintRevealed(self.session.lesson.id, self.session.step.id,
                                                checkpoint.id, level))
        self._say("")

    def action_solution(self) -> None:
        session = self.session
        if not session.solution_available():
            self._say(strings.SOLUTION_LOCKED.format(count=FAILURES_BEFORE_SOLUTION,
                                                     failures=session.failures()))
            return
        self.post_message(messages.SolutionShown(session.lesson.id, session.step.id))
        title = strings.SOLUTION_TITLE.format(title=session.step.title)
        self.app.push_screen(DocumentScreen(title, session.step.solution))

    def _after_confirmation(self, question: str, then: Callable[[], None]) -> None:
        """Ask first: resets forget progress."""
        self.app.push_screen(ConfirmScreen(question), lambda confirmed: then() if confirmed else None)

    def action_reset_step(self) -> None:
        step = self.session.step

        def reset() -> None:
            self.session.reset_step()
            self.query_one("#answer", Input).value = ""
            self.post_message(messages.StepReset(self.session.lesson.id, step.id))
            self._say(strings.RESET_DONE)

        self._after_confirmation(strings.RESET_STEP_QUESTION.format(title=step.title), reset)

    def action_reset_lesson(self) -> None:
        lesson = self.session.lesson

        def reset() -> None:
            self.session.reset_lesson()
            self.query_one("#answer", Input).value = ""
            self.post_message(messages.LessonReset(lesson.id))
            self.notice = strings.RESET_LESSON_DONE
            self.show_step()

        self._after_confirmation(strings.RESET_LESSON_QUESTION.format(title=lesson.title), reset)

    def action_previous_step(self) -> None:
        self._go(self.session.index - 1)

    def action_next_step(self) -> None:
        self._go(self.session.index + 1)

    def _go(self, index: int) -> None:
        if index >= len(self.session.lesson.steps) or index < 0:
            return
        if self.session.go_to(index):
            self.notice = ""
            self.query_one("#answer", Input).value = ""
            self.show_step()
        else:
            self._say(strings.STEP_LOCKED.format(number=index + 1))

    def action_toggle_panes(self) -> None:
        self.toggle_class("panes-toggled")

    def action_back(self) -> None:
        self.dismiss(None)
