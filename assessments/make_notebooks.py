"""Build the nbgrader source notebooks of both strands from the course data.

The leads' strand (one assignment per principle and the capstone) needs no code: text boxes
(``%%reflection``, ``%%answer``; see ``wholeschool.grading.answers``) for the structured
reflection and a safeguarding choice, a locked box that brings in the lead's saved action plan,
and written answers marked by hand. The data strand (``data-<assignment>``, for MSc cohorts)
holds the pandas tasks in ``DATA_TASKS`` below. The reflection questions come from
``wholeschool.core.content`` (the same data the book renders), the rubric from
``assessments/rubric.yaml``. Run

    python assessments/make_notebooks.py

to rewrite ``assessments/source/<assignment>/<assignment>.ipynb``; a test checks the committed
notebooks match this script's output. The notebooks keep nbgrader cell metadata and no outputs.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat.notebooknode import NotebookNode
from wholeschool.core.content import Question, reflection_questions
from wholeschool.core.framework import FRAMEWORK
from wholeschool.core.records import NO_PUPIL_DATA
from wholeschool.core.rubric import Rubric, load_rubric
from wholeschool.grading.calibration_cells import ASSIGNMENT as CALIBRATION
from wholeschool.grading.calibration_cells import calibration_specs
from wholeschool.grading.reflect_cells import text_specs

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "source"
RUBRIC_FILE = HERE / "rubric.yaml"
CAPSTONE = "action-plan-review"
#: The data strand's assignments are the leads' ones with this prefix (data-identifying-need).
DATA_PREFIX = "data-"
#: The safeguarding choice in every leads'-strand assignment.
CHOICE_ID = "safeguarding-route"
CHOICE_POINTS = 2
DATA_FILE = "school_data.csv"
#: The record kind the plan check asks for.
PLAN_KIND = "plan"
#: The capstone's plan must have actions under at least this many principles.
CAPSTONE_MIN_PRINCIPLES = 3

SAFEGUARDING = (
    "> **Safeguarding.** These tasks use invented figures about form groups, never pupils. "
    "If thinking about your own school raises a concern about a child's safety, follow your "
    "school's safeguarding procedures and speak to your designated safeguarding lead (DSL) "
    "straight away; do not record it here."
)


@dataclass(frozen=True)
class DataTask:
    """An autograded pandas task: a prompt, a solution and visible plus hidden tests."""

    id: str
    title: str
    prompt: str
    solution: str
    visible_tests: str
    hidden_tests: str
    points: int = 2


DATA_TASKS = {
    task.id: task
    for task in (
        DataTask(
            id="lowest-wellbeing",
            title="Which year group is lowest?",
            prompt=(
                "Using `data`, find the year group with the lowest mean wellbeing score in the "
                "**autumn** term (the mean over its forms). Store its name, for example "
                '`"Year 8"`, in `lowest_year`.'
            ),
            solution=(
                'autumn = data[data["term"] == "autumn"]\n'
                'lowest_year = autumn.groupby("year_group")["wellbeing_score"].mean().idxmin()'
            ),
            visible_tests=(
                "assert isinstance(lowest_year, str), \"lowest_year should be a name such as 'Year 8'\"\n"
                'assert lowest_year in set(data["year_group"]), f"{lowest_year!r} is not a year group in the data"'
            ),
            hidden_tests=(
                "_check = pd.read_csv(DATA_FILE)\n"
                '_autumn = _check[_check["term"] == "autumn"]\n'
                'assert lowest_year == _autumn.groupby("year_group")["wellbeing_score"].mean().idxmin()'
            ),
        ),
        DataTask(
            id="term-means",
            title="How does wellbeing move through the year?",
            prompt=(
                "Compute the mean wellbeing score of all forms in each term. Store it as a pandas "
                "`Series` called `term_means`, indexed by term in the order autumn, spring, summer."
            ),
            solution=(
                'term_means = data.groupby("term")["wellbeing_score"].mean()\n'
                'term_means = term_means.reindex(["autumn", "spring", "summer"])'
            ),
            visible_tests=(
                'assert isinstance(term_means, pd.Series), "term_means should be a pandas Series"\n'
                'assert list(term_means.index) == ["autumn", "spring", "summer"], "index the terms in order"'
            ),
            hidden_tests=(
                "_check = pd.read_csv(DATA_FILE)\n"
                '_expected = _check.groupby("term")["wellbeing_score"].mean()\n'
                "for _term in _expected.index:\n"
                "    assert abs(term_means[_term] - _expected[_term]) < 0.01, _term"
            ),
        ),
        DataTask(
            id="programme-effect",
            title="Did the spring programme make a difference?",
            prompt=(
                "Half of the forms in each year group took part in a wellbeing programme in the "
                "spring term (`intervention` is `True`). For every form, work out the change in "
                "wellbeing score from autumn to summer. Store in `programme_effect` the mean change "
                "of the forms that took part **minus** the mean change of those that did not (a "
                "difference in differences)."
            ),
            solution=(
                'wide = data.pivot(index="form", columns="term", values="wellbeing_score")\n'
                'change = wide["summer"] - wide["autumn"]\n'
                'took_part = data.groupby("form")["intervention"].first()\n'
                "programme_effect = change[took_part].mean() - change[~took_part].mean()"
            ),
            visible_tests=(
                'assert float(programme_effect) == float(programme_effect), "programme_effect should be a number"\n'
                'assert -50 < float(programme_effect) < 50, "a change in a 0-100 score cannot be that large"'
            ),
            hidden_tests=(
                "_check = pd.read_csv(DATA_FILE)\n"
                '_first = _check[_check["term"] == "autumn"].set_index("form")\n'
                '_last = _check[_check["term"] == "summer"].set_index("form")\n'
                '_change = _last["wellbeing_score"] - _first["wellbeing_score"]\n'
                '_in = _first["intervention"]\n'
                "assert abs(programme_effect - (_change[_in].mean() - _change[~_in].mean())) < 0.01"
            ),
        ),
        DataTask(
            id="referral-rate",
            title="Where are referrals highest?",
            prompt=(
                "For each year group, compute referrals per 100 pupils over the whole year: the "
                "total referrals across the three terms divided by the pupils on roll (count each "
                "form's pupils once), times 100. Store it as a `Series` called `referral_rate` "
                "indexed by year group, and the year group with the highest rate in "
                "`highest_referral_year`."
            ),
            solution=(
                'referrals = data.groupby("year_group")["referrals"].sum()\n'
                'pupils = data[data["term"] == "autumn"].groupby("year_group")["pupils"].sum()\n'
                "referral_rate = referrals / pupils * 100\n"
                "highest_referral_year = referral_rate.idxmax()"
            ),
            visible_tests=(
                'assert isinstance(referral_rate, pd.Series), "referral_rate should be a pandas Series"\n'
                'assert len(referral_rate) == data["year_group"].nunique(), "one rate per year group"\n'
                "assert highest_referral_year in set(referral_rate.index)"
            ),
            hidden_tests=(
                "_check = pd.read_csv(DATA_FILE)\n"
                '_pupils = _check.drop_duplicates("form").groupby("year_group")["pupils"].sum()\n'
                '_rate = _check.groupby("year_group")["referrals"].sum() / _pupils * 100\n'
                "for _year in _rate.index:\n"
                "    assert abs(referral_rate[_year] - _rate[_year]) < 0.01, _year\n"
                "assert highest_referral_year == _rate.idxmax()"
            ),
        ),
        DataTask(
            id="low-attendance",
            title="Which forms need a closer look at attendance?",
            prompt=(
                "List the forms whose **autumn** attendance was below 90%. Store their names as a "
                "Python list, sorted with `sorted()`, in `low_attendance_forms`."
            ),
            solution=(
                'autumn = data[data["term"] == "autumn"]\n'
                'low_attendance_forms = sorted(autumn.loc[autumn["attendance_pct"] < 90, "form"])'
            ),
            visible_tests=(
                'assert isinstance(low_attendance_forms, list), "low_attendance_forms should be a list"\n'
                "assert all(isinstance(form, str) for form in low_attendance_forms), \"list form names such as '9B'\"\n"
                'assert low_attendance_forms == sorted(low_attendance_forms), "sort the list"'
            ),
            hidden_tests=(
                "_check = pd.read_csv(DATA_FILE)\n"
                '_autumn = _check[_check["term"] == "autumn"]\n'
                'assert low_attendance_forms == sorted(_autumn.loc[_autumn["attendance_pct"] < 90, "form"])'
            ),
        ),
        DataTask(
            id="attendance-wellbeing",
            title="Do attendance and wellbeing move together?",
            prompt=(
                "Across the forms in the **autumn** term, compute the Pearson correlation between "
                "`attendance_pct` and `wellbeing_score`, and store it in `attendance_wellbeing_r`. "
                "(A correlation says nothing on its own about which causes which.)"
            ),
            solution=(
                'autumn = data[data["term"] == "autumn"]\n'
                'attendance_wellbeing_r = autumn["attendance_pct"].corr(autumn["wellbeing_score"])'
            ),
            visible_tests=(
                'assert -1 <= float(attendance_wellbeing_r) <= 1, "a correlation lies between -1 and 1"'
            ),
            hidden_tests=(
                "_check = pd.read_csv(DATA_FILE)\n"
                '_autumn = _check[_check["term"] == "autumn"]\n'
                '_r = _autumn["attendance_pct"].corr(_autumn["wellbeing_score"])\n'
                "assert abs(attendance_wellbeing_r - _r) < 0.001"
            ),
        ),
    )
}

#: Which data tasks each assignment sets, chosen to fit the principle.
ASSIGNMENT_TASKS = {
    "leadership": ("term-means", "lowest-wellbeing"),
    "ethos": ("low-attendance", "lowest-wellbeing"),
    "curriculum": ("term-means", "attendance-wellbeing"),
    "student-voice": ("lowest-wellbeing", "attendance-wellbeing"),
    "staff-development": ("term-means", "programme-effect"),
    "identifying-need": ("lowest-wellbeing", "referral-rate"),
    "parents-carers": ("low-attendance", "attendance-wellbeing"),
    "targeted-support": ("referral-rate", "programme-effect"),
    CAPSTONE: ("lowest-wellbeing", "referral-rate", "programme-effect"),
}
PLAN_POINTS = 2


def _meta(grade_id: str, *, solution=False, grade=False, locked=False, points=0) -> dict:
    meta = {
        "grade": grade,
        "grade_id": grade_id,
        "locked": locked,
        "schema_version": 3,
        "solution": solution,
        "task": False,
    }
    if grade:
        meta["points"] = points
    return {"nbgrader": meta}


def markdown(cell_id: str, text: str, **nbgrader) -> NotebookNode:
    """A Markdown cell with a stable id (and nbgrader metadata if any is given)."""
    cell = nbformat.v4.new_markdown_cell(text, id=cell_id)
    if nbgrader:
        cell.metadata = _meta(cell_id, **nbgrader)
    return cell


def code(cell_id: str, text: str, **nbgrader) -> NotebookNode:
    """A code cell with a stable id (and nbgrader metadata if any is given)."""
    cell = nbformat.v4.new_code_cell(text, id=cell_id)
    if nbgrader:
        cell.metadata = _meta(cell_id, **nbgrader)
    return cell


def title(assignment: str) -> tuple[str, str]:
    """Heading and one-line summary of an assignment of either strand."""
    name = assignment.removeprefix(DATA_PREFIX)
    if name == CAPSTONE:
        heading, summary = (
            "Whole school action plan review",
            "Bring the eight principles together: review your action plan as a whole.",
        )
    else:
        principle = FRAMEWORK.principle(name)
        heading, summary = (
            f"Principle {principle.number}: {principle.short_name}",
            principle.summary,
        )
    if assignment.startswith(DATA_PREFIX):
        heading = f"Data tasks: {heading}"
    return heading, summary


# --- the leads' strand: write, choose and reflect; no code ----------------------------------

HOW_TO = (
    "**How to work through it.** You do not need to write any code. The grey boxes are the "
    "places to work: click in one and press **Shift + Enter** to run it (or use the ▶ button "
    "above). Boxes folded to a thin bar are the course's own steps and checks: run them the "
    "same way (there is nothing to change in them); run the first box before any other. Where a box asks for your words, write over "
    "the guidance in it and keep its first line (the one starting `%%`) as it is. Boxes marked "
    "*checked automatically* show their result as soon as you run them. Your written "
    "reflections are marked by your trainer against the rubric shown with them. When you have "
    "finished, save (the disk icon) and submit from the *Assignments* page; do not rename this "
    "notebook or delete any box."
)


def lead_intro_cells(assignment: str, points: int) -> list[NotebookNode]:
    heading, summary = title(assignment)
    principle = "None" if assignment == CAPSTONE else f'"{assignment}"'
    text = (
        f"# {heading}\n\n{summary}\n\n"
        f"This assignment is worth **{points} points**.\n\n{HOW_TO}\n\n{SAFEGUARDING}"
    )
    names = "choice, my_plan, planned_principles, start"
    if assignment != CAPSTONE:  # the capstone has no structured reflection to check
        names = f"check_written, {names}"
    setup = (
        "# Run this box first: it gets the notebook ready (nothing to change here).\n"
        f"from wholeschool.grading.answers import {names}\n\n"
        f"PRINCIPLE = {principle}\n"
        "start(PRINCIPLE)"
    )
    return [markdown("intro", text), code("setup", setup, locked=True)]


def lead_plan_cells() -> list[NotebookNode]:
    prompt = (
        f"## Your action plan ({PLAN_POINTS} points, checked automatically)\n\n"
        "Run the box below. It finds the action plan you saved in the course (on its *Action "
        "plan* page) and hands a copy in with this notebook, so there is no file to copy. "
        "The check after it looks for an action under this principle (in this review, under "
        f"at least {CAPSTONE_MIN_PRINCIPLES} principles). If you change your plan, run the box "
        f"again.\n\n*{NO_PUPIL_DATA}*"
    )
    tests = (
        "# Checked automatically: your plan has an action under this principle.\n"
        "assert plan.plan is not None, plan.message\n"
        "### BEGIN HIDDEN TESTS\n"
        "_planned = planned_principles(plan)\n"
        "if PRINCIPLE:\n"
        '    assert PRINCIPLE in _planned, "your action plan has no action under this principle yet"\n'
        "else:\n"
        f'    assert len(_planned) >= {CAPSTONE_MIN_PRINCIPLES}, "your action plan has actions under '
        f'fewer than {CAPSTONE_MIN_PRINCIPLES} principles"\n'
        "### END HIDDEN TESTS"
    )
    return [
        markdown("plan-prompt", prompt),
        code(
            "plan",
            "# Finds your saved action plan (nothing to change here).\nplan = my_plan()\nplan",
            locked=True,
        ),
        code("plan-tests", tests, grade=True, locked=True, points=PLAN_POINTS),
    ]


def safeguarding_choice_cells() -> list[NotebookNode]:
    prompt = (
        f"## A safeguarding choice ({CHOICE_POINTS} points, checked automatically)\n\n"
        "A pupil tells a teaching assistant something that suggests they may be at risk of "
        "harm. Who should the teaching assistant tell first?\n\n"
        "- **A** the senior mental health lead\n"
        "- **B** the designated safeguarding lead (DSL)\n"
        "- **C** the pupil's parents or carers\n"
        "- **D** no one yet: wait to see whether it happens again\n\n"
        "Write the letter of your choice under the first line of the box below and run it."
    )
    template = "Write one letter here: A, B, C or D"
    answer = f"%%answer {CHOICE_ID}\n{template}\n### BEGIN SOLUTION\nB\n### END SOLUTION"
    tests = (
        "# Checked automatically: your choice.\n"
        f'_choice = choice("{CHOICE_ID}")\n'
        'assert _choice in ("A", "B", "C", "D"), (\n'
        '    "write one letter, A, B, C or D, in the box above and run it"\n'
        ")\n"
        "### BEGIN HIDDEN TESTS\n"
        'assert _choice == "B", (\n'
        '    "a concern about a child\'s safety goes to the designated safeguarding lead (DSL) "\n'
        '    "first, by your school\'s safeguarding procedures"\n'
        ")\n"
        "### END HIDDEN TESTS"
    )
    return [
        markdown(f"{CHOICE_ID}-prompt", prompt),
        code(CHOICE_ID, answer, solution=True),
        code(f"{CHOICE_ID}-tests", tests, grade=True, locked=True, points=CHOICE_POINTS),
    ]


def lead_structured_cells(assignment: str) -> list[NotebookNode]:
    """The structured reflection as headed text (every principle; not the capstone)."""
    if assignment == CAPSTONE:
        return []
    return spec_cells(text_specs(assignment))


def spec_cells(specs) -> list[NotebookNode]:
    """Notebook cells for cell specs: answers are solution cells, checks worth nothing are
    locked cells, every other check or test a locked grade cell worth its points."""
    cells = []
    for spec in specs:
        if spec.kind == "markdown":
            cells.append(markdown(spec.id, spec.source))
        elif spec.kind == "answer":
            cells.append(code(spec.id, spec.source, solution=True))
        elif spec.kind == "check" and not spec.points:
            cells.append(code(spec.id, spec.source, locked=True))
        else:
            cells.append(code(spec.id, spec.source, grade=True, locked=True, points=spec.points))
    return cells


def reflection_cells(questions: tuple[Question, ...], rubric: Rubric) -> list[NotebookNode]:
    intro = (
        "## Reflections\n\n"
        "Write a short answer (about 150 to 300 words) to each question, about your own school "
        f"or college, in the box under it (double-click the box to write in it). {NO_PUPIL_DATA}\n\n"
        f"Your trainer marks each answer against this rubric ({rubric.title}, version "
        f"{rubric.version}); the share of the points you earn sets the level.\n\n"
        f"{rubric.to_markdown()}"
    )
    # Read-only (nbgrader restores them at autograde): the trainer marking in formgrader sees
    # the rubric and, above each answer, which score means which level, as the lead saw them.
    cells = [markdown("reflections", intro, locked=True)]
    for number, question in enumerate(questions, start=1):
        prompt = (
            f"### Reflection {number} ({question.points} points)\n\n{question.text}\n\n"
            f"{rubric.marking_guide(question.points)}"
        )
        cells.append(markdown(f"{question.id}-prompt", prompt, locked=True))
        cells.append(
            markdown(
                question.id, "YOUR ANSWER HERE", solution=True, grade=True, points=question.points
            )
        )
    return cells


def cell_points(cells: list[NotebookNode]) -> int:
    """Points of the grade cells among ``cells``."""
    return sum(c.metadata.get("nbgrader", {}).get("points", 0) for c in cells)


def questions_for(assignment: str) -> tuple[Question, ...]:
    return reflection_questions("capstone" if assignment == CAPSTONE else assignment)


def fold_locked_code(cells: list[NotebookNode]) -> list[NotebookNode]:
    """The leads' strand: each locked code box (set-up, plan, checks) shown folded in
    JupyterLab, its output still shown. nbgrader's checksums and locks do not cover this
    metadata, so they hold. A folded box still shows its first line, so that line must be a
    caption in plain words (a comment), never code."""
    for cell in cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("locked") and not meta.get("solution"):
            if not cell.source.startswith("# "):
                raise ValueError(f"{meta['grade_id']}: a folded box must start with a caption")
            cell.metadata["jupyter"] = {"source_hidden": True}
    return cells


def lead_cells(assignment: str, rubric: Rubric) -> list[NotebookNode]:
    """Every cell of a leads'-strand notebook, in order."""
    body = (
        lead_plan_cells()
        + safeguarding_choice_cells()
        + reflection_cells(questions_for(assignment), rubric)
        + lead_structured_cells(assignment)
    )
    return fold_locked_code(lead_intro_cells(assignment, cell_points(body)) + body)


# --- the data strand (MSc cohorts): pandas tasks on the invented school data -------------


def data_task_cells(task: DataTask, number: int) -> list[NotebookNode]:
    prompt = f"## Data task {number}: {task.title} ({task.points} points)\n\n{task.prompt}"
    answer = f"### BEGIN SOLUTION\n{task.solution}\n### END SOLUTION"
    tests = (
        f"{task.visible_tests}\n### BEGIN HIDDEN TESTS\n{task.hidden_tests}\n### END HIDDEN TESTS"
    )
    return [
        markdown(f"{task.id}-prompt", prompt),
        code(task.id, answer, solution=True),
        code(f"{task.id}-tests", tests, grade=True, locked=True, points=task.points),
    ]


def data_intro_cells(assignment: str, points: int) -> list[NotebookNode]:
    heading, summary = title(assignment)
    text = (
        f"# {heading}\n\n{summary}\n\n"
        f"This assignment of the data strand is worth **{points} points**, all marked "
        "automatically. Each task asks for a little pandas on an invented school dataset "
        f"(`{DATA_FILE}`: form groups, never pupils). Replace `# YOUR CODE HERE` and "
        "`raise NotImplementedError()` with your code. Run the notebook from top to bottom "
        "(*Kernel → Restart and Run All*) before you submit. Do not rename this notebook or "
        f"delete any cell.\n\n{SAFEGUARDING}"
    )
    setup = (
        "import pandas as pd\n\n"
        f'DATA_FILE = "{DATA_FILE}"\n'
        "data = pd.read_csv(DATA_FILE)\n"
        "data.head()"
    )
    return [markdown("intro", text), code("setup", setup, locked=True)]


def data_cells(assignment: str) -> list[NotebookNode]:
    """Every cell of a data-strand notebook, in order."""
    tasks = [
        DATA_TASKS[task_id] for task_id in ASSIGNMENT_TASKS[assignment.removeprefix(DATA_PREFIX)]
    ]
    body = []
    for number, task in enumerate(tasks, start=1):
        body += data_task_cells(task, number)
    return data_intro_cells(assignment, cell_points(body)) + body


def assignment_cells(assignment: str, rubric: Rubric) -> list[NotebookNode]:
    """Every cell of an assignment notebook, in order."""
    if assignment.startswith(DATA_PREFIX):
        return data_cells(assignment)
    return lead_cells(assignment, rubric)


def build_notebook(assignment: str, rubric: Rubric) -> NotebookNode:
    return python_notebook(assignment_cells(assignment, rubric))


def python_notebook(cells: list[NotebookNode]) -> NotebookNode:
    """A validated notebook of ``cells`` for the course's Python kernel."""
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata = {
        "kernelspec": {
            "display_name": "Python 3 (ipykernel)",
            "language": "python",
            "name": "python3",
        },
        "language_info": {"name": "python"},
    }
    nbformat.validate(notebook)
    return notebook


def lead_assignments() -> list[str]:
    """The leads' strand: one per principle, in framework order, then the capstone."""
    return [principle.id for principle in FRAMEWORK.principles] + [CAPSTONE]


def data_assignments() -> list[str]:
    """The data strand (MSc cohorts): the same topics, with pandas tasks."""
    return [DATA_PREFIX + name for name in lead_assignments()]


def assignments() -> list[str]:
    """Every assignment id: the leads' strand, then the data strand."""
    return lead_assignments() + data_assignments()


def render(notebook: NotebookNode) -> str:
    return nbformat.writes(notebook) + "\n"


# --- The calibration assignment (issue 22): its own notebook, apart from the principles' ----


def calibration_notebook() -> NotebookNode:
    """Rate a fictional school; one autograded point per rating within one level."""
    return python_notebook(fold_locked_code(spec_cells(calibration_specs())))


def build_all(source: Path = SOURCE, rubric_file: Path = RUBRIC_FILE) -> dict[Path, str]:
    """Path → notebook text for every assignment (nothing is written)."""
    rubric = load_rubric(rubric_file)
    built = {
        source / name / f"{name}.ipynb": render(build_notebook(name, rubric))
        for name in assignments()
    }
    built[source / CALIBRATION / f"{CALIBRATION}.ipynb"] = render(calibration_notebook())
    return built


def main(source: Path = SOURCE) -> None:
    for path, text in build_all(source).items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else SOURCE)
