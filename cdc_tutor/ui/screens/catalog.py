"""The catalog: every module and lesson with its state; Enter opens a lesson."""

from __future__ import annotations

from collections.abc import Iterable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Header, OptionList, Static

from cdc_tutor import strings
from cdc_tutor.course import unlocks
from cdc_tutor.course.model import BrokenLesson, Course
from cdc_tutor.course.progress import ProgressStore
from cdc_tutor.ui.messages import LessonChosen
from cdc_tutor.ui.widgets.lesson_list import LessonList, LessonRow


def quoted_titles(course: Course, lesson_ids: Iterable[str]) -> str:
    """Lessons as the student knows them, «title», comma-separated; an unknown id stays as it is."""
    titles = []
    for lesson_id in lesson_ids:
        lesson = course.find(lesson_id)
        titles.append(f"«{lesson.title}»" if lesson is not None else lesson_id)
    return ", ".join(titles)


class CatalogScreen(Screen[None]):
    """Lists the course; the details pane explains the highlighted lesson."""

    BINDINGS = [Binding("enter", "open_lesson", strings.ACTION_OPEN, show=True, priority=False)]

    def __init__(self, course: Course, store: ProgressStore) -> None:
        super().__init__()
        self.course = course
        self.store = store

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(strings.CATALOG_TITLE, id="catalog-title")
        yield LessonList(id="lessons")
        yield Static(id="details", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(LessonList).focus()

    def on_screen_resume(self) -> None:
        # Also the first show (a pushed screen resumes once mounted): the list is built once per
        # show, and after a lesson it shows the progress made there.
        self.refresh_catalog()

    def refresh_catalog(self) -> None:
        all_passed = self.store.all_passed()
        modules = []
        for module in self.course.modules:
            rows = []
            for lesson in module.lessons:
                status = unlocks.lesson_status(lesson, self.course, all_passed)
                if isinstance(lesson, BrokenLesson):
                    rows.append(LessonRow(lesson.id, lesson.title, "", None, 0, 0, status.value))
                    continue
                passed, total = unlocks.progress_fraction(lesson, all_passed.get(lesson.id, set()))
                rows.append(
                    LessonRow(
                        lesson.id, lesson.title, lesson.difficulty, lesson.estimated_time, passed, total, status.value
                    )
                )
            modules.append((module.title, rows))
        self.query_one(LessonList).show(modules)
        if not modules:
            self.query_one("#details", Static).update(strings.CATALOG_EMPTY.format(path=self.course.root))
        self._describe(self.query_one(LessonList).highlighted_option)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._describe(event.option)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.post_message(LessonChosen(event.option.id))

    def action_open_lesson(self) -> None:
        option = self.query_one(LessonList).highlighted_option
        if option is not None and option.id:
            self.post_message(LessonChosen(option.id))

    def _describe(self, option) -> None:
        details = self.query_one("#details", Static)
        lesson = self.course.find(option.id) if option is not None and option.id else None
        if lesson is None:
            return
        if isinstance(lesson, BrokenLesson):
            lines = [strings.DETAILS_PROBLEMS, *(f"  {problem}" for problem in lesson.problems)]
        else:
            lines = [lesson.description, strings.DETAILS_TOPICS.format(topics=", ".join(lesson.topics))]
            if lesson.prerequisites:
                titles = quoted_titles(self.course, lesson.prerequisites)
                lines.append(strings.DETAILS_PREREQUISITES.format(lessons=titles))
        if self.course.problems:
            lines.append(strings.COURSE_PROBLEMS.format(count=len(self.course.problems)))
        details.update("\n".join(lines))
