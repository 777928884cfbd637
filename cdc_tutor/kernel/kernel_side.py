"""Runs inside every kernel at start: shows pandas objects as the tutor's frame mimetype.

The session sends this file's source to the kernel, so it imports nothing from cdc_tutor and
stays compatible with the engines' older Pythons and pandas 1.5+. pandas is never imported
here: formatters are registered by type name, so a kernel without pandas works unchanged.
"""

MIME = "application/vnd.cdc-tutor.frame+json"
PANDAS_TYPES = (
    ("pandas", "DataFrame"),  # pandas 3 reports public classes as living in `pandas`
    ("pandas.core.frame", "DataFrame"),
    ("pandas", "Series"),
    ("pandas.core.series", "Series"),
)


def _cell(value, limit):
    try:
        text = str(value)
    except Exception as exc:  # a broken __str__ must not break the display
        text = "<%s>" % type(exc).__name__
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def frame_payload(obj, max_rows=50, max_columns=50, cell_chars=200):
    """The JSON-able description of a DataFrame or Series."""
    is_series = getattr(obj, "ndim", 2) == 1
    frame = obj.to_frame() if is_series else obj
    total_rows, total_columns = frame.shape
    head = frame.iloc[:max_rows, :max_columns]
    index_name = frame.index.name
    return {
        "version": 1,
        "kind": "series" if is_series else "frame",
        "shape": list(obj.shape),
        "columns": [_cell(c, cell_chars) for c in head.columns],
        "dtypes": [str(t) for t in head.dtypes],
        "rows": [[_cell(v, cell_chars) for v in row] for row in head.itertuples(index=False, name=None)],
        "index": [_cell(i, cell_chars) for i in head.index],
        "index_name": None if index_name is None else str(index_name),
        "total_rows": int(total_rows),
        "total_columns": int(total_columns),
        "truncated": bool(total_rows > max_rows or total_columns > max_columns),
        "name": None if not is_series or obj.name is None else str(obj.name),
    }


def register(shell, max_rows=50):
    """Add the frame formatter to an IPython shell's display formatter."""
    from IPython.core.formatters import JSONFormatter
    from traitlets import Unicode

    class FrameFormatter(JSONFormatter):
        format_type = Unicode(MIME)

    def format_pandas(obj):
        try:
            return frame_payload(obj, max_rows=max_rows)
        except Exception:  # fall back to pandas' own text/plain rather than a traceback
            return None

    formatter = FrameFormatter(parent=shell.display_formatter)
    for module, name in PANDAS_TYPES:
        formatter.for_type_by_name(module, name, format_pandas)
    shell.display_formatter.formatters[MIME] = formatter
