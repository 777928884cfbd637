"""DataFrames and Series reach the core as FrameViews, from display() and from a last expression."""

from __future__ import annotations

from cdc_tutor.kernel import FRAME_MIME, DisplayOutput, KernelSession

SETUP = (
    "import pandas as pd\nevents = pd.DataFrame({'id': [1, 2, 3], 'op': ['c', 'u', 'd'], 'price': [1.5, 2.0, None]})"
)


def test_display_and_last_expression_give_frame_views(kernel: KernelSession) -> None:
    assert kernel.execute(SETUP).ok
    streamed: list[DisplayOutput] = []
    result = kernel.execute(
        "display(events)\nevents[events.op != 'd']",
        on_event=lambda e: isinstance(e, DisplayOutput) and streamed.append(e),
    )
    assert result.ok
    shown, last = result.frames
    assert streamed == result.displays and [d.is_result for d in result.displays] == [False, True]
    assert shown.kind == "frame" and shown.shape == (3, 3)
    assert shown.columns == ["id", "op", "price"]
    assert shown.dtypes == ["int64", "str", "float64"]  # pandas 3 infers the str dtype
    assert shown.rows == [["1", "c", "1.5"], ["2", "u", "2.0"], ["3", "d", "nan"]]
    assert shown.index == ["0", "1", "2"] and shown.total_rows == 3 and not shown.truncated
    assert last.shape == (2, 3) and last.column("op") == ["c", "u"]
    assert "text/plain" in result.displays[0].data and FRAME_MIME in result.displays[0].data


def test_large_frames_are_truncated_and_say_so(kernel: KernelSession) -> None:
    result = kernel.execute("import pandas as pd\npd.DataFrame({'n': range(10_000)})")
    frame = result.frames[0]
    assert frame.shape == (10_000, 1) and frame.total_rows == 10_000
    assert frame.truncated and frame.shown_rows == kernel.limits.frame_rows
    assert frame.rows[-1] == [str(kernel.limits.frame_rows - 1)]


def test_series_show_as_one_column(kernel: KernelSession) -> None:
    result = kernel.execute("import pandas as pd\npd.Series(['a', 'b'], name='letters', index=['x', 'y'])")
    series = result.frames[0]
    assert series.kind == "series" and series.shape == (2,)
    assert series.name == "letters" and series.columns == ["letters"] and series.dtypes == ["str"]
    assert series.rows == [["a"], ["b"]] and series.index == ["x", "y"]


def test_other_objects_have_no_frame(kernel: KernelSession) -> None:
    result = kernel.execute("{'a': 1}")
    assert result.ok and result.frames == [] and result.result.text == "{'a': 1}"
