"""Autograde a whole cohort with nbgrader, spreading students over worker processes.

nbgrader autogrades one notebook at a time, and most of that time goes on starting a kernel
and running the notebook, so a cohort is worth grading in parallel. How it is done here:

- The parent process prepares ``gradebook.db`` first (course, assignment, every student), so
  workers never race to create the same rows.
- Each worker is a long-lived process that runs nbgrader's own ``autograde`` for one student
  at a time, through ``NbGraderAPI``. On Linux workers are forked after nbgrader is imported,
  so its two-second import is paid once. Every student is a separate nbgrader run with its own
  gradebook sessions and commits, exactly as ``nbgrader autograde --student X`` would do.
- Each notebook runs on a fresh kernel process, forked from a per-worker zygote that has
  done the imports (``wholeschool.grading.forked_kernels``); gradebook queries are compiled
  once per worker and nbgrader's metadata schema checked once (``nbgrader_steps``).
- All workers share the one SQLite file. The course config sets a 60 s SQLite busy timeout,
  so a worker waits for another's short write; if SQLite still reports ``database is locked``
  (it can refuse at once to avoid a deadlock) the student is graded again from scratch with
  ``force``, up to ``retries`` times. nbgrader's writes per student are idempotent under force.
- Submissions that cannot be graded (missing or renamed notebook, empty file, not JSON, not a
  notebook) are found before nbgrader sees them and reported with the reason. A notebook that
  loops or calls ``sys.exit()`` is stopped cell by cell (the cell scores zero); one whose kernel
  dies (``os._exit()``) cannot be graded and is reported. Edited or deleted test cells are
  noted (nbgrader restores or zeroes them). A student who could not be graded is removed from
  the gradebook again, so it holds graded work only; one student's failure never touches
  another's grades. Runs that failed because the machine was busy are graded again.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import json
import multiprocessing
import os
import sys
import tempfile
import time
import types
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: Errors in student code worth telling the trainer about, by exception name.
NOTABLE_ERRORS = {
    "CellTimeoutError": "a cell ran past the time limit and was stopped",
    "SystemExit": "the notebook called sys.exit()",
    "DeadKernelError": "the kernel died (for example os._exit() was called)",
}
LOCKED = "database is locked"
#: Failures that come from a busy machine rather than the submission: grade again.
TRANSIENT = (LOCKED, "Timeout waiting for IOPub output", "Kernel didn't respond")
#: Marker of ``wholeschool.grading.limit_output`` (copied so the CLI need not import nbconvert).
CUT_MARKER = "[output cut by the autograder:"


@dataclass
class GradeResult:
    """What happened to one student's submission."""

    student: str
    graded: bool
    reason: str = ""
    notes: list[str] = field(default_factory=list)
    attempts: int = 0
    seconds: float = 0.0
    log: str = ""

    def describe(self) -> str:
        status = "graded" if self.graded else "NOT GRADED"
        extra = self.reason or "; ".join(self.notes)
        return f"{self.student}: {status}" + (f" ({extra})" if extra else "")


def ensure_tools_on_path() -> None:
    """Put this Python's scripts folder on ``PATH``: nbgrader runs ``alembic`` from there when it
    creates a new gradebook, and fails if a virtual environment is not activated."""
    scripts = str(Path(sys.executable).parent)
    if scripts not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = scripts + os.pathsep + os.environ.get("PATH", "")


#: Imported by jsonschema (under nbgrader and nbformat) for its "iri" format check, which
#: builds some 35 parsers as it is imported: 1 to 2 CPU seconds, the largest part of importing
#: nbgrader (python-jsonschema/jsonschema#1428). No schema used in grading has that format.
IRI_GRAMMAR = "rfc3987_syntax"


def defer_iri_grammar() -> None:
    """Let jsonschema import a stand-in for ``rfc3987_syntax`` that imports the real module
    the first time it is used, so that importing nbgrader does not build its parsers. Does
    nothing once jsonschema is imported, or if the module is not installed."""
    if IRI_GRAMMAR in sys.modules or "jsonschema" in sys.modules:
        return
    if importlib.util.find_spec(IRI_GRAMMAR) is None:
        return

    def real() -> types.ModuleType:
        if sys.modules.get(IRI_GRAMMAR) is stand_in:
            del sys.modules[IRI_GRAMMAR]
        return importlib.import_module(IRI_GRAMMAR)

    stand_in = types.ModuleType(IRI_GRAMMAR, "Imports rfc3987_syntax when first used.")
    stand_in.is_valid_syntax = lambda *args, **kwargs: real().is_valid_syntax(*args, **kwargs)  # type: ignore[attr-defined]

    def other(name: str) -> Any:
        if name.startswith("__"):  # the import system's own questions (``__path__``...)
            raise AttributeError(name)
        return getattr(real(), name)

    stand_in.__getattr__ = other  # type: ignore[method-assign]
    sys.modules[IRI_GRAMMAR] = stand_in


def load_config(root: Path, timeout: int | None = None) -> Any:
    """nbgrader's config for the course folder ``root``, with an optional execution timeout.

    As nbgrader's own commands do, the ``nbgrader_config.py`` files of Jupyter's config path
    come first (a course hub's settings for every account, ``JUPYTER_CONFIG_PATH``), then the
    course folder's own, which wins where both set something.
    """
    from jupyter_core.paths import jupyter_config_path
    from traitlets.config import Config
    from traitlets.config.loader import ConfigFileNotFound, PyFileConfigLoader

    config = Config()
    for folder in [*reversed(jupyter_config_path()), str(root)]:
        try:
            config.merge(PyFileConfigLoader("nbgrader_config.py", path=folder).load_config())
        except ConfigFileNotFound:
            continue
    config.CourseDirectory.root = str(root)
    if timeout is not None:
        config.Execute.timeout = timeout
    return config


def course_directory(root: Path, timeout: int | None = None) -> Any:
    from nbgrader.coursedir import CourseDirectory

    ensure_tools_on_path()
    return CourseDirectory(config=load_config(root, timeout))


def notebook_names(root: Path, assignment: str) -> list[str]:
    """Notebook names (without ``.ipynb``) the gradebook expects for an assignment."""
    from nbgrader.api import Gradebook

    coursedir = course_directory(root)
    with Gradebook(coursedir.db_url, coursedir.course_id) as gradebook:
        return sorted(nb.name for nb in gradebook.find_assignment(assignment).notebooks)


def submitted_students(root: Path, assignment: str) -> list[str]:
    """Students with a folder for ``assignment`` under ``submitted/``."""
    submitted = root / "submitted"
    if not submitted.is_dir():
        return []
    return sorted(p.name for p in submitted.iterdir() if (p / assignment).is_dir())


def precheck(folder: Path, expected: Sequence[str]) -> str:
    """Why a submission folder cannot be graded, or ``""`` if nbgrader can take it."""
    for name in expected:
        path = folder / f"{name}.ipynb"
        if not path.exists():
            others = sorted(p.name for p in folder.glob("*.ipynb"))
            hint = f" (found {', '.join(others)}: was it renamed?)" if others else ""
            return f"{name}.ipynb is missing{hint}"
        raw = path.read_bytes()
        if not raw.strip():
            return f"{path.name} is empty"
        try:
            data = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            return f"{path.name} is not a notebook: not valid JSON ({error})"
        if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
            return f"{path.name} is not a notebook: it has no list of cells"
    return ""


def tampering_notes(path: Path, release_cells: dict[str, str]) -> list[str]:
    """Grade or locked cells the lead deleted or edited; nbgrader restores or zeroes them.

    ``release_cells`` maps grade ids of the cells a lead must not change to their checksums.
    """
    import nbformat
    from nbgrader.utils import compute_checksum

    try:
        cells = nbformat.reads(path.read_text(encoding="utf-8"), as_version=4).cells
    except Exception:  # unreadable notebooks are reported by precheck or nbgrader
        return []
    present = {}
    for cell in cells:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id in release_cells:
            present[grade_id] = compute_checksum(cell)
    notes = [f"cell {gid} was deleted" for gid in release_cells if gid not in present]
    notes += [
        f"cell {gid} was edited (nbgrader graded the original)"
        for gid, checksum in present.items()
        if checksum != release_cells[gid]
    ]
    return notes


def locked_cells(root: Path, assignment: str) -> dict[str, str]:
    """Grade id → checksum of every locked cell, as released (``release/<assignment>/``)."""
    import nbformat
    from nbgrader.utils import compute_checksum

    found = {}
    for path in sorted((root / "release" / assignment).glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            meta = cell.get("metadata", {}).get("nbgrader", {})
            if meta.get("locked") and meta.get("grade_id"):
                found[meta["grade_id"]] = compute_checksum(cell)
    return found


def forget_failed(root: Path, assignment: str, students: Iterable[str]) -> None:
    """Drop the half-made gradebook rows nbgrader leaves when it could not grade a student
    graded for the first time, so the gradebook only holds graded work (the reason is reported
    instead). Pass only students who had no submission before this run."""
    from nbgrader.api import Gradebook, MissingEntry

    coursedir = course_directory(root)
    with Gradebook(coursedir.db_url, coursedir.course_id) as gradebook:
        for student in students:
            with contextlib.suppress(MissingEntry):
                gradebook.remove_submission(assignment, student)
        gradebook.engine.dispose()


def prepare_gradebook(root: Path, assignment: str, students: Iterable[str]) -> set[str]:
    """Create the gradebook rows workers would otherwise race to create.

    Returns the students who already have a submission of ``assignment`` in the gradebook
    (graded before, perhaps marked by hand): their rows are never removed.
    """
    from nbgrader.api import Gradebook, MissingEntry

    coursedir = course_directory(root)
    with Gradebook(coursedir.db_url, coursedir.course_id) as gradebook:
        try:
            gradebook.find_assignment(assignment)
        except MissingEntry:
            raise ValueError(
                f"assignment {assignment!r} is not in the gradebook: run "
                f"'wholeschool trainer release {assignment}' first"
            ) from None
        for student in students:
            gradebook.update_or_create_student(student)
        before = {sub.student_id for sub in gradebook.assignment_submissions(assignment)}
        gradebook.engine.dispose()
    return before


def _notes_from_output(root: Path, assignment: str, student: str) -> list[str]:
    """Notable errors in the autograded notebooks, for the trainer's summary."""
    notes = []
    for path in sorted((root / "autograded" / student / assignment).glob("*.ipynb")):
        try:
            cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        except (OSError, ValueError, KeyError):
            continue
        outputs = [output for cell in cells for output in cell.get("outputs", [])]
        names = {o.get("ename") for o in outputs if o.get("output_type") == "error"}
        notes += [NOTABLE_ERRORS[name] for name in sorted(names & NOTABLE_ERRORS.keys())]
        if any(CUT_MARKER in json.dumps(o) for o in outputs):
            notes.append("an oversized output was cut")
    return notes


_API: dict[tuple[str, int | None], Any] = {}


def _api(root: Path, timeout: int | None) -> Any:
    """One ``NbGraderAPI`` per worker process and course."""
    key = (str(root), timeout)
    if key not in _API:
        from nbgrader.apps.api import NbGraderAPI
        from nbgrader.coursedir import CourseDirectory

        ensure_tools_on_path()
        config = load_config(root, timeout)
        _API[key] = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)
    return _API[key]


def grade_student(
    root: Path,
    assignment: str,
    student: str,
    expected: Sequence[str],
    timeout: int | None = None,
    retries: int = 4,
    release_cells: dict[str, str] | None = None,
) -> GradeResult:
    """Autograde one student with nbgrader, again if SQLite was locked or the machine too busy."""
    start = time.perf_counter()
    folder = root / "submitted" / student / assignment
    reason = precheck(folder, expected)
    if reason:
        return GradeResult(student, False, reason, seconds=time.perf_counter() - start)
    api = _api(root, timeout)
    from .nbgrader_steps import one_engine_per_gradebook

    result: dict[str, Any] = {}
    attempt = 0
    for attempt in range(1, retries + 1):  # noqa: B007 (attempt is reported)
        with one_engine_per_gradebook():
            result = api.autograde(assignment, student, force=True, create=True)
        text = f"{result.get('log', '')}\n{result.get('error', '')}"
        if result["success"] or not any(reason in text for reason in TRANSIENT):
            break
        time.sleep(0.5 * 2 ** (attempt - 1))  # 0.5 s, 1 s, 2 s...
    log = f"{result.get('log', '')}\n{result.get('error', '')}".strip()
    graded = bool(result.get("success"))
    notes = []
    for name in expected:
        notes += tampering_notes(folder / f"{name}.ipynb", release_cells or {})
    if graded:
        notes += _notes_from_output(root, assignment, student)
    return GradeResult(
        student,
        graded,
        "" if graded else _failure_reason(log),
        notes=notes,
        attempts=attempt,
        seconds=time.perf_counter() - start,
        log=log,
    )


def _failure_reason(log: str) -> str:
    """The most useful line of a failed nbgrader run."""
    if LOCKED in log:
        return "the gradebook stayed locked; run autograde again for this student"
    if any(reason in log for reason in TRANSIENT):
        return "the grading machine was too busy (kernel timed out); run autograde again for this student"
    if "Kernel died" in log or "DeadKernelError" in log:
        return (
            "the kernel died while running the notebook (for example os._exit() was called), "
            "so nbgrader could not grade it; ask the lead to remove that call and resubmit"
        )
    for line in log.splitlines():
        if "ERROR" in line and "Traceback" not in line:
            return "nbgrader: " + line.split("]", 1)[-1].strip()
    return "nbgrader could not grade it; see the log"


@contextlib.contextmanager
def no_records_of_our_own() -> Iterator[Path]:
    """Point ``WHOLESCHOOL_RECORDS`` at an empty folder while submissions run.

    Grading kernels (and the workers that start them) inherit this process's environment. A
    submission's checks read "the lead's records"; on the trainer's machine those would be the
    trainer's own, which must neither leak into a lead's feedback nor sway a grade.
    """
    before = os.environ.get("WHOLESCHOOL_RECORDS")
    with tempfile.TemporaryDirectory(prefix="wholeschool-grading-records-") as empty:
        os.environ["WHOLESCHOOL_RECORDS"] = empty
        try:
            yield Path(empty)
        finally:
            if before is None:
                os.environ.pop("WHOLESCHOOL_RECORDS", None)
            else:
                os.environ["WHOLESCHOOL_RECORDS"] = before


def autograde_cohort(
    root: str | os.PathLike[str],
    assignment: str,
    students: Sequence[str] | None = None,
    workers: int | None = None,
    timeout: int | None = None,
    retries: int = 4,
) -> list[GradeResult]:
    """Autograde every submitted student of ``assignment`` across ``workers`` processes.

    Results come back in student order. ``workers=1`` grades in this process, one by one.
    """
    root = Path(root).resolve()
    students = list(students) if students is not None else submitted_students(root, assignment)
    if not students:
        return []
    defer_iri_grammar()
    graded_before = prepare_gradebook(root, assignment, students)
    expected = notebook_names(root, assignment)
    release_cells = locked_cells(root, assignment)
    workers = max(1, min(workers or os.cpu_count() or 1, len(students)))
    args = (expected, timeout, retries, release_cells)
    with no_records_of_our_own():
        if workers == 1:
            results = [grade_student(root, assignment, s, *args) for s in students]
        else:
            results = _in_pool(root, assignment, students, workers, args)
    failed = [r.student for r in results if not r.graded and r.student not in graded_before]
    forget_failed(root, assignment, failed)
    return sorted(results, key=lambda r: r.student)


def _in_pool(
    root: Path,
    assignment: str,
    students: Sequence[str],
    workers: int,
    args: tuple,
) -> list[GradeResult]:
    # On Linux, fork workers from this process after importing nbgrader here, so the import
    # (about two seconds) is paid once, not once per worker. Nothing that must not be copied
    # exists yet: no kernel, event loop or open database connection (prepare_gradebook
    # disposed of its engine). Elsewhere, and inside a Jupyter kernel (whose event loop and
    # sockets must not be copied), spawn clean interpreters.
    if sys.platform == "linux" and "ipykernel" not in sys.modules:
        import nbgrader.apps.api  # noqa: F401

        context = multiprocessing.get_context("fork")
    else:
        context = multiprocessing.get_context("spawn")
    results: list[GradeResult] = []
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = {pool.submit(grade_student, root, assignment, s, *args): s for s in students}
        for future in as_completed(futures):
            student = futures[future]
            try:
                results.append(future.result())
            except BrokenProcessPool:
                results.append(GradeResult(student, False, "a grading worker process crashed"))
            except Exception as error:  # reported per student; the cohort carries on
                results.append(GradeResult(student, False, f"{type(error).__name__}: {error}"))
    return results
