"""nbgrader's ``Execute`` step with kernels over private Unix sockets, started one ahead.

- **Private sockets.** With ``KernelManager.transport = "ipc"`` every kernel gets its own
  sockets in a fresh folder of this account's (mode 0700, a short path under the temporary
  folder): no TCP port another account could reach, no "running over TCP without encryption"
  warning, and no two grading workers choosing the same socket name (jupyter_client numbers
  IPC sockets by looking for free names, which races between processes sharing a prefix).
- **A kernel started ahead.** Starting a kernel (about a second of Python imports) is most of
  the cost of grading a short notebook. Each grading process keeps one spare kernel warming
  up: when a notebook is graded it takes the spare (and starts the next spare at once), so the
  next start-up overlaps this notebook's run. The spare is started in the grading process's
  own folder and moved to the notebook's folder (``os.chdir``) before any cell runs; it is
  used for one notebook only, then shut down, exactly as nbgrader's own kernels are.
  ``Execute.spare_kernels = False`` turns this off: where a kernel is confined to the folder
  it starts in (the course hub's sandbox), it must start in the notebook's own folder.
- **Imports done while it waits.** A spare imports ``Execute.preload`` (the course package the
  notebooks import first: most of a kernel's own start-up) as it starts, silently and leaving
  no name behind, so the notebook's first cell finds it loaded. Nothing else differs from a
  fresh kernel: the cells, their order, numbering and outputs are the same.
- **Forked, not started.** A plain Python kernel is forked from a zygote that has already
  imported IPython, ipykernel and ``Execute.preload`` (see
  :mod:`wholeschool.grading.forked_kernels`): a fresh process of its own per notebook, about a
  tenth of the CPU of a new interpreter. Kernels started by another command (the course hub's
  sandbox) start the usual way; ``PrivateSocketKernelManager.fork_kernels = False`` turns it off.
- **Stopped at once.** When its notebook is done a kernel is stopped straight away
  (``Execute.shutdown_kernel = "immediate"``) instead of nbclient's polite request and wait:
  every output has been collected by then, and the kernel is never used again.

Listed in ``Autograde.autograde_preprocessors`` in the course's ``nbgrader_config.py`` in
place of ``nbgrader.preprocessors.Execute``; it reads the same ``Execute`` settings.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing.util
import os
import shutil
import tempfile
import uuid
from typing import Any

from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync
from nbgrader.preprocessors import Execute as NbgraderExecute
from traitlets import Bool, Enum, List, Unicode

from .forked_kernels import ForkingProvisioner


class PrivateSocketKernelManager(AsyncKernelManager):
    """A kernel manager whose IPC sockets live in a folder of their own, removed afterwards,
    and whose plain Python kernels are forked from a zygote that has done the imports."""

    fork_kernels = Bool(
        True,
        help="Fork plain Python kernels from a process that has imported IPython, ipykernel "
        "and the preloaded modules (each kernel is still a fresh process of its own). Kernels "
        "started by another command (a sandbox, another Python) start the usual way anyway.",
    ).tag(config=True)

    preload = List(Unicode(), help="Modules the zygote imports before it forks kernels.")

    _socket_folder = ""

    async def _async_pre_start_kernel(self, **kw: Any) -> Any:  # type: ignore[override]
        spec = self.kernel_spec
        if (
            self.provisioner is None
            and self.fork_kernels
            and "kernel_provisioner" not in (spec.metadata if spec else {})
        ):
            self.kernel_id = self.kernel_id or kw.pop("kernel_id", str(uuid.uuid4()))
            provisioner = ForkingProvisioner(
                kernel_id=self.kernel_id, kernel_spec=spec, parent=self
            )
            provisioner.preload = tuple(self.preload)
            self.provisioner = provisioner
        return await super()._async_pre_start_kernel(**kw)

    def _ip_default(self) -> str:
        if self.transport != "ipc":
            return super()._ip_default()
        self._socket_folder = tempfile.mkdtemp(prefix="wsk-")  # 0700, short: sockets < 108 bytes
        return os.path.join(self._socket_folder, "k")

    async def cleanup_resources(self, restart: bool = False) -> None:  # type: ignore[override]
        await super().cleanup_resources(restart=restart)
        if self._socket_folder and not restart:
            shutil.rmtree(self._socket_folder, ignore_errors=True)


#: This process's spare kernels, by (kernel name, extra arguments, environment marker).
_SPARE: dict[tuple, PrivateSocketKernelManager] = {}


def _spare_key(kernel_name: str, extra_arguments: list[str]) -> tuple:
    # A spare inherits the environment it was started in; never hand it to a run whose
    # records folder (the one variable grading changes) differs.
    return (kernel_name, tuple(extra_arguments), os.environ.get("WHOLESCHOOL_RECORDS"), os.getpid())


_FINALIZED_IN: set[int] = set()


def _start_spare(
    config: Any, kernel_name: str, extra_arguments: list[str], preload: list[str]
) -> None:
    if os.getpid() not in _FINALIZED_IN:
        # Runs at exit in ordinary processes and in multiprocessing workers (which skip atexit
        # and drop finalizers registered before they were forked).
        multiprocessing.util.Finalize(None, shut_down_spares, exitpriority=10)
        _FINALIZED_IN.add(os.getpid())
    manager = PrivateSocketKernelManager(kernel_name=kernel_name, config=config, preload=preload)
    run_sync(manager.start_kernel)(extra_arguments=list(extra_arguments))
    _SPARE[_spare_key(kernel_name, extra_arguments)] = manager


def _take_spare(kernel_name: str, extra_arguments: list[str]) -> PrivateSocketKernelManager | None:
    return _SPARE.pop(_spare_key(kernel_name, extra_arguments), None)


def shut_down_spares() -> None:
    """Stop this process's spare kernels (run when the process exits)."""
    for key in list(_SPARE):
        manager = _SPARE.pop(key)
        if key[-1] != os.getpid():  # inherited through fork: the parent's to stop
            continue
        with contextlib.suppress(Exception):  # a kernel already gone needs nothing more
            run_sync(manager.shutdown_kernel)(now=True)
        run_sync(manager.cleanup_resources)()


class Execute(NbgraderExecute):
    """nbgrader's ``Execute``, on a kernel started ahead over private sockets."""

    spare_kernels = Bool(
        True,
        help="Start the next notebook's kernel ahead, in the grading process's own folder. "
        "Turn off where kernels are confined to the folder they start in.",
    ).tag(config=True)

    preload = List(
        Unicode(),
        help="Modules a kernel started ahead imports while it waits for its notebook.",
    ).tag(config=True)

    shutdown_kernel = Enum(
        ["graceful", "immediate"],
        default_value="immediate",
        help="How a kernel is stopped once its notebook is done: at once (its outputs are all "
        "in), or nbclient's request and wait.",
    ).tag(config=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("kernel_manager_class", PrivateSocketKernelManager)
        super().__init__(*args, **kwargs)

    def _spare_arguments(self) -> list[str]:
        """The kernel's arguments as nbclient would give them (history kept in memory)."""
        arguments = list(self.extra_arguments)
        if self.ipython_hist_file and not any(
            a.startswith("--HistoryManager.hist_file") for a in arguments
        ):
            arguments.append(f"--HistoryManager.hist_file={self.ipython_hist_file}")
        if self.preload:  # run by IPython before the kernel answers, out of the history
            imports = "; ".join(f"_preload.import_module({name!r})" for name in self.preload)
            code = f"import importlib as _preload; {imports}; del _preload"
            arguments.append(f"--IPKernelApp.exec_lines={json.dumps([code])}")
        return arguments

    def create_kernel_manager(self) -> Any:
        if not self.kernel_name:
            self.kernel_name = self.nb.metadata.get("kernelspec", {}).get("name") or "python3"
        if not self.spare_kernels:
            self.km = self._new_kernel_manager()
            return self.km
        arguments = self._spare_arguments()
        manager = _take_spare(self.kernel_name, arguments)
        if manager is not None and run_sync(manager.is_alive)():
            self.km = manager
        else:
            self.km = self._new_kernel_manager()
        _start_spare(self.config, self.kernel_name, arguments, list(self.preload))
        return self.km

    def _new_kernel_manager(self) -> Any:
        manager = super().create_kernel_manager()
        if isinstance(manager, PrivateSocketKernelManager):
            manager.preload = list(self.preload)
        return manager

    async def async_start_new_kernel_client(self) -> Any:
        client = await super().async_start_new_kernel_client()
        path = self.resources.get("metadata", {}).get("path")
        if path:  # a spare started elsewhere: move it to the notebook's folder first
            await client.execute_interactive(
                f"import os as _os; _os.chdir({os.path.abspath(path)!r}); del _os",
                silent=True,
                store_history=False,
                timeout=self.startup_timeout,
            )
        return client

    start_new_kernel_client = run_sync(async_start_new_kernel_client)
