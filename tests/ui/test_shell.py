"""The shell around lessons: help, command palette, narrow terminals, broken lessons, notices."""

from __future__ import annotations

import shutil

from textual.widgets import Markdown

from cdc_tutor import strings
from cdc_tutor.course.loader import load_course
from cdc_tutor.course.progress import ProgressStore
from cdc_tutor.ui.screens.catalog import CatalogScreen
from cdc_tutor.ui.screens.document import DocumentScreen
from cdc_tutor.ui.screens.lesson import LessonScreen

from .conftest import FIXTURE_COURSE
from .test_walk import FIRST, open_lesson, option_text


async def test_f1_help_lists_the_keys_of_the_screen(make_app):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_lesson(pilot, FIRST)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, DocumentScreen)
        help_text = app.screen.markdown
        for expected in ("| F2 / Ctrl+T | Проверить |", "| F3 / Ctrl+G | Подсказка |", "F1", "Ctrl+Q"):
            assert expected in help_text
        # The topic pane's keys and the pane-tab key, which the screen's bindings do not list.
        for expected in (strings.HELP_TAIL_PAUSE, strings.HELP_TAIL_TABLE, strings.HELP_TAIL_RESET):
            assert expected in help_text
        assert strings.ACTION_NEXT_PANE in help_text
        assert "| Space |" in help_text and "| Alt+P |" in help_text
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, LessonScreen)


async def test_palette_offers_every_action_of_the_screen(make_app):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_lesson(pilot, FIRST)
        titles = {command.title for command in app.get_system_commands(app.screen)}
        for binding in LessonScreen.BINDINGS:
            assert binding.description in titles
        assert strings.ACTION_HELP in titles and strings.ACTION_QUIT in titles
        hint = next(c for c in app.get_system_commands(app.screen) if c.title == strings.ACTION_HINT)
        hint.callback()
        await pilot.pause()
        assert (
            app.screen.session.store.hint_level(
                FIRST, app.screen.session.step.id, app.screen.session.step.checkpoints[0].id
            )
            == 1
        )


async def test_narrow_terminal_toggles_between_text_and_panes(make_app):
    app = make_app()
    async with app.run_test(size=(60, 15)) as pilot:
        await open_lesson(pilot, FIRST)
        panes, text = app.screen.query_one("#panes"), app.screen.query_one("#text-column")
        assert not panes.display and text.display
        await pilot.press("f9")
        await pilot.pause()
        assert panes.display and not text.display
        assert panes.region.width >= 50  # the panes take the whole width, not a sliver
        await pilot.press("f9")
        await pilot.pause()
        assert text.display and not panes.display


async def test_wide_terminal_shows_text_beside_panes(make_app):
    app = make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await open_lesson(pilot, FIRST)
        panes, text = app.screen.query_one("#panes"), app.screen.query_one("#text-column")
        assert panes.display and text.display
        assert text.region.right <= panes.region.x


async def test_broken_lesson_is_listed_with_its_reason_and_others_work(tmp_path, store, make_app):
    root = tmp_path / "course"
    shutil.copytree(FIXTURE_COURSE, root)
    broken = root / "module-1" / "03-broken"
    broken.mkdir()
    (broken / "lesson.md").write_text("---\ntitle: [unclosed\n---\nтекст\n", encoding="utf-8")
    course = load_course(root)
    app = make_app(course_override=course)
    async with app.run_test(size=(100, 30)) as pilot:
        assert strings.STATUS_WORDS["broken"] in option_text(app, "module-1/03-broken")
        await open_lesson(pilot, "module-1/03-broken")
        assert isinstance(app.screen, CatalogScreen)
        details = str(app.screen.query_one("#details").render())
        assert "lesson.md:2" in details
        await open_lesson(pilot, FIRST)
        assert isinstance(app.screen, LessonScreen)


async def test_store_notice_is_shown(tmp_path, make_app):
    progress = tmp_path / "progress.sqlite3"
    progress.write_bytes(b"this is not a database" * 100)
    damaged = ProgressStore.open(progress)
    assert damaged.notices
    app = make_app(store_override=damaged)
    async with app.run_test(size=(100, 30)):
        assert any(damaged.notices[0] == n.message for n in app._notifications)
    damaged.close()


async def test_no_color_is_honoured(monkeypatch, make_app):
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app()
    async with app.run_test(size=(100, 30)):
        assert app.no_color
        # State stays readable without colour: every row carries a mark and a word.
        row = option_text(app, FIRST)
        assert strings.STATUS_MARKS["open"] in row and strings.STATUS_WORDS["open"] in row


async def test_lesson_text_starts_with_intro_on_first_step(make_app, course):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_lesson(pilot, FIRST)
        source = app.screen.query_one("#lesson-text", Markdown).source
        lesson = course.find(FIRST)
        assert source.startswith(f"# {lesson.title}")
        assert lesson.intro.splitlines()[0] in source
        assert lesson.steps[0].text.splitlines()[0] in source
        assert "<!-- step:" not in source


def test_lesson_keys_are_not_swallowed_by_the_answer_input():
    """The answer input and the editor have focus most of the time: a key they bind would never
    reach the screen (unless the screen's binding has priority)."""
    from textual.widgets import Input

    from cdc_tutor.ui.widgets.code_editor import CodeEditor

    # The answer input and the code editor hold the focus most of the time.
    for widget in (Input, CodeEditor):
        widget_keys = set(widget._merge_bindings().key_to_bindings)
        for binding in LessonScreen.BINDINGS:
            if binding.priority:  # checked before the focused widget's bindings
                continue
            for key in binding.key.split(","):
                assert key.strip() not in widget_keys, f"{key} of {binding.action} is taken by {widget.__name__}"


async def test_panes_are_tabs_one_visible_at_a_time(make_app):
    from textual.widgets import TabbedContent

    app = make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await open_lesson(pilot, FIRST)
        tabs = app.screen.query_one("#pane-tabs", TabbedContent)
        assert tabs.active == "pane-topics"
        visible = [pane.id for pane in app.screen.query("TabPane") if pane.display and pane.region.height]
        assert visible == ["pane-topics"]
        tabs.active = "pane-output"
        await pilot.pause()
        assert app.screen.query_one("#pane-output").region.height > 0


async def test_answer_input_stays_visible_on_a_small_terminal(make_app):
    from textual.widgets import Input

    app = make_app()
    async with app.run_test(size=(60, 15)) as pilot:
        await open_lesson(pilot, FIRST)
        for _ in range(3):
            await pilot.press("f3")  # hints and a failure reason make the step bar grow
        await pilot.pause()
        answer = app.screen.query_one("#answer", Input)
        assert answer.region.height == 1 and answer.region.bottom <= 14  # above the footer
