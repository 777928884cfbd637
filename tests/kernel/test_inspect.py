"""Checkpoint helpers: predicates over the kernel's variables, without side effects."""

from __future__ import annotations

from cdc_tutor.kernel import KernelSession, evaluate, variables


def test_evaluate_passes_fails_and_reports_errors(kernel: KernelSession) -> None:
    assert kernel.execute("import pandas as pd\ndf = pd.DataFrame({'op': ['c', 'u', 'd']})").ok
    count = kernel.execute("1").execution_count

    passed = evaluate(kernel, "len(df[df.op == 'd']) > 0")
    failed = evaluate(kernel, "len(df[df.op == 'x']) > 0")
    broken = evaluate(kernel, "len(missing) > 0")

    assert passed.ok and passed.is_true and passed.value_repr == "True"
    assert failed.ok and not failed.is_true and failed.value_repr == "False"
    assert not broken.ok and not broken.is_true
    assert broken.error == "NameError: name 'missing' is not defined"
    assert kernel.execute("1").execution_count == count + 1, "evaluate must not bump execution_count"


def test_evaluate_is_silent(kernel: KernelSession) -> None:
    events: list[object] = []
    result = kernel.execute("", on_event=events.append, silent=True, user_expressions={"v": "print('x') or 3"})
    assert result.user_expressions["v"]["data"]["text/plain"] == "3"
    assert evaluate(kernel, "str(df.op.dtype)").value_repr == "'str'"


def test_variables_lists_user_names_with_types(kernel: KernelSession) -> None:
    kernel.execute("import pandas as pd\norders = pd.DataFrame({'a': [1, 2]})\nlimit = 5")
    found = {v.name: v for v in variables(kernel)}
    assert found["orders"].type_name == "DataFrame" and found["orders"].shape == "(2, 1)"
    assert found["limit"].type_name == "int"
    assert "pd" not in found and "get_ipython" not in found and "In" not in found
    assert not any(name.startswith("_") for name in found)
