"""The trainer's cycle for the reflection tasks course, as functions the CLI calls.

release → collect → autograde (in parallel) → mark reflections in nbgrader's formgrader →
feedback → report. Each step runs nbgrader itself (or its Python API) on the course folder
(``assessments/`` by default); nothing here replaces nbgrader's own data or formats.
Problems raise :class:`GradingError` with a message for the trainer.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from ..core.rubric import load_rubric
from ..render.blocks import Table
from ..render.sheets import csv_bytes
from ..store.atomic import write_atomic
from .autograde import ensure_tools_on_path
from .course import RESULTS_FILE, GradingError, find_course, write_results

__all__ = ["RESULTS_FILE", "GradingError", "find_course", "write_results"]  # also from here

STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
#: The capstone assignment, and the prefix of the data strand's assignments.
CAPSTONE = "action-plan-review"
DATA_PREFIX = "data-"


#: Columns of the long scores table: one row per graded cell of each submission.
SCORE_COLUMNS = [
    "assignment",
    "student",
    "question",
    "kind",
    "score",
    "max_score",
    "needs_manual_grade",
]


def run_nbgrader(root: Path, *args: str) -> str:
    """Run the nbgrader command line in the course folder; its output, or a clear error."""
    ensure_tools_on_path()
    done = subprocess.run(
        [sys.executable, "-m", "nbgrader", *args],
        cwd=root,
        capture_output=True,
        text=True,
        env=os.environ.copy(),
    )
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-15:])
        raise GradingError(f"nbgrader {' '.join(args)} failed:\n{tail}")
    return done.stdout + done.stderr


def source_assignments(root: Path) -> list[str]:
    return sorted(p.name for p in (root / "source").iterdir() if p.is_dir())


def expected_notebooks(root: Path, assignment: str) -> list[str]:
    return sorted(p.name for p in (root / "source" / assignment).glob("*.ipynb"))


# --- collect -------------------------------------------------------------------------------


def collect_folder(root: Path, assignment: str, incoming: Path) -> list[str]:
    """Copy ``incoming/<student>/[<assignment>/]`` into ``submitted/<student>/<assignment>/``.

    Returns one line per student saying what was done. A single notebook under another name
    is renamed to the expected name (and said so); an earlier submission is moved to
    ``replaced/``, never deleted; other problems are left for autograde to report.
    """
    lines = []
    expected = expected_notebooks(root, assignment)
    now = dt.datetime.now(dt.timezone.utc)
    stamp = now.strftime("%Y-%m-%d %H:%M:%S.%f UTC")
    folder_stamp = now.strftime("%Y%m%dT%H%M%S%fZ")
    for folder in sorted(p for p in incoming.iterdir() if p.is_dir()):
        student = folder.name
        if not STUDENT_ID.match(student):
            lines.append(f"skipped {folder}: {student!r} is not a usable student id")
            continue
        work = folder / assignment if (folder / assignment).is_dir() else folder
        dest = root / "submitted" / student / assignment
        note = ""
        if dest.exists():  # a resubmission: keep the earlier one rather than delete it
            kept = root / "replaced" / student / assignment / folder_stamp
            kept.parent.mkdir(parents=True, exist_ok=True)
            dest.rename(kept)
            note = f" (the earlier submission was moved to {kept.relative_to(root)})"
        shutil.copytree(work, dest, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        (dest / "timestamp.txt").write_text(stamp + "\n", encoding="utf-8")
        present = sorted(p.name for p in dest.glob("*.ipynb"))
        missing = [name for name in expected if name not in present]
        extra = [name for name in present if name not in expected]
        if len(expected) == 1 and missing and len(extra) == 1:
            (dest / extra[0]).rename(dest / expected[0])
            note += f" (renamed {extra[0]} to {expected[0]})"
        lines.append(f"collected {student}{note}")
    return lines


# --- report --------------------------------------------------------------------------------


def gradebook_frame(root: Path, assignments: Sequence[str]) -> pd.DataFrame:
    """One row per student, assignment and graded cell, read from ``gradebook.db``."""
    from nbgrader.api import Gradebook

    from .autograde import course_directory

    coursedir = course_directory(root)
    rows = []
    with Gradebook(coursedir.db_url, coursedir.course_id) as gradebook:
        for assignment in assignments:
            for submission in gradebook.assignment_submissions(assignment):
                for notebook in submission.notebooks:
                    for grade in notebook.grades:
                        rows.append(
                            {
                                "assignment": assignment,
                                "student": submission.student_id,
                                "question": grade.name,
                                "kind": "written"
                                if grade.cell.cell_type == "markdown"
                                else "autograded",
                                "score": float(grade.score),
                                "max_score": float(grade.max_score),
                                "needs_manual_grade": bool(grade.needs_manual_grade),
                            }
                        )
    return pd.DataFrame(rows, columns=SCORE_COLUMNS)


#: Columns of the students table: each part of an assignment (checked automatically, marked
#: by hand) with what it is out of, answers still to mark, then the total of the whole.
TOTAL_COLUMNS = [
    "assignment",
    "student",
    "autograded",
    "autograded_of",
    "hand_marked",
    "hand_marked_of",
    "to_mark",
    "total",
    "out_of",
    "percent",
]


def student_totals(scores: pd.DataFrame) -> pd.DataFrame:
    """Per student and assignment: the part checked automatically and the part marked by hand,
    each with what it is out of, how many answers are still to mark, and the total out of the
    whole assignment. A part (and the total and percentage) stays empty while any of its
    answers is unmarked: an unmarked answer is never counted as a zero, and a part-marked
    score is never shown as if it were the whole."""
    frame = scores.assign(
        hand=scores["kind"].eq("written"),
        waiting=scores["needs_manual_grade"].astype(bool),
    )
    rows = []
    for (assignment, student), group in frame.groupby(["assignment", "student"]):
        row: dict[str, object] = {"assignment": assignment, "student": student}
        for part, rows_of in (
            ("autograded", group[~group["hand"]]),
            ("hand_marked", group[group["hand"]]),
        ):
            row[part] = float("nan") if rows_of["waiting"].any() else rows_of["score"].sum()
            row[f"{part}_of"] = rows_of["max_score"].sum()
        row["to_mark"] = int(group["waiting"].sum())
        row["out_of"] = group["max_score"].sum()
        row["total"] = float("nan") if row["to_mark"] else group["score"].sum()
        share = row["total"] / row["out_of"] if row["out_of"] else float("nan")
        row["percent"] = round(100 * share, 1)
        rows.append(row)
    return pd.DataFrame(rows, columns=TOTAL_COLUMNS)


def scores_by_question(scores: pd.DataFrame) -> pd.DataFrame:
    """A row per student and a column per question; an answer still to be marked is empty."""
    marked = scores.assign(score=scores["score"].where(~scores["needs_manual_grade"].astype(bool)))
    return marked.pivot_table(
        index=["assignment", "student"], columns="question", values="score", dropna=False
    )


def unmarked(scores: pd.DataFrame, assignment: str | None = None) -> pd.DataFrame:
    """The answers still to be marked by hand (``assignment``: of that assignment only)."""
    rows = scores[scores["needs_manual_grade"].astype(bool)]
    if assignment is not None:
        rows = rows[rows["assignment"] == assignment]
    return rows


def describe_unmarked(rows: pd.DataFrame) -> list[str]:
    """One line per lead with answers still to mark, naming each answer in plain words."""
    lines = []
    for (assignment, student), group in rows.groupby(["assignment", "student"]):
        numbers = {q.id: n for n, q in enumerate(written_questions(assignment), start=1)}
        known = sorted(numbers[q] for q in group["question"] if q in numbers)
        parts = []
        if known:
            noun = "written answer" if len(known) == 1 else "written answers"
            parts.append(f"{noun} {_and([str(n) for n in known])}")
        # A test cell a lead deleted is left by nbgrader for the trainer to mark by hand.
        parts += [f"the check {q}" for q in group["question"] if q not in numbers]
        verb = "is" if len(parts) == 1 and len(known) <= 1 else "are"
        lines.append(f"{student}: {_and(parts)} of {assignment} {verb} not marked yet")
    return lines


def written_questions(assignment: str) -> tuple:
    """The written reflection questions of an assignment of either strand (none if unknown)."""
    from ..core.content import reflection_questions

    key = assignment.removeprefix(DATA_PREFIX)
    try:
        return reflection_questions("capstone" if key == CAPSTONE else key)
    except KeyError:
        return ()


def _and(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def fully_marked(scores: pd.DataFrame, assignment: str) -> list[str]:
    """Students of ``assignment`` with every answer marked."""
    rows = scores[scores["assignment"] == assignment]
    waiting = set(unmarked(rows)["student"])
    return sorted(set(rows["student"]) - waiting)


def question_summary(scores: pd.DataFrame) -> pd.DataFrame:
    """Per question: mean share of the points earned across the cohort, weakest first.

    Answers still waiting to be marked by hand are counted in ``to_mark``, not as zeros.
    """
    marked = scores[~scores["needs_manual_grade"].astype(bool)]
    frame = marked.assign(fraction=marked["score"] / marked["max_score"])
    keys = ["assignment", "question", "kind"]
    summary = frame.groupby(keys).agg(
        students=("student", "nunique"),
        mean_score=("score", "mean"),
        max_score=("max_score", "first"),
        mean_fraction=("fraction", "mean"),
    )
    to_mark = scores.groupby(keys)["needs_manual_grade"].sum().rename("to_mark")
    summary = summary.join(to_mark, how="outer").fillna({"students": 0, "to_mark": 0})
    summary = summary.reset_index().astype({"students": int, "to_mark": int})
    return summary.sort_values(["mean_fraction", "assignment", "question"], na_position="last")


def assignment_grades(scores: pd.DataFrame) -> pd.DataFrame:
    """Per student and assignment: the total score, or empty while any answer is unmarked
    (a learning platform then shows no grade rather than a half-marked one), and the maximum."""
    totals = scores.groupby(["assignment", "student"]).agg(
        score=("score", "sum"),
        max_score=("max_score", "sum"),
        to_mark=("needs_manual_grade", "sum"),
    )
    totals["score"] = totals["score"].where(totals["to_mark"] == 0)
    return totals.reset_index()


def canvas_gradebook(scores: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """Canvas's gradebook import: Student, ID, SIS User ID, SIS Login ID, Section, then one
    column per assignment, with the "Points Possible" row second. Leads are matched by their
    login (the course hub's user name, as with an LMS sign-in); Canvas's own ID is left empty."""
    grades = assignment_grades(scores)
    wide = grades.pivot(index="student", columns="assignment", values="score")
    possible = grades.groupby("assignment")["max_score"].max()
    rows = [{"Student": "Points Possible", **possible.to_dict()}]
    for student, row in wide.iterrows():
        rows.append(
            {
                "Student": names.get(student, student),
                "SIS Login ID": student,
                **{a: (None if pd.isna(v) else v) for a, v in row.items()},
            }
        )
    columns = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", *wide.columns]
    return pd.DataFrame(rows).reindex(columns=columns)


def moodle_gradebook(scores: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """Moodle's "Import grades from CSV file": one row per lead, identified by username, and
    one column per assignment (map each to its grade item when importing)."""
    grades = assignment_grades(scores)
    wide = grades.pivot(index="student", columns="assignment", values="score")
    possible = grades.groupby("assignment")["max_score"].max()
    wide.columns = [f"{a} (out of {possible[a]:g})" for a in wide.columns]
    wide.insert(0, "Full name", [names.get(s, s) for s in wide.index])
    return wide.rename_axis("Username").reset_index()


def student_names(root: Path) -> dict[str, str]:
    """Student id → full name, where the gradebook has one."""
    from nbgrader.api import Gradebook

    from .autograde import course_directory

    coursedir = course_directory(root)
    with Gradebook(coursedir.db_url, coursedir.course_id) as gradebook:
        return {
            s.id: " ".join(p for p in (s.first_name, s.last_name) if p) or s.id
            for s in gradebook.students
        }


def plot_weakest(summary: pd.DataFrame, path: Path, top: int = 10) -> Path:
    """A bar chart of the questions where the cohort earned the smallest share of points."""
    from matplotlib.figure import Figure

    from ..render.charts import png

    weakest = summary.dropna(subset=["mean_fraction"]).head(top).iloc[::-1]
    labels = weakest["assignment"] + ": " + weakest["question"]
    figure = Figure(figsize=(8, 0.45 * len(weakest) + 1.2), layout="constrained")
    axes = figure.add_subplot()
    axes.barh(labels, 100 * weakest["mean_fraction"], color="#2a6f97")
    axes.set_xlim(0, 100)
    axes.set_xlabel("Mean share of the points earned (%)")
    axes.set_title("Where the cohort is weakest")
    return write_atomic(path, png(figure, dpi=120))


def frame_table(frame: pd.DataFrame, index: bool = False) -> Table:
    """A pandas table as a document table (for the formula-safe CSV writer)."""
    if index:
        frame = frame.reset_index()
    rows = [
        [None if pd.isna(value) else value for value in row]
        for row in frame.itertuples(index=False, name=None)
    ]
    return Table([str(c) for c in frame.columns], rows)


def write_csv(frame: pd.DataFrame, path: Path, index: bool = False) -> Path:
    """A CSV file a spreadsheet opens safely: formula-like text never runs."""
    return write_atomic(path, csv_bytes(frame_table(frame, index)))


def not_graded(root: Path, assignments: Sequence[str]) -> pd.DataFrame:
    """Students autograde could not grade, with the reason, from the saved results."""
    frames = []
    for assignment in assignments:
        path = root / "reports" / assignment / RESULTS_FILE
        if path.exists():
            results = pd.read_csv(path, keep_default_na=False)
            results = results[~results["graded"].astype(bool)]
            frames.append(
                results.assign(assignment=assignment)[["assignment", "student", "reason"]]
            )
    if not frames:
        return pd.DataFrame(columns=["assignment", "student", "reason"])
    return pd.concat(frames, ignore_index=True)


# --- feedback ------------------------------------------------------------------------------


def rubric_feedback(
    root: Path, assignment: str, scores: pd.DataFrame, students: Sequence[str] | None = None
) -> list[Path]:
    """Write ``feedback/<student>/<assignment>/rubric-feedback.md`` for every student (or
    only ``students``)."""
    rubric = load_rubric(root / "rubric.yaml")
    texts = {q.id: q.text for q in written_questions(assignment)}
    written = []
    rows_of = scores[scores["assignment"] == assignment]
    if students is not None:
        rows_of = rows_of[rows_of["student"].isin(list(students))]
    for student, rows in rows_of.groupby("student"):
        lines = [f"# Feedback on {assignment}", ""]
        total, top = rows["score"].sum(), rows["max_score"].sum()
        lines += [f"Total: **{total:g} / {top:g}**", "", "## Checked automatically", ""]
        for row in rows[rows["kind"] == "autograded"].itertuples():
            lines.append(f"- {row.question}: {row.score:g} / {row.max_score:g}")
        lines += ["", "## Reflections", ""]
        for row in rows[rows["kind"] == "written"].itertuples():
            lines.append(f"### {texts.get(row.question, row.question)}")
            lines.append("")
            if row.needs_manual_grade:
                lines.append("Not marked yet.")
            else:
                lines.append(rubric.feedback_markdown(row.score, row.max_score))
            lines.append("")
        path = root / "feedback" / str(student) / assignment / "rubric-feedback.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines).rstrip() + "\n", encoding="utf-8")
        written.append(path)
    return written
