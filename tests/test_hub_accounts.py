"""A run killed before its clean-up does not block the next one, and nobody else's account goes.

A hub test run claims Unix account names, the hub makes the accounts (``useradd`` in the
run's group), and the run removes them at the end. A run that is killed (or a machine that
stops mid-run) leaves them behind, and the next run would find its names taken. Here a real
process claims names and makes real accounts as the hub does, then is killed; the next run's
``claim_accounts`` removes them and claims the names. A run still going, and an account that
is not in the run's group, are left alone.

Needs root (it creates Unix accounts).
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest
from course_accounts import group_exists
from hub_accounts import Accounts
from hub_support import ACCOUNTS_RECORD, claim_accounts
from lti_signin import account_exists

pytestmark = [
    pytest.mark.hub,
    pytest.mark.skipif(os.geteuid() != 0, reason="the test creates Unix accounts: run as root"),
]

ROOT = Path(__file__).resolve().parents[1]
PREFIX = "wshtest-left"
GROUP = "wshtest-leftgroup"

#: A run as the hub tests do it: claim, make the group, and the hub's own ``useradd``; then it
#: stops (SIGSTOP) until the test kills it, so it never removes anything.
A_RUN = textwrap.dedent(
    """
    import os, signal, subprocess, sys
    from pathlib import Path
    from hub_accounts import Accounts
    work, prefix, group, names = Path(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4:]
    accounts = Accounts(prefix, group, work / "created-accounts.txt")
    accounts.claim(names)
    accounts.ensure_group()
    for name in names:
        subprocess.run(["useradd", "--create-home", "--base-dir", str(work / "home"),
                        "--shell", "/bin/bash", "--groups", group, name], check=True)
    print("made", flush=True)
    os.kill(os.getpid(), signal.SIGSTOP)
    """
)


def scratch(kind: str) -> Path:
    work = Path(tempfile.mkdtemp(prefix=f"wholeschool-hub-{kind}-"))
    (work / "home").mkdir()
    return work


def start_run(work: Path, names: list[str]) -> subprocess.Popen[str]:
    run = subprocess.Popen(
        [sys.executable, "-c", A_RUN, str(work), PREFIX, GROUP, *names],
        env={**os.environ, "PYTHONPATH": str(ROOT / "deploy/hub")},
        stdout=subprocess.PIPE,
        text=True,
    )
    assert run.stdout is not None and run.stdout.readline().strip() == "made"
    return run


def remove_account(name: str) -> None:
    subprocess.run(["userdel", "--force", "--remove", name], capture_output=True)


@pytest.fixture
def cleanup():
    """Whatever the test leaves (accounts, group, folders, processes) goes afterwards."""
    made: dict[str, list] = {"accounts": [], "folders": [], "runs": []}
    yield made
    for run in made["runs"]:
        if run.poll() is None:
            run.kill()
            run.wait(timeout=30)
    for name in made["accounts"]:
        remove_account(name)
    subprocess.run(["groupdel", GROUP], capture_output=True)
    for folder in made["folders"]:
        shutil.rmtree(folder, ignore_errors=True)


def test_the_next_run_removes_what_a_killed_run_left_and_claims_the_names(cleanup):
    names = [f"{PREFIX}trainer", f"{PREFIX}lead"]
    cleanup["accounts"] += names
    old = scratch("killed")
    new = scratch("next")
    cleanup["folders"] += [old, new]
    run = start_run(old, names)
    cleanup["runs"].append(run)
    homes = [Path(pwd.getpwnam(name).pw_dir) for name in names]
    assert all(account_exists(n) for n in names) and all(h.is_dir() for h in homes)

    # While the run is alive (only stopped) its accounts are its own: the next run is refused.
    with pytest.raises(Exception, match="already exists"):
        claim_accounts(new, PREFIX, GROUP, names)
    assert all(account_exists(n) for n in names)

    run.send_signal(signal.SIGKILL)
    run.wait(timeout=30)
    accounts = claim_accounts(new, PREFIX, GROUP, names)

    assert not any(account_exists(n) for n in names), "the killed run's accounts are still there"
    assert not any(h.exists() for h in homes), "their homes are still there"
    assert not (old / ACCOUNTS_RECORD).exists()
    assert accounts.claimed == names
    assert group_exists(GROUP)  # made again by the next run, which now owns it
    assert accounts.made_group
    record = (new / ACCOUNTS_RECORD).read_text(encoding="utf-8").splitlines()
    assert record[0].split()[:3] == ["#", "owner", str(os.getpid())]
    assert record[-2:] == names


def test_an_account_outside_the_runs_group_is_left_alone(cleanup):
    """A name in a dead run's record that is someone else's account now (not in the group)."""
    name = f"{PREFIX}someone"
    cleanup["accounts"].append(name)
    old = scratch("killed")
    cleanup["folders"].append(old)
    run = start_run(old, [f"{PREFIX}gone"])
    cleanup["accounts"].append(f"{PREFIX}gone")
    cleanup["runs"].append(run)
    run.send_signal(signal.SIGKILL)
    run.wait(timeout=30)
    with (old / ACCOUNTS_RECORD).open("a", encoding="utf-8") as record:
        record.write(f"{name}\n")
    subprocess.run(["useradd", "--no-create-home", name], check=True)

    new = scratch("next")
    cleanup["folders"].append(new)
    claim_accounts(new, PREFIX, GROUP, [f"{PREFIX}other"])

    assert account_exists(name), "an account outside the run's group was removed"
    assert not account_exists(f"{PREFIX}gone")


def test_a_record_that_does_not_say_who_claimed_is_left_alone(cleanup, tmp_path: Path):
    """A record without its owner line (an older run's, or a damaged one) is not acted on."""
    name = f"{PREFIX}unknown"
    cleanup["accounts"].append(name)
    subprocess.run(["groupadd", "--system", GROUP], check=True)
    subprocess.run(["useradd", "--no-create-home", "--groups", GROUP, name], check=True)
    record = tmp_path / ACCOUNTS_RECORD
    record.write_text(f"{name}\n", encoding="utf-8")
    assert Accounts.left_behind(record) is None
    assert account_exists(name)
