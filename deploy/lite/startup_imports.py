"""What the live workbook's start imports; run in the browser's own Python (Pyodide, in Node).

``lite_site.py`` runs this at build time (``in_pyodide.mjs``) to learn which modules to ship
compiled: the ones every visit imports. It does what the kernel's web worker does when the
workbook opens (jupyterlite-pyodide-kernel 0.8: load the packages of its settings, import piplite
and the kernel, hand the kernel its messaging) and then runs a form's code.

Usage (inside Pyodide): ``startup_imports.py OUT PACKAGES CODE``: ``PACKAGES`` a JSON list of
lock names, ``CODE`` the form's code. Writes to ``OUT`` (JSON) the files of every module imported (but those frozen into the
interpreter),
and the form's error if it failed (``null`` if not).
"""

import json
import sys
from pathlib import Path

import pyodide_js


async def main(out: str, packages: list[str], code: str) -> None:
    await pyodide_js.loadPackage(packages)
    import piplite.piplite  # noqa: F401  (the worker's initPackageManager)
    import pyodide_kernel  # (its initKernel)

    # its initGlobals hands the kernel a way to send widget messages to the page
    pyodide_kernel.kernel_instance.interpreter.send_comm = lambda *args, **kwargs: None
    error = None
    try:
        exec(code, {"__name__": "__main__"})
    except Exception as problem:  # reported by the build, which then stops
        error = repr(problem)
    files = sorted(
        module.__file__
        for module in list(sys.modules.values())
        if isinstance(getattr(module, "__file__", None), str)
        # frozen into the interpreter (os, codecs, ...): never read from a file
        and getattr(getattr(module, "__spec__", None), "origin", None) != "frozen"
    )
    Path(out).write_text(json.dumps({"files": files, "error": error}))


await main(sys.argv[1], json.loads(sys.argv[2]), sys.argv[3])  # noqa: F704, PLE1142
