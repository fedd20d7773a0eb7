"""``wholeschool trainer``: run the reflection tasks course for a cohort, end to end.

release → collect → autograde (in parallel) → mark reflections in nbgrader's formgrader →
feedback → report. Each command runs nbgrader itself (or its Python API) on the course folder
(``assessments/`` by default); nothing here replaces nbgrader's own data or formats.
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

import click
import pandas as pd

from .autograde import GradeResult, autograde_cohort, course_directory, ensure_tools_on_path
from .errors import DataFileError
from .rubric import load_rubric

STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
RESULTS_FILE = "autograde.csv"


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


def find_course(course: Path | None) -> Path:
    """The course folder: ``--course``, else this folder or ``./assessments`` if either has an
    ``nbgrader_config.py``."""
    candidates = [course] if course else [Path.cwd(), Path.cwd() / "assessments"]
    for folder in candidates:
        if (folder / "nbgrader_config.py").is_file():
            return folder.resolve()
    where = course or "this folder or ./assessments"
    raise click.UsageError(f"no nbgrader_config.py in {where}; pass --course FOLDER")


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
        raise click.ClickException(f"nbgrader {' '.join(args)} failed:\n{tail}")
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


def student_totals(scores: pd.DataFrame) -> pd.DataFrame:
    """Per student and assignment: score, maximum, percentage, cells still to mark."""
    totals = scores.groupby(["assignment", "student"]).agg(
        score=("score", "sum"),
        max_score=("max_score", "sum"),
        to_mark=("needs_manual_grade", "sum"),
    )
    totals["percent"] = (100 * totals["score"] / totals["max_score"]).round(1)
    return totals.reset_index()


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


def plot_weakest(summary: pd.DataFrame, path: Path, top: int = 10) -> Path:
    """A bar chart of the questions where the cohort earned the smallest share of points."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    weakest = summary.dropna(subset=["mean_fraction"]).head(top).iloc[::-1]
    labels = weakest["assignment"] + ": " + weakest["question"]
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(weakest) + 1.2))
    ax.barh(labels, 100 * weakest["mean_fraction"], color="#2a6f97")
    ax.set_xlim(0, 100)
    ax.set_xlabel("Mean share of the points earned (%)")
    ax.set_title("Where the cohort is weakest")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


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


def write_results(root: Path, assignment: str, results: Sequence[GradeResult]) -> Path:
    path = root / "reports" / assignment / RESULTS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    frame = pd.DataFrame(
        {
            "student": [r.student for r in results],
            "graded": [r.graded for r in results],
            "reason": [r.reason for r in results],
            "notes": ["; ".join(r.notes) for r in results],
            "attempts": [r.attempts for r in results],
            "seconds": [round(r.seconds, 2) for r in results],
        }
    )
    frame.to_csv(path, index=False)
    return path


# --- feedback ------------------------------------------------------------------------------


def rubric_feedback(root: Path, assignment: str, scores: pd.DataFrame) -> list[Path]:
    """Write ``feedback/<student>/<assignment>/rubric-feedback.md`` for every student."""
    from .content import reflection_questions

    rubric = load_rubric(root / "rubric.yaml")
    texts = {}
    try:
        key = "capstone" if assignment == "action-plan-review" else assignment
        texts = {q.id: q.text for q in reflection_questions(key)}
    except KeyError:
        pass
    written = []
    for student, rows in scores[scores["assignment"] == assignment].groupby("student"):
        lines = [f"# Feedback on {assignment}", ""]
        total, top = rows["score"].sum(), rows["max_score"].sum()
        lines += [f"Total: **{total:g} / {top:g}**", "", "## Data tasks and plan check", ""]
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


# --- commands ------------------------------------------------------------------------------


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--course",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="WHOLESCHOOL_COURSE",
    help="The nbgrader course folder (default: this folder or ./assessments).",
)
@click.pass_context
def trainer(ctx: click.Context, course: Path | None) -> None:
    """Release, collect, autograde, give feedback on and report the reflection tasks."""
    ctx.obj = course


def _root(ctx: click.Context) -> Path:
    return find_course(ctx.obj)


@trainer.command()
@click.argument("assignments", nargs=-1)
@click.option("--exchange", is_flag=True, help="Also release to the nbgrader exchange.")
@click.pass_context
def release(ctx: click.Context, assignments: tuple[str, ...], exchange: bool) -> None:
    """Generate the student version of ASSIGNMENTS (default: all) into release/."""
    root = _root(ctx)
    for assignment in assignments or source_assignments(root):
        if not (root / "source" / assignment).is_dir():
            raise click.UsageError(f"no assignment {assignment!r} under {root / 'source'}")
        run_nbgrader(root, "generate_assignment", assignment, "--force")
        if exchange:
            run_nbgrader(root, "release_assignment", assignment, "--force")
        click.echo(f"released {assignment} -> {root / 'release' / assignment}")


@trainer.command()
@click.argument("assignment")
@click.option(
    "--from",
    "incoming",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="A folder holding one folder per student (<student>/[<assignment>/]<files>).",
)
@click.option("--exchange", is_flag=True, help="Collect from the nbgrader exchange instead.")
@click.pass_context
def collect(ctx: click.Context, assignment: str, incoming: Path | None, exchange: bool) -> None:
    """Gather submissions of ASSIGNMENT into submitted/."""
    root = _root(ctx)
    if exchange == (incoming is not None):
        raise click.UsageError("give exactly one of --from FOLDER or --exchange")
    if exchange:
        click.echo(run_nbgrader(root, "collect", assignment, "--update"))
        return
    for line in collect_folder(root, assignment, incoming):
        click.echo(line)


@trainer.command()
@click.argument("assignment")
@click.option("--workers", type=click.IntRange(min=1), help="Worker processes (default: CPUs).")
@click.option("--timeout", type=click.IntRange(min=1), help="Seconds per cell (default: config).")
@click.option("--student", "students", multiple=True, help="Only these students (repeatable).")
@click.pass_context
def autograde(
    ctx: click.Context,
    assignment: str,
    workers: int | None,
    timeout: int | None,
    students: tuple[str, ...],
) -> None:
    """Autograde every submission of ASSIGNMENT, students spread over worker processes."""
    root = _root(ctx)
    try:
        results = autograde_cohort(root, assignment, list(students) or None, workers, timeout)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    if not results:
        raise click.ClickException(f"no submissions of {assignment} under {root / 'submitted'}")
    for result in results:
        click.echo(result.describe())
    path = write_results(root, assignment, results)
    bad = sum(not r.graded for r in results)
    click.echo(f"{len(results) - bad} graded, {bad} not graded; results in {path}")


@trainer.command()
@click.argument("assignment")
@click.option("--exchange", is_flag=True, help="Also release the feedback to the exchange.")
@click.pass_context
def feedback(ctx: click.Context, assignment: str, exchange: bool) -> None:
    """Make HTML feedback and rubric feedback for every graded submission of ASSIGNMENT."""
    root = _root(ctx)
    run_nbgrader(root, "generate_feedback", assignment, "--force")
    try:
        written = rubric_feedback(root, assignment, gradebook_frame(root, [assignment]))
    except DataFileError as error:  # a broken rubric.yaml: say which file and field
        raise click.ClickException(str(error)) from None
    if exchange:
        run_nbgrader(root, "release_feedback", assignment)
    click.echo(f"feedback for {len(written)} students in {root / 'feedback'}")


@trainer.command()
@click.argument("assignments", nargs=-1)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to write the report (default: <course>/reports).",
)
@click.pass_context
def report(ctx: click.Context, assignments: tuple[str, ...], out: Path | None) -> None:
    """Export the gradebook: scores (long and wide CSV), student totals, weakest questions, chart."""
    root = _root(ctx)
    names = list(assignments) or source_assignments(root)
    out = out or root / "reports"
    out.mkdir(parents=True, exist_ok=True)
    scores = gradebook_frame(root, names)
    if scores.empty:
        raise click.ClickException("the gradebook has no graded submissions yet")
    totals, summary = student_totals(scores), question_summary(scores)
    scores.to_csv(out / "scores.csv", index=False)
    wide = scores.pivot_table(index=["assignment", "student"], columns="question", values="score")
    wide.to_csv(out / "scores-by-question.csv")  # one row per student, one column per question
    totals.to_csv(out / "students.csv", index=False)
    summary.to_csv(out / "questions.csv", index=False)
    plot_weakest(summary, out / "weakest-questions.png")
    missing = not_graded(root, names)
    missing.to_csv(out / "not-graded.csv", index=False)
    with pd.option_context("display.width", 120, "display.max_columns", 10):
        click.echo(totals.to_string(index=False))
        click.echo("\nWeakest questions:")
        click.echo(summary.head(5).round(2).to_string(index=False))
        if not missing.empty:
            click.echo("\nNot graded:")
            click.echo(missing.to_string(index=False))
    click.echo(f"\nreport written to {out}")


@trainer.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--school", help="Also show this school against the cohort median.")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write scores, distributions and charts here.",
)
def cohort(paths: tuple[str, ...], school: str | None, out: Path | None) -> None:
    """Aggregate many schools' audit records (files or folders) into a cohort view."""
    from .cohort import (
        against_median,
        distributions,
        load_cohort,
        plot_distributions,
        plot_school,
        school_position,
    )

    view = load_cohort(paths)
    for problem in view.problems:
        click.echo(f"FAIL  {problem}", err=True)
    if view.scores.empty:
        raise click.ClickException("no audit records found")
    click.echo(f"{len(view.scores)} schools ({len(view.problems)} files with problems)")
    click.echo(distributions(view.scores).round(2).to_string())
    position = None
    if school:
        try:
            position = school_position(view.scores, school)
        except KeyError as error:
            raise click.ClickException(str(error.args[0])) from None
        click.echo(f"\n{school} against the cohort median:")
        click.echo(position.round(2).to_string())
    if out:
        import matplotlib

        matplotlib.use("Agg")
        out.mkdir(parents=True, exist_ok=True)
        view.scores.to_csv(out / "cohort-scores.csv")
        distributions(view.scores).to_csv(out / "cohort-distributions.csv")
        against_median(view.scores).to_csv(out / "cohort-vs-median.csv")
        plot_distributions(view.scores).savefig(out / "cohort-distributions.png", dpi=120)
        if position is not None:
            plot_school(view.scores, school).savefig(out / "school-vs-cohort.png", dpi=120)
        click.echo(f"\ncohort view written to {out}")
