"""nbgrader configuration for the reflection tasks course.

Paths are relative to this file, so the course folder can be copied or moved as a whole.
Generated folders (release/, submitted/, autograded/, feedback/, gradebook.db) stay out of git.
"""

import os
import warnings
from importlib.util import find_spec

c = get_config()  # noqa: F821  (nbgrader provides get_config when it reads this file)

HERE = os.path.dirname(os.path.abspath(__file__))

# nbgrader's gradebook code trips a harmless SQLAlchemy warning on every new submission
# ("Object of type <SubmittedAssignment> not in session"); keep the trainer's terminal for
# progress and results.
warnings.filterwarnings("ignore", message=r"Object of type <Submitted", module=r"nbgrader\.")

c.CourseDirectory.course_id = "wholeschool-smhl"
c.CourseDirectory.root = HERE
# A busy cohort autograded in parallel shares one SQLite file: wait for a lock rather than fail.
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(HERE, "gradebook.db") + "?timeout=60"
# Only notebooks and the data and record files they use travel with an assignment.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".*"]

# Per-cell execution limit when autograding; a notebook that loops forever is stopped here.
c.Execute.timeout = 60
# After a cell finishes, how long to wait for the rest of its output (nbclient's default is
# 4 s). A busy grading machine or a cell printing megabytes can take longer, and running out
# fails the whole notebook; waiting costs nothing when the output arrives sooner.
c.Execute.iopub_timeout = 30
# Keep feedback readable even when a submission prints a lot: nbgrader's LimitOutput cuts
# long outputs by lines, and wholeschool's LimitOutputSize cuts any output over 20,000
# characters (one 50 MB line would pass a line limit). This is nbgrader's default list of
# autograde steps with that one added, and nbgrader's Execute step replaced by wholeschool's,
# which runs each notebook on a kernel over private Unix sockets, started ahead while the
# previous notebook was graded (same settings, same results; see wholeschool.grading.execute),
# and CheckCellMetadata by wholeschool's (the same check, faster; see below).
c.LimitOutput.max_lines = 200
c.LimitOutput.max_traceback = 50
c.LimitOutputSize.max_chars = 20_000
c.Autograde.autograde_preprocessors = [
    "wholeschool.grading.execute.Execute",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "wholeschool.grading.limit_output.LimitOutputSize",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "wholeschool.grading.nbgrader_steps.CheckCellMetadata",
]
# nbgrader's steps to tidy a submission before it runs, with wholeschool's CheckCellMetadata:
# nbgrader's check, with the metadata schema checked once rather than for every cell.
c.Autograde.sanitize_preprocessors = [
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.DeduplicateIds",
    "nbgrader.preprocessors.OverwriteKernelspec",
    "nbgrader.preprocessors.OverwriteCells",
    "wholeschool.grading.nbgrader_steps.CheckCellMetadata",
]

# Kernels talk to the grader over Unix sockets, not TCP ports on 127.0.0.1 (no port another
# account could reach, and no "running over TCP without encryption" warning in the terminal);
# wholeschool's Execute step gives each kernel a socket folder of its own.
c.PrivateSocketKernelManager.transport = "ipc"
# A kernel started ahead imports the course package while the previous notebook runs.
c.Execute.preload = ["wholeschool.grading.answers"]


def _templates(package: str, *folder: str) -> str:
    """The ``templates`` folder of an installed package (found, not imported)."""
    spec = find_spec(package)
    root = spec.submodule_search_locations[0] if spec and spec.submodule_search_locations else ""
    return os.path.join(root, *folder, "templates")


# Feedback: nbgrader's own steps, with the grade cells' hidden tests (and the tracebacks that
# quote them) taken out, and the rubric's level and descriptors under each marked written
# answer.
c.GenerateFeedback.preprocessors = [
    "wholeschool.grading.feedback.GetMarks",
    "wholeschool.grading.feedback.HideHiddenTests",
    "wholeschool.grading.feedback.RubricLevels",
    "wholeschool.grading.feedback.PlainFeedback",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
c.RubricLevels.rubric_file = os.path.join(HERE, "rubric.yaml")
# The feedback page reads as feedback (wholeschool/grading/templates/lead-feedback): the lead's
# answers, each score, rubric levels and what each check found; no cell labels, no code of the
# course's own, nothing from a public CDN. For feedback only (formgrader keeps its template).
c.GenerateFeedback.HTMLExporter.template_name = "lead-feedback"
c.GenerateFeedback.HTMLExporter.extra_template_basedirs = [_templates("wholeschool", "grading")]
# formgrader's pages load MathJax from a public CDN, which the course hub's policy refuses (an
# error in the console, and formgrader's script stopped on it): a stand-in instead
# (base/mathjax.html.j2, found before nbconvert's own); the course has no formulas. This
# setting replaces formgrader's own, so it names formgrader's templates first.
c.HTMLExporter.extra_template_basedirs = [
    _templates("nbgrader", "server_extensions", "formgrader"),
    _templates("wholeschool", "grading"),
]

# Release notebooks carry these markers in place of the solutions.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
# nbgrader's release steps, with wholeschool's ClearSolutions: a leads'-strand answer cell
# (``%%reflection`` or ``%%answer``, plain text) keeps its template and gets no code stub.
c.GenerateAssignment.preprocessors = [
    "nbgrader.preprocessors.IncludeHeaderFooter",
    "nbgrader.preprocessors.InstantiateTests",
    "nbgrader.preprocessors.LockCells",
    "wholeschool.grading.release.ClearSolutions",
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.CheckCellMetadata",
    "nbgrader.preprocessors.ComputeChecksums",
    "nbgrader.preprocessors.SaveCells",
    "nbgrader.preprocessors.ClearHiddenTests",
    "nbgrader.preprocessors.ClearMarkScheme",
    "nbgrader.preprocessors.ComputeChecksums",
    "nbgrader.preprocessors.CheckCellMetadata",
]
