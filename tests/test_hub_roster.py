"""Who the hub writes into the trainers' gradebooks as leads (deploy/hub/hub_roster.py), read
from a real JupyterHub database with NativeAuthenticator's sign-ups table; the whole path,
approval to cohort page, runs on the real hub in tests/test_hub_cohort_page.py."""

from __future__ import annotations

import sys
from pathlib import Path

from hub_roster import Roster
from jupyterhub import orm
from nativeauthenticator.orm import UserInfo

PATTERN = r"^[a-z][a-z0-9_-]{1,31}$"  # as jupyterhub_config.py's USERNAME_PATTERN


def test_leads_are_approved_sign_ups_and_users_who_are_not_trainers() -> None:
    db = orm.new_session_factory("sqlite:///:memory:")()
    for name, approved in [
        ("ada", True),  # approved, never logged in
        ("bo", False),  # waiting for approval
        ("trainer", True),  # the listed trainer's own sign-up
        ("Bad..Name", True),  # not a name the hub gives
    ]:
        db.add(UserInfo(username=name, password=b"x", is_authorized=approved))
    db.add(orm.User(name="cy"))  # logged in (or made by the admin page, or by LTI)
    db.add(orm.User(name="teacher", admin=True))  # a trainer by LTI or made admin
    db.add(orm.User(name="trainer", admin=True))
    db.commit()
    roster = Roster({"trainer"}, Path(sys.prefix), PATTERN)
    leads, trainers = roster.people(db)
    assert leads == ["ada", "cy"]
    assert trainers == ["teacher", "trainer"]
