"""Python kernels forked from a zygote that has done the imports, in place of a new interpreter.

A kernel provisioner (jupyter_client's hook for how a kernel process is started) that, when the
kernel is the ordinary ``python -m ipykernel_launcher`` of this very Python, asks a
:mod:`kernel zygote <wholeschool.grading.kernel_zygote>` to fork it instead of starting a new
interpreter. Any other kernel command (another Python, a kernel spec of its own such as the
course hub's sandboxed kernel, extra interpreter options, redirected output) starts the usual
way. Each grading process has at most one zygote, started at its first such kernel and stopped
(with any kernel it forked) when the process exits.

The forked kernel is a child of the zygote, not of this process: it is followed through a pidfd
(a handle to that one process), and signalled through its process group as jupyter_client does
for its own kernels. Its exit status is not known here; it is reported as 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import multiprocessing.util
import os
import select
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from jupyter_client.connect import KernelConnectionInfo
from jupyter_client.provisioning import LocalProvisioner

ZYGOTE = Path(__file__).with_name("kernel_zygote.py")
#: Run the zygote by path: nothing of this package is imported before the kernel's own modules.
BOOT = (
    "import runpy, sys; sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__')"
)
#: Variables jupyter_client sets for each kernel; every other one a forked kernel gets is the
#: zygote's own (modules read some when imported, the interpreter some when it starts).
PER_KERNEL = "JPY_"
#: Seconds the zygote has to stop once told to.
STOP_WAIT = 5.0


class ForkedKernel:
    """What jupyter_client needs of a ``Popen``, for a kernel forked by the zygote."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int, pidfd: int) -> None:
        self.pid = pid
        self.pidfd = pidfd
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None and self.pidfd >= 0:
            readable, _, _ = select.select([self.pidfd], [], [], 0)
            if readable:
                self._exited()
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            readable, _, _ = select.select([self.pidfd], [], [], timeout)
            if not readable:
                raise subprocess.TimeoutExpired(str(self.pid), timeout or 0)
            self._exited()
        return self.returncode or 0

    def _exited(self) -> None:
        self.returncode = 0
        os.close(self.pidfd)
        self.pidfd = -1

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                signal.pidfd_send_signal(self.pidfd, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def __del__(self) -> None:
        if getattr(self, "pidfd", -1) >= 0:
            os.close(self.pidfd)


class Zygote:
    """A running kernel zygote and the socket its requests go over."""

    def __init__(self, preload: tuple[str, ...], env: dict[str, str]) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.process = subprocess.Popen(
            [sys.executable, "-c", BOOT, str(ZYGOTE), str(theirs.fileno()), *preload],
            pass_fds=[theirs.fileno()],
            stdin=subprocess.DEVNULL,
            env=env,
            start_new_session=True,  # the trainer's Ctrl-C reaches this process, which stops it
        )
        theirs.close()
        self.channel = ours
        self.lock = threading.Lock()

    def fork(self, argv: list[str], cwd: str, env: dict[str, str]) -> ForkedKernel:
        request = json.dumps({"argv": argv, "cwd": cwd, "env": env}).encode()
        with self.lock:
            self.channel.send(request)
            message, fds, _flags, _address = socket.recv_fds(self.channel, 1 << 16, 1)
        if not message:
            raise OSError("the kernel zygote stopped")
        answer = json.loads(message)
        if "error" in answer:
            for fd in fds:
                os.close(fd)
            raise OSError(answer["error"])
        return ForkedKernel(answer["pid"], fds[0])

    def stop(self) -> None:
        """Close the request socket: the zygote kills and reaps its kernels, then exits."""
        self.channel.close()
        try:
            self.process.wait(STOP_WAIT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def shared_env(env: dict[str, str]) -> dict[str, str]:
    """``env`` without what jupyter_client sets for each kernel."""
    return {k: v for k, v in env.items() if not k.startswith(PER_KERNEL)}


#: This process's zygote, with what it was started for: (preload, environment, process id).
_ZYGOTES: dict[tuple, Zygote] = {}
_FINALIZED_IN: set[int] = set()


def zygote_for(preload: tuple[str, ...], env: dict[str, str]) -> Zygote:
    """This process's zygote for kernels with ``env`` (one at a time: a kernel wanting another
    environment or preload stops the zygote there was)."""
    key = (preload, tuple(sorted(shared_env(env).items())), os.getpid())
    zygote = _ZYGOTES.get(key)
    if zygote is None or zygote.process.poll() is not None:
        stop_zygotes()
        if os.getpid() not in _FINALIZED_IN:
            # Runs at exit in ordinary processes and in multiprocessing workers; after the
            # spare kernels are stopped (priority 10), before the process ends.
            multiprocessing.util.Finalize(None, stop_zygotes, exitpriority=5)
            _FINALIZED_IN.add(os.getpid())
        zygote = _ZYGOTES[key] = Zygote(preload, shared_env(env))
    return zygote


def stop_zygotes() -> None:
    """Stop this process's zygotes (and any kernel they still run)."""
    for key in list(_ZYGOTES):
        zygote = _ZYGOTES.pop(key)
        if key[-1] == os.getpid():  # one inherited through fork is its parent's to stop
            zygote.stop()


def forkable(cmd: list[str], kwargs: dict[str, Any]) -> bool:
    """Whether ``cmd`` is this Python's plain ``-m ipykernel_launcher``, started the default way."""
    plain = cmd[:3] == [sys.executable, "-m", "ipykernel_launcher"]
    default_streams = all(kwargs.get(k) is None for k in ("stdin", "stdout", "stderr"))
    return plain and default_streams and not kwargs.get("independent")


class ForkingProvisioner(LocalProvisioner):  # type: ignore[misc]
    """jupyter_client's local provisioner, forking plain Python kernels from a zygote."""

    #: Modules the zygote imports (besides IPython and ipykernel) before it forks kernels.
    preload: tuple[str, ...] = ()

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> KernelConnectionInfo:
        env = dict(kwargs.get("env") or os.environ)
        if self.kernel_spec.env or not forkable(cmd, kwargs):
            return await super().launch_kernel(cmd, **kwargs)
        cwd = str(kwargs.get("cwd") or os.getcwd())
        try:
            self.process = zygote_for(tuple(self.preload), env).fork(cmd[3:], cwd, env)
        except OSError as error:  # no zygote, or it could not fork: a kernel all the same
            self.log.warning("kernel zygote: %s; starting the kernel the usual way", error)
            return await super().launch_kernel(cmd, **kwargs)
        self.pid = self.pgid = self.process.pid  # the child leads a session of its own
        self.cwd = cwd
        return self.connection_info

    async def wait(self) -> int | None:
        """As jupyter_client's, but woken the moment the forked kernel ends (not polled)."""
        process = self.process
        if not isinstance(process, ForkedKernel) or process.poll() is not None:
            return await super().wait()
        ended = asyncio.Event()
        loop = asyncio.get_running_loop()
        loop.add_reader(process.pidfd, ended.set)
        try:
            await ended.wait()
        finally:
            loop.remove_reader(process.pidfd)
        return await super().wait()
