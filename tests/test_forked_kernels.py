"""Kernels forked from the grading zygote: each one a fresh process that nothing of another
notebook reaches, with random numbers of its own, and no process left behind. Real kernels,
real autograde."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from helpers import BIN, ROOT
from jupyter_core.utils import run_sync
from nbgrader_course import released_course
from traitlets.config import Config
from wholeschool.grading import forked_kernels
from wholeschool.grading.execute import PrivateSocketKernelManager

pytestmark = pytest.mark.nbgrader

ASSIGNMENT = "identifying-need"
FIXTURES = ROOT / "tests" / "data" / "submissions"
PRELOAD = ["wholeschool.grading.answers"]


def _run(code: str, fork: bool = True) -> tuple[dict, int]:
    """Run ``code`` in a new kernel; its last line's JSON output, and the kernel's pid."""
    config = Config()
    config.PrivateSocketKernelManager.transport = "ipc"
    config.PrivateSocketKernelManager.fork_kernels = fork
    manager = PrivateSocketKernelManager(config=config, preload=PRELOAD)
    run_sync(manager.start_kernel)()
    client = manager.client()
    client.start_channels()
    lines: list[str] = []
    try:
        run_sync(client.wait_for_ready)(timeout=60)
        reply = run_sync(client.execute_interactive)(
            code,
            timeout=60,
            output_hook=lambda m: lines.append(m["content"].get("text", "")),
        )
        assert reply["content"]["status"] == "ok", reply["content"]
        return json.loads("".join(lines).strip().splitlines()[-1]), manager.provisioner.pid
    finally:
        client.stop_channels()
        run_sync(manager.shutdown_kernel)(now=True)
        run_sync(manager.cleanup_resources)()


PROBE = """
import json, os, random, sys
import wholeschool.grading.answers as answers
seen = {"patched": getattr(answers, "PATCHED_BY_A_LEAD", False),
        "check_written": answers.check_written.__name__,
        "random": random.random(), "parent": os.getppid(), "cwd": os.getcwd(),
        "preloaded": "wholeschool.grading.answers" in sys.modules}
answers.PATCHED_BY_A_LEAD = True
answers.check_written = lambda *args, **kwargs: None
print(json.dumps(seen))
"""


def test_each_forked_kernel_is_fresh() -> None:
    """What one notebook does to its kernel (a patched course package, a global) is not in the
    next; each kernel draws other random numbers; both are children of the one zygote."""
    try:
        first, first_pid = _run(PROBE)
        second, second_pid = _run(PROBE)
        zygotes = [z.process.pid for z in forked_kernels._ZYGOTES.values()]
    finally:
        forked_kernels.stop_zygotes()
    assert len(zygotes) == 1
    assert first_pid != second_pid and first["parent"] == second["parent"] == zygotes[0]
    for seen in (first, second):
        assert seen["patched"] is False and seen["check_written"] == "check_written"
        assert seen["preloaded"] and seen["cwd"] == os.getcwd()
    assert first["random"] != second["random"]
    assert not _alive(first_pid) and not _alive(second_pid) and not _alive(zygotes[0])


def test_a_kernel_the_zygote_cannot_start_starts_the_usual_way() -> None:
    """Turned off (as on the course hub), a kernel is this process's own child."""
    seen, pid = _run(PROBE, fork=False)
    assert seen["parent"] == os.getpid() and not forked_kernels._ZYGOTES
    assert not _alive(pid)


def test_only_a_plain_kernel_of_this_python_is_forked() -> None:
    plain = [sys.executable, "-m", "ipykernel_launcher", "-f", "k.json"]
    assert forked_kernels.forkable(plain, {})
    sandbox = [sys.executable, "/srv/sandbox_kernel.py", "k.json"]  # the hub's trainer kernel
    assert not forked_kernels.forkable(sandbox, {})
    assert not forked_kernels.forkable(["/usr/bin/python3", *plain[1:]], {})
    assert not forked_kernels.forkable(plain, {"stdout": subprocess.PIPE})
    assert not forked_kernels.forkable(plain, {"independent": True})


def _alive(pid: int) -> bool:
    """Whether ``pid`` is a running process (a zombie counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


def _processes_in(folder: Path) -> list[str]:
    """Command lines of the processes working in ``folder`` or below it."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cwd = Path(os.readlink(proc / "cwd"))
            if cwd == folder or folder in cwd.parents:
                found.append((proc / "cmdline").read_bytes().replace(b"\0", b" ").decode())
        except OSError:
            continue
    return found


HOSTILE = """
import subprocess
import wholeschool.grading.answers as answers
# Every reflection check and every choice passes, here and in the course package itself.
answers.check_written = check_written = lambda *args, **kwargs: None
answers.choice = choice = lambda name: "B"
subprocess.Popen(["sleep", "600"])  # a process of its own, left running
"""


def _auto_scores(course: Path) -> dict[str, float]:
    from nbgrader.api import Gradebook
    from wholeschool.grading.autograde import course_directory

    coursedir = course_directory(course)
    with Gradebook(coursedir.db_url, coursedir.course_id) as gradebook:
        return {s.student_id: s.code_score for s in gradebook.assignment_submissions(ASSIGNMENT)}


def test_a_hostile_submission_reaches_neither_the_next_grade_nor_past_the_command(
    tmp_path: Path,
) -> None:
    """One worker grades, in order, a submission that patches the course package in its kernel
    (every check passes) and leaves a process running, then two blank ones: the blank ones
    score 0 as they do alone, and when the command ends no process is left in the course."""
    hostile = tmp_path / "hostile"
    shutil.copytree(FIXTURES / "blank", hostile)
    path = hostile / f"{ASSIGNMENT}.ipynb"
    notebook = nbformat.read(path, as_version=4)
    notebook.cells.insert(2, nbformat.v4.new_code_cell(HOSTILE))
    nbformat.write(notebook, path)
    course = released_course(
        tmp_path / "course",
        {"a-hostile": hostile, "b-blank": FIXTURES / "blank", "c-blank": FIXTURES / "blank"},
    )
    done = subprocess.run(
        [str(BIN / "wholeschool"), "trainer", "--course", str(course), "autograde", ASSIGNMENT]
        + ["--workers", "1"],
        cwd=course,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    scores = _auto_scores(course)
    assert scores["a-hostile"] > 0  # the patch worked, in its own kernel
    assert scores["b-blank"] == scores["c-blank"] == 0.0
    assert _processes_in(course) == []
