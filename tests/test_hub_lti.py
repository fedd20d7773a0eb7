"""Signing in to the course hub from a school's course platform by LTI 1.3, end to end.

A real LTI 1.3 platform (``tests/lti_platform.py``, on lti1p3platform) runs on 127.0.0.1 under
the name ``localhost`` (another site than the hub, as a real LMS is); the real hub is started
with ``WHOLESCHOOL_HUB_SIGN_IN=lti`` and ltiauthenticator checks every launch. In headless
Chromium: a student of the course lands on the leads' course apps as a lead and cannot reach the
hub's admin page; a teacher lands in JupyterLab as a trainer (hub admin, formgrader, their own
copy of the course); a student whose e-mail looks like the listed trainer's name gets an
account of their own; a forged signature, a launch for another tool, a hostile name and a
person with no course role are refused with a page in plain words. Screenshots of each step go
to ``$TMPDIR/wholeschool-hub-lti-screens``.

Needs root (it creates Unix accounts); run under the hub lock: ``-m hub -k lti``.
"""

from __future__ import annotations

import hashlib
import os
import pwd
import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import hub_process
import pytest
from browser_support import launch_chromium
from hub_support import claim_accounts, scratch_hub
from lti_platform import INSTRUCTOR, LEARNER, Member, Platform
from playwright.sync_api import sync_playwright

pytestmark = [
    pytest.mark.hub,
    pytest.mark.skipif(os.geteuid() != 0, reason="the hub creates Unix accounts: run as root"),
]

PREFIX = "wshtest-"
GROUP = "wshtest-ltiusers"
#: Listed in WHOLESCHOOL_HUB_TRAINERS: made when the hub starts, owns the exchange's course.
OWNER = f"{PREFIX}ltiowner"
MEMBERS = {
    "lead": Member("moodle-101", "wshtest-ltilead@school.example", "Ada Lead", (LEARNER,)),
    # Capitals and a dot in the e-mail: the account name is folded to a safe Unix name.
    "teacher": Member(
        "moodle-7", "Wshtest.LTITeacher@school.example", "Tom Teacher", (INSTRUCTOR,)
    ),
    # A student elsewhere whose e-mail reads like the listed trainer's name.
    "lookalike": Member("moodle-555", f"{OWNER}@elsewhere.example", "Lou Alike", (LEARNER,)),
    # A platform sending a name with a control character in it.
    "hostile": Member("moodle-13", "wshtest-evil\u0000root@evil.example", "Eve", (LEARNER,)),
    # Someone the platform knows who is neither teacher nor student of the course.
    "mentor": Member(
        "moodle-9",
        "wshtest-ltimentor@school.example",
        "Max Mentor",
        ("http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor",),
    ),
}
LEAD = f"{PREFIX}ltilead"
TEACHER = f"{PREFIX}ltiteacher"
SCREENS = Path(tempfile.gettempdir()) / "wholeschool-hub-lti-screens"
WIDTHS = (1280, 820, 390)


def suffixed(name: str, platform: Platform, member: Member) -> str:
    """The name the hub gives ``member`` when ``name`` is taken (lti_signin.AccountNames)."""
    person = f"{platform.issuer} {member.sub}"
    return f"{name}-{hashlib.sha256(person.encode()).hexdigest()[:4]}"


@dataclass
class LTIHub:
    hub: hub_process.Hub
    platform: Platform
    browser: object
    lookalike: str


@pytest.fixture(scope="module")
def lti_hub() -> Iterator[LTIHub]:
    work, settings = scratch_hub("wholeschool-hub-lti-", GROUP, [OWNER])
    platform = Platform(settings.url, MEMBERS)
    settings.extra_env.update(platform.hub_environment())
    lookalike = suffixed(OWNER, platform, MEMBERS["lookalike"])
    accounts = claim_accounts(work, PREFIX, GROUP, [OWNER, LEAD, TEACHER, lookalike])
    hub = hub_process.Hub(settings)
    shutil.rmtree(SCREENS, ignore_errors=True)
    SCREENS.mkdir()
    platform.start()
    try:
        hub.start()
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            try:
                yield LTIHub(hub, platform, browser, lookalike)
            finally:
                browser.close()
    finally:
        try:
            hub.stop()
        finally:
            platform.stop()
            accounts.remove()
            shutil.rmtree(work, ignore_errors=True)


def shot(page, name: str) -> None:
    page.screenshot(path=str(SCREENS / f"{name}.png"), full_page=True)


def launch(lti: LTIHub, member: str, tamper: str = ""):
    """A new browser of ``member``: their course page on the platform, then its link to the
    hub (the platform and the hub do the rest); the page wherever the launch ended."""
    context = lti.browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(180_000)
    page.goto(lti.platform.course_page(member, tamper))
    shot(page, f"{member}{'-' + tamper if tamper else ''}-0-course-page")
    with page.expect_navigation(url=re.compile(r"http://127\.0\.0\.1:\d+/.*")):
        page.click("#hub")
    page.wait_for_load_state()
    return page


def hub_user(lti: LTIHub, name: str) -> dict | None:
    users = {user["name"]: user for user in lti.hub.api("GET", "/users").json()}
    return users.get(name)


def test_lti_student_lands_on_the_leads_apps_and_cannot_reach_admin(lti_hub: LTIHub):
    page = launch(lti_hub, "lead")
    page.wait_for_url(re.compile(rf".*/user/{LEAD}/voila/render/course-apps/index\.ipynb.*"))
    page.get_by_role("heading", name="Your course apps").wait_for()
    shot(page, "lead-1-course-apps")
    user = hub_user(lti_hub, LEAD)
    assert user is not None and user["admin"] is False
    account = pwd.getpwnam(LEAD)
    assert os.stat(account.pw_dir).st_mode & 0o777 == 0o700
    assert not (Path(account.pw_dir) / "assessments").exists()  # no trainer's course copy
    refused = page.goto(f"{lti_hub.hub.url}/hub/admin")
    assert refused is not None and refused.status == 403
    # in plain words (JupyterHub's own page says "requires any of [admin-ui]")
    page.get_by_role("heading", name="This page is not for your account").wait_for()
    assert "scope" not in page.inner_text("body") and "admin-ui" not in page.content()
    shot(page, "lead-2-admin-refused")
    api = page.request.get(f"{lti_hub.hub.url}/hub/api/users")
    assert api.status == 403
    formgrader = page.request.get(f"{lti_hub.hub.url}/user/{LEAD}/formgrader")
    assert formgrader.status == 404, formgrader.status  # a lead's server has no formgrader
    page.context.close()


def test_lti_teacher_lands_in_jupyterlab_as_a_trainer(lti_hub: LTIHub):
    page = launch(lti_hub, "teacher")
    page.wait_for_url(re.compile(rf".*/user/{TEACHER}/lab.*"))
    # The trainer's own copy of the course, in JupyterLab's file browser.
    page.locator(".jp-DirListing-item", has_text="assessments").wait_for()
    shot(page, "teacher-1-jupyterlab")
    user = hub_user(lti_hub, TEACHER)
    assert user is not None and user["admin"] is True
    assert (Path(pwd.getpwnam(TEACHER).pw_dir) / "assessments" / "source").is_dir()
    formgrader = page.goto(f"{lti_hub.hub.url}/user/{TEACHER}/formgrader")
    assert formgrader is not None and formgrader.status == 200
    shot(page, "teacher-2-formgrader")
    admin = page.goto(f"{lti_hub.hub.url}/hub/admin")
    assert admin is not None and admin.status == 200
    shot(page, "teacher-3-hub-admin")
    page.context.close()


def test_lti_lookalike_student_never_gets_the_listed_trainers_account(lti_hub: LTIHub):
    """The listed trainer's account goes only to a teacher of the course: a student whose
    e-mail reads the same gets an account of their own, as a lead."""
    page = launch(lti_hub, "lookalike")
    page.wait_for_url(re.compile(rf".*/(hub|user/{lti_hub.lookalike})/.*"))
    user = hub_user(lti_hub, lti_hub.lookalike)
    assert user is not None and user["admin"] is False
    owner = hub_user(lti_hub, OWNER)
    assert owner is not None and owner["admin"] is True and not owner["servers"]
    page.context.close()


@pytest.mark.parametrize(
    ("member", "tamper", "status", "says"),
    [
        ("lead", "signature", 401, "could not check this sign-in"),
        ("lead", "audience", 401, "could not check this sign-in"),
        ("hostile", "", 403, "did not send a name the hub can use"),
        ("mentor", "", 403, "neither a teacher nor a student"),
    ],
)
def test_lti_launch_refused_with_a_plain_page(
    lti_hub: LTIHub, member: str, tamper: str, status: int, says: str
):
    users_before = {user["name"] for user in lti_hub.hub.api("GET", "/users").json()}
    statuses: list[int] = []
    context = lti_hub.browser.new_context()
    page = context.new_page()
    page.on(
        "response",
        lambda r: statuses.append(r.status) if "/hub/lti13/oauth_callback" in r.url else None,
    )
    page.goto(lti_hub.platform.course_page(member, tamper))
    with page.expect_navigation(url=re.compile(r".*/hub/lti13/oauth_callback")):
        page.click("#hub")
    page.wait_for_load_state()
    name = f"refused-{member}{'-' + tamper if tamper else ''}"
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        shot(page, f"{name}-{width}")
    text = page.locator("body").inner_text()
    assert statuses == [status], statuses
    assert page.locator("h1").inner_text() == f"{status} : Not signed in"
    assert says in text, text
    for machine in ("Traceback", "jwt", "Error", "aud", "kid", "token", "lti13"):
        assert machine not in text, (machine, text)
    users_after = {user["name"] for user in lti_hub.hub.api("GET", "/users").json()}
    assert users_after == users_before
    context.close()


def test_lti_hubs_own_sign_in_page_sends_people_to_their_course(lti_hub: LTIHub):
    context = lti_hub.browser.new_context()
    page = context.new_page()
    page.goto(f"{lti_hub.hub.url}/hub/login")
    text = page.locator("body").inner_text()
    shot(page, "hub-login-page")
    assert page.locator("h1").inner_text() == "400 : Open the hub from your course page"
    assert "opened from your course page" in text, text
    context.close()
