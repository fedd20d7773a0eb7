"""Compile Python sources to bytecode; run in the browser's own Python (Pyodide, in Node).

``build_pyodide.py`` runs this in Pyodide (``in_pyodide.mjs``), so the bytecode is the browser's
CPython's own. Usage (inside Pyodide): ``compile_tree.py JOBS``, where ``JOBS`` is a JSON file
under ``/host`` listing ``{"folder": ..., "prefix": ...}``: every ``.py`` under ``folder`` gets a
``.pyc`` beside it (the layout Python imports without the source), whose code names the file as
``prefix/<path in the folder>``, where the browser has it, so a traceback names the file and line.

What is left out to keep the files small (they travel to every first visit): docstrings, as
``python -OO`` leaves them out (asserts stay), and, with ``PYTHONNODEBUGRANGES=1`` in the
environment, the column ranges that let a traceback underline the failing expression. The
``.pyc`` files are unchecked-hash ones (PEP 552): no time stamp, so the same sources give the same
bytes on every build, and nothing is checked against a source file that is not there.

Writes ``{"compiled": N, "failed": ["folder/path", ...]}`` (sources that do not compile, kept as
they are) to ``JOBS`` with ``.out`` added.
"""

import ast
import importlib.util
import json
import sys
import warnings
from importlib._bootstrap_external import _code_to_hash_pyc  # what py_compile writes with
from pathlib import Path


class WithoutDocstrings(ast.NodeTransformer):
    """Drops the docstring of each module, class and function (``pass`` if nothing is left)."""

    def _drop(self, node):
        self.generic_visit(node)
        first = node.body[0] if node.body else None
        if (
            isinstance(first, ast.Expr)
            and isinstance(first.value, ast.Constant)
            and isinstance(first.value.value, str)
        ):
            node.body = node.body[1:] or [ast.copy_location(ast.Pass(), first)]
        return node

    visit_Module = visit_ClassDef = visit_FunctionDef = visit_AsyncFunctionDef = _drop


def bytecode(source: bytes, filename: str) -> bytes:
    """The ``.pyc`` of ``source`` (raises SyntaxError or ValueError if it does not compile)."""
    tree = WithoutDocstrings().visit(ast.parse(source, filename))
    code = compile(tree, filename, "exec", dont_inherit=True)
    return bytes(_code_to_hash_pyc(code, importlib.util.source_hash(source), checked=False))


def compile_folder(folder: Path, prefix: str) -> tuple[int, list[str]]:
    """Compile every ``.py`` under ``folder``; return how many compiled and which did not."""
    compiled, failed = 0, []
    for source in sorted(folder.rglob("*.py")):
        relative = source.relative_to(folder).as_posix()
        try:
            data = bytecode(source.read_bytes(), f"{prefix}/{relative}")
        except (SyntaxError, ValueError):
            failed.append(relative)
            continue
        source.with_name(source.name + "c").write_bytes(data)
        compiled += 1
    return compiled, failed


def main(jobs_file: Path) -> None:
    warnings.simplefilter("ignore")  # e.g. SyntaxWarning for old escape sequences
    total, failed = 0, []
    for job in json.loads(jobs_file.read_text()):
        count, bad = compile_folder(Path(job["folder"]), job["prefix"])
        total += count
        failed += [f"{job['folder']}/{name}" for name in bad]
    result = {"compiled": total, "failed": failed}
    jobs_file.with_name(jobs_file.name + ".out").write_text(json.dumps(result))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
