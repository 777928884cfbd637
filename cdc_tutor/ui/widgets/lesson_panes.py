"""The lesson's panes as tabs: the code editor, topics, code output, DataFrame, windows, source database."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static, TabbedContent, TabPane

from cdc_tutor import strings
from cdc_tutor.course.model import Lesson
from cdc_tutor.practice.exercise_files import ExerciseFiles
from cdc_tutor.ui.widgets.code_pane import CodePane
from cdc_tutor.ui.widgets.frame_pane import FramePane
from cdc_tutor.ui.widgets.output_pane import OutputPane
from cdc_tutor.ui.widgets.source_pane import SourcePane
from cdc_tutor.ui.widgets.topic_pane import TopicPane
from cdc_tutor.ui.widgets.windows_pane import WindowsPane

PANE_IDS = ("code", "topics", "output", "dataframe", "windows", "source")


class LessonPanes(Vertical):
    """Tabs whose ids are `pane-<name>` so later capabilities can mount into them."""

    def __init__(self, lesson: Lesson, files: ExerciseFiles, **kwargs) -> None:
        super().__init__(**kwargs)
        self.lesson = lesson
        self.files = files

    def show_tab(self, pane: str) -> None:
        self.query_one("#pane-tabs", TabbedContent).active = f"pane-{pane}"

    def next_tab(self) -> None:
        tabs = self.query_one("#pane-tabs", TabbedContent)
        ids = [pane.id for pane in tabs.query(TabPane) if pane.id]
        tabs.active = ids[(ids.index(tabs.active) + 1) % len(ids)]

    @property
    def active_tab(self) -> str:
        return self.query_one("#pane-tabs", TabbedContent).active.removeprefix("pane-")

    def compose(self) -> ComposeResult:
        topics = ", ".join(self.lesson.live_topics) or strings.NO_TOPICS
        has_code = any(step.snippets for step in self.lesson.steps)
        # A lesson with code opens on the editor; one without has no code tab at all.
        with TabbedContent(id="pane-tabs", initial="pane-code" if has_code else "pane-topics"):
            for pane in PANE_IDS if has_code else PANE_IDS[1:]:
                placeholder = strings.PANE_PLACEHOLDERS[pane].format(topics=topics, engine=self.lesson.engine)
                with TabPane(strings.PANE_TITLES[pane], id=f"pane-{pane}"):
                    if pane == "code":
                        yield CodePane(self.files, id="code-pane")
                    elif pane == "topics":
                        yield TopicPane(self.lesson.live_topics, id="topic-pane")
                    elif pane == "source":
                        yield SourcePane(id="source-pane")
                    elif pane == "output":
                        yield OutputPane(id="output-pane")
                    elif pane == "dataframe":
                        yield FramePane(id="frame-pane")
                    elif pane == "windows":
                        yield WindowsPane(id="windows-pane")
                    else:
                        yield Static(placeholder, classes="pane-placeholder", markup=False)
