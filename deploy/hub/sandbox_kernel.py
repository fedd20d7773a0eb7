"""Start a Python kernel for the trainer in a sandbox: what a lead wrote never runs as the trainer.

The hub makes this the trainer's ``python3`` kernel (``trainer-data/kernels/python3``, first on
the trainer's ``JUPYTER_PATH``), so nbgrader's autograde, and any notebook the trainer runs, executes
inside bubblewrap (``bwrap``): a new user, process, IPC and mount namespace in which the code

* reads only the system's programs, the course's Python environment and package, and the
  notebook's own folder (the submission being graded: ``autograded/<lead>/<assignment>``);
* writes only that folder (its results) and a private, empty ``/tmp``;
* sees no home folder, no exchange, no gradebook, no other lead's work, no hub token (the
  environment is emptied); and runs with limits on CPU time, memory and file size (nbgrader's
  per-cell timeout comes on top).

The course apps (Voila, ``~/course-apps``) are the course's own code and run as the trainer.
If ``bwrap`` is missing, the kernel does not start at all (fail closed).

Usage (kernel spec argv): ``python sandbox_kernel.py {connection_file}``.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
APPS = (HERE / "apps").resolve()
#: Limits for a sandboxed kernel: CPU seconds, address space, largest file written.
CPU_SECONDS = int(os.environ.get("WHOLESCHOOL_SANDBOX_CPU", "900"))
MEMORY_BYTES = int(os.environ.get("WHOLESCHOOL_SANDBOX_MEMORY", str(3 * 1024**3)))
FILE_BYTES = 64 * 1024**2


def kernel_command(connection_file: str) -> list[str]:
    return [sys.executable, "-m", "ipykernel_launcher", "-f", connection_file]


def ipc_folder(connection_file: str) -> Path | None:
    """The private folder of the kernel's Unix sockets, when its connection uses them.

    The trainer's servers and autograde talk to kernels over Unix sockets in a 0700 folder of
    their own (``/tmp/wsk-*``); the sandbox's own ``/tmp`` is empty, so that one folder is
    bound into it for the kernel to make its sockets in.
    """
    try:
        connection = json.loads(Path(connection_file).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if connection.get("transport") != "ipc" or not connection.get("ip"):
        return None
    return Path(connection["ip"]).parent


def sandbox_command(connection_file: str, folder: Path) -> list[str]:
    """bwrap's command line for a kernel that sees only ``folder`` (and what Python needs)."""
    env = Path(sys.prefix).resolve()
    course = HERE.parents[1]
    command = [
        "bwrap",
        "--unshare-all",
        "--share-net",  # the kernel talks to nbgrader over 127.0.0.1
        "--die-with-parent",
        "--new-session",
        "--uid",
        "65534",
        "--gid",
        "65534",
        "--ro-bind",
        "/usr",
        "/usr",
        "--ro-bind",
        "/etc",
        "/etc",
        "--symlink",
        "usr/bin",
        "/bin",
        "--symlink",
        "usr/lib",
        "/lib",
        "--symlink",
        "usr/lib64",
        "/lib64",
        "--symlink",
        "usr/sbin",
        "/sbin",
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--tmpfs",
        "/tmp",
        "--ro-bind",
        str(env),
        str(env),
        "--ro-bind",
        str(course / "widgets"),
        str(course / "widgets"),
        "--bind",
        str(folder),
        str(folder),
        "--ro-bind",
        connection_file,
        connection_file,
    ]
    if Path(sys.prefix) != env:  # the environment reached through a link (a checkout whose
        # .venv links elsewhere): the kernel's Python is started by that path, so bind it too
        command += ["--ro-bind", str(env), sys.prefix]
    sockets = ipc_folder(connection_file)
    if sockets is not None:  # kernels over Unix sockets: the kernel makes its own in there
        command += ["--bind", str(sockets), str(sockets)]
    records = os.environ.get("WHOLESCHOOL_RECORDS", "")
    if records and Path(records).is_dir():  # autograde's empty stand-in for a lead's records
        command += ["--bind", records, records]
    command += ["--clearenv", "--chdir", str(folder)]
    for name, value in {
        "PATH": f"{env / 'bin'}:/usr/bin:/bin",
        "HOME": "/tmp",
        "LANG": "C.UTF-8",
        "MPLCONFIGDIR": "/tmp/matplotlib",
        "IPYTHONDIR": "/tmp/ipython",
        "JUPYTER_RUNTIME_DIR": "/tmp/runtime",
        "WHOLESCHOOL_RECORDS": records or "/tmp/records",
        # The kernel's parent in its own process namespace is bwrap's init, pid 1. Told so,
        # ipykernel knows a client started it and does not print its notice for someone
        # running ``ipython kernel`` by hand ("Ctrl-C will not work", "To connect another
        # client") into the trainer's terminal on every autograde; pid 1 is never polled.
        "JPY_PARENT_PID": "1",
    }.items():
        command += ["--setenv", name, value]
    return command + ["--", *kernel_command(connection_file)]


#: What marks a course folder (or one above it): a kernel there would see every lead's work.
COURSE_WORK = ("gradebook.db", "submitted", "autograded", "feedback", "release", "source")


def holds_course_work(folder: Path) -> bool:
    """Whether ``folder`` is an nbgrader course folder, or holds one."""
    try:
        children = [child for child in folder.iterdir() if child.is_dir()]
    except OSError:
        return True  # a folder it cannot list is not one to start a kernel in
    return any((folder / name).exists() for name in COURSE_WORK) or any(
        (child / "gradebook.db").exists() for child in children
    )


def limit() -> None:
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))
    resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_BYTES, FILE_BYTES))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def main(argv: list[str]) -> None:
    connection_file = os.path.abspath(argv[1])
    folder = Path.cwd().resolve()
    if folder == APPS:
        os.execv(sys.executable, kernel_command(connection_file))
    if not shutil.which("bwrap"):
        sys.exit("sandbox_kernel: bubblewrap (bwrap) is not installed; no kernel started")
    if holds_course_work(folder):
        sys.exit(
            f"sandbox_kernel: {folder} holds the gradebook or leads' work; a kernel starts only "
            "in a notebook's own folder"
        )
    limit()
    command = sandbox_command(connection_file, folder)
    os.execvp(command[0], command)


if __name__ == "__main__":
    main(sys.argv)
