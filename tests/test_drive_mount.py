"""The kernel waits for the service worker before deciding to mount the browser's storage
(``deploy/lite/drive_mount.py``): the edit to jupyterlite-pyodide-kernel's built code finds its
one place in the extension installed here and leaves valid JavaScript; changed code stops the
build and says where. That a late service worker then still keeps a lead's answers, and that a
browser with none is told so, is tested in the browser (``test_lite.py``).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import drive_mount
import pytest
from test_lite_early import installed_kernel_static, node_checks


@pytest.fixture
def site(tmp_path: Path) -> Path:
    shutil.copytree(installed_kernel_static(), tmp_path / drive_mount.KERNEL_STATIC)
    return tmp_path


def test_the_kernel_waits_for_the_registration_before_deciding(site: Path):
    chunk = drive_mount.mount_drive_once_registered(site)
    code = chunk.read_text(encoding="utf-8")
    assert drive_mount.DECISION.search(code) is None  # the undecided check is gone
    assert code.count(".ready.catch(()=>0)") == 1
    assert f"setTimeout(r,{drive_mount.WAIT_MS})" in code
    assert "navigator.serviceWorker&&await Promise.race" in code
    node_checks(chunk)
    with pytest.raises(drive_mount.DriveMountError, match="expected one chunk"):
        drive_mount.mount_drive_once_registered(site)  # edited once only


def test_code_that_has_changed_stops_the_build_and_says_where(tmp_path: Path):
    where = tmp_path / "716.js"
    with pytest.raises(drive_mount.DriveMountError, match="716.js.*has changed"):
        drive_mount.waiting_for_registration("l=!!(i.enabled)", where)
