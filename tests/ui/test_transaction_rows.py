"""A lab with transaction metadata (`lab: {transactionMetadata: true}`): a change the student makes
in the source shows in the topic pane framed by its BEGIN and END rows, END with its event counts,
read from the rendered screen at 80x24."""

from __future__ import annotations

from cdc_tutor.lab import EmbeddedLab, LabOptions
from cdc_tutor.ui.widgets.event_list import EventList

from .test_exercise_editor import screen_text
from .test_topic_pane import PaneApp, _until


async def test_begin_and_end_rows_frame_the_students_transaction():
    with EmbeddedLab(LabOptions(workload=False, transaction_metadata=True)) as lab:
        app = PaneApp(lab)
        async with app.run_test(size=(80, 24)) as pilot:
            events = app.query_one(EventList)
            assert await _until(pilot, lambda: len(events.entries) >= 16, 30)  # the snapshot: no BEGIN/END
            assert not any(entry.op in ("BEGIN", "END") for entry in events.entries)
            result = lab.database.execute_script(
                "UPDATE customers SET last_name = 'Tx' WHERE id = 1002; UPDATE orders SET quantity = 5 WHERE id = 10001"
            )
            assert result.ok, result.error
            assert await _until(pilot, lambda: "■" in screen_text(app) and "▶" in screen_text(app), 30)
            screen = screen_text(app)
            end_row = next(line for line in screen.splitlines() if "■" in line)
            assert "transaction" in end_row and "events=2" in end_row
            assert "битых 0" in screen
