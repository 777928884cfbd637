"""Which global names lesson code defines and which a checkpoint's expression reads (for lint).

Static and conservative: a name counts as defined when any top-level statement of a cell binds
it (assignments, for/with/except targets, imports, def, class, walrus, `global` in a function).
Code inside functions and classes binds their own locals, which checkpoints never read.
"""

from __future__ import annotations

import ast
import builtins
import re

KERNEL_NAMES = frozenset({"tutor", "In", "Out", "get_ipython", "display", "exit", "quit", "_", "__", "___"})
"""Names every kernel has without lesson code: the tutor module and IPython's own."""
KNOWN_NAMES = KERNEL_NAMES | frozenset(dir(builtins))

_IPYTHON_LINE = re.compile(r"^(\s*)(%|!)")


def defined_names(code: str) -> set[str]:
    """The global names `code` binds; empty when it does not parse (lint reports that elsewhere)."""
    if code.lstrip().startswith("%%"):
        return set()
    source = "\n".join(_IPYTHON_LINE.sub(r"\1pass #", line) for line in code.split("\n"))
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return set()
    found: set[str] = set()
    _collect_bindings(tree, found)
    return found


def _collect_bindings(node: ast.AST, found: set[str]) -> None:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            found.add(child.name)
            found.update(_global_declarations(child))
            continue
        if isinstance(child, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            found.update(_walrus_targets(child))  # `:=` in a comprehension binds in the enclosing scope
            continue
        if isinstance(child, ast.Name) and isinstance(child.ctx, (ast.Store, ast.Del)):
            found.add(child.id)
        elif isinstance(child, (ast.Import, ast.ImportFrom)):
            for alias in child.names:
                found.add((alias.asname or alias.name).split(".")[0])
        elif isinstance(child, ast.ExceptHandler) and child.name:
            found.add(child.name)
        elif isinstance(child, (ast.MatchAs, ast.MatchStar)) and child.name:
            found.add(child.name)
        _collect_bindings(child, found)


def _global_declarations(function: ast.AST) -> set[str]:
    return {name for node in ast.walk(function) if isinstance(node, ast.Global) for name in node.names}


def _walrus_targets(node: ast.AST) -> set[str]:
    return {n.target.id for n in ast.walk(node) if isinstance(n, ast.NamedExpr) and isinstance(n.target, ast.Name)}


def read_names(expression: str) -> set[str]:
    """The free names an expression reads (comprehension and lambda variables excluded)."""
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except (SyntaxError, ValueError):
        return set()
    bound = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)} | {
        arg.arg for node in ast.walk(tree) if isinstance(node, ast.Lambda) for arg in node.args.args
    }
    return {
        node.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id not in bound
    }
