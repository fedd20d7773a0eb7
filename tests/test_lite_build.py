"""Building the browser's Python for the live workbook (``deploy/lite``): the lock file written
with pyodide-lock from the wheels' own metadata, environment markers evaluated for the browser,
and what a start imports shipped compiled by the browser's own CPython (Pyodide under Node).

The first tests use small wheels made here; those marked ``lite`` use the self-hosted Pyodide
assembled from PyPI and npm (``build_pyodide.assemble``) and run Pyodide in Node.
"""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from pathlib import Path

import build_pyodide
import pytest
from packaging.utils import parse_wheel_filename

INFO = {
    "abi_version": "2026_0",
    "arch": "wasm32",
    "platform": "emscripten_5_0_3",
    "python": "3.14.2",
}


def make_wheel(folder: Path, name: str, version: str, requires: list[str] = ()) -> Path:
    """A minimal pure-Python wheel with one module and the given requirements."""
    wheel = folder / f"{name}-{version}-py3-none-any.whl"
    meta = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
    meta += [f"Requires-Dist: {line}" for line in requires]
    files = {
        f"{name}/__init__.py": b"VALUE = 1\n",
        f"{name}-{version}.dist-info/METADATA": ("\n".join(meta) + "\n").encode(),
        f"{name}-{version}.dist-info/WHEEL": b"Wheel-Version: 1.0\nTag: py3-none-any\n",
    }
    build_pyodide.write_wheel(wheel, files, f"{name}-{version}.dist-info/RECORD")
    return wheel


def test_lock_takes_dependencies_as_the_browser_evaluates_their_markers(tmp_path: Path):
    wheels = [
        make_wheel(
            tmp_path,
            "app",
            "1.0",
            [
                "needed>=2",
                "desktop_only>=1; sys_platform != 'emscripten'",
                "browser_only; sys_platform == 'emscripten'",
                "extra_only; extra == 'docs'",
            ],
        ),
        make_wheel(tmp_path, "needed", "2.1"),
        make_wheel(tmp_path, "browser_only", "0.1"),
    ]
    spec = build_pyodide.lock_wheels(build_pyodide.new_lock(INFO), wheels)
    build_pyodide.write_lock(spec, tmp_path / "pyodide-lock.json")
    lock = json.loads((tmp_path / "pyodide-lock.json").read_text())
    assert set(lock["packages"]) == {"app", "needed", "browser-only"}
    app = lock["packages"]["app"]
    assert sorted(app["depends"]) == ["browser-only", "needed"]
    assert app["file_name"] == wheels[0].name and app["imports"] == ["app"]
    assert app["sha256"] == hashlib.sha256(wheels[0].read_bytes()).hexdigest()
    needed, not_needed = build_pyodide.browser_requirements(wheels[0], spec)
    assert [r.name for r in not_needed] == ["desktop_only"]


def test_a_dependency_too_old_or_missing_stops_the_lock(tmp_path: Path):
    app = make_wheel(tmp_path, "app", "1.0", ["needed>=2"])
    old = make_wheel(tmp_path, "needed", "1.5")
    with pytest.raises(build_pyodide.AssemblyError, match=r"needs needed>=2: 1\.5 is present"):
        build_pyodide.lock_wheels(build_pyodide.new_lock(INFO), [app, old])
    old.unlink()
    with pytest.raises(build_pyodide.AssemblyError, match="needed"):
        build_pyodide.lock_wheels(build_pyodide.new_lock(INFO), [app])


@pytest.mark.parametrize(
    "name, compiled",
    [
        ("six-1.17.0-py2.py3-none-any.whl", "six-1.17.0-cp314-none-any.whl"),
        ("jedi-0.19.2-1trim-py2.py3-none-any.whl", "jedi-0.19.2-1trim-cp314-none-any.whl"),
        ("x-1.0-py3-none-any.whl", "x-1.0-cp314-none-any.whl"),
        (
            "pydantic_core-2.50.5-cp314-cp314-pyemscripten_2026_0_wasm32.whl",
            "pydantic_core-2.50.5-cp314-cp314-pyemscripten_2026_0_wasm32.whl",
        ),
    ],
)
def test_a_compiled_wheel_is_named_for_the_one_python_it_runs_on(name: str, compiled: str):
    assert build_pyodide.compiled_name(name) == compiled


def test_a_wheel_for_another_platform_is_not_taken_for_compiling():
    with pytest.raises(build_pyodide.AssemblyError, match="not a pure-Python wheel"):
        build_pyodide.compiled_name("x-1.0-cp311-cp311-manylinux_2_17_x86_64.whl")


# --- with the self-hosted Pyodide -----------------------------------------------------------


@pytest.mark.lite
def test_the_assembled_lock_lists_exactly_the_wheels_present_and_no_desktop_only_ones():
    folder = build_pyodide.assemble(quiet=True) / "pyodide"
    lock = json.loads((folder / "pyodide-lock.json").read_text())["packages"]
    wheels = {p.name: p for p in folder.glob("*.whl")}
    assert {entry["file_name"] for entry in lock.values()} == set(wheels)
    for entry in lock.values():
        assert (
            entry["sha256"] == hashlib.sha256(wheels[entry["file_name"]].read_bytes()).hexdigest()
        )
        assert set(entry["depends"]) <= set(lock)
    # the package needs these only outside the browser (markers in pyproject.toml)
    assert not {"filelock", "click"} & {parse_wheel_filename(n)[0] for n in wheels}
    assert not any(
        "/share/jupyter/" in n for w in wheels.values() for n in zipfile.ZipFile(w).namelist()
    )


@pytest.fixture(scope="module")
def self_hosted(built_book: Path) -> Path:
    """The self-hosted ``static/pyodide`` of the built book's live site, as ``lite_site``
    composes it (the tests build the book with ``WHOLESCHOOL_LIVE_PYODIDE=self``)."""
    folder = built_book / "live" / "static" / "pyodide"
    assert (folder / "pyodide.mjs").is_file(), "the tests' book has a self-hosted live site"
    return folder


def modules_compiled(archive: Path) -> list[str]:
    """The dotted names of the modules an archive holds as ``.pyc`` alone."""
    names = []
    for name in zipfile.ZipFile(archive).namelist():
        if name.endswith(".pyc") and ".dist-info/" not in name:
            parts = name.removesuffix(".pyc").split("/")
            names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


CHECK = """
import importlib, json, sys, traceback
import pyodide_js
packages, modules, out = json.loads(sys.argv[1]), json.loads(sys.argv[2]), sys.argv[3]
await pyodide_js.loadPackage(packages)
found = {}
for name in modules:
    module = importlib.import_module(name)
    found[name] = [module.__spec__.origin, type(module.__spec__.loader).__name__]
import yaml
try:
    yaml.safe_load("a: [")
except yaml.YAMLError as error:
    found["<traceback>"] = "".join(traceback.format_exception(error))
open(out, "w").write(json.dumps(found))
"""


@pytest.mark.lite
def test_every_compiled_module_imports_from_its_bytecode_in_the_browsers_python(
    self_hosted: Path, tmp_path: Path
):
    lock = json.loads((self_hosted / "pyodide-lock.json").read_text())["packages"]
    compiled = {
        key: modules_compiled(self_hosted / entry["file_name"]) for key, entry in lock.items()
    }
    # what every start imports is compiled: the kernel, IPython, the forms' package
    for key in ("ipython", "pyodide-kernel", "piplite", "wholeschool-course", "pydantic"):
        assert compiled[key], key
        assert lock[key]["file_name"].endswith("-cp314-none-any.whl"), lock[key]["file_name"]
    stdlib = modules_compiled(self_hosted / "python_stdlib.zip")
    # within the bytes allowed (lite_site.COMPILED_EXTRA_BYTES), much of the standard library
    assert len(stdlib) > 100 and {"inspect", "dataclasses", "enum"} <= set(stdlib)
    modules = sorted({m for names in compiled.values() for m in names} | set(stdlib))
    script = tmp_path / "check.py"
    script.write_text(CHECK)
    build_pyodide.in_pyodide(
        self_hosted,
        self_hosted / "pyodide-lock.json",
        tmp_path,
        script,
        json.dumps(sorted(lock)),
        json.dumps(modules),
        "/host/found.json",
    )
    found = json.loads((tmp_path / "found.json").read_text())
    # a traceback through compiled code still names each file and line, where the browser has it
    assert re.search(
        r'File "/lib/python3\.14/site-packages/yaml/\w+\.py", line \d+', found.pop("<traceback>")
    )
    for name in modules:
        origin, loader = found[name]
        assert origin.endswith(".pyc") and loader in ("SourcelessFileLoader", "zipimporter"), (
            name,
            origin,
            loader,
        )
