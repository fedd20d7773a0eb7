"""A kernel zygote: one process that has imported IPython, ipykernel and the course package,
and forks a fresh kernel process for each notebook.

Starting a Python kernel costs most of a CPU second, nearly all of it imports; a grading
process that starts one kernel per notebook pays it again and again. The zygote pays it once.
For each request it forks a child that becomes an ordinary ``IPKernelApp`` (exactly what
``python -m ipykernel_launcher -f <connection file> ...`` runs) on its own connection file:
its own process, its own sockets, ZeroMQ context, threads and event loop, all made after the
fork, in the folder and with the environment the request gives. Whatever a notebook does to
its kernel (globals, patched modules, ``sys.exit()``) dies with that child; the zygote and the
next child never see it.

This file is run by path (``python -c ... kernel_zygote.py FD MODULE...``, see
:mod:`wholeschool.grading.forked_kernels`) and imports only the standard library before it
imports ipykernel, IPython and the ``MODULE`` names given. The zygote itself makes no thread,
socket (other than its request socket, closed in every child) or ZeroMQ context.

Protocol, over the Unix ``SOCK_SEQPACKET`` socket on file descriptor ``FD``: a request is
``{"argv": [...], "cwd": "...", "env": {...}}`` (``argv`` the arguments after
``-m ipykernel_launcher``); the answer ``{"pid": N}`` carries a pidfd of the child (a handle
that always means that process, even after its number is reused), or ``{"error": "..."}``.
End of file on the socket (the grading process closed it, or died) makes the zygote kill its
children's process groups, reap them and exit. Each child dies with the zygote
(``PR_SET_PDEATHSIG``) and runs in a session of its own, as jupyter_client's kernels do.
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib
import json
import os
import random
import signal
import socket
import sys

PR_SET_PDEATHSIG = 1
#: What a kernel's start-up imports, beyond ``ipykernel.kernelapp``.
KERNEL_MODULES = (
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.zmqshell",
    "ipykernel.debugger",
    "IPython.core.completerlib",
    "IPython.core.debugger",
    "IPython.extensions.storemagic",
    "sqlite3",
    "tornado.platform.asyncio",
    "tornado.queues",
)

_children: set[int] = set()


def _reap(*_: object) -> None:
    """Collect every child that has exited (SIGCHLD), so none lingers as a zombie and its
    CPU time is counted in the zygote's own (and so in whoever waits for the zygote)."""
    while _children:
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        _children.discard(pid)


def _preload(modules: list[str]) -> None:
    # debugpy warns on stderr when imported under frozen modules. A kernel imports it once its
    # output is captured (the warning goes nowhere); here it would reach the trainer's terminal.
    quiet = "PYDEVD_DISABLE_FILE_VALIDATION" not in os.environ
    if quiet:
        os.environ["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    for name in (*KERNEL_MODULES, *modules):
        try:
            importlib.import_module(name)
        except Exception as error:  # the kernel imports it itself, and reports any failure
            print(f"kernel zygote: could not preload {name}: {error}", file=sys.stderr)
    if quiet:
        del os.environ["PYDEVD_DISABLE_FILE_VALIDATION"]


def _become_kernel(request: dict, zygote: int, ready: int, mask: set) -> list[str]:
    """In the child: drop the zygote's state, then return the kernel's ``sys.argv``."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_SETMASK, mask)
    os.setsid()  # a session of its own: interrupts and kills reach its process group only
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != zygote:  # the zygote died before the line above took effect
        os._exit(1)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    os.environ["JPY_PARENT_PID"] = str(zygote)  # its parent (ipykernel stops if it goes)
    random.seed()  # never the zygote's, nor a sibling's, random sequence
    if "numpy" in sys.modules:
        sys.modules["numpy"].random.seed()
    os.write(ready, b"1")
    os.close(ready)
    return request["argv"]


def serve(fd: int) -> list[str] | None:
    """Answer requests until end of file; in a forked child, return its kernel arguments."""
    zygote = os.getpid()
    channel = socket.socket(fileno=fd)
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, [])
    signal.signal(signal.SIGCHLD, _reap)
    try:
        while True:
            data = channel.recv(1 << 20)
            if not data:
                return None
            request = json.loads(data)
            read, ready = os.pipe()
            # No SIGCHLD between fork and pidfd_open: a child that dies at once is not reaped
            # (and its number reused) before the pidfd holds it.
            signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGCHLD])
            pid = os.fork()
            if pid == 0:
                channel.close()
                os.close(read)
                return _become_kernel(request, zygote, ready, mask)
            _children.add(pid)
            os.close(ready)
            try:
                pidfd = os.pidfd_open(pid)
            finally:
                signal.pthread_sigmask(signal.SIG_SETMASK, mask)
            started = os.read(read, 1)
            os.close(read)
            try:
                if started:
                    socket.send_fds(channel, [json.dumps({"pid": pid}).encode()], [pidfd])
                else:
                    channel.send(json.dumps({"error": "the kernel process died at once"}).encode())
            finally:
                os.close(pidfd)
    finally:
        if os.getpid() == zygote:
            _stop_children()


def _stop_children() -> None:
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    for pid in list(_children):
        for kill in (os.killpg, os.kill):
            try:
                kill(pid, signal.SIGKILL)
                break
            except OSError:
                continue
    for pid in list(_children):
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)
        _children.discard(pid)


def main(argv: list[str]) -> int:
    if sys.path and sys.path[0] in ("", os.getcwd()):
        del sys.path[0]  # as ipykernel_launcher does; the kernel puts '' back itself
    # Read by ipykernel when imported: its kernels' parent is this process (they stop if it goes).
    os.environ["JPY_PARENT_PID"] = str(os.getpid())
    _preload(argv[2:])
    kernel_argv = serve(int(argv[1]))
    if kernel_argv is None:
        return 0
    # A fresh kernel, run exactly as ``python -m ipykernel_launcher ARGV`` runs it.
    import runpy

    sys.argv = ["ipykernel_launcher", *kernel_argv]
    runpy.run_module("ipykernel_launcher", run_name="__main__", alter_sys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
