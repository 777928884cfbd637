"""SourcePane: SQL typed against the embedded inventory database; its changes become events."""

from __future__ import annotations

from rich.table import Table
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Input, Static

from cdc_tutor import strings

SHOWN_ROWS = 50


class SourcePane(Vertical):
    """Runs SQL in a thread worker (the database lock may wait on the workload), shows the result.

    When the step asks the student to change the source (a check's `studentSql`), the pane
    says so and Alt+T (the lesson screen's key) puts that SQL into the input: nothing runs until
    the student presses Enter.
    """

    task_sql: str | None = None

    # A result keeps its rows one line each and scrolls sideways, rather than wrapping every cell.
    DEFAULT_CSS = """
    SourcePane > #sql-scroll { overflow-x: auto; }
    SourcePane #sql-result.-table { width: auto; min-width: 100%; }
    """

    class Executed(Message):
        """A statement finished; `result` is the source's SqlResult."""

        def __init__(self, sql: str, result) -> None:
            super().__init__()
            self.sql = sql
            self.result = result

    def compose(self) -> ComposeResult:
        yield Input(placeholder=strings.SQL_PLACEHOLDER, id="sql-input")
        with VerticalScroll(id="sql-scroll"):
            yield Static(strings.SQL_INTRO, id="sql-result", markup=False)

    def offer(self, sql: str | None) -> None:
        """The SQL the step asks the student to run here (None: the step asks for none)."""
        if sql == self.task_sql:
            return
        self.task_sql = sql
        if sql is not None:
            self.query_one("#sql-result", Static).update(strings.SQL_TASK_OFFERED.format(sql=sql.strip()))

    def insert_task_sql(self) -> None:
        field = self.query_one("#sql-input", Input)
        if self.task_sql is None:
            self.query_one("#sql-result", Static).update(strings.SQL_NO_TASK)
        else:  # one line: the input is single-line and the statements are split on ';'
            field.value = " ".join(line.strip() for line in self.task_sql.splitlines() if line.strip())
            field.cursor_position = 0
        field.focus()

    @on(Input.Submitted, "#sql-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()  # the lesson screen must not treat it as an answer
        sql = event.value.strip()
        if not sql:
            return
        lab = self.app.lab
        if lab is None:
            self.query_one("#sql-result", Static).update(strings.SQL_NO_LAB)
            return
        if lab.database is None:
            self.query_one("#sql-result", Static).update(strings.SQL_NO_DATABASE)
            return
        self.query_one("#sql-result", Static).update(strings.SQL_RUNNING)
        self._execute(lab, sql)

    @work(thread=True, exclusive=True, group="source-sql", description="SQL")
    def _execute(self, lab, sql: str) -> None:
        self.post_message(self.Executed(sql, lab.database.execute_script(sql)))

    def on_source_pane_executed(self, message: Executed) -> None:
        result = message.result
        output = self.query_one("#sql-result", Static)
        output.set_class(bool(result.ok and result.columns), "-table")
        if not result.ok:
            output.update(strings.SQL_FAILED.format(error=result.error))
            return
        self.query_one("#sql-input", Input).value = ""
        if result.columns:  # a query: its rows are the answer, not a count of changed rows
            summary = strings.SQL_SELECTED.format(total=result.total_rows, changes=result.changes)
        else:
            summary = strings.SQL_DONE.format(rowcount=result.rowcount, changes=result.changes)
        if result.notice:
            summary += " " + result.notice
        if result.total_rows > min(len(result.rows), SHOWN_ROWS):
            summary += " " + strings.SQL_ROWS_CAPPED.format(
                shown=min(len(result.rows), SHOWN_ROWS), total=result.total_rows
            )
        if not result.columns:
            output.update(summary)
            return
        table = Table(title=summary, title_justify="left", expand=False)
        for column in result.columns:
            table.add_column(column, no_wrap=True)
        for row in result.rows[:SHOWN_ROWS]:
            table.add_row(*("NULL" if value is None else str(value) for value in row))
        output.update(table)
