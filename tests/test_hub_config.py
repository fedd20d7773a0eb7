"""The course hub's files, without starting it: apps up to date and thin, each app builds its
form, the Kubernetes values file has the shape the plan relies on (no helm on this machine)."""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import make_apps
import nbformat
import pytest
import yaml
from helpers import toc_files

ROOT = Path(__file__).resolve().parents[1]
HUB = ROOT / "deploy" / "hub"


def test_app_notebooks_are_what_make_apps_writes():
    expected = make_apps.expected()
    present = {p.name for p in (HUB / "apps").iterdir() if p.is_file()}
    assert present == set(expected), "run python deploy/hub/make_apps.py"
    stale = [n for n, text in expected.items() if (HUB / "apps" / n).read_text() != text]
    assert not stale, f"out of date (run python deploy/hub/make_apps.py): {stale}"


def test_every_app_is_one_import_and_one_call_into_the_package():
    import wholeschool.ui

    manifest = json.loads((HUB / "apps" / "apps.json").read_text(encoding="utf-8"))
    pages = set(toc_files())
    for app in manifest:
        assert app["page"] in pages, app
        nb = nbformat.read(HUB / "apps" / app["file"], 4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert len(code) == 1, app["file"]
        tree = ast.parse(code[0].source)
        assert len(tree.body) == 2, app["file"]
        imported, called = tree.body
        assert isinstance(imported, ast.ImportFrom) and imported.module == "wholeschool.ui"
        (name,) = [alias.name for alias in imported.names]
        assert isinstance(called, ast.Expr) and called.value.func.id == name
        assert callable(getattr(wholeschool.ui, name))
        assert "designated safeguarding lead" in nb.cells[0].source, app["file"]


@pytest.mark.parametrize("records", ["empty", "fixtures"])
def test_each_app_builds_its_form(tmp_path: Path, monkeypatch, records: str):
    """The app's one call, run as Voila runs it, with no records or with a lead's records."""
    import ipywidgets

    folder = tmp_path / "records"
    folder.mkdir()
    if records == "fixtures":
        for record in (ROOT / "tests" / "data" / "records").glob("*.json"):
            (folder / record.name).write_bytes(record.read_bytes())
    monkeypatch.setenv("WHOLESCHOOL_RECORDS", str(folder))
    for app in json.loads((HUB / "apps" / "apps.json").read_text(encoding="utf-8")):
        nb = nbformat.read(HUB / "apps" / app["file"], 4)
        (code,) = [c.source for c in nb.cells if c.cell_type == "code"]
        *setup, last = code.strip().splitlines()
        scope: dict = {}
        exec("\n".join(setup), scope)
        form = eval(last, scope)
        assert isinstance(form, ipywidgets.Widget), app["file"]
    assert sorted(p.name for p in folder.iterdir() if p.suffix == ".json") == sorted(
        p.name for p in (ROOT / "tests" / "data" / "records").glob("*.json")
    ) * (records == "fixtures"), "opening an app must not write records"


def test_download_links_escape_file_names():
    from wholeschool.ui.downloads import download_now

    page = download_now('plan"<b>.csv', b"a,b\n")
    assert "<b>" not in page and "&lt;b&gt;" in page
    assert 'href="data:text/csv;base64,YSxiCg=="' in page


#: What the Kubernetes plan relies on in the z2jh values (a subset of the chart's schema).
Z2JH_SCHEMA = {
    "type": "object",
    "required": ["hub", "singleuser", "cull", "scheduling", "proxy"],
    "properties": {
        "hub": {
            "type": "object",
            "required": ["config", "services", "db"],
            "properties": {
                "config": {"type": "object"},
                "extraConfig": {
                    "type": "object",
                    "additionalProperties": {"type": "string"},
                },
                "services": {
                    "type": "object",
                    "required": ["ngshare"],
                    "additionalProperties": {
                        "type": "object",
                        "required": ["url"],
                        "properties": {"url": {"type": "string", "pattern": "^https?://"}},
                    },
                },
                "db": {
                    "type": "object",
                    "properties": {"type": {"enum": ["sqlite-pvc", "mysql", "postgres", "other"]}},
                },
            },
        },
        "singleuser": {
            "type": "object",
            "required": ["image", "memory", "cpu", "storage", "defaultUrl", "extraEnv"],
            "properties": {
                "image": {
                    "type": "object",
                    "required": ["name", "tag"],
                    "properties": {"name": {"type": "string"}, "tag": {"type": "string"}},
                },
                "memory": {
                    "type": "object",
                    "required": ["guarantee", "limit"],
                    "properties": {
                        "guarantee": {"type": "string", "pattern": "^[0-9]+[MG]$"},
                        "limit": {"type": "string", "pattern": "^[0-9]+[MG]$"},
                    },
                },
                "cpu": {
                    "type": "object",
                    "properties": {
                        "guarantee": {"type": "number", "minimum": 0},
                        "limit": {"type": "number", "minimum": 0},
                    },
                },
                "storage": {
                    "type": "object",
                    "required": ["type", "capacity"],
                    "properties": {"type": {"enum": ["dynamic", "static", "none"]}},
                },
                "extraEnv": {"type": "object", "additionalProperties": {"type": "string"}},
                "defaultUrl": {"type": "string"},
            },
        },
        "cull": {
            "type": "object",
            "required": ["enabled", "timeout"],
            "properties": {"enabled": {"const": True}, "timeout": {"type": "integer"}},
        },
        "scheduling": {"type": "object"},
        "proxy": {"type": "object"},
    },
}


def _megabytes(size: str) -> int:
    number, unit = int(size[:-1]), size[-1]
    return number * (1024 if unit == "G" else 1)


def test_kubernetes_values_have_the_shape_the_plan_relies_on():
    values = yaml.safe_load((HUB / "z2jh-values.yaml").read_text(encoding="utf-8"))
    jsonschema.validate(values, Z2JH_SCHEMA)
    for name, code in values["hub"]["extraConfig"].items():
        compile(code, f"extraConfig.{name}", "exec")
    memory = values["singleuser"]["memory"]
    assert 200 <= _megabytes(memory["guarantee"]) <= _megabytes(memory["limit"])
    env = values["singleuser"]["extraEnv"]
    for key in ("JUPYTER_CONFIG_PATH", "JUPYTER_PATH"):
        folder = env[key].removeprefix("/opt/wholeschool-course/")
        assert (ROOT / folder).is_dir(), f"{key} names {folder}, not in this repository"
    app = values["singleuser"]["defaultUrl"].removeprefix("/voila/render/course-apps/")
    assert (HUB / "apps" / app).is_file()


def test_scaling_note_quotes_the_benchmark_goal_and_figures():
    note = (HUB / "SCALING.md").read_text(encoding="utf-8")
    assert "benchmarks/hub.py" in note
    assert re.search(r"p95", note) and re.search(r"\b30 leads\b", note)


@pytest.mark.hub
def test_a_lead_server_hands_a_warm_kernel_to_the_next_app_page(tmp_path: Path):
    """deploy/hub/user-config/warm_kernels.py on a real Jupyter server configured as a lead's:
    a kernel with the course package imported waits, and the next app page runs in it."""
    import contextlib
    import os
    import socket
    import subprocess
    import time

    import requests
    from hub_support import ensure_hub_environment

    user_env = ensure_hub_environment()
    # As the hub links them into each home (Voila renders nothing outside the course apps).
    (tmp_path / "course-apps").symlink_to(HUB / "apps")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        "HOME": str(tmp_path),
        "WHOLESCHOOL_HUB_ROLE": "lead",
        "WHOLESCHOOL_RECORDS": str(tmp_path / "records"),
        "JUPYTER_CONFIG_PATH": str(HUB / "user-config"),
        "PYTHONPATH": str(HUB / "user-config"),  # as the hub's spawner sets them
        "JUPYTER_PATH": str(HUB / "jupyter-data"),
    }
    server = subprocess.Popen(
        [str(user_env / "bin" / "jupyter-server"), "--no-browser", f"--port={port}",
         "--ServerApp.ip=127.0.0.1", "--IdentityProvider.token=t", "--allow-root",
         f"--ServerApp.root_dir={tmp_path}"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base, auth = f"http://127.0.0.1:{port}", {"Authorization": "token t"}
    try:
        deadline, warm = time.monotonic() + 90, []
        while time.monotonic() < deadline and not warm:
            with contextlib.suppress(requests.ConnectionError):
                warm = requests.get(f"{base}/api/kernels", headers=auth, timeout=5).json()
            time.sleep(0.3)
        assert len(warm) == 1, "no warm kernel started with the server"
        page = requests.get(
            f"{base}/voila/render/course-apps/self-audit-leadership.ipynb",
            headers=auth,
            timeout=120,
        ).text
        assert f'"kernelId": "{warm[0]["id"]}"' in page
        assert "application/vnd.jupyter.widget-view+json" in page
    finally:
        server.terminate()
        server.wait(timeout=60)


@pytest.mark.parametrize("cost", ["9", "17", "twelve", "-1"])
def test_a_password_cost_out_of_range_stops_the_hub_with_a_message_naming_the_setting(
    cost: str, tmp_path: Path
):
    """Below OWASP's minimum for bcrypt (10), absurdly slow, or not a number: one line, no
    traceback, before the hub touches anything."""
    load = (
        "import runpy; from traitlets.config import Config; "
        "runpy.run_path(CONFIG, init_globals={'get_config': Config})"
    )
    config = HUB / "jupyterhub_config.py"
    env = {
        **os.environ,
        "PYTHONPATH": str(HUB),
        "WHOLESCHOOL_HUB_PASSWORD_COST": cost,
        "WHOLESCHOOL_HUB_STATE": str(tmp_path / "state"),
    }
    run = subprocess.run(
        [sys.executable, "-c", load.replace("CONFIG", repr(str(config)))],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 1, run.stderr
    assert "WHOLESCHOOL_HUB_PASSWORD_COST" in run.stderr and "OWASP" in run.stderr
    assert "Traceback" not in run.stderr, run.stderr
    assert not (tmp_path / "state").exists()


def test_login_throttle_holds_back_a_name_per_address_and_an_address_over_all_names():
    """The rules the hub test checks end to end, on a clock of our own: five attempts per name
    and address, thirty per address, a window that slides, and a success that forgets."""
    from hub_guards import LoginThrottle

    now = [0.0]
    throttle = LoginThrottle(per_name=5, per_address=30, window=300, clock=lambda: now[0])
    tickets = [throttle.begin("lead", "10.0.0.1") for _ in range(5)]
    assert all(t is not None for t in tickets)
    assert throttle.begin("lead", "10.0.0.1") is None  # in flight or failed: counted
    assert throttle.begin("lead", "10.0.0.2") is not None  # another address is not held back
    assert throttle.begin("trainer", "10.0.0.1") is not None
    for i in range(24):
        throttle.begin(f"name{i}", "10.0.0.1")
    assert throttle.begin("someone", "10.0.0.1") is None  # thirty from one address
    now[0] = 301.0
    ticket = throttle.begin("lead", "10.0.0.1")
    assert ticket is not None  # the window has passed
    throttle.succeeded("lead", "10.0.0.1", ticket)
    assert all(throttle.begin("lead", "10.0.0.1") is not None for _ in range(5))
