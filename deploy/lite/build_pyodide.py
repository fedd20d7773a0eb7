"""Assemble the browser's Python (Pyodide) for the live forms from the package registries.

Pyodide's full distribution (with its compiled packages) is published on its CDN and as a
release archive, neither of which a locked-down build machine can reach. What the registries
do have is enough for the forms:

* the Pyodide core from npm (``pyodide``: the runtime, its WebAssembly and the standard library),
  plus the lock file of the full distribution (what the CDN holds, for the CDN set-up);
* pure-Python wheels from PyPI and the emscripten wheel of ``pydantic-core``, pinned in
  ``wheels.txt``; PyYAML and MarkupSafe built from source as pure-Python wheels
  (``from-source.txt``);
* the kernel's own small wheels (piplite, pyodide-kernel, the ipykernel and widgetsnbextension
  stand-ins) from the installed ``jupyterlite-pyodide-kernel``.

Test folders, type stubs and Jupyter front-end files, which the browser's Python never runs,
are dropped from the third-party wheels (as Pyodide's own distribution unvendors test suites); a
wheel changed so carries the build tag ``1trim`` in its name.

The lock file is written with ``pyodide-lock`` and lists exactly the wheels present, with their
sha256, imports and dependencies (from each wheel's metadata, environment markers evaluated for
the browser's platform: a dependency a package needs only elsewhere, like this package's
``filelock`` and ``click``, is not in it); a dependency that is missing, or present in a version
its dependant does not accept, stops the build. The result is cached: a second run with the same
inputs does nothing.

The functions that compile Python for the browser are here too (``lite_site.py`` uses them when
it builds a site): ``in_pyodide`` runs a Python file in Pyodide's own CPython under Node
(``in_pyodide.mjs``), which ``compile_tree.py`` compiles with and ``startup_imports.py`` learns
what a start of the workbook imports with.

Usage: python deploy/lite/build_pyodide.py [--out _build/lite-pyodide]
Layout of the output folder::

    FINGERPRINT          inputs this copy was built from
    cdn-lock.json        the lock of Pyodide's full distribution (the CDN)
    pyodide/             pyodide.mjs, pyodide.asm.*, python_stdlib.zip, the wheels,
                         pyodide-lock.json (only the wheels present)
"""

from __future__ import annotations

import argparse
import base64
import csv
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
import zlib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name, parse_wheel_filename
from pkginfo import Wheel
from pyodide_lock import InfoSpec, PyodideLockSpec
from pyodide_lock.utils import (  # the marker environment it evaluates dependencies with
    _get_marker_environment,
    add_wheels_to_spec,
    update_package_sha256,
)

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
DEFAULT_OUT = ROOT / "_build" / "lite-pyodide"

PYODIDE_VERSION = "314.0.7"
#: The files of the npm package that make up the runtime.
CORE_FILES = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip")
#: What ``pip download`` targets: the platform of Pyodide 314 (CPython 3.14, ABI 2026_0).
PYTHON_VERSION = "3.14"
PLATFORM = "pyemscripten_2026_0_wasm32"
#: Wheels that come with jupyterlite-pyodide-kernel (its ``pypi`` folder).
KERNEL_WHEELS = ("piplite", "pyodide_kernel", "ipykernel", "widgetsnbextension-4.")
KERNEL_EXTENSION = "share/jupyter/labextensions/@jupyterlite/pyodide-kernel-extension/static/pypi"


class AssemblyError(RuntimeError):
    """Something the Pyodide assembly needs is missing or wrong."""


def fingerprint() -> str:
    """A hash of everything the assembly is made from."""
    digest = hashlib.sha256()
    for name in ("build_pyodide.py", "wheels.txt", "from-source.txt"):
        digest.update((HERE / name).read_bytes())
    digest.update(PYODIDE_VERSION.encode())
    for dist in ("jupyterlite-pyodide-kernel", "pyodide-lock"):
        digest.update(f"{dist}={metadata.version(dist)}".encode())
    return digest.hexdigest()[:16]


def requirements(path: Path) -> list[str]:
    """The ``name==version`` lines of a pins file."""
    lines = (line.split("#", 1)[0].strip() for line in path.read_text().splitlines())
    return [line for line in lines if line]


def run(command: list[str], **kwargs) -> None:
    """Run a command; on failure raise with its output."""
    result = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        raise AssemblyError(
            f"{' '.join(command[:4])} ... failed:\n{result.stdout[-3000:]}{result.stderr[-3000:]}"
        )


def fetch_core(dest: Path, work: Path) -> dict:
    """Unpack the npm package's runtime into ``dest``; return the full distribution's lock."""
    npm = shutil.which("npm")
    if npm is None:
        raise AssemblyError("npm not found: install node and npm (bash .ci/system-deps.sh)")
    run([npm, "pack", f"pyodide@{PYODIDE_VERSION}", "--pack-destination", str(work), "--silent"])
    (tarball,) = work.glob("pyodide-*.tgz")
    with tarfile.open(tarball) as tar:
        package = json.load(tar.extractfile("package/package.json"))
        if package["version"] != PYODIDE_VERSION:
            raise AssemblyError(f"npm gave pyodide {package['version']}, not {PYODIDE_VERSION}")
        for name in CORE_FILES:
            (dest / name).write_bytes(tar.extractfile(f"package/{name}").read())
        return json.load(tar.extractfile("package/pyodide-lock.json"))


def fetch_wheels(dest: Path) -> None:
    """Download the pinned wheels for the browser's platform from PyPI."""
    run(
        [
            *(sys.executable, "-m", "pip", "download", "--quiet", "--no-deps"),
            *("--only-binary=:all:", "--python-version", PYTHON_VERSION),
            *("--implementation", "cp", "--abi", "cp314", "--abi", "none"),
            *("--platform", PLATFORM, "--dest", str(dest)),
            *("--requirement", str(HERE / "wheels.txt")),
        ]
    )


def build_from_source(dest: Path, work: Path) -> None:
    """Build PyYAML and MarkupSafe from their sdists as pure-Python wheels into ``dest``."""
    sdists = work / "sdist"
    run(
        [
            *(sys.executable, "-m", "pip", "download", "--quiet", "--no-deps"),
            *("--no-binary=:all:", "--dest", str(sdists)),
            *("--requirement", str(HERE / "from-source.txt")),
        ]
    )
    # PyYAML: no libyaml extension; MarkupSafe: its optional C speed-ups fail to compile with
    # no compiler, and its build falls back to plain Python, as it is designed to.
    env = {**os.environ, "PYYAML_FORCE_LIBYAML": "0", "CC": "false"}
    for sdist in sorted(sdists.iterdir()):
        run(
            [
                sys.executable,
                "-m",
                "pip",
                "wheel",
                "--quiet",
                "--no-deps",
                "-w",
                str(dest),
                str(sdist),
            ],
            env=env,
        )


def copy_kernel_wheels(dest: Path) -> None:
    """The kernel's own wheels, as installed with jupyterlite-pyodide-kernel."""
    folder = Path(sys.prefix) / KERNEL_EXTENSION
    for prefix in KERNEL_WHEELS:
        found = sorted(folder.glob(f"{prefix}*.whl"))
        if len(found) != 1:
            raise AssemblyError(f"expected one {prefix}*.whl in {folder}, found {len(found)}")
        shutil.copy2(found[0], dest / found[0].name)


#: What the browser never runs, dropped from third-party wheels as Pyodide's own distribution
#: drops test suites: test folders, and type stubs (``.pyi``; read by type checkers and by
#: jedi's code completion, which the forms never use), and Jupyter's front-end files installed
#: with a wheel (``share/jupyter``: jupyterlab-widgets carries the widget renderer, which the
#: site serves to the page itself; the Python in the browser never reads them). jedi's bundled
#: stubs are most of its size.
def never_run(name: str) -> bool:
    """Whether a file of a wheel is one the browser never runs (see above)."""
    return name.endswith(".pyi") or bool(
        re.search(r"(^|/)tests?/|^[^/]+\.data/data/share/jupyter/", name)
    )


TRIM_TAG = "1trim"


def _record_hash(data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
    return "sha256=" + digest.decode()


def read_wheel(wheel: Path) -> tuple[dict[str, bytes], str]:
    """A wheel's files (all but its RECORD) and the name of its RECORD."""
    with zipfile.ZipFile(wheel) as source:
        info = next(n for n in source.namelist() if n.endswith(".dist-info/WHEEL"))
        record_name = info.removesuffix("WHEEL") + "RECORD"
        files = {
            item.filename: source.read(item)
            for item in source.infolist()
            if item.filename != record_name
        }
    return files, record_name


def write_wheel(target: Path, files: dict[str, bytes], record_name: str) -> Path:
    """Write ``files`` as the wheel ``target``, with a RECORD to match, in a fixed order and
    with fixed dates (the same files give the same bytes)."""
    record = io.StringIO()
    rows = [[n, _record_hash(data), str(len(data))] for n, data in files.items()]
    csv.writer(record, lineterminator="\n").writerows([*rows, [record_name, "", ""]])
    files = {**files, record_name: record.getvalue().encode()}
    write_zip(target, files)
    return target


def write_zip(target: Path, files: dict[str, bytes]) -> None:
    """Write ``files`` (name: bytes, in order) as a deflated zip with fixed dates."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out:
        for file_name, data in files.items():
            out.writestr(
                zipfile.ZipInfo(file_name, date_time=(2020, 1, 1, 0, 0, 0)),
                data,
                compress_type=zipfile.ZIP_DEFLATED,
                compresslevel=9,
            )


def rewrite_wheel(wheel: Path, build_tag: str, drop=lambda name: False) -> Path:
    """A copy of ``wheel`` with a build tag (file name and WHEEL) and without the files
    ``drop`` picks, its RECORD to match; the original is removed. The tag keeps a changed wheel
    from ever being mistaken, in a browser's cache or elsewhere, for the one it came from."""
    name, version, tail = wheel.name.split("-", 2)
    target = wheel.with_name(f"{name}-{version}-{build_tag}-{tail}")
    files, record_name = read_wheel(wheel)
    files = {n: data for n, data in files.items() if not drop(n)}
    info = record_name.removesuffix("RECORD") + "WHEEL"
    files[info] = files[info].decode().rstrip("\n").encode() + f"\nBuild: {build_tag}\n".encode()
    write_wheel(target, files, record_name)
    wheel.unlink()
    return target


def trim_wheels(folder: Path) -> int:
    """Drop what the browser never runs from the third-party wheels in ``folder``; return the
    bytes saved."""
    saved = 0
    for wheel in sorted(folder.glob("*.whl")):
        with zipfile.ZipFile(wheel) as archive:
            if not any(never_run(n) for n in archive.namelist()):
                continue
        before = wheel.stat().st_size
        saved += before - rewrite_wheel(wheel, TRIM_TAG, never_run).stat().st_size
    return saved


#: Where the browser's Python has what it imports; compiled code names its files there, so a
#: traceback shows the path and line (not the line's text: the sources are not shipped).
SITE_PACKAGES = f"/lib/python{PYTHON_VERSION}/site-packages"
STDLIB_IN_BROWSER = f"/lib/python{PYTHON_VERSION.replace('.', '')}.zip"
#: A compiled wheel's Python tag: its bytecode is for this CPython only (Pyodide's own compiled
#: wheels are named so too: ``py3-none-any`` becomes ``cp314-none-any``).
BYTECODE_TAG = "cp" + PYTHON_VERSION.replace(".", "")


def compiled_name(wheel_name: str) -> str:
    """The file name of a wheel once its Python is compiled for the browser's CPython."""
    _, _, _, tags = parse_wheel_filename(wheel_name)
    if all(tag.interpreter == BYTECODE_TAG for tag in tags):
        return wheel_name  # built for that CPython already (pydantic-core)
    if not all(tag.abi == "none" and tag.platform == "any" for tag in tags):
        raise AssemblyError(f"{wheel_name}: not a pure-Python wheel nor one for {BYTECODE_TAG}")
    head = wheel_name.removesuffix(".whl").split("-")[:-3]
    return "-".join([*head, BYTECODE_TAG, "none", "any"]) + ".whl"


def in_pyodide(
    runtime: Path, lock: Path, host: Path, script: Path, *args: str, env: dict | None = None
) -> None:
    """Run the Python file ``script`` in the browser's Python (Pyodide's core in ``runtime``,
    under Node), with the folder ``host`` as ``/host``: see ``in_pyodide.mjs``."""
    node = shutil.which("node")
    if node is None:
        raise AssemblyError("node not found: install node and npm (bash .ci/system-deps.sh)")
    command = [node, str(HERE / "in_pyodide.mjs"), str(runtime), str(lock), str(host), str(script)]
    run([*command, *args], env={**os.environ, **(env or {})})


def _compilable(name: str) -> bool:
    return name.endswith(".py") and not re.search(r"\.(dist-info|data)/", name)


def py_compile_archives(
    runtime: Path, lock: Path, archives: list[tuple[Path, str]], only: set[str]
) -> list[dict[str, bytes]]:
    """Compile Python in zip archives (wheels, the standard library) with the browser's own
    Python (``compile_tree.py``). Each archive comes with the folder the browser unpacks or
    mounts it at; a member is compiled if its path there is in ``only``. For each archive,
    {``x.py``: the bytes of ``x.pyc``} for every member that compiled."""
    results = []
    with tempfile.TemporaryDirectory(prefix="lite-compile-") as tmp:
        host = Path(tmp)
        jobs, sources = [], []
        for index, (archive, prefix) in enumerate(archives):
            with zipfile.ZipFile(archive) as source:
                names = [n for n in source.namelist() if _compilable(n) and f"{prefix}/{n}" in only]
                for name in names:
                    (host / str(index) / name).parent.mkdir(parents=True, exist_ok=True)
                    (host / str(index) / name).write_bytes(source.read(name))
            jobs.append({"folder": f"/host/{index}", "prefix": prefix})
            sources.append(names)
        (host / "jobs.json").write_text(json.dumps(jobs))
        in_pyodide(
            *(runtime, lock, host, HERE / "compile_tree.py", "/host/jobs.json"),
            env={"PYTHONNODEBUGRANGES": "1"},  # see compile_tree.py
        )
        for index, names in enumerate(sources):
            pycs = {name: host / str(index) / (name + "c") for name in names}
            results.append({n: pyc.read_bytes() for n, pyc in pycs.items() if pyc.is_file()})
    return results


def worth_shipping(
    archives: list[tuple[Path, str]], compiled: list[dict[str, bytes]], budget: int
) -> list[dict[str, bytes]]:
    """Of ``compiled`` (as :func:`py_compile_archives` gives it), what to ship compiled. A
    compiled module is usually bigger, compressed, than its source, and every first visit
    downloads it; the work it saves the browser is about the size of its bytecode. Modules are
    taken by the fewest extra compressed bytes per byte of bytecode (those adding none first),
    while the extra bytes stay within ``budget``."""
    ranked = []
    for index, ((archive, _), pycs) in enumerate(zip(archives, compiled, strict=True)):
        with zipfile.ZipFile(archive) as source:
            for name, pyc in pycs.items():
                extra = len(zlib.compress(pyc, 9)) - len(zlib.compress(source.read(name), 9))
                ranked.append((extra / len(pyc), index, name, extra))
    chosen: list[dict[str, bytes]] = [{} for _ in archives]
    spent = 0
    for _, index, name, extra in sorted(ranked):
        if spent + extra <= budget:
            spent += extra
            chosen[index][name] = compiled[index][name]
    return chosen


def with_compiled(archive: Path, pycs: dict[str, bytes]) -> dict[str, bytes]:
    """The files of ``archive`` with each ``x.py`` in ``pycs`` replaced by ``x.pyc``."""
    with zipfile.ZipFile(archive) as source:
        files = {item.filename: source.read(item) for item in source.infolist()}
    return {(n + "c" if n in pycs else n): pycs.get(n, data) for n, data in files.items()}


def ship_compiled_wheel(wheel: Path, pycs: dict[str, bytes]) -> Path:
    """Replace ``wheel`` by a copy with ``pycs`` in place of their sources, named as
    :func:`compiled_name` says, its WHEEL tags and RECORD to match; return the copy."""
    files = with_compiled(wheel, pycs)
    record_name = next(n for n in files if n.endswith(".dist-info/RECORD"))
    del files[record_name]
    target = wheel.with_name(compiled_name(wheel.name))
    info = record_name.removesuffix("RECORD") + "WHEEL"
    lines = files[info].decode().splitlines()
    if target.name != wheel.name:
        tag = "-".join(target.name.removesuffix(".whl").split("-")[-3:])
        lines = [line for line in lines if not line.startswith("Tag:")] + [f"Tag: {tag}"]
    files[info] = ("\n".join(lines) + "\n").encode()
    wheel.unlink()
    return write_wheel(target, files, record_name)


def startup_files(runtime: Path, folder: Path, packages: list[str], code: str) -> set[str]:
    """The files (as the browser has them, ``.py``) of every module a start of the workbook
    imports: ``startup_imports.py`` run on the wheels and lock file (``pyodide-lock.json``) in
    ``folder``. Stops the build if the form's code fails."""
    out = folder / ".startup-imports.json"
    script = HERE / "startup_imports.py"
    lock = folder / "pyodide-lock.json"
    in_pyodide(runtime, lock, folder, script, f"/host/{out.name}", json.dumps(packages), code)
    result = json.loads(out.read_text())
    out.unlink()
    if result["error"]:
        raise AssemblyError(f"the form's code failed in Pyodide under Node: {result['error']}")
    return {name.removesuffix("c") for name in result["files"]}


def new_lock(info: dict) -> PyodideLockSpec:
    """An empty lock for the Pyodide whose lock's ``info`` is given (314's has no version)."""
    return PyodideLockSpec(info=InfoSpec(**{"version": PYODIDE_VERSION, **info}), packages={})


def browser_requirements(wheel: Path, spec: PyodideLockSpec) -> tuple[list, list]:
    """A wheel's requirements split in two: those the browser needs and those its environment
    markers leave out there (extras aside), evaluated as pyodide-lock does for ``spec``."""
    environment = _get_marker_environment(**spec.info.model_dump())
    needed, not_needed = [], []
    for line in Wheel(str(wheel)).requires_dist:
        requirement = Requirement(line)
        if requirement.marker is None or requirement.marker.evaluate(environment):
            needed.append(requirement)
        elif "extra" not in str(requirement.marker):
            not_needed.append(requirement)
    return needed, not_needed


def check_versions(spec: PyodideLockSpec, wheels: list[Path], absent: tuple[str, ...] = ()) -> None:
    """Stop if a requirement of ``wheels`` for the browser is missing from ``spec``, or there in
    a version the wheel does not accept (pyodide-lock checks names only); the packages named in
    ``absent`` are left out on purpose."""
    problems = []
    for wheel in wheels:
        for requirement in browser_requirements(wheel, spec)[0]:
            if canonicalize_name(requirement.name) in absent:
                continue
            present = spec.packages.get(canonicalize_name(requirement.name))
            if present is None:
                problems.append(f"{wheel.name} needs {requirement}: not present")
            elif not requirement.specifier.contains(present.version, prereleases=True):
                problems.append(f"{wheel.name} needs {requirement}: {present.version} is present")
    if problems:
        raise AssemblyError("fix the pins in deploy/lite/: " + "; ".join(problems))


def lock_wheels(spec: PyodideLockSpec, wheels: list[Path]) -> PyodideLockSpec:
    """``spec`` with ``wheels`` (of one folder) added by pyodide-lock: name, version, imports,
    sha256 and the dependencies the browser needs (environment markers evaluated for its
    platform), each wheel named by its file name; checked with :func:`check_versions`.

    pyodide-lock 0.1 checks a wheel's platform against the lock's ``info.platform``, which in
    Pyodide 314's lock is the Emscripten one (``emscripten_5_0_3``), not the PEP 783 tag its
    compiled wheels carry (``pyemscripten_2026_0``; pyodide-lock issue 44), and derives the
    markers' ``sys_platform`` from that same field. So a compiled wheel (pydantic-core) is added
    as for its tag, and its dependencies are then set as the browser's markers say."""
    platform = PLATFORM.removesuffix(f"_{spec.info.arch}")
    compiled = [
        w for w in wheels if any(t.platform == PLATFORM for t in parse_wheel_filename(w.name)[3])
    ]
    pure = [w for w in wheels if w not in compiled]
    base = wheels[0].parent
    try:
        added = spec
        if compiled:
            tagged = spec.model_copy(
                deep=True, update={"info": spec.info.model_copy(update={"platform": platform})}
            )
            tagged = add_wheels_to_spec(
                tagged, compiled, base_path=base, ignore_missing_dependencies=True
            )
            added = spec.model_copy(deep=True)
            for wheel in compiled:
                key = canonicalize_name(Wheel(str(wheel)).name)
                entry = tagged.packages[key]
                entry.depends = [
                    canonicalize_name(r.name) for r in browser_requirements(wheel, spec)[0]
                ]
                added.packages[key] = entry
        if pure:
            added = add_wheels_to_spec(added, pure, base_path=base)
    except RuntimeError as error:
        raise AssemblyError(f"fix the pins in deploy/lite/: {error}") from None
    check_versions(added, wheels)
    return added


def renamed_in_lock(spec: PyodideLockSpec, folder: Path, renamed: dict[str, str]) -> None:
    """Point the lock's entries at the wheels' new files (compiled), with their sha256."""
    for entry in spec.packages.values():
        if entry.file_name in renamed:
            entry.file_name = renamed[entry.file_name]
            update_package_sha256(entry, folder / entry.file_name)


def write_lock(spec: PyodideLockSpec, path: Path) -> None:
    """Write the lock (pyodide-lock's own writer), after checking that each wheel here is named
    for its package and version (a CDN's, named by address, is the CDN's own lock's entry)."""
    here = {k: v for k, v in spec.packages.items() if "://" not in v.file_name}
    spec.model_copy(update={"packages": here}).check_wheel_filenames()
    spec.to_json(path, indent=1)


def assemble(out: Path = DEFAULT_OUT, *, quiet: bool = False) -> Path:
    """Build the self-hosted Pyodide into ``out`` unless an identical copy is there already."""
    stamp = out / "FINGERPRINT"
    wanted = fingerprint()
    if stamp.is_file() and stamp.read_text().strip() == wanted:
        if not quiet:
            print(f"Pyodide {PYODIDE_VERSION} for the live forms: cached in {out}")
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".lite-pyodide-", dir=out.parent) as tmp:
        staging, work = Path(tmp) / "out", Path(tmp) / "work"
        pyodide = staging / "pyodide"
        pyodide.mkdir(parents=True)
        work.mkdir()
        cdn_lock = fetch_core(pyodide, work)
        (staging / "cdn-lock.json").write_text(json.dumps(cdn_lock) + "\n")
        fetch_wheels(pyodide)
        build_from_source(pyodide, work)
        trim_wheels(pyodide)
        copy_kernel_wheels(pyodide)
        spec = lock_wheels(new_lock(cdn_lock["info"]), sorted(pyodide.glob("*.whl")))
        write_lock(spec, pyodide / "pyodide-lock.json")
        stamp_text = wanted + "\n"
        (staging / "FINGERPRINT").write_text(stamp_text)
        if out.exists():
            shutil.rmtree(out)
        staging.rename(out)
    if not quiet:
        size = sum(p.stat().st_size for p in (out / "pyodide").iterdir())
        print(f"Pyodide {PYODIDE_VERSION} for the live forms: built in {out} ({size / 1e6:.1f} MB)")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where to put it")
    args = parser.parse_args()
    try:
        assemble(args.out)
    except AssemblyError as error:
        sys.exit(f"build_pyodide: {error}")


if __name__ == "__main__":
    main()
