"""WindowsPane: a window job's changelog (+I/-U/+U/-D, coloured) beside the table it produces."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Static

from cdc_tutor import strings
from cdc_tutor.course.changelog import ChangelogError, ChangelogTable, parse_payload
from cdc_tutor.ui.inbox import Inbox

REFRESH_SECONDS = 0.5  # tables are snapshots: redrawn at 2 Hz at most, never per row
SHOWN_CHANGES = 500  # the changelog's last rows shown
SHOWN_ROWS = 1000  # rows of the resulting table shown
OP_STYLES = {"+I": "bold green", "-U": "bold yellow", "+U": "bold cyan", "-D": "bold red"}


def _cell(value: object) -> str:
    return "" if value is None else str(value)


class WindowsPane(Vertical):
    """Workers `put` changelog payloads; each refresh applies them and redraws both tables once."""

    DEFAULT_CSS = """
    WindowsPane { height: 1fr; }
    WindowsPane > #windows-empty { padding: 1; color: $text-muted; }
    WindowsPane > #windows-errors { height: auto; max-height: 3; padding: 0 1; color: $error; }
    WindowsPane > #windows-sides { height: 1fr; }
    WindowsPane #windows-left, WindowsPane #windows-right { width: 1fr; }
    WindowsPane .windows-title { height: auto; max-height: 2; padding: 0 1; text-style: bold; }
    WindowsPane DataTable { height: 1fr; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.inbox: Inbox = Inbox(limit=1000)
        self.table: ChangelogTable | None = None
        self.errors: list[str] = []

    def compose(self) -> ComposeResult:
        yield Static(strings.WINDOWS_EMPTY, id="windows-empty", markup=False)
        yield Static("", id="windows-errors", markup=False)
        with Horizontal(id="windows-sides"):
            with Vertical(id="windows-left"):
                yield Static("", id="changelog-title", classes="windows-title", markup=False)
                yield DataTable(id="changelog-table", cursor_type="row")
            with Vertical(id="windows-right"):
                yield Static("", id="result-title", classes="windows-title", markup=False)
                yield DataTable(id="result-table", zebra_stripes=True, cursor_type="row")

    def on_mount(self) -> None:
        self.query_one("#windows-sides").display = False
        self.query_one("#windows-errors").display = False
        self.set_interval(REFRESH_SECONDS, self.refresh_tables)

    def put(self, payload: object) -> None:
        """From any thread: the raw payload of a changelog display."""
        self.inbox.put(payload)

    def refresh_tables(self) -> None:
        payloads = self.inbox.drain()
        if not payloads:
            return
        self.errors = []
        for raw in payloads:
            try:
                payload = parse_payload(raw)
            except ChangelogError as error:
                self.errors.append(str(error))
                continue
            if self.table is None or payload.reset:
                self.table = ChangelogTable.from_payload(payload)
            else:
                self.table = self.table.extend(payload)
            self.errors.extend(self.table.errors)
            self.table.errors.clear()
        self._show_errors()
        if self.table is not None:
            self.show(self.table)

    def show(self, table: ChangelogTable) -> None:
        self.query_one("#windows-empty").display = False
        self.query_one("#windows-sides").display = True
        changes = table.changes[-SHOWN_CHANGES:]
        hidden = table.changes_dropped + len(table.changes) - len(changes)
        more = strings.WINDOWS_CHANGELOG_MORE.format(shown=len(changes)) if hidden else ""
        self.query_one("#changelog-title", Static).update(
            strings.WINDOWS_CHANGELOG_TITLE.format(count=hidden + len(changes), more=more)
        )
        log = self.query_one("#changelog-table", DataTable)
        log.clear(columns=True)
        log.add_columns("op", *table.columns)
        log.add_rows(
            [
                Text(change.op, style=OP_STYLES.get(change.op, "")),
                *(_cell(change.values.get(name)) for name in table.columns),
            ]
            for change in changes
        )
        log.move_cursor(row=log.row_count - 1)  # the latest change in view
        records = table.records()
        title = strings.WINDOWS_TABLE_TITLE.format(count=len(records))
        if len(records) > SHOWN_ROWS:
            title += " · " + strings.FRAME_SHOWN.format(shown=SHOWN_ROWS, total=len(records))
        self.query_one("#result-title", Static).update(title)
        result = self.query_one("#result-table", DataTable)
        result.clear(columns=True)
        result.add_columns(*table.columns)
        result.add_rows([_cell(value) for value in record] for record in records[:SHOWN_ROWS])

    def _show_errors(self) -> None:
        widget = self.query_one("#windows-errors", Static)
        widget.update("\n".join(self.errors[-3:]))
        widget.display = bool(self.errors)

    def changelog_lines(self) -> list[str]:
        """The changelog as shown, one "op v1 v2..." line per row (for tests and copying)."""
        return _lines(self.query_one("#changelog-table", DataTable))

    def result_lines(self) -> list[str]:
        return _lines(self.query_one("#result-table", DataTable))


def _lines(table: DataTable) -> list[str]:
    return [" ".join(str(cell) for cell in table.get_row(row.key)) for row in table.ordered_rows]
