"""``wholeschool trainer``: the reflection tasks course for a cohort, end to end.

The commands are thin: each calls :mod:`wholeschool.grading` (imported when it runs, so the
rest of the command line starts quickly) and turns its errors into a clear message.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import click

from ..core.errors import WholeschoolError
from ..render.safe import terminal_safe


@contextlib.contextmanager
def _for_the_trainer() -> Iterator[None]:
    """Any error of ours becomes a one-line message, never a traceback."""
    try:
        yield
    except WholeschoolError as error:
        raise click.ClickException(terminal_safe(str(error))) from None


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
    from ..grading.course import find_course

    with _for_the_trainer():
        return find_course(ctx.obj)


@trainer.command()
@click.argument("assignments", nargs=-1)
@click.option("--exchange", is_flag=True, help="Also release to the nbgrader exchange.")
@click.pass_context
def release(ctx: click.Context, assignments: tuple[str, ...], exchange: bool) -> None:
    """Generate the student version of ASSIGNMENTS (default: all) into release/."""
    from ..grading.trainer import run_nbgrader, source_assignments

    root = _root(ctx)
    for assignment in assignments or source_assignments(root):
        if not (root / "source" / assignment).is_dir():
            raise click.UsageError(f"no assignment {assignment!r} under {root / 'source'}")
        with _for_the_trainer():
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
    from ..grading.trainer import collect_folder, run_nbgrader

    root = _root(ctx)
    if exchange == (incoming is not None):
        raise click.UsageError("give exactly one of --from FOLDER or --exchange")
    with _for_the_trainer():
        if exchange:
            click.echo(run_nbgrader(root, "collect", assignment, "--update"))
            return
        for line in collect_folder(root, assignment, incoming):
            click.echo(terminal_safe(line))


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
    from ..grading.autograde import autograde_cohort
    from ..grading.course import write_results

    root = _root(ctx)
    try:
        results = autograde_cohort(root, assignment, list(students) or None, workers, timeout)
    except ValueError as error:
        raise click.ClickException(terminal_safe(str(error))) from None
    if not results:
        raise click.ClickException(f"no submissions of {assignment} under {root / 'submitted'}")
    for result in results:
        click.echo(terminal_safe(result.describe()))
    path = write_results(root, assignment, results)
    bad = sum(not r.graded for r in results)
    click.echo(f"{len(results) - bad} graded, {bad} not graded; results in {path}")


@trainer.command()
@click.argument("assignment")
@click.option("--exchange", is_flag=True, help="Also release the feedback to the exchange.")
@click.option(
    "--marked-only",
    is_flag=True,
    help="Give feedback to the leads whose answers are all marked; leave out the others.",
)
@click.pass_context
def feedback(ctx: click.Context, assignment: str, exchange: bool, marked_only: bool) -> None:
    """Make feedback for every graded submission of ASSIGNMENT, once every answer is marked.

    Refuses while any written answer is still to be marked (and lists them), unless
    --marked-only is given: then only leads with every answer marked get feedback.
    """
    from ..grading.trainer import (
        describe_unmarked,
        fully_marked,
        gradebook_frame,
        rubric_feedback,
        run_nbgrader,
        unmarked,
    )

    root = _root(ctx)
    with _for_the_trainer():  # a broken rubric.yaml is named by file and field
        scores = gradebook_frame(root, [assignment])
        if scores.empty:
            raise click.ClickException(f"no graded submissions of {assignment} yet")
        waiting = describe_unmarked(unmarked(scores, assignment))
        ready = fully_marked(scores, assignment)
        if waiting and not marked_only:
            listed = "\n".join(f"  {terminal_safe(line)}" for line in waiting)
            raise click.ClickException(
                f"feedback not made: {len(waiting)} of {len(waiting) + len(ready)} leads have "
                f"written answers still to mark:\n{listed}\nMark them in formgrader, or run "
                "again with --marked-only to give feedback to the fully marked leads only."
            )
        if not ready:
            raise click.ClickException("no lead has every answer marked yet: no feedback made")
        held = sorted(set(scores["student"]) - set(ready))
        skip = [f"--CourseDirectory.student_id_exclude={','.join(held)}"] if held else []
        click.echo(f"making feedback for {_leads(len(ready))}...")
        run_nbgrader(root, "generate_feedback", assignment, "--force", *skip)
        written = rubric_feedback(root, assignment, scores, ready)
        if exchange:
            run_nbgrader(root, "release_feedback", assignment, *skip)
    click.echo(f"feedback for {_leads(len(written))} in {root / 'feedback'}")
    if held:
        click.echo(terminal_safe(f"held back until marked: {', '.join(held)}"))


def _leads(count: int) -> str:
    return f"{count} lead" + "s" * (count != 1)


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
    import pandas as pd

    from ..grading.trainer import (
        canvas_gradebook,
        gradebook_frame,
        moodle_gradebook,
        not_graded,
        plot_weakest,
        question_summary,
        scores_by_question,
        source_assignments,
        student_names,
        student_totals,
        write_csv,
    )

    root = _root(ctx)
    names = list(assignments) or source_assignments(root)
    out = out or root / "reports"
    out.mkdir(parents=True, exist_ok=True)
    scores = gradebook_frame(root, names)
    if scores.empty:
        raise click.ClickException("the gradebook has no graded submissions yet")
    totals, summary = student_totals(scores), question_summary(scores)
    write_csv(scores, out / "scores.csv")
    write_csv(scores_by_question(scores), out / "scores-by-question.csv", index=True)
    write_csv(totals, out / "students.csv")
    write_csv(summary, out / "questions.csv")
    plot_weakest(summary, out / "weakest-questions.png")
    missing = not_graded(root, names)
    write_csv(missing, out / "not-graded.csv")
    people = student_names(root)
    write_csv(canvas_gradebook(scores, people), out / "gradebook-canvas.csv")
    write_csv(moodle_gradebook(scores, people), out / "gradebook-moodle.csv")
    with pd.option_context("display.width", 120, "display.max_columns", 10):
        click.echo(totals.to_string(index=False))  # student ids are letters, digits, . _ -
        to_mark = int(totals["to_mark"].sum())
        if to_mark:
            click.echo(
                f"\n{to_mark} written answers are still to be marked: a lead's part marked by "
                "hand, total and percentage stay empty until all their answers are marked, and "
                "the weakest questions count marked answers only."
            )
        click.echo("\nWeakest questions (marked answers only):")
        click.echo(summary.head(5).round(2).to_string(index=False))
        if not missing.empty:
            click.echo("\nNot graded:")
            click.echo(missing.to_string(index=False))
    click.echo(
        f"\nreport written to {out} (gradebook-canvas.csv and gradebook-moodle.csv import into "
        "Canvas and Moodle; a lead with answers still to mark has no grade there yet)"
    )


@trainer.command("add-leads")
@click.argument("names", nargs=-1, required=True)
@click.pass_context
def add_leads(ctx: click.Context, names: tuple[str, ...]) -> None:
    """Add leads (their account names) to the gradebook, so the cohort page lists them before
    they fetch anything. The course hub does this itself when it approves an account."""
    from ..grading.roster import add_leads as add

    root = _root(ctx)
    with _for_the_trainer():
        added = add(root, names)
    if added:
        click.echo(f"Added to the gradebook: {', '.join(added)}")
    if len(added) < len(set(names)):
        click.echo(f"Already in the gradebook: {len(set(names)) - len(added)}")


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
    from ..grading.cohort import (
        against_median,
        distributions,
        load_cohort,
        plot_distributions,
        plot_school,
        school_position,
    )
    from ..grading.trainer import write_csv
    from ..render.charts import png
    from ..store.atomic import write_atomic

    view = load_cohort(paths)
    for problem in view.problems:
        click.echo(terminal_safe(f"FAIL  {problem}"), err=True)
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
        click.echo(terminal_safe(f"\n{school} against the cohort median:"))
        click.echo(position.round(2).to_string())
    if out:
        out.mkdir(parents=True, exist_ok=True)
        write_csv(view.scores, out / "cohort-scores.csv", index=True)
        write_csv(distributions(view.scores), out / "cohort-distributions.csv", index=True)
        write_csv(against_median(view.scores), out / "cohort-vs-median.csv", index=True)
        write_atomic(
            out / "cohort-distributions.png", png(plot_distributions(view.scores), dpi=120)
        )
        if position is not None:
            write_atomic(
                out / "school-vs-cohort.png", png(plot_school(view.scores, school), dpi=120)
            )
        click.echo(f"\ncohort view written to {out}")
