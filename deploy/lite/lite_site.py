"""Build the book's live forms: JupyterLite's REPL app with the browser's Python (Pyodide).

A lead opens a form from the book ("Open the live form"); the REPL app starts the Pyodide
kernel, runs the form's code (``forms.yaml``: one import and one call) and shows only its output,
so the lead sees a form, not code. The kernel keeps its files under ``/drive``, which JupyterLite
stores in the browser's own storage (IndexedDB): the records folder is ``/drive/records``.

Where Pyodide and its packages come from is one setting (``live_pyodide`` in ``_config.yml``):

* ``cdn`` (default): Pyodide's public CDN, for the version whose npm core we test with; only the
  wheels the CDN does not have (this package, ipywidgets, openpyxl, ...) are in the site;
* ``self``: everything in the site (``static/pyodide/``), for schools that block CDNs; this is
  the copy the tests use, assembled from the registries by ``build_pyodide.py``;
* a URL ending in ``/``: another host of the same Pyodide distribution (a school's mirror).

Either way a lock file in the site (``static/pyodide/pyodide-lock.json``) lists every package the
kernel may load, and the kernel loads the form's packages all at once when it starts. The browser
unpacks the packages afresh at every visit, so its Python would compile every module it imports
at every visit too: in the self-hosted site the modules a start imports are shipped compiled
instead, where that adds few bytes (``compile_startup``; the CDN's wheels come compiled). The site is
built clean every time, into a fresh folder: a JupyterLite rebuild over old output can silently
drop the local Pyodide address.

Usage: python deploy/lite/lite_site.py OUT [--mode cdn|self|URL]
``build_pyodide`` is the module beside this one: its folder is on Python's path for a script,
for the book (``_config.yml``'s ``local_extensions`` entry of ``live_forms.py``), the tests
(pyproject's ``pythonpath``) and the benchmarks (the Makefile's ``TOOLING_PATH``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from urllib.parse import urlencode

import build_pyodide
import drive_mount
import early_kernel
import yaml
from jupyter_core.paths import jupyter_path
from packaging.utils import canonicalize_name
from pyodide_lock import PackageSpec, PyodideLockSpec

HERE = Path(__file__).resolve().parent

ROOT = HERE.parents[1]
PACKAGE = "wholeschool-course"
PACKAGE_SOURCE = ROOT / "widgets" / "wholeschool"
FORMS_FILE = PACKAGE_SOURCE / "data" / "workbook.yaml"
#: Where the kernel keeps the lead's records: under /drive, which the browser keeps.
RECORDS_IN_BROWSER = "/drive/records"
CDN = f"https://cdn.jsdelivr.net/pyodide/v{build_pyodide.PYODIDE_VERSION}/full/"
#: What the kernel would otherwise install one by one after start-up; loaded with Pyodide.
KERNEL_PACKAGES = ("micropip", "piplite", "ipykernel", "comm", "pyodide-kernel", "ipython")
#: Left out of the site: code completion (jedi, and parso it parses with), which the forms never
#: offer (the app's prompt is hidden). IPython 9.12 imports jedi at every start if it is there
#: (newer IPython only when completing), a quarter of a second of a start's critical path;
#: without it IPython completes with its own completer. The kernel's worker is kept from
#: installing it (``early_kernel.WITHOUT_JEDI``).
NOT_LOADED = ("jedi", "parso")
#: Federated JupyterLab extensions the site needs: the Pyodide kernel and the widget renderer.
EXTENSIONS = ("@jupyterlite/pyodide-kernel-extension", "@jupyter-widgets/jupyterlab-manager")
#: A JupyterLab plugin that fails in the REPL app (it needs the notebook tracker).
DISABLED_PLUGINS = ("@jupyterlab/codemirror-extension:commands",)
#: The app a form opens in, relative to the site's root.
APP = "repl/index.html"
PYODIDE_DIR = "static/pyodide"
#: The script that makes each rating's choices one radio group, named for screen readers. Its one
#: copy is the course hub's Voila template's static file (Voila serves that folder as it is in the
#: checkout, through JUPYTER_PATH, with no build step), so the workbook's page takes it from there.
RADIO_GROUPS = ROOT / "deploy/hub/jupyter-data/voila/templates/wholeschool/static/radio-groups.js"
#: The forms' rules for every width (choices wrap, labels above controls on a phone), shared
#: with the course hub's Voila apps in the same way.
WIDGET_WIDTHS = RADIO_GROUPS.with_name("widget-widths.css")
#: The one copy of the script that keeps the keyboard's place when a form redraws (shared too).
KEEP_FOCUS = RADIO_GROUPS.with_name("keep-focus.js")


class LiteBuildError(RuntimeError):
    """The live site could not be built; the message says what to fix."""


#: Every error :func:`build_site` raises with a message for the person building (no traceback).
#: (``drive_mount.DriveMountError`` is an ``EarlyKernelError``: an edit of the kernel's code.)
SITE_ERRORS = (LiteBuildError, build_pyodide.AssemblyError, early_kernel.EarlyKernelError)


@dataclass(frozen=True)
class Form:
    """One form of the live workbook (an entry of the package's ``workbook.yaml``)."""

    id: str
    page: str
    title: str
    purpose: str
    shows: tuple[str, ...] = ()

    @property
    def code(self) -> str:
        """What the browser's Python runs when the workbook opens at this form."""
        return f'from wholeschool.ui import workbook\nworkbook("{self.id}")'

    def app_url(self) -> str:
        """The form's address relative to the live site's root: the REPL app, told to start
        the Python kernel, run the code and show only its output."""
        query = {"kernel": "python", "showBanner": "0", "hideCodeInput": "1"}
        return f"{APP}?{urlencode({**query, 'code': self.code})}"


REQUIRED = ("id", "page", "title", "purpose")


def load_forms(path: Path = FORMS_FILE) -> list[Form]:
    """The workbook's forms, checked: every field present and text, ids and pages unique."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise LiteBuildError(f"{path}: not valid YAML ({error})") from None
    entries = data.get("forms") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise LiteBuildError(f"{path}: forms: must be a non-empty list")
    forms, seen = [], set()
    for index, entry in enumerate(entries):
        where = f"{path}: forms[{index}]"
        if not isinstance(entry, dict):
            raise LiteBuildError(f"{where}: must be a mapping")
        for field in REQUIRED:
            value = entry.get(field)
            if not isinstance(value, str) or not value.strip():
                raise LiteBuildError(f"{where}.{field}: missing or empty")
        unknown = set(entry) - set(Form.__dataclass_fields__)
        if unknown:
            raise LiteBuildError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
        shows = entry.get("shows", [])
        if not isinstance(shows, list) or not all(isinstance(s, str) and s for s in shows):
            raise LiteBuildError(f"{where}.shows: must be a list of lines of text")
        if not re.fullmatch(r"[a-z0-9-]+", entry["id"]):
            raise LiteBuildError(f"{where}.id: use lower-case letters, digits and hyphens")
        for key in ("id", "page"):
            if (key, entry[key]) in seen:
                raise LiteBuildError(f"{where}.{key}: {entry[key]!r} is used twice")
            seen.add((key, entry[key]))
        forms.append(
            Form(**{k: entry[k].strip() for k in REQUIRED}, shows=tuple(s.strip() for s in shows))
        )
    return forms


def check_mode(mode: str) -> str:
    """``cdn``, ``self`` or a URL ending in ``/``; anything else is refused."""
    if mode in ("cdn", "self") or re.fullmatch(r"https?://\S+/", mode):
        return mode
    raise LiteBuildError(
        f"live_pyodide: {mode!r} is not 'cdn', 'self', 'off' or a URL ending in '/'"
    )


def fingerprint(mode: str, title: str) -> str:
    """A hash of everything the live site is built from (a new one means a new build)."""
    digest = hashlib.sha256(f"{mode}\n{title}\n".encode())
    sources = [p for p in sorted(HERE.iterdir()) if p.is_file()]
    sources += [ROOT / "pyproject.toml", RADIO_GROUPS, KEEP_FOCUS, WIDGET_WIDTHS]
    sources += sorted(p for p in PACKAGE_SOURCE.rglob("*") if p.is_file())
    for path in sources:
        if "__pycache__" not in path.parts:
            digest.update(path.relative_to(ROOT).as_posix().encode())
            digest.update(path.read_bytes())
    for dist in ("jupyterlite-core", "jupyterlite-pyodide-kernel", "jupyterlab-widgets"):
        digest.update(f"{dist}={metadata.version(dist)}".encode())
    return digest.hexdigest()[:16]


def build_wheel(dest: Path, build_tag: str) -> Path:
    """This package as a wheel, tagged with a build number unique to its sources, so a browser
    that cached an older wheel of the same version never mixes it up with the new one. Built
    from a copy of its sources, so the build leaves nothing behind in the checkout."""
    with tempfile.TemporaryDirectory(prefix="wholeschool-wheel-") as tmp:
        source = Path(tmp)
        for name in ("pyproject.toml", "README.md"):
            shutil.copy2(ROOT / name, source / name)
        shutil.copytree(
            PACKAGE_SOURCE,
            source / PACKAGE_SOURCE.relative_to(ROOT),
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
        )
        build_pyodide.run(
            [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(dest), tmp]
        )
    (wheel,) = dest.glob("wholeschool_course-*.whl")
    return build_pyodide.rewrite_wheel(wheel, build_tag)


def compose_pyodide(
    mode: str, assembled: Path, wheel: Path, dest: Path, code: str | None = None
) -> dict:
    """Fill ``dest`` (the site's ``static/pyodide``) with the lock file and the files the site
    must serve itself, and return the kernel's settings and what the form's package leaves out
    in the browser. What a start of the workbook imports (the kernel and a form: ``code``, by
    default the first form's) is compiled in the served wheels and standard library: see
    :func:`compile_startup`.
    """
    dest.mkdir(parents=True)
    runtime, cdn_lock = assembled / "pyodide", assembled / "cdn-lock.json"
    own = PyodideLockSpec.from_json(runtime / "pyodide-lock.json")
    if mode == "self":
        spec = own
        for name in build_pyodide.CORE_FILES:
            shutil.copy2(runtime / name, dest / name)
        local = list(own.packages)
        pyodide_url = f"./{PYODIDE_DIR}/pyodide.mjs"
    else:
        base = CDN if mode == "cdn" else mode
        cdn = json.loads(cdn_lock.read_text())
        spec = build_pyodide.new_lock(cdn["info"])
        for key, entry in cdn["packages"].items():
            # "tool" (what built a package) is not part of pyodide-lock's format
            fields = {k: v for k, v in entry.items() if k != "tool"}
            spec.packages[key] = PackageSpec(**{**fields, "file_name": base + entry["file_name"]})
        local = [k for k in own.packages if k not in spec.packages]
        spec.packages.update({k: own.packages[k] for k in local})
        pyodide_url = f"{base}pyodide.mjs"
    spec = without_unloaded(spec)
    local = [name for name in local if name not in NOT_LOADED]
    for name in local:
        shutil.copy2(runtime / spec.packages[name].file_name, dest)
    # the CDN's versions must do for the wheels the site serves itself
    build_pyodide.check_versions(
        spec, [dest / spec.packages[name].file_name for name in local], absent=NOT_LOADED
    )
    source = Path(shutil.copy2(wheel, dest / wheel.name))
    spec = build_pyodide.lock_wheels(spec, [source])
    left_out = sorted(
        canonicalize_name(r.name) for r in build_pyodide.browser_requirements(source, spec)[1]
    )
    served = [dest / spec.packages[name].file_name for name in local] + [source]
    stdlib = dest / "python_stdlib.zip" if mode == "self" else None
    # Compiling needs a start of Pyodide under Node (a minute or two per build): worth it where
    # the site serves the big wheels and the standard library itself; from the CDN those come
    # compiled already, and only this package's few small wheels would gain.
    renamed = (
        compile_startup(assembled, own, served, stdlib, code or load_forms()[0].code)
        if mode == "self"
        else {}
    )
    build_pyodide.renamed_in_lock(spec, dest, renamed)
    spec.packages = dict(sorted(spec.packages.items()))
    build_pyodide.write_lock(spec, dest / "pyodide-lock.json")
    return {
        "settings": {
            "pyodideUrl": pyodide_url,
            "disablePyPIFallback": True,
            "loadPyodideOptions": {
                "lockFileURL": f"./{PYODIDE_DIR}/pyodide-lock.json",
                "packages": [*KERNEL_PACKAGES, PACKAGE],
                "env": {"WHOLESCHOOL_RECORDS": RECORDS_IN_BROWSER},
            },
        },
        "left_out": left_out,
    }


def without_unloaded(spec: PyodideLockSpec) -> PyodideLockSpec:
    """A copy of ``spec`` without :data:`NOT_LOADED`, in its packages and their dependencies."""
    kept = spec.model_copy(deep=True)
    kept.packages = {k: v for k, v in kept.packages.items() if k not in NOT_LOADED}
    for entry in kept.packages.values():
        entry.depends = [d for d in entry.depends if d not in NOT_LOADED]
    return kept


#: How many bytes (compressed) shipping modules compiled may add to a first visit: compiled
#: modules are usually bigger than their sources, and the first visit's goal is 15 MB (issue 20;
#: it was 14.3 MB with none compiled). See ``build_pyodide.worth_shipping``.
COMPILED_EXTRA_BYTES = 400_000


def compile_startup(
    assembled: Path, own: PyodideLockSpec, wheels: list[Path], stdlib: Path | None, code: str
) -> dict[str, str]:
    """Ship compiled what every start of the workbook imports, so the browser's Python does not
    compile it again at every visit (its files are new each time): run a start (the kernel's
    and ``code``) in Pyodide under Node on the self-hosted copy plus this package's wheel (the
    last of ``wheels``), compile the modules it imported in ``wheels`` and ``stdlib`` (if the
    site serves it), and ship compiled those worth it within ``COMPILED_EXTRA_BYTES``. Returns
    the wheels' new names: {old file name: new file name}."""
    runtime, cdn_lock = assembled / "pyodide", assembled / "cdn-lock.json"
    with tempfile.TemporaryDirectory(prefix="wholeschool-startup-") as tmp:
        folder = Path(tmp)
        loaded = without_unloaded(own)
        for entry in loaded.packages.values():
            shutil.copy2(runtime / entry.file_name, folder)
        package = Path(shutil.copy2(wheels[-1], folder))
        build_pyodide.write_lock(
            build_pyodide.lock_wheels(loaded, [package]), folder / "pyodide-lock.json"
        )
        hot = build_pyodide.startup_files(runtime, folder, [*KERNEL_PACKAGES, PACKAGE], code)
    archives = [(wheel, build_pyodide.SITE_PACKAGES) for wheel in wheels]
    if stdlib is not None:
        archives.append((stdlib, build_pyodide.STDLIB_IN_BROWSER))
    compiled = build_pyodide.py_compile_archives(runtime, cdn_lock, archives, hot)
    chosen = build_pyodide.worth_shipping(archives, compiled, COMPILED_EXTRA_BYTES)
    if stdlib is not None:
        build_pyodide.write_zip(stdlib, build_pyodide.with_compiled(stdlib, chosen.pop()))
    renamed = {}
    for wheel, pycs in zip(wheels, chosen, strict=True):
        if pycs:
            renamed[wheel.name] = build_pyodide.ship_compiled_wheel(wheel, pycs).name
    return renamed


def lite_config(title: str, kernel_settings: dict) -> dict:
    """The site's ``jupyter-lite.json``."""
    return {
        "jupyter-lite-schema-version": 0,
        "jupyter-config-data": {
            "appName": f"Live workbook · {title}",
            "appUrl": "./repl",
            # The default points at the JupyterLab app, which this site leaves out.
            "faviconUrl": "./icon-120x120.png",
            # The service worker keeps a copy of what the app fetched: it opens offline too.
            "enableServiceWorkerCache": True,
            "disabledExtensions": list(DISABLED_PLUGINS),
            "litePluginSettings": {"@jupyterlite/pyodide-kernel-extension:kernel": kernel_settings},
        },
    }


def extension_paths() -> list[str]:
    """The folders holding the federated extensions the site needs (installed with Python)."""
    found = []
    for name in EXTENSIONS:
        scope = name.split("/")[0]
        folder = next(
            (Path(p) / scope for p in jupyter_path("labextensions") if (Path(p) / name).is_dir()),
            None,
        )
        if folder is None:
            raise LiteBuildError(f"JupyterLab extension {name} not installed (pip install -e .)")
        found.append(str(folder))
    return found


def run_lite_build(lite_dir: Path, out: Path) -> None:
    """``jupyter lite build`` of the REPL app only, with only the extensions listed above."""
    command = [
        *(sys.executable, "-m", "jupyter", "lite", "build"),
        *("--lite-dir", str(lite_dir), "--output-dir", str(out)),
        *("--apps", "repl", "--ignore-sys-prefix", "--no-sourcemaps"),
    ]
    command += [
        f"--FederatedExtensionAddon.extra_labextensions_path={p}" for p in extension_paths()
    ]
    build_pyodide.run(command, cwd=lite_dir)


#: Runs before the app starts. The REPL app runs whatever code its address carries, in the same
#: browser storage as the lead's records, so a link from anywhere could read them and send them
#: away. The page runs only the code of the course's own forms: any other address has its code
#: taken out before the app reads it, and goes to the book's first page instead.
ONLY_OUR_FORMS = """<script>
  (function () {
    const forms = %s;
    const params = new URLSearchParams(window.location.search);
    const code = params.getAll("code");
    if (code.length === 1 && forms.includes(code[0])) return;
    params.delete("code");
    window.history.replaceState(null, "", "?" + params.toString());
    window.location.replace("../../index.html");
  })();
</script>"""


#: Seconds after which a workbook whose Python has not started says so (see ``workbook.js``).
FAIL_AFTER_S = 90


def finish_app_page(
    page: Path, title: str, forms: list[Form], kernel: dict, early_worker: str = ""
) -> None:
    """The REPL page as the workbook's page: only the course's forms run in it (see above); its
    language, a title, an icon, the script that says what is happening until the workbook has
    drawn (``workbook.js``), the one that makes each rating one radio group (``RADIO_GROUPS``,
    shared with the course hub), the one that keeps the keyboard's place when a form redraws
    (``KEEP_FOCUS``, shared too), and the style that hides the console around the form
    (``live-form.css``); ``early_worker``: the kernel's worker, started by the page at once
    (``early_kernel.py``; none if empty)."""
    html = page.read_text(encoding="utf-8")
    codes = json.dumps([form.code for form in forms]).replace("</", "<\\/")
    guard = ONLY_OUR_FORMS % codes
    pages = json.dumps({form.id: form.page for form in forms}).replace("</", "<\\/")
    script = (HERE / "workbook.js").read_text(encoding="utf-8")
    # What the kernel fetches first (relative to the site's root, or on a CDN or mirror).
    probe = [kernel["pyodideUrl"], kernel["loadPyodideOptions"]["lockFileURL"]]
    script = (
        script.replace("%%BOOK_PAGES%%", pages)
        .replace("%%FAIL_AFTER_S%%", str(FAIL_AFTER_S))
        .replace("%%PROBE%%", json.dumps(probe).replace("</", "<\\/"))
        .replace("%%EARLY_WORKER%%", json.dumps(early_worker).replace("</", "<\\/"))
    )
    radios = RADIO_GROUPS.read_text(encoding="utf-8")
    keep = KEEP_FOCUS.read_text(encoding="utf-8")
    style = (HERE / "live-form.css").read_text(encoding="utf-8") + WIDGET_WIDTHS.read_text(
        encoding="utf-8"
    )
    html = html.replace("<html>", '<html lang="en">', 1)
    html = re.sub(r"<title>.*?</title>", f"<title>Live workbook · {title}</title>", html, count=1)
    scripts = f"<script>\n{radios}</script>\n<script>\n{keep}</script>\n<script>\n{script}</script>"
    html = html.replace("<head>", f"<head>\n{guard}\n{scripts}", 1)
    icon = '<link rel="icon" href="../icon-120x120.png">'
    html = html.replace("</head>", f"{icon}\n<style>\n{style}</style>\n</head>", 1)
    page.write_text(html, encoding="utf-8")


#: JupyterLite 0.8's service worker reads its "keep a copy" switch (from its own address) only
#: when it is first activated, into a variable that is lost whenever the browser stops and
#: restarts the worker (after a while idle, or a browser restart): from then on it kept
#: nothing and the app did not open offline. The site's copy reads the switch on every start.
SW_CACHE_SWITCH = (
    "let enableCache=!1;",
    'let enableCache="true"===new URL(location.href).searchParams.get("enableCache");',
)


def fix_service_worker(path: Path) -> None:
    """Make the service worker's cache switch survive a restart of the worker (see above)."""
    script = path.read_text(encoding="utf-8")
    old, new = SW_CACHE_SWITCH
    if script.count(old) != 1:
        raise LiteBuildError(
            f"{path}: JupyterLite's service worker has changed; check whether it still needs "
            "deploy/lite/lite_site.py's fix (SW_CACHE_SWITCH) and update it"
        )
    path.write_text(script.replace(old, new), encoding="utf-8")


def build_site(out: Path, mode: str = "cdn", *, title: str = "Live forms") -> dict:
    """Build the live site into ``out`` (which must not exist yet); return a summary."""
    mode = check_mode(mode)
    if out.exists():
        raise LiteBuildError(f"{out} exists: the live site is built into a new folder only")
    assembled = build_pyodide.assemble(quiet=True)
    with tempfile.TemporaryDirectory(prefix="wholeschool-lite-") as tmp:
        tmp = Path(tmp)
        wheel = build_wheel(tmp / "wheel", "0" + fingerprint(mode, title))
        lite_dir = tmp / "lite"
        lite_dir.mkdir()
        staged = tmp / "static-pyodide"
        forms = load_forms()
        composed = compose_pyodide(mode, assembled, wheel, staged, forms[0].code)
        config = lite_config(title, composed["settings"])
        (lite_dir / "jupyter-lite.json").write_text(json.dumps(config, indent=2) + "\n")
        built = tmp / "out"
        run_lite_build(lite_dir, built)
        shutil.copytree(staged, built / PYODIDE_DIR)
        early_worker = early_kernel.start_kernel_early(built, composed["settings"])
        drive_mount.mount_drive_once_registered(built)
        finish_app_page(built / APP, title, forms, composed["settings"], early_worker)
        fix_service_worker(built / "service-worker.js")
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(built, out)
    return {"mode": mode, "wheel": wheel.name, "left_out": composed["left_out"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="new folder for the site")
    parser.add_argument("--mode", default="cdn", help="cdn (default), self, or a URL ending in /")
    parser.add_argument("--title", default="Live forms")
    args = parser.parse_args()
    try:
        summary = build_site(args.out, args.mode, title=args.title)
    except SITE_ERRORS as error:
        sys.exit(f"lite_site: {error}")
    print(f"live site ({summary['mode']}) in {args.out}; {summary['wheel']}")
    print("not loaded in the browser: " + ", ".join(summary["left_out"]))


if __name__ == "__main__":
    main()
