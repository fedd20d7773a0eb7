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

Test folders and type stubs, which the browser never runs, are dropped from the third-party
wheels (as Pyodide's own distribution unvendors test suites); a wheel changed so carries the
build tag ``1trim`` in its name.

A lock file written here lists exactly the wheels present, with their sha256, imports and
dependencies (from each wheel's metadata, for the browser's platform); a dependency that is not
present stops the build. The result is cached: a second run with the same inputs does nothing.

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
import email.parser
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
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name, parse_wheel_filename

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
DEFAULT_OUT = ROOT / "_build" / "lite-pyodide"

PYODIDE_VERSION = "314.0.7"
#: The files of the npm package that make up the runtime.
CORE_FILES = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip")
#: What ``pip download`` targets: the platform of Pyodide 314 (CPython 3.14, ABI 2026_0).
PYTHON_VERSION = "3.14"
PLATFORM = "pyemscripten_2026_0_wasm32"
#: Environment markers as the browser's Python evaluates them.
MARKER_ENV = {
    "implementation_name": "cpython",
    "implementation_version": "3.14.2",
    "os_name": "posix",
    "platform_machine": "wasm32",
    "platform_release": "",
    "platform_system": "Emscripten",
    "platform_version": "",
    "python_full_version": "3.14.2",
    "platform_python_implementation": "CPython",
    "python_version": PYTHON_VERSION,
    "sys_platform": "emscripten",
    "extra": "",
}
#: Wheels that come with jupyterlite-pyodide-kernel (its ``pypi`` folder).
KERNEL_WHEELS = ("piplite", "pyodide_kernel", "ipykernel", "widgetsnbextension-4.")
KERNEL_EXTENSION = "share/jupyter/labextensions/@jupyterlite/pyodide-kernel-extension/static/pypi"


class AssemblyError(RuntimeError):
    """Something the Pyodide assembly needs is missing or wrong."""


def fingerprint() -> str:
    """A hash of everything the assembly is made from."""
    digest = hashlib.sha256()
    for path in (Path(__file__), HERE / "wheels.txt", HERE / "from-source.txt"):
        digest.update(path.read_bytes())
    digest.update(PYODIDE_VERSION.encode())
    digest.update(metadata.version("jupyterlite-pyodide-kernel").encode())
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
#: jedi's code completion, which the forms never use). jedi's bundled stubs are most of its size.
def never_run(name: str) -> bool:
    """Whether a file of a wheel is one the browser never runs (see above)."""
    return name.endswith(".pyi") or bool(re.search(r"(^|/)tests?/", name))


TRIM_TAG = "1trim"


def _record_hash(data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
    return "sha256=" + digest.decode()


def rewrite_wheel(wheel: Path, build_tag: str, drop=lambda name: False) -> Path:
    """A copy of ``wheel`` with a build tag (file name and WHEEL) and without the files
    ``drop`` picks, its RECORD to match; the original is removed. The tag keeps a changed wheel
    from ever being mistaken, in a browser's cache or elsewhere, for the one it came from."""
    name, version, tail = wheel.name.split("-", 2)
    target = wheel.with_name(f"{name}-{version}-{build_tag}-{tail}")
    with zipfile.ZipFile(wheel) as source:
        info = next(n for n in source.namelist() if n.endswith(".dist-info/WHEEL"))
        record_name = info.removesuffix("WHEEL") + "RECORD"
        files = {
            item.filename: source.read(item)
            for item in source.infolist()
            if item.filename != record_name and not drop(item.filename)
        }
    files[info] = files[info].decode().rstrip("\n").encode() + f"\nBuild: {build_tag}\n".encode()
    record = io.StringIO()
    rows = [[n, _record_hash(data), str(len(data))] for n, data in files.items()]
    csv.writer(record, lineterminator="\n").writerows([*rows, [record_name, "", ""]])
    files[record_name] = record.getvalue().encode()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out:
        for file_name, data in files.items():
            out.writestr(
                zipfile.ZipInfo(file_name, date_time=(2020, 1, 1, 0, 0, 0)),
                data,
                compress_type=zipfile.ZIP_DEFLATED,
                compresslevel=9,
            )
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


def wheel_metadata(wheel: Path) -> tuple[email.message.Message, list[str]]:
    """A wheel's METADATA and the top-level names it installs (its imports)."""
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        meta_name = next(n for n in names if n.endswith(".dist-info/METADATA"))
        meta = email.parser.Parser().parsestr(archive.read(meta_name).decode())
        top = next((n for n in names if n.endswith(".dist-info/top_level.txt")), None)
        if top is not None:
            imports = archive.read(top).decode().split()
        else:
            imports = sorted(
                {
                    n.split("/")[0].removesuffix(".py")
                    for n in names
                    if not n.split("/")[0].endswith((".dist-info", ".data"))
                    and (n.endswith(".py") or "/" in n)
                }
            )
    return meta, [name for name in imports if name.isidentifier() and "/" not in name]


def requires(meta: email.message.Message) -> list[Requirement]:
    """What a wheel needs in the browser (markers evaluated for emscripten, no extras)."""
    needed = []
    for line in meta.get_all("Requires-Dist") or []:
        requirement = Requirement(line)
        if requirement.marker is None or requirement.marker.evaluate(MARKER_ENV):
            needed.append(requirement)
    return needed


def unmet(entry: dict, packages: dict[str, dict]) -> list[str]:
    """The requirements of a lock entry that ``packages`` does not satisfy, as sentences."""
    problems = []
    for requirement in entry["requires"]:
        present = packages.get(canonicalize_name(requirement.name))
        if present is None:
            problems.append(f"{entry['name']} needs {requirement}: not present")
        elif not requirement.specifier.contains(present["version"], prereleases=True):
            problems.append(f"{entry['name']} needs {requirement}: {present['version']} is present")
    return problems


def lock_entry(wheel: Path, file_name: str | None = None) -> tuple[str, dict]:
    """The lock-file key and entry of one wheel (``depends`` as the metadata says)."""
    name, version, _, tags = parse_wheel_filename(wheel.name)
    if not all(tag.platform in ("any", PLATFORM) for tag in tags):
        raise AssemblyError(f"{wheel.name} is not a wheel for the browser ({PLATFORM} or any)")
    meta, imports = wheel_metadata(wheel)
    key = canonicalize_name(name)
    return key, {
        "name": meta["Name"],
        "version": str(version),
        "file_name": file_name or wheel.name,
        "install_dir": "site",
        "sha256": hashlib.sha256(wheel.read_bytes()).hexdigest(),
        "package_type": "package",
        "imports": imports,
        "depends": [canonicalize_name(r.name) for r in requires(meta)],
        "unvendored_tests": False,
        "requires": requires(meta),  # checked, then dropped before writing
    }


def write_lock(folder: Path, info: dict) -> dict:
    """Write ``pyodide-lock.json`` for every wheel in ``folder``; check nothing is missing."""
    packages = dict(lock_entry(wheel) for wheel in sorted(folder.glob("*.whl")))
    problems = sorted(p for entry in packages.values() for p in unmet(entry, packages))
    if problems:
        raise AssemblyError("fix the pins in deploy/lite/: " + "; ".join(problems))
    for entry in packages.values():
        del entry["requires"]
    lock = {"info": info, "packages": packages}
    (folder / "pyodide-lock.json").write_text(json.dumps(lock, indent=1, sort_keys=True) + "\n")
    return lock


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
        fetch_wheels(pyodide)
        build_from_source(pyodide, work)
        trim_wheels(pyodide)
        copy_kernel_wheels(pyodide)
        write_lock(pyodide, cdn_lock["info"])
        (staging / "cdn-lock.json").write_text(json.dumps(cdn_lock) + "\n")
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
