"""Where a cohort stands, per assignment and lead, for the trainer's cohort page.

Read with the trainer's own rights from the nbgrader course folder (``gradebook.db``,
``autograded/``, ``feedback/``) and, on the hub, the course's folder in nbgrader's exchange.
Every lead of the gradebook's students table is listed (the hub adds each approved lead
there, see :mod:`.roster`), with anyone else who left work:

* **fetched**: a receipt the lead's own server left in ``<exchange course>/fetched/`` when
  they fetched (the hub's fetch, ``deploy/hub/user-config/hub_exchange.py``);
* **submitted**: a submission in ``inbound/`` or a collected one in ``submitted/``;
* **autograded**: graded into the gradebook; **marked**: no answer left to mark by hand;
* **feedback**: released to the exchange (on the hub) or made (``feedback/``) without one.

A file in the exchange counts only when the account named in it owns it (or the trainer,
who reads): a lead cannot fetch or submit in another lead's name. Answers still to be marked
are left out of every average, as in ``wholeschool trainer report``.
"""

from __future__ import annotations

import os
import pwd
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..core.errors import WholeschoolError
from ..core.framework import FRAMEWORK
from ..core.rubric import Rubric, load_rubric
from ..core.shared_summary import MIN_LEADS, SharedSummary
from ..store.sharing import SHARED_AUDITS
from .cohort import distributions
from .trainer import (
    SCORE_COLUMNS,
    gradebook_frame,
    question_summary,
    student_names,
    written_questions,
)

#: The steps a lead's work goes through, in order, with the words the page uses.
STEPS = {
    "fetched": "Fetched",
    "submitted": "Submitted",
    "autograded": "Autograded",
    "marked": "Fully marked",
    "feedback": "Feedback released",
}
#: Where a lead is, by the furthest step reached, and before the first.
STAGES = {
    "fetched": "Fetched, not submitted",
    "submitted": "Submitted",
    "autograded": "Autograded",
    "marked": "Fully marked",
    "feedback": "Feedback released",
}
NOT_FETCHED = "Not fetched yet"
#: Folder of the exchange's course folder where the hub's fetch leaves its receipts.
RECEIPTS = "fetched"
#: How many of the weakest written questions the page lists.
WEAKEST = 5
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")
#: The largest shared summary read (a real one is under 1 kB).
SUMMARY_LIMIT = 16_384
_SUMMARY = re.compile(r"^([A-Za-z0-9][A-Za-z0-9_.-]{0,63})\+audit-summary\+[0-9a-f]{16}\.json$")
_NAME = re.compile(r"^([A-Za-z0-9][A-Za-z0-9_.-]{0,63})\+([A-Za-z0-9][A-Za-z0-9_.-]{0,127})\+")


@dataclass(frozen=True)
class LeadProgress:
    """One lead's work on one assignment."""

    lead: str
    fetched: bool = False
    submitted: bool = False
    autograded: bool = False
    marked: bool = False
    feedback: bool = False

    @property
    def stage(self) -> str:
        """Where the lead is, in a few words: the furthest step reached."""
        reached = [label for step, label in STAGES.items() if getattr(self, step)]
        return reached[-1] if reached else NOT_FETCHED


@dataclass(frozen=True)
class AssignmentProgress:
    """Every known lead's progress on one assignment."""

    name: str
    leads: tuple[LeadProgress, ...]

    def count(self, step: str) -> int:
        """How many leads have reached ``step`` (a key of :data:`STEPS`)."""
        return sum(getattr(lead, step) for lead in self.leads)


@dataclass(frozen=True)
class ToMark:
    """A written answer still to be marked by hand, and its formgrader page."""

    assignment: str
    lead: str
    answer: str
    submission: str  # formgrader's id of the submitted notebook (for the link only)


@dataclass(frozen=True)
class WeakQuestion:
    """A written question, with the cohort's mean over the marked answers only."""

    assignment: str
    question: str
    mean_score: float
    max_score: float
    level: str
    marked: int
    to_mark: int


@dataclass(frozen=True)
class PrincipleScore:
    """A principle's mean score across the leads who shared their audit summary."""

    principle: str
    mean: float
    lowest: float
    highest: float
    leads: int


@dataclass(frozen=True)
class SharedPrinciples:
    """The weakest principles from shared summaries; empty until ``MIN_LEADS`` have shared."""

    consented: int
    needed: int = MIN_LEADS
    weakest: tuple[PrincipleScore, ...] = ()


@dataclass(frozen=True)
class CohortStatus:
    """Everything the cohort page shows."""

    assignments: tuple[AssignmentProgress, ...]
    to_mark: tuple[ToMark, ...]
    weakest: tuple[WeakQuestion, ...]
    problems: tuple[str, ...] = field(default=())
    principles: SharedPrinciples = field(default_factory=lambda: SharedPrinciples(0))


def owner_name(path: Path) -> str:
    """The account that owns ``path`` (its number when it has no name)."""
    uid = path.lstat().st_uid
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def _trusted(path: Path, lead: str) -> bool:
    """True if ``path`` was left by ``lead``'s own account (or by whoever reads it)."""
    try:
        uid = path.lstat().st_uid
    except OSError:
        return False
    return uid == os.geteuid() or owner_name(path) == lead


def exchange_entries(folder: Path) -> set[tuple[str, str]]:
    """(lead, assignment) of each ``<lead>+<assignment>+...`` entry of an exchange folder,
    counted only when the lead's own account made it."""
    found: set[tuple[str, str]] = set()
    try:
        names = os.listdir(folder)
    except OSError:
        return found
    for name in names:
        match = _NAME.match(name)
        if match and _trusted(folder / name, match[1]):
            found.add((match[1], match[2]))
    return found


def released_feedback(root: Path, exchange_course: Path) -> set[tuple[str, str]]:
    """(lead, assignment) whose feedback is in the exchange (named by the hash nbgrader gives
    it from the submission's secret)."""
    from nbgrader.utils import notebook_hash

    released: set[tuple[str, str]] = set()
    outbox = exchange_course / "feedback"
    for page in (root / "feedback").glob("*/*/*.html"):
        folder = page.parent
        try:
            secret = (folder / "submission_secret.txt").read_text(encoding="utf-8")
        except OSError:
            continue
        if (outbox / f"{notebook_hash(secret=secret, notebook_id=page.stem)}.html").is_file():
            released.add((folder.parent.name, folder.name))
    return released


def made_feedback(root: Path) -> set[tuple[str, str]]:
    """(lead, assignment) with feedback made in the course folder."""
    return {(p.parent.parent.name, p.parent.name) for p in (root / "feedback").glob("*/*/*.html")}


def released_assignments(root: Path, exchange_course: Path | None) -> list[str]:
    """Assignments released to the leads (in the exchange, or generated without one)."""
    where = exchange_course / "outbound" if exchange_course else root / "release"
    names = set()
    if where.is_dir():
        names = {p.name for p in where.iterdir() if p.is_dir() and _ID.match(p.name)}
    return sorted(names)


def _submission_ids(root: Path, assignments: list[str]) -> dict[tuple[str, str, str], str]:
    """(assignment, lead, question) → formgrader's id of the submitted notebook."""
    from nbgrader.api import Gradebook

    from .autograde import course_directory

    ids = {}
    coursedir = course_directory(root)
    with Gradebook(coursedir.db_url, coursedir.course_id) as gradebook:
        for assignment in assignments:
            for submission in gradebook.assignment_submissions(assignment):
                for notebook in submission.notebooks:
                    for grade in notebook.grades:
                        if grade.needs_manual_grade:
                            key = (assignment, submission.student_id, grade.name)
                            ids[key] = notebook.id
    return ids


def _answer_label(assignment: str, question: str) -> str:
    numbers = {q.id: n for n, q in enumerate(written_questions(assignment), start=1)}
    if question in numbers:
        return f"Written answer {numbers[question]}"
    return f"Check {question}"  # a test cell a lead deleted: nbgrader leaves it to mark


def weakest_questions(
    scores: pd.DataFrame, rubric: Rubric | None, top: int = WEAKEST
) -> tuple[WeakQuestion, ...]:
    """The written questions with the smallest mean share of the points, over marked answers
    only (a question nobody's answer is marked for yet is left out)."""
    written = scores[scores["kind"] == "written"]
    if written.empty:
        return ()
    summary = question_summary(written).dropna(subset=["mean_fraction"]).head(top)
    weakest = []
    for row in summary.itertuples():
        texts = {q.id: q.text for q in written_questions(row.assignment)}
        level = rubric.level_for(row.mean_score, row.max_score).label if rubric else ""
        weakest.append(
            WeakQuestion(
                assignment=row.assignment,
                question=texts.get(row.question, row.question),
                mean_score=float(row.mean_score),
                max_score=float(row.max_score),
                level=level,
                marked=int(row.students),
                to_mark=int(row.to_mark),
            )
        )
    return tuple(weakest)


def shared_principles(outbox: Path) -> SharedPrinciples:
    """The principles the cohort rates lowest, from the audit summaries leads chose to share
    (each lead's newest, made by their own account, with consent); none shown below
    :data:`MIN_LEADS` leads. A file that is not a valid summary is passed over."""
    newest: dict[str, tuple[float, SharedSummary]] = {}
    try:
        entries = list(os.scandir(outbox))
    except OSError:
        return SharedPrinciples(0)
    for entry in entries:
        match = _SUMMARY.match(entry.name)
        if not match or not _trusted(Path(entry.path), match[1]):
            continue
        try:
            info = entry.stat(follow_symlinks=False)
            if not entry.is_file(follow_symlinks=False) or info.st_size > SUMMARY_LIMIT:
                continue
            with open(entry.path, "rb") as handle:
                summary = SharedSummary.model_validate_json(handle.read(SUMMARY_LIMIT))
        except (OSError, ValueError):
            continue
        if match[1] not in newest or info.st_mtime > newest[match[1]][0]:
            newest[match[1]] = (info.st_mtime, summary)
    if len(newest) < MIN_LEADS:
        return SharedPrinciples(len(newest))
    scores = pd.DataFrame([s.principles for _t, s in newest.values()], dtype=float)
    table = distributions(scores).dropna(subset=["mean"]).sort_values("mean")
    names = {p.id: f"{p.number}. {p.short_name}" for p in FRAMEWORK.principles}
    weakest = tuple(
        PrincipleScore(
            names.get(key, key), row["mean"], row["min"], row["max"], int(row["schools"])
        )
        for key, row in table.head(3).iterrows()
    )
    return SharedPrinciples(len(newest), weakest=weakest)


def cohort_status(root: Path, exchange_course: Path | None = None) -> CohortStatus:
    """Where the cohort of the nbgrader course ``root`` stands (``exchange_course``: the
    course's folder in nbgrader's exchange, on the hub)."""
    problems: list[str] = []
    assignments = released_assignments(root, exchange_course)
    has_gradebook = (root / "gradebook.db").is_file()
    roster: set[str] = set()
    if has_gradebook:
        scores = gradebook_frame(root, assignments)
        roster = set(student_names(root))
    else:
        scores = pd.DataFrame(columns=SCORE_COLUMNS)
    fetched = exchange_entries(exchange_course / RECEIPTS) if exchange_course else set()
    submitted = exchange_entries(exchange_course / "inbound") if exchange_course else set()
    submitted |= {(p.parent.name, p.name) for p in root.glob("submitted/*/*") if p.is_dir()}
    autograded = {
        (a, s)
        for a, s in zip(scores["assignment"], scores["student"], strict=True)
        if (root / "autograded" / s / a).is_dir()
    }
    waiting = scores[scores["needs_manual_grade"].astype(bool)]
    unmarked = set(zip(waiting["assignment"], waiting["student"], strict=True))
    feedback = released_feedback(root, exchange_course) if exchange_course else made_feedback(root)
    leads = sorted(
        {lead for lead, _ in fetched | submitted | feedback} | set(scores["student"]) | roster
    )
    table = []
    for assignment in assignments:
        rows = []
        for lead in leads:
            key = (lead, assignment)
            graded = (assignment, lead) in autograded
            progress = LeadProgress(
                lead=lead,
                fetched=key in fetched,
                submitted=key in submitted,
                autograded=graded,
                marked=graded and (assignment, lead) not in unmarked,
                feedback=key in feedback,
            )
            # A later step shows the earlier ones happened (a lead who fetched on another
            # computer, or submitted before the hub kept receipts).
            if progress.submitted and not progress.fetched:
                progress = LeadProgress(**{**progress.__dict__, "fetched": True})
            rows.append(progress)
        table.append(AssignmentProgress(assignment, tuple(rows)))
    ids = _submission_ids(root, assignments) if has_gradebook and not waiting.empty else {}
    to_mark = tuple(
        ToMark(
            row.assignment,
            row.student,
            _answer_label(row.assignment, row.question),
            ids.get((row.assignment, row.student, row.question), ""),
        )
        for row in waiting.sort_values(["assignment", "student", "question"]).itertuples()
    )
    rubric = None
    try:
        rubric = load_rubric(root / "rubric.yaml")
    except (OSError, WholeschoolError, ValueError) as error:
        problems.append(f"The rubric could not be read, so no levels are shown: {error}")
    principles = (
        shared_principles(exchange_course / SHARED_AUDITS)
        if exchange_course
        else SharedPrinciples(0)
    )
    return CohortStatus(
        tuple(table), to_mark, weakest_questions(scores, rubric), tuple(problems), principles
    )
