"""The trainer's sandboxed kernel (deploy/hub/sandbox_kernel.py), started as autograde starts
it: it answers, and it prints nothing into the trainer's terminal.

Needs root and bubblewrap, as the course hub does (marker ``hub``); no hub is started.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from jupyter_client import BlockingKernelClient
from jupyter_client.connect import write_connection_file

pytestmark = [
    pytest.mark.hub,
    pytest.mark.skipif(os.geteuid() != 0, reason="the sandbox runs kernels as nobody: root"),
]

ROOT = Path(__file__).resolve().parents[1]
SANDBOX = ROOT / "deploy" / "hub" / "sandbox_kernel.py"
#: The users' Python environment (setup.sh), by the path the hub starts it with (through the
#: checkout's .venv, which may be a link to another folder).
USER_PYTHON = ROOT / ".venv" / "hub-user" / "bin" / "python"


def test_the_sandboxed_kernel_answers_and_prints_no_notice_to_the_terminal(tmp_path: Path):
    """ipykernel prints a notice for people who run ``ipython kernel`` by hand ("Ctrl-C will
    not work", "To connect another client to this kernel") unless it knows a client started
    it; the sandbox empties the environment, so every autograde put it in the trainer's
    terminal, once per notebook."""
    assert shutil.which("bwrap"), "bubblewrap is part of the hub's system packages"
    work = tmp_path / "lead" / "assignment"
    work.mkdir(parents=True)
    sockets = Path(tempfile.mkdtemp(prefix="wsk-"))  # short: a socket's path is < 108 bytes
    try:
        for folder in (tmp_path, work.parent, work, sockets):
            folder.chmod(0o777)  # the kernel runs as nobody
        connection, _info = write_connection_file(
            str(work / "kernel.json"), transport="ipc", ip=str(sockets / "k")
        )
        Path(connection).chmod(0o644)
        kernel = subprocess.Popen(
            [str(USER_PYTHON), str(SANDBOX), connection],
            cwd=work,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        client = BlockingKernelClient(connection_file=connection)
        client.load_connection_file()
        client.start_channels()
        try:
            try:
                client.wait_for_ready(timeout=120)
            except RuntimeError:
                kernel.kill()
                raise AssertionError(kernel.communicate()) from None
            reply = client.execute_interactive("print(6 * 7)", timeout=60)
            assert reply["content"]["status"] == "ok"
        finally:
            client.stop_channels()
            kernel.terminate()
            out, err = kernel.communicate(timeout=60)
        assert "connect another client" not in out + err, out + err
        assert "Ctrl-C will not work" not in out + err, out + err
        assert out == "", out
    finally:
        shutil.rmtree(sockets, ignore_errors=True)
