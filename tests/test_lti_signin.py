"""The hub's LMS sign-in rules (deploy/hub/lti_signin.py) without starting the hub: roles,
account names made from what a platform sends (hostile values included), and one account per
person of the platform. The launch itself is tested end to end in test_hub_lti.py."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from course_hub import USERNAME_PATTERN
from hypothesis import given
from hypothesis import strategies as st
from lti_signin import (
    LEAD_ROLES,
    NAME_LENGTH,
    TRAINER_ROLES,
    AccountNames,
    Refused,
    role_of,
    unix_name,
)

#: The hub's rule for the Unix names it creates.
UNIX_NAME = USERNAME_PATTERN
MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership"


@pytest.mark.parametrize(
    ("roles", "role"),
    [
        ([f"{MEMBERSHIP}#Instructor"], "trainer"),
        ([f"{MEMBERSHIP}#Learner", f"{MEMBERSHIP}#Instructor"], "trainer"),
        ([f"{MEMBERSHIP}#Learner"], "lead"),
        # Canvas sends institution roles beside the course role; only the course role counts.
        (
            [
                "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator",
                f"{MEMBERSHIP}#Learner",
            ],
            "lead",
        ),
        (["http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator"], None),
        ([f"{MEMBERSHIP}#Mentor"], None),
        (["Instructor"], None),  # the short names of LTI 1.1 are not LTI 1.3 roles
        ([], None),
        (f"{MEMBERSHIP}#Instructor", None),  # a string, not a list
        ([{"role": "Instructor"}], None),
        (None, None),
    ],
)
def test_course_roles_map_to_trainer_or_lead(roles, role):
    assert role_of(roles, TRAINER_ROLES, LEAD_ROLES) == role


@pytest.mark.parametrize(
    ("value", "name"),
    [
        ("jane.smith@school.example", "jane-smith"),
        ("Jane.Smith@School.Example", "jane-smith"),
        ("Zoë O'Brien-Müller", "zoe-o-brien-muller"),
        ("jsmith", "jsmith"),
        ("j_smith", "j_smith"),
        ("2f9c1e0a-77", "lms-2f9c1e0a-77"),  # an opaque id (Canvas's sub) starts with a digit
        ("../../etc/passwd", "etc-passwd"),
        ("root; rm -rf /", "root-rm-rf"),
        ("a" * 60 + "@x", "a" * NAME_LENGTH),
    ],
)
def test_names_from_the_platform_become_safe_unix_names(value, name):
    assert unix_name(value) == name


@pytest.mark.parametrize(
    "value",
    [
        "",
        "   ",
        "@school.example",
        "wshtest-evil\x00root@evil.example",
        "line\nbreak@x",
        "\u0085next-line",
        "名前",  # nothing in plain letters
        "x" * 400,
        42,
        None,
        ["jane"],
    ],
)
def test_unusable_names_are_refused_in_plain_words(value):
    with pytest.raises(Refused, match="did not send a name the hub can use"):
        unix_name(value)


@given(st.text(max_size=80))
def test_every_name_made_is_a_name_the_hub_may_create(value):
    try:
        name = unix_name(value)
    except Refused:
        return
    assert re.fullmatch(UNIX_NAME, name), (value, name)
    assert len(name) <= NAME_LENGTH


def test_one_account_per_person_of_the_platform(tmp_path: Path):
    names = AccountNames(tmp_path / "lti-accounts.json")
    free = lambda name: True  # noqa: E731
    jane = names.name_for("https://moodle.example 101", "jane-smith", free)
    assert jane == "jane-smith"
    # Another person whose e-mail reads the same gets a name of their own.
    other = names.name_for("https://moodle.example 202", "jane-smith", free)
    assert other.startswith("jane-smith-") and len(other) == len("jane-smith-") + 4
    # A person keeps their account when their e-mail (and so the wanted name) changes.
    assert names.name_for("https://moodle.example 101", "jane-jones", free) == "jane-smith"
    # The same id on another platform is another person.
    assert names.name_for("https://canvas.example 101", "jane-smith", free) != "jane-smith"
    stored = json.loads((tmp_path / "lti-accounts.json").read_text())
    assert stored["jane-smith"] == "https://moodle.example 101"
    assert os.stat(tmp_path / "lti-accounts.json").st_mode & 0o777 == 0o600


def test_a_name_not_free_is_never_given(tmp_path: Path):
    """A name the hub says is not free (a Unix account it did not make, a listed trainer's
    account for a student) is passed over; when both choices are taken the launch is refused."""
    names = AccountNames(tmp_path / "lti-accounts.json")
    got = names.name_for("https://moodle.example 7", "root", lambda name: name != "root")
    assert got.startswith("root-")
    with pytest.raises(Refused, match="already used on this hub by someone else"):
        names.name_for("https://moodle.example 8", "daemon", lambda name: False)
    assert "daemon" not in json.loads((tmp_path / "lti-accounts.json").read_text())
