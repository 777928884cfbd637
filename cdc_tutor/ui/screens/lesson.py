"""The lesson screen: lesson text beside the live panes, the step bar below."""

from __future__ import annotations

import subprocess
from collections.abc import Callable

from textual import on
from textual.app import ComposeResult, SuspendNotSupported
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Markdown, TabbedContent

from cdc_tutor import strings
from cdc_tutor.course.checkpoints import KINDS
from cdc_tutor.course.context import default_user
from cdc_tutor.course.session import FAILURES_BEFORE_SOLUTION, LessonSession
from cdc_tutor.practice.exercise_files import ExerciseFiles, external_editor_command
from cdc_tutor.ui import messages
from cdc_tutor.ui.lesson_kernel import LessonKernel, run_outcome
from cdc_tutor.ui.screens.confirm import ConfirmScreen
from cdc_tutor.ui.screens.document import DocumentScreen
from cdc_tutor.ui.widgets.code_pane import CodePane
from cdc_tutor.ui.widgets.lesson_panes import LessonPanes
from cdc_tutor.ui.widgets.lesson_text import LessonText
from cdc_tutor.ui.widgets.snippet_bar import SnippetBar
from cdc_tutor.ui.widgets.source_pane import SourcePane
from cdc_tutor.ui.widgets.step_bar import StepBar
from cdc_tutor.ui.widgets.topic_pane import TopicPane

NARROW_WIDTH = 100  # below this the panes share the screen with the text by toggling (F9)
SHORT_HEIGHT = 30  # below this the checkpoint list scrolls in fewer lines, so the input stays visible
CODE_ACTIONS = frozenset(
    {
        "run_snippet",
        "run_step",
        "next_snippet",
        "previous_snippet",
        "interrupt",
        "restart_kernel",
        "edit_code",
        "external_editor",
        "reset_cell",
        "insert_solution",
    }
)

# Notices about the kernel's state at one moment: stale once it runs, finishes or restarts.
STALE_NOTICES = frozenset({strings.INTERRUPT_SENT, strings.NOTHING_RUNS, strings.NO_SNIPPET_IN_STEP})


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

    # F-keys and Ctrl+letters both survive SSH and tmux; letters alone would go to the input, and
    # so would Ctrl+E/X/K/C (end, cut, kill, copy). Ctrl+B is tmux's prefix. Ctrl+Z stops the running
    # code as it stops a job in a shell (the terminal is raw: it is a key here, not a signal).
    BINDINGS = [
        Binding("f2,ctrl+t", "check", strings.ACTION_CHECK),
        Binding("f3,ctrl+g", "hint", strings.ACTION_HINT),
        Binding("f4,ctrl+o", "solution", strings.ACTION_SOLUTION),
        Binding("f5", "run_snippet", strings.ACTION_RUN_SNIPPET),
        Binding("ctrl+s", "run_step", strings.ACTION_RUN_STEP),
        Binding("ctrl+z", "interrupt", strings.ACTION_INTERRUPT),
        Binding("ctrl+n", "next_snippet", strings.ACTION_NEXT_SNIPPET, show=False),
        Binding("ctrl+l", "previous_snippet", strings.ACTION_PREV_SNIPPET, show=False),
        Binding("ctrl+f", "restart_kernel", strings.ACTION_RESTART_KERNEL, show=False),
        Binding("f6,ctrl+r", "reset_step", strings.ACTION_RESET_STEP),
        Binding("f7", "previous_step", strings.ACTION_PREV_STEP),
        Binding("f8", "next_step", strings.ACTION_NEXT_STEP),
        Binding("f9", "toggle_panes", strings.ACTION_TOGGLE_PANES),
        Binding("alt+p", "next_pane", strings.ACTION_NEXT_PANE, show=False),
        Binding("escape", "back", strings.ACTION_BACK),
        Binding("ctrl+y", "reset_lesson", strings.ACTION_RESET_LESSON, show=False),
        # The code editor: Ctrl+E goes to it and back (priority: TextArea and Input read it as "end").
        Binding("ctrl+e", "edit_code", strings.ACTION_EDIT_CODE, priority=True),
        Binding("alt+e", "external_editor", strings.ACTION_EXTERNAL_EDITOR, show=False),
        Binding("alt+s", "reset_cell", strings.ACTION_RESET_CELL, show=False),
        Binding("alt+i", "insert_solution", strings.ACTION_INSERT_SOLUTION, show=False),
        Binding("alt+t", "insert_task_sql", strings.ACTION_INSERT_TASK_SQL, show=False),
    ]

    # Keys the editor itself takes, listed in F1 help (CodeEditor binds them).
    HELP_ONLY = [
        Binding("ctrl+underscore,alt+u", "undo", strings.ACTION_UNDO),
        Binding("alt+r", "redo", strings.ACTION_REDO),
        Binding("alt+a", "select_all", strings.ACTION_SELECT_ALL),
        *TopicPane.HELP,
    ]

    def __init__(self, session: LessonSession) -> None:
        super().__init__()
        self.session = session
        self.notice = ""
        self.kernel: LessonKernel | None = None
        self.checking = False  # a kernel/Kafka check runs in a worker; the step must not change meanwhile

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="lesson-body"):
            with VerticalScroll(id="text-column"):
                yield LessonText(id="lesson-text")
            lesson = self.session.lesson
            files = ExerciseFiles(self.app.settings_or_default().data_dir, lesson.id)
            yield LessonPanes(lesson, files, id="panes")
        yield SnippetBar(id="snippet-bar")
        yield StepBar(id="step-bar")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = self.session.lesson.title
        self._apply_size(self.app.size.width, self.app.size.height)
        panes = self.query_one(LessonPanes)
        self.kernel = LessonKernel(
            self,
            self.session.lesson,
            panes.query_one("#output-pane"),
            panes.query_one("#frame-pane"),
            panes.query_one("#windows-pane"),
        )
        self.kernel.start()
        self.show_step()
        self.query_one("#answer", Input).focus()

    def on_unmount(self) -> None:
        if self.code_pane is not None:
            self.code_pane.flush()  # the student's last keystrokes are theirs too
        if self.kernel is not None:
            self.kernel.close()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Lessons without code neither show nor take the code keys.
        return not (action in CODE_ACTIONS and (self.kernel is None or not self.kernel.wanted))

    def on_resize(self, event) -> None:
        self._apply_size(event.size.width, event.size.height)

    def _apply_size(self, width: int, height: int) -> None:
        self.set_class(width < NARROW_WIDTH, "narrow")
        self.set_class(height < SHORT_HEIGHT, "short")
        self._show_layout()

    def _show_layout(self) -> None:
        """The line beside the step title says how to reach what the layout hides."""
        toggled = self.has_class("panes-toggled")
        if self.has_class("narrow"):
            hint = strings.LAYOUT_PANES_SHOWN if toggled else strings.LAYOUT_PANES_HIDDEN
        else:
            hint = strings.LAYOUT_PANES_HIDDEN if toggled else strings.LAYOUT_PANES_BESIDE
        self.query_one(StepBar).show_layout(hint)

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
        bar = self.query_one(StepBar)
        bar.show(title, views, active.id if active else None, needs_input, self.notice, self.user)
        if active is not None and not needs_input:  # a check of live state: nothing to type, F2 judges it
            self.query_one("#answer", Input).placeholder = strings.CHECK_BY_KEY
        self.query_one(SnippetBar).show(session.step)
        self._show_selected_cell()
        for pane in self.query(SourcePane):  # what the step asks the student to run in «База»
            pane.offer(session.task_sql(views))
        if self.focused is None:  # the answer field was disabled under the keys: they scroll the text now
            self.call_after_refresh(self._focus_somewhere)

    def _focus_somewhere(self) -> None:
        """Keys never go nowhere: to the text when it shows, else to the pane in front."""
        if self.focused is not None:
            return
        if self.query_one("#text-column").display:
            self.query_one("#text-column").focus()
            return
        tabs = self.query_one("#pane-tabs", TabbedContent)
        pane = tabs.get_pane(tabs.active)
        target = next((widget for widget in pane.query("*") if widget.focusable), None)
        if target is not None:
            target.focus()

    @property
    def user(self) -> str:
        """The student's prefix, as checks and the kernel put it in place of `{user}`."""
        return getattr(self.app.settings_or_default(), "user", None) or default_user()

    @property
    def code_pane(self) -> CodePane | None:
        found = self.query(CodePane)
        return found.first() if found else None

    def _show_selected_cell(self) -> None:
        pane = self.code_pane
        if pane is not None:
            step = self.session.step
            pane.show_cell(step, self.query_one(SnippetBar).selected(step))

    def on_code_pane_notice(self, message: CodePane.Notice) -> None:
        self._say(message.text)

    def _say(self, notice: str) -> None:
        self.notice = notice
        self.show_step(reload_text=False)

    # -- actions -------------------------------------------------------------------------------

    @on(Input.Submitted, "#answer")
    def _answer_submitted(self) -> None:
        self.action_check()

    def action_check(self) -> None:
        session = self.session
        if self.checking:
            self._say(strings.CHECK_BUSY)
            return
        checkpoint = session.active_checkpoint()
        if checkpoint is None:
            self._say(strings.NO_ACTIVE_CHECKPOINT)
            return
        answer = self.query_one("#answer", Input).value
        if not getattr(KINDS[checkpoint.kind], "needs_context", False):
            self._show_outcome(checkpoint.id, session.check(checkpoint.id, answer))  # instant: no worker
            return
        # Kernel and Kafka checks take up to seconds: evaluated in a worker, the step held still.
        self.checking = True
        self.post_message(messages.CheckpointChecking(session.lesson.id, session.step.id, checkpoint.id))
        self._say(strings.CHECKING)
        self.kernel.check(self.session, checkpoint.id, answer, self._show_outcome)

    def _show_outcome(self, checkpoint_id: str, outcome) -> None:
        self.checking = False
        if isinstance(outcome, str):  # the check itself failed
            self._say(outcome)
            return
        lesson_id, step_id = self.session.lesson.id, self.session.step.id
        if outcome.verdict.passed:
            self.query_one("#answer", Input).value = ""
            self.post_message(messages.CheckpointPassed(lesson_id, step_id, checkpoint_id))
            notice = ""
            if outcome.next_step_unlocked is not None:
                self.post_message(messages.StepUnlocked(lesson_id, outcome.next_step_unlocked))
                notice = strings.NEXT_STEP_OPENED.format(number=outcome.next_step_unlocked + 1)
            elif outcome.step_passed:
                notice = strings.STEP_PASSED
            if outcome.lesson_completed:
                self.post_message(messages.LessonCompleted(lesson_id))
                notice = strings.LESSON_DONE
            if outcome.verdict.waived:  # passed unjudged: the student must know why
                self.notify(outcome.verdict.reason, severity="warning", timeout=20)
            self._say(notice)
            self._focus_answer()  # the next question is the student's next step
        else:
            self.post_message(messages.CheckpointFailed(lesson_id, step_id, checkpoint_id, outcome.verdict.reason))
            self._say("")
            self._focus_answer(select=True)  # the rejected answer stays, selected: typing replaces it

    def _focus_answer(self, select: bool = False) -> None:
        """Keys to the answer field when the active checkpoint takes typed answers."""
        answer = self.query_one("#answer", Input)
        if answer.disabled:
            return
        answer.focus()
        if select:
            answer.select_all()

    # -- code: snippets and the kernel (LessonKernel does the work) ----------------------------

    def action_run_snippet(self) -> None:
        """F5 runs the selected cell as the editor holds it; a given snippet moves on to the next,
        an exercise stays selected (the student runs it again after each fix)."""
        step, bar = self.session.step, self.query_one(SnippetBar)
        snippet = bar.selected(step)
        if snippet is None:
            self._say(strings.NO_SNIPPET_IN_STEP)
        else:
            self._run(step, [snippet.index])
            if not snippet.is_exercise:
                bar.select(step, bar.position(step) + 1)
                self._show_selected_cell()

    def action_run_step(self) -> None:
        step = self.session.step
        if step.snippets:
            self._run(step, [snippet.index for snippet in step.snippets])
        else:
            self._say(strings.NO_SNIPPET_IN_STEP)

    def _run(self, step, indexes: list[int]) -> None:
        panes = self.query_one(LessonPanes)
        pane = self.code_pane
        codes = {}
        if pane is not None:
            pane.flush()
            codes = {i: pane.code_for(step, step.snippet(i)) for i in indexes if step.snippet(i).is_exercise}
        if panes.active_tab != "output":  # a run brings its output forward; its notes name the other tabs
            # Keys in the tab going out of sight (the editor, «База»'s input) go where the student
            # looks next; keys in the text or the answer stay where they are.
            # First the keys, then the tab: a TabbedContent shows the pane of whatever gains focus,
            # and Textual refocusing away from a widget it hides would bring that pane back.
            if self.focused is not None and panes in self.focused.ancestors:
                self._focus_after_run()
            panes.show_tab("output")
        if self.kernel.run(step, indexes, codes):
            self.query_one(SnippetBar).mark(step.id, indexes, "queued")
            self._clear_stale()
        else:
            self._say(strings.KERNEL_FAILED.format(problem=self.kernel.problem))

    def _focus_after_run(self) -> None:
        """The answer field when there is a question to type; else the output the run writes."""
        answer = self.query_one("#answer", Input)
        if not answer.disabled:
            answer.focus()
        else:
            self.query_one("#output-log").focus()

    def action_next_snippet(self, delta: int = 1) -> None:
        """Ctrl+N/Ctrl+L: the student picked a cell to read or write: it opens in the editor, keys there."""
        bar = self.query_one(SnippetBar)
        bar.select(self.session.step, bar.position(self.session.step) + delta)
        self._show_selected_cell()
        if self.code_pane is not None:
            self._to_editor()

    def action_previous_snippet(self) -> None:
        self.action_next_snippet(-1)

    def action_interrupt(self) -> None:
        interrupted = self.kernel.interrupt()
        self.query_one(SnippetBar).forget("queued")
        self._say(strings.INTERRUPT_SENT if interrupted else strings.NOTHING_RUNS)

    def action_restart_kernel(self) -> None:
        self._after_confirmation(strings.KERNEL_RESTART_QUESTION, self.kernel.restart)

    def on_snippet_started(self, message: messages.SnippetStarted) -> None:
        self.query_one(SnippetBar).mark(message.step_id, [message.index], "running")

    def on_snippet_finished(self, message: messages.SnippetFinished) -> None:
        bar = self.query_one(SnippetBar)
        bar.mark(message.step_id, [message.index], message.status)
        if self.notice == strings.INTERRUPT_SENT:  # what the interrupt did replaces that it was sent
            self._say(run_outcome(message.result)[0])
        self._clear_stale()
        if message.status != "ok":
            bar.forget("queued")  # the queue stops at the first failure
            if self.has_class("narrow") and not self.has_class("panes-toggled"):  # the output is out of sight
                self._say(strings.RUN_SEE_PANES.format(status=run_outcome(message.result)[0]))

    def on_streams_stopped(self, message: messages.StreamsStopped) -> None:
        if message.problem:
            self._say(strings.STREAMS_STOP_FAILED.format(problem=message.problem))
        elif message.count:
            self._say(strings.STREAMS_STOPPED.format(count=message.count))

    def on_kernel_stuck(self, _message: messages.KernelStuck) -> None:
        """Ctrl+Z cannot reach code blocked inside C: offer the restart at once."""
        self._after_confirmation(strings.KERNEL_STUCK_QUESTION, self.kernel.restart)

    def on_kernel_restarted(self, _message: messages.KernelRestarted) -> None:
        self.query_one(SnippetBar).forget()  # a fresh kernel has run nothing
        self._clear_stale()

    def _clear_stale(self) -> None:
        """A notice about the kernel's last state goes once the kernel moved on (a run, a restart)."""
        if self.notice in STALE_NOTICES:
            self._say("")

    # -- the code editor ------------------------------------------------------------------------

    def action_edit_code(self) -> None:
        """Ctrl+E: to the editor (the code tab in front; on a narrow screen, instead of the text);
        pressed in the editor, back to the text and the answer field."""
        pane = self.code_pane
        if pane is None:
            return
        if pane.editor.has_focus:
            if self.has_class("narrow"):
                self.remove_class("panes-toggled")
                self._show_layout()
            answer = self.query_one("#answer", Input)
            # Back to the question when there is one to type; else to the text, whose keys scroll it.
            (self.query_one("#text-column") if answer.disabled else answer).focus()
            return
        self._to_editor()

    def _to_editor(self) -> None:
        """The code tab in front (on a narrow screen, instead of the text) and the keys in the editor."""
        self.query_one(LessonPanes).show_tab("code")
        if self.has_class("narrow"):
            self.add_class("panes-toggled")
            self._show_layout()
        self.query_one(CodePane).editor.focus()

    def action_external_editor(self) -> None:
        """Alt+E: the exercise in $VISUAL/$EDITOR; the tutor waits and reads the file back."""
        pane = self.code_pane
        if pane is None or pane.cell is None:
            self._say(strings.EXTERNAL_EDITOR_NOT_EXERCISE)
            return
        pane.flush(force=True)
        path = pane.cell.files.path(pane.cell.exercise)
        command = external_editor_command(path)
        if command is None:
            self._say(strings.EXTERNAL_EDITOR_NONE.format(path=path))
            return
        try:
            with self.app.suspend():
                finished = subprocess.run(command, check=False)
        except SuspendNotSupported:
            self._say(strings.EXTERNAL_EDITOR_NO_SUSPEND.format(path=path))
            return
        except OSError as error:
            self._say(strings.EXTERNAL_EDITOR_FAILED.format(command=command[0], error=error.strerror or error))
            return
        pane.reload()
        if finished.returncode != 0:
            self._say(strings.EXTERNAL_EDITOR_EXIT.format(command=command[0], code=finished.returncode))

    def action_reset_cell(self) -> None:
        pane = self.code_pane
        if pane is None or pane.cell is None:
            self._say(strings.EXTERNAL_EDITOR_NOT_EXERCISE)
            return
        question = strings.RESET_CELL_QUESTION.format(exercise=pane.cell.exercise)
        self._after_confirmation(question, lambda: (pane.reset_to_starter(), self._say(strings.RESET_CELL_DONE)))

    def action_insert_solution(self) -> None:
        session, pane = self.session, self.code_pane
        if pane is None or pane.cell is None:
            self._say(strings.EXTERNAL_EDITOR_NOT_EXERCISE)
            return
        if not session.solution_available():
            self._say(strings.SOLUTION_LOCKED.format(count=FAILURES_BEFORE_SOLUTION, failures=session.failures()))
            return
        pane.insert_solution()
        self.post_message(messages.SolutionShown(session.lesson.id, session.step.id))
        self._say(strings.SOLUTION_INSERTED)

    # -- hints, solution, resets, navigation ---------------------------------------------------

    def action_hint(self) -> None:
        revealed = self.session.next_hint()
        if revealed is None:
            no_active = self.session.active_checkpoint() is None
            self._say(strings.NO_ACTIVE_CHECKPOINT if no_active else strings.NO_MORE_HINTS)
            return
        checkpoint, level, _ = revealed
        self.post_message(messages.HintRevealed(self.session.lesson.id, self.session.step.id, checkpoint.id, level))
        self._say("")

    def action_solution(self) -> None:
        session = self.session
        if not session.solution_available():
            self._say(strings.SOLUTION_LOCKED.format(count=FAILURES_BEFORE_SOLUTION, failures=session.failures()))
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
        if self.checking:
            self._say(strings.CHECK_BUSY)
            return
        if self.session.go_to(index):
            if self.kernel is not None and self.kernel.wanted:
                self.kernel.stop_streams()  # a step's streaming queries end with the step
            self.notice = ""
            self.query_one("#answer", Input).value = ""
            self.show_step()
            self._focus_answer()
        else:
            self._say(strings.STEP_LOCKED.format(number=index + 1))

    def action_toggle_panes(self) -> None:
        self.toggle_class("panes-toggled")
        self._show_layout()

    def _bring_panes_in_sight(self) -> bool:
        """Show the panes where the layout hides them (a narrow screen); whether they were hidden."""
        hidden = self.has_class("narrow") != self.has_class("panes-toggled")
        if hidden:
            self.toggle_class("panes-toggled")
            self._show_layout()
        return hidden

    def action_next_pane(self) -> None:
        """Alt+P: the panes in sight first (a narrow screen hides them), then their next tab."""
        if not self._bring_panes_in_sight():
            self.query_one(LessonPanes).next_tab()

    def action_insert_task_sql(self) -> None:
        """Alt+T: «База» in sight, with the SQL the step asks for in its input (not run)."""
        self._bring_panes_in_sight()
        self.query_one(LessonPanes).show_tab("source")
        self.query_one(SourcePane).insert_task_sql()

    def action_back(self) -> None:
        self.dismiss(None)
