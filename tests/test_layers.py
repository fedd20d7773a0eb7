"""The package's layers import only downward, and what a browser or the command line loads
stays light: checked on the real code, and shown to catch a violation."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from helpers import BIN, ROOT

PACKAGE = ROOT / "widgets"
HEAVY = ("pandas", "numpy", "matplotlib", "lxml")


def lint_imports(package_parent: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "lint-imports"), "--no-cache", str(ROOT / "pyproject.toml")],
        capture_output=True,
        text=True,
        cwd=package_parent,
        timeout=300,
        env={"PYTHONPATH": str(package_parent), "PATH": str(BIN)},
    )


def test_the_layer_contracts_hold():
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    names = [c["name"] for c in config["tool"]["importlinter"]["contracts"]]
    result = lint_imports(PACKAGE)
    assert result.returncode == 0, result.stdout + result.stderr
    assert names, "the contracts are in pyproject.toml"
    for name in names:  # each contract by name, not a pinned count
        assert f"{name} KEPT" in result.stdout, name
    assert f"{len(names)} kept, 0 broken" in result.stdout


def test_an_upward_import_breaks_the_contract(tmp_path: Path):
    copy = tmp_path / "wholeschool"
    shutil.copytree(PACKAGE / "wholeschool", copy, ignore=shutil.ignore_patterns("__pycache__"))
    scoring = copy / "core" / "scoring.py"
    scoring.write_text(scoring.read_text() + "\nfrom ..store import folder  # noqa\n")
    result = lint_imports(tmp_path)
    assert result.returncode != 0
    assert "Layers import only downward BROKEN" in result.stdout
    assert "wholeschool.core.scoring -> wholeschool.store.folder" in result.stdout


def loaded_after(code: str) -> set[str]:
    """The top-level modules a fresh interpreter has loaded after running ``code``."""
    probe = f"{code}\nimport sys\nprint(' '.join(sorted({{m.split('.')[0] for m in sys.modules}})))"
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return set(result.stdout.split())


def test_the_forms_a_browser_loads_import_nothing_heavy():
    loaded = loaded_after(
        "import wholeschool.ui as ui\nfor name in ui.__all__: getattr(ui, name)\n"
    )
    assert not loaded & set(HEAVY), loaded & set(HEAVY)


def test_validate_imports_neither_pandas_nor_ipywidgets(tmp_path: Path):
    loaded = loaded_after(
        "import sys\nfrom wholeschool.cli import main\n"
        f"sys.argv = ['wholeschool', 'validate', {str(ROOT / 'tests' / 'data' / 'records')!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
    )
    assert not loaded & {*HEAVY, "ipywidgets", "IPython"}


def test_every_form_is_a_function_not_a_module():
    """``from wholeschool.ui import X`` gives the form even after its module was imported."""
    import importlib

    import wholeschool.ui as ui

    for name in ui.__all__:
        importlib.import_module(f"wholeschool.ui.{ui._WHERE[name]}")
        assert callable(getattr(ui, name)) and not hasattr(getattr(ui, name), "__path__")
        assert type(getattr(ui, name)).__name__ == "function", name


def test_the_browser_loads_no_lock_library(monkeypatch):
    """filelock warns at import where there are no file locks (the browser), and the warning
    would show on a lead's form: a save there must not import it."""
    loaded = loaded_after(
        "import sys, tempfile\n"
        "from wholeschool import AuditRecord, FRAMEWORK\nfrom wholeschool.store import RecordFolder\n"
        "sys.platform = 'emscripten'\n"
        "RecordFolder(tempfile.mkdtemp()).save(AuditRecord(school='Oak', framework_version=FRAMEWORK.version, date='2026-01-05'), 'audit.json')\n"
    )
    assert "filelock" not in loaded


def test_no_module_of_the_project_edits_pythons_path():
    """Tooling imports modules from where they are declared (pyproject's pytest pythonpath, the
    Makefile's TOOLING_PATH, _config.yml's local_extensions, the hub's PYTHONPATH), never by
    editing ``sys.path`` at import: one place for each folder."""
    import re

    edits = re.compile(r"\bsys\.path\.(insert|append|extend)\(|\bsys\.path\s*\+?=")
    skipped = {".venv", "_build", "node_modules", ".git", "data"}
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in ROOT.rglob("*.py")
        if not skipped & set(path.relative_to(ROOT).parts)
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if edits.search(line)
    ]
    assert not found, found
