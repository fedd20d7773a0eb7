"""Starting the live workbook's Python while its app starts (``deploy/lite/early_kernel.py``):
the edits to jupyterlite-pyodide-kernel's built code, made on the extension installed here (the
one the site is built from), each find their one place and leave valid JavaScript; what the
early worker imports exists and does not bring in the widgets (which must come after the
kernel). That the workbook then opens, and faster, is tested in the browser (test_lite.py) and
measured by ``benchmarks/lite.py``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import early_kernel
import lite_site
import pytest

SETTINGS = {
    "pyodideUrl": "./static/pyodide/pyodide.mjs",
    "loadPyodideOptions": {
        "lockFileURL": "./static/pyodide/pyodide-lock.json",
        "packages": ["ipython", "wholeschool-course"],
        "env": {"WHOLESCHOOL_RECORDS": "/drive/records"},
    },
}


def installed_kernel_static() -> Path:
    """The pyodide kernel extension's built files, as installed with Python here."""
    for folder in lite_site.extension_paths():
        static = Path(folder) / "pyodide-kernel-extension" / "static"
        if static.is_dir():
            return static
    raise AssertionError("jupyterlite-pyodide-kernel's extension is not installed")


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A site folder holding a copy of the kernel extension's built files."""
    shutil.copytree(installed_kernel_static(), tmp_path / early_kernel.KERNEL_STATIC)
    return tmp_path


def node_checks(path: Path) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node not found: install node and npm (bash .ci/system-deps.sh)")
    subprocess.run([node, "--check", str(path)], check=True, capture_output=True)


def test_the_worker_loads_its_runtime_once_and_the_kernel_takes_the_pages_worker(site: Path):
    relative = early_kernel.start_kernel_early(site, SETTINGS)
    worker = (site / "repl" / relative).resolve()
    assert worker.is_file() and worker.name.startswith("comlink.worker.")
    code = worker.read_text(encoding="utf-8")
    # the kernel's own call and the early start share one load
    assert code.count("return this.__wholeschoolRuntime||") == 1
    assert code.count(f'self.name==="{early_kernel.EARLY_NAME}"') == 1
    assert json.dumps(SETTINGS["loadPyodideOptions"]) in code
    assert all(name in code for name in early_kernel.EARLY_IMPORTS)
    # it no longer installs jedi (left out of the site) when the kernel starts
    assert early_kernel.WITHOUT_JEDI[1] in code and early_kernel.WITHOUT_JEDI[0] not in code
    node_checks(worker)
    (chunk,) = [p for p in worker.parent.glob("*.js") if "__wholeschoolWorker" in p.read_text()]
    assert chunk.read_text(encoding="utf-8").count("window.__wholeschoolWorker=null") == 1
    node_checks(chunk)


def test_code_that_has_changed_stops_the_build_and_says_where(site: Path):
    static = site / early_kernel.KERNEL_STATIC
    (worker,) = static.glob("comlink.worker.*.js")
    worker.write_text(worker.read_text().replace("async initRuntime(", "async startRuntime("))
    with pytest.raises(early_kernel.EarlyKernelError, match="comlink.worker.*has changed"):
        early_kernel.start_kernel_early(site, SETTINGS)


def test_what_the_early_worker_imports_exists_and_leaves_the_widgets_for_later():
    wanted = [name for name in early_kernel.EARLY_IMPORTS if name.startswith("wholeschool")]
    assert wanted, "the package's slowest imports are among the early ones"
    script = (
        "import importlib, sys\n"
        f"for name in {wanted!r}:\n    importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('ipywidgets', 'IPython')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], check=True, capture_output=True, text=True
    )
    assert done.stdout.strip() == "[]", done.stdout
