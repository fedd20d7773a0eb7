"""The trainer's cohort page from a real gradebook: nbgrader's own commands release, fetch (with
the hub's receipt), submit, collect, autograde and release feedback; the status model and the
page say who is where, what is still to mark, and leave unmarked answers out of averages."""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import BIN, ROOT
from wholeschool.grading.autograde import ensure_tools_on_path
from wholeschool.grading.cohort_page import cohort_page_html
from wholeschool.grading.cohort_status import cohort_status

pytestmark = pytest.mark.nbgrader

ASSIGNMENT = "identifying-need"
COURSE = "wholeschool-smhl"
FIXTURES = ROOT / "tests" / "data" / "submissions"
HUB_CONFIG = ROOT / "deploy" / "hub" / "user-config"


def run(cwd: Path, *command: str) -> str:
    """``command`` in ``cwd``, with the hub's user-config modules importable (as the hub's
    spawner puts them on every server's ``PYTHONPATH``)."""
    env = {**os.environ, "PYTHONPATH": str(HUB_CONFIG)}
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """lead-a fetches, submits a perfect answer, is marked and gets feedback; lead-b fetches
    and submits a partial one (written answer 1 left unmarked, 2 and 3 blank: nbgrader marks
    them 0); lead-c only fetches; a receipt in lead-d's name
    left by another account is not counted."""
    tmp = tmp_path_factory.mktemp("cohort")
    exchange, course, leads = tmp / "exchange", tmp / "course", tmp / "leads"
    for folder in (exchange, course, leads):
        folder.mkdir()
    hub_exchange = (
        "from hub_exchange import FetchWithReceipt, ReleaseWithReceipts\n"
        "c.ExchangeFactory.release_assignment = ReleaseWithReceipts\n"
        "c.ExchangeFactory.fetch_assignment = FetchWithReceipt\n"
        f"c.Exchange.root = {str(exchange)!r}\n"
    )
    config = (ROOT / "assessments" / "nbgrader_config.py").read_text(encoding="utf-8")
    (course / "nbgrader_config.py").write_text(config + hub_exchange, encoding="utf-8")
    shutil.copy(ROOT / "assessments" / "rubric.yaml", course)
    shutil.copytree(ROOT / "assessments" / "source" / ASSIGNMENT, course / "source" / ASSIGNMENT)
    ensure_tools_on_path()
    nbgrader = (sys.executable, "-m", "nbgrader")
    trainer = (str(BIN / "wholeschool"), "trainer", "--course", str(course))
    run(tmp, *trainer, "release", ASSIGNMENT, "--exchange")
    handed_in = {"lead-a": "perfect", "lead-b": "partial", "lead-c": None}
    for lead, fixture in handed_in.items():
        home = leads / lead
        home.mkdir()
        (home / "nbgrader_config.py").write_text(
            f"c = get_config()\n{hub_exchange}c.CourseDirectory.course_id = {COURSE!r}\n"
        )
        student = f"--CourseDirectory.student_id={lead}"
        run(home, *nbgrader, "fetch_assignment", ASSIGNMENT, student)
        if fixture:
            for file in (FIXTURES / fixture).iterdir():
                shutil.copy(file, home / ASSIGNMENT)
            run(home, *nbgrader, "submit", ASSIGNMENT, student)
    forged = exchange / COURSE / "fetched" / f"lead-d+{ASSIGNMENT}+forged"
    forged.touch()
    os.chown(forged, 65534, 65534)  # nobody's, not lead-d's
    before_collect = cohort_status(course, exchange / COURSE)
    run(tmp, *trainer, "collect", ASSIGNMENT, "--exchange")
    run(tmp, *trainer, "autograde", ASSIGNMENT)
    before_marking = cohort_status(course, exchange / COURSE)
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", COURSE) as gradebook:
        for question, points in (("q1", 4), ("q2", 3), ("q3", 1)):
            grade = gradebook.find_grade(
                f"{ASSIGNMENT}-{question}", ASSIGNMENT, ASSIGNMENT, "lead-a"
            )
            grade.manual_score, grade.needs_manual_grade = points, False
        gradebook.db.commit()
    run(tmp, *trainer, "feedback", ASSIGNMENT, "--exchange", "--marked-only")
    after = cohort_status(course, exchange / COURSE)
    added = run(tmp, *trainer, "add-leads", "lead-e", "lead-a")  # as the hub does on approval
    return {
        "added": added,
        "with_roster": cohort_status(course, exchange / COURSE),
        "course": course,
        "exchange": exchange / COURSE,
        "before_collect": before_collect,
        "before_marking": before_marking,
        "after": after,
    }


def steps(status, lead: str) -> dict[str, bool]:
    (assignment,) = status.assignments
    (row,) = [row for row in assignment.leads if row.lead == lead]
    return {k: v for k, v in row.__dict__.items() if k != "lead"}


def test_fetched_and_submitted_come_from_the_exchange(course: dict) -> None:
    status = course["before_collect"]
    (assignment,) = status.assignments
    assert assignment.name == ASSIGNMENT
    assert [row.lead for row in assignment.leads] == ["lead-a", "lead-b", "lead-c"]
    assert assignment.count("fetched") == 3  # not lead-d: that receipt is not lead-d's
    assert assignment.count("submitted") == 2
    assert assignment.count("autograded") == 0 and assignment.count("feedback") == 0
    assert steps(status, "lead-c") == {
        "fetched": True,
        "submitted": False,
        "autograded": False,
        "marked": False,
        "feedback": False,
    }


def test_autograded_then_marked_then_feedback(course: dict) -> None:
    (before,) = course["before_marking"].assignments
    assert before.count("autograded") == 2 and before.count("marked") == 0
    status = course["after"]
    assert steps(status, "lead-a") == dict.fromkeys(
        ("fetched", "submitted", "autograded", "marked", "feedback"), True
    )
    assert steps(status, "lead-b") == {
        "fetched": True,
        "submitted": True,
        "autograded": True,
        "marked": False,
        "feedback": False,
    }
    assert not steps(status, "lead-c")["submitted"]


def test_what_is_still_to_mark(course: dict) -> None:
    before = course["before_marking"].to_mark
    assert {item.lead for item in before} == {"lead-a", "lead-b"}
    after = course["after"].to_mark
    assert [(item.lead, item.answer) for item in after] == [("lead-b", "Written answer 1")]
    assert all(item.submission for item in after)


def test_unmarked_answers_are_left_out_of_the_averages(course: dict) -> None:
    # Before marking only lead-b's blank answers 2 and 3 are marked (0 by nbgrader); answer 1
    # has no marked answer at all, so it is not ranked.
    before = course["before_marking"].weakest
    assert [(q.mean_score, q.marked, q.to_mark) for q in before] == [(0.0, 1, 1), (0.0, 1, 1)]
    weakest = course["after"].weakest
    # lead-a got 4, 3 and 1 of 4; lead-b 0 for answers 2 and 3, answer 1 still to mark: it is
    # left out of answer 1's average (4.0), not counted as a zero (which would make it 2.0).
    assert [(q.mean_score, q.max_score, q.marked, q.to_mark) for q in weakest] == [
        (0.5, 4.0, 2, 0),
        (1.5, 4.0, 2, 0),
        (4.0, 4.0, 1, 1),
    ]
    assert [q.level for q in weakest] == ["Not yet shown", "Emerging", "Strong"]
    assert "q3" not in weakest[0].question and len(weakest[0].question) > 20  # its words


def page_text(raw: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", raw)).split())


def test_the_page_escapes_names_and_links_to_formgrader(course: dict) -> None:
    raw = cohort_page_html(course["after"], formgrader="/user/trainer/formgrader")
    text = page_text(raw)
    assert "3 of 3 fetched 2 of 3 submitted 2 of 3 autograded 1 of 3 fully marked" in text
    assert "1 of 3 feedback released" in text
    assert "1 written answer still to mark" in text
    links = re.findall(r'href="/user/trainer/formgrader/submissions/([0-9a-f]+)/"', raw)
    assert len(links) == 1
    assert "0.5 of 4 Not yet shown" in text
    assert "Needs consent from at least 3 leads. 0 of the 3 needed leads have chosen" in text
    for hidden in ("Traceback", str(course["course"]), "identifying-need-q"):
        assert hidden not in raw


def test_a_lead_in_the_gradebook_is_listed_before_fetching(course: dict) -> None:
    """A lead the hub added to the gradebook (its account approved) who has done nothing yet
    is on the page as not fetched; a lead already there is left as they were."""
    assert "Added to the gradebook: lead-e" in course["added"]
    assert "Already in the gradebook: 1" in course["added"]
    assert "lead-e" not in [row.lead for row in course["after"].assignments[0].leads]
    assert steps(course["with_roster"], "lead-e") == dict.fromkeys(
        steps(course["after"], "lead-a"), False
    )
    assert steps(course["with_roster"], "lead-a") == steps(course["after"], "lead-a")
    (assignment,) = course["with_roster"].assignments
    stages = {row.lead: row.stage for row in assignment.leads}
    assert stages == {
        "lead-a": "Feedback released",
        "lead-b": "Autograded",
        "lead-c": "Fetched, not submitted",
        "lead-e": "Not fetched yet",
    }
    text = page_text(cohort_page_html(course["with_roster"]))
    assert "3 of 4 fetched" in text and "lead-e Not fetched yet – not yet" in text


def test_only_account_names_are_added_as_leads(course: dict, tmp_path: Path) -> None:
    trainer = (str(BIN / "wholeschool"), "trainer", "--course", str(course["course"]))
    before = (course["course"] / "gradebook.db").read_bytes()
    done = subprocess.run(
        [*trainer, "add-leads", "lead-f", "../lead-g"], capture_output=True, text=True
    )
    assert done.returncode != 0
    assert "'../lead-g' is not a lead's account name" in done.stderr
    assert "Traceback" not in done.stderr
    assert (course["course"] / "gradebook.db").read_bytes() == before


def test_a_course_with_nothing_released_says_so(tmp_path: Path) -> None:
    shutil.copy(ROOT / "assessments" / "rubric.yaml", tmp_path)
    status = cohort_status(tmp_path, tmp_path / "exchange")
    assert status.assignments == () and status.to_mark == () and status.weakest == ()
    assert "No assignment has been released" in page_text(cohort_page_html(status))


def test_names_and_texts_reach_the_page_as_text() -> None:
    from wholeschool.grading.cohort_status import (
        AssignmentProgress,
        CohortStatus,
        LeadProgress,
        ToMark,
        WeakQuestion,
    )

    markup = '<img src=x onerror="alert(1)">'
    status = CohortStatus(
        (AssignmentProgress(markup, (LeadProgress(markup, fetched=True),)),),
        (ToMark(markup, markup, markup, '"><script>x</script>'),),
        (WeakQuestion(markup, markup, 1.0, 4.0, markup, 1, 0),),
        (markup,),
    )
    raw = cohort_page_html(status, formgrader="/user/t/formgrader")
    assert "<img" not in raw and "<script>x" not in raw
    assert page_text(raw).count(markup) >= 7  # lead, assignment, answer, question, ...
