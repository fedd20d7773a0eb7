"""The browser's Python keeps its files in the browser only once the service worker is there.

JupyterLite's Pyodide kernel mounts the browser's storage (DriveFS at ``/drive``, where the
lead's records live) only if the page's service worker is registered *when the kernel is
made*; it does not wait for that registration, which JupyterLite starts at the same time. On a
second visit JupyterLite first unregisters the old service worker and registers it again, so
the registration comes late, and on a busy machine the kernel was sometimes made first: the
kernel then ran without the browser's storage ("Pyodide contents will NOT be synced") and
every save went to memory, gone when the tab closed, while the form said "Saved".

The edit below makes the kernel wait for the registration (JupyterLite's own ``ready``) before
deciding, for at most :data:`WAIT_MS` and only where the browser has service workers at all; a
registration that fails or never comes leaves the drive unmounted, which the workbook then
reports instead of opening a form whose answers would be lost
(``wholeschool.store.browser_storage_kept``). The edit is to minified code: it must match
exactly once, or the build stops and says so.
"""

from __future__ import annotations

import re
from pathlib import Path

from early_kernel import KERNEL_STATIC, EarlyKernelError, one_chunk, one_match

#: The longest the kernel waits for the service worker's registration, in milliseconds.
WAIT_MS = 20_000
#: The kernel plugin's decision to mount the drive: ``l=!!((null==i?void 0:i.enabled)||...)``.
DECISION = re.compile(r"(\w+)=!!\(\(null==(\w+)\?void 0:\2\.enabled\)\|\|crossOriginIsolated\)")
#: This edit's file, named when the kernel's code has changed under it.
MODULE = "drive_mount.py"


class DriveMountError(EarlyKernelError):
    """The kernel extension's built code is not what this edit expects."""


def waiting_for_registration(code: str, where: Path) -> str:
    """The kernel plugin's ``code`` deciding to mount the drive only once the service worker's
    registration has settled (or :data:`WAIT_MS` has passed)."""
    match = one_match(DECISION, code, where, MODULE, DriveMountError)
    mount, manager = match.groups()
    waited = (
        f"(navigator.serviceWorker&&await Promise.race([{manager}.ready.catch(()=>0),"
        f"new Promise(r=>setTimeout(r,{WAIT_MS}))]),{manager}.enabled)"
    )
    replacement = f"{mount}=!!((null=={manager}?void 0:{waited})||crossOriginIsolated)"
    return code[: match.start()] + replacement + code[match.end() :]


def mount_drive_once_registered(site: Path) -> Path:
    """Edit the built ``site``'s kernel plugin (see above); return the file edited."""
    chunk = one_chunk(
        site / KERNEL_STATIC,
        DECISION,
        "deciding whether to mount the drive",
        MODULE,
        DriveMountError,
    )
    chunk.write_text(waiting_for_registration(chunk.read_text("utf-8"), chunk), encoding="utf-8")
    return chunk
