"""Start the browser's Python while the workbook's app is still starting (issue 20).

JupyterLite's REPL app creates the Python kernel's web worker only once the whole app has
started (its plugins, settings, the console and its session): a second and more on a repeat
visit, during which the worker could already be loading Pyodide and the form's packages, the
slowest step of a start. The workbook's page (``workbook.js``) therefore creates that same worker
(jupyterlite-pyodide-kernel's comlink worker) as soon as the page is read, named
:data:`EARLY_NAME`; two edits to the built site then join the two starts:

* in the worker, loading the runtime (its ``initRuntime``) is done once and shared: a worker
  with that name starts it at once, with the kernel's own settings (the site's
  ``jupyter-lite.json``, addresses taken from the site's root as the kernel's plugin takes
  them), then imports the slowest modules of a start (:data:`EARLY_IMPORTS`), and the
  kernel's later call waits for all that;
* in the kernel's page-side code, the kernel takes the worker the page started, if there is
  one, instead of creating its own (a restarted kernel creates its own, as before).

What the kernel then does (its drive, package manager, IPython, the form) is unchanged. Both
edits are to minified code: each must match exactly once, or the build stops and says so.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

#: What the early worker imports once Pyodide is loaded, still while the app starts: the
#: slowest imports of the kernel (IPython, piplite) and of a form (this package's lower layers),
#: none of which does anything on import but define things. Not ipywidgets (it registers with
#: the kernel on import if there is one, so it must come after it), nor pyodide_kernel (its
#: import makes the kernel, after the drive is mounted). A module missing here is skipped.
EARLY_IMPORTS = (
    "IPython",
    "_strptime",
    "piplite.piplite",
    "wholeschool",
    "wholeschool.render.html",
    "wholeschool.reports.governors",
)
#: The name the workbook's page gives the worker it starts early.
EARLY_NAME = "wholeschool-early"
#: Where the kernel extension's files are in the built site.
KERNEL_STATIC = Path("extensions/@jupyterlite/pyodide-kernel-extension/static")

#: The worker's runtime step (``async initRuntime(e){``), made a shared, once-only load.
RUNTIME_STEP = re.compile(r"async initRuntime\((\w+)\)\{")
#: The worker's end: its kernel object made and handed to comlink.
WORKER_END = re.compile(r"(\w+)=new (\w+);(\w+)\(\1\);export\{\2 as PyodideComlinkKernel\};?\s*$")
#: The page side's worker factory in the kernel (``initWorker``).
WORKER_FACTORY = re.compile(
    r'initWorker\((\w+)\)\{let (\w+)=(\w+)=>new Worker\(\3,\{type:"module"\}\)'
)


#: The kernel's worker installs (with piplite) each of these its settings do not load; jedi is
#: left out of the site (``lite_site.NOT_LOADED``), so it is taken off that list.
WITHOUT_JEDI = (
    '["ipykernel","comm","pyodide-kernel","jedi","ipython"]',
    '["ipykernel","comm","pyodide-kernel","ipython"]',
)


class EarlyKernelError(RuntimeError):
    """The kernel extension's built code is not what these edits expect."""


def one_match(
    pattern: re.Pattern,
    code: str,
    where: Path,
    module: str = "early_kernel.py",
    error: type[EarlyKernelError] = EarlyKernelError,
) -> re.Match:
    """The one match of ``pattern`` in the built ``code`` of file ``where``; none or several
    stop the build with ``error``, naming ``module`` (the ``deploy/lite`` edit to update)."""
    found = list(pattern.finditer(code))
    if len(found) != 1:
        raise error(
            f"{where}: jupyterlite-pyodide-kernel's code has changed ({len(found)} matches of "
            f"{pattern.pattern!r}); check deploy/lite/{module} against it and update it"
        )
    return found[0]


def one_chunk(
    static: Path,
    pattern: re.Pattern,
    what: str,
    module: str = "early_kernel.py",
    error: type[EarlyKernelError] = EarlyKernelError,
) -> Path:
    """The one built file of the kernel extension (``static``) whose code matches ``pattern``
    (``what`` it does, for the message); none or several stop the build as :func:`one_match`."""
    chunks = [p for p in sorted(static.glob("*.js")) if pattern.search(p.read_text("utf-8"))]
    if len(chunks) != 1:
        raise error(
            f"{static}: expected one chunk {what}, found {len(chunks)}; check "
            f"deploy/lite/{module} against jupyterlite-pyodide-kernel"
        )
    return chunks[0]


def early_worker_code(code: str, settings: dict, where: Path) -> str:
    """The comlink worker's ``code`` with its runtime loaded once, at once if the worker has
    the early name (``settings``: the kernel's plugin settings), and not installing jedi."""
    old, new = WITHOUT_JEDI
    if code.count(old) != 1:
        raise EarlyKernelError(
            f"{where}: jupyterlite-pyodide-kernel's code has changed (its list of kernel "
            "packages); check deploy/lite/early_kernel.py's WITHOUT_JEDI against it"
        )
    code = code.replace(old, new)
    step = one_match(RUNTIME_STEP, code, where)
    arg = step.group(1)
    code = (
        code[: step.start()]
        + f"initRuntime({arg}){{return this.__wholeschoolRuntime||"
        + f"(this.__wholeschoolRuntime=this.__wholeschoolInitRuntime({arg}))}}"
        + f"async __wholeschoolInitRuntime({arg}){{"
        + code[step.end() :]
    )
    end = one_match(WORKER_END, code, where)
    kernel, cls, expose = end.groups()
    options = {
        "pyodideUrl": settings["pyodideUrl"],
        "loadPyodideOptions": settings.get("loadPyodideOptions", {}),
    }
    imports = (
        "import importlib\n"
        f"for _name in {list(EARLY_IMPORTS)!r}:\n"
        "    try:\n        importlib.import_module(_name)\n"
        "    except ImportError:\n        pass\n"
        "del _name, importlib\n"
    )
    # The kernel's plugin takes the Pyodide address from the site's root and every option
    # named ...URL from its base address (the same root here); the early start does the same.
    start = (
        f"if(self.name==={json.dumps(EARLY_NAME)}){{"
        f"const $o={json.dumps(options)},$r=new URL('../../../../',self.location.href),"
        "$p=new URL($o.pyodideUrl,$r).href,$l={};"
        "for(const[$k,$v]of Object.entries($o.loadPyodideOptions))"
        "$l[$k]=$k.endsWith('URL')&&typeof $v==='string'?new URL($v,$r).href:$v;"
        f"{kernel}.__wholeschoolRuntime={kernel}.__wholeschoolInitRuntime("
        "{pyodideUrl:$p,indexUrl:$p.slice(0,$p.lastIndexOf('/')+1),loadPyodideOptions:$l})"
        f".then(async()=>{{try{{await {kernel}._pyodide.runPythonAsync({json.dumps(imports)})}}"
        "catch($e){}});"
        f"{kernel}.__wholeschoolRuntime.catch(()=>{{}})}}"
    )
    tail = f"{kernel}=new {cls};{expose}({kernel});{start}export{{{cls} as PyodideComlinkKernel}};"
    return code[: end.start()] + tail + "\n"


def taking_page_worker(code: str, where: Path) -> str:
    """The kernel's page-side ``code`` taking the worker the page started early, once."""
    factory = one_match(WORKER_FACTORY, code, where)
    arg, make, url = factory.groups()
    replacement = (
        f"initWorker({arg}){{let {make}={url}=>{{const w=window.__wholeschoolWorker;"
        f"if(w){{window.__wholeschoolWorker=null;return w}}"
        f'return new Worker({url},{{type:"module"}})}}'
    )
    return code[: factory.start()] + replacement + code[factory.end() :]


def start_kernel_early(site: Path, settings: dict) -> str:
    """Edit the built ``site`` so the kernel can start early (see above); return the comlink
    worker's address relative to the app's page (``repl/index.html``), for ``workbook.js``."""
    static = site / KERNEL_STATIC
    workers = sorted(static.glob("comlink.worker.*.js"))
    if len(workers) != 1:
        raise EarlyKernelError(f"{static}: expected one comlink.worker.*.js, found {len(workers)}")
    (worker,) = workers
    worker.write_text(
        early_worker_code(worker.read_text(encoding="utf-8"), settings, worker), encoding="utf-8"
    )
    page = one_chunk(static, WORKER_FACTORY, "making the kernel's worker")
    page.write_text(taking_page_worker(page.read_text(encoding="utf-8"), page), encoding="utf-8")
    return "../" + (KERNEL_STATIC / worker.name).as_posix()
