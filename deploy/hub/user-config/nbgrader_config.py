"""nbgrader settings for every account on the course hub (found via JUPYTER_CONFIG_PATH).

The hub sets the two variables; a course folder's own nbgrader_config.py adds the rest. In the
trainer's server the course is the trainer's copy at ``~/assessments`` (made by the hub), so
formgrader (JupyterLab's *Nbgrader* menu) finds it, with its own settings and gradebook, though
the server starts in the home folder.
Collect and feedback are the hub's own (hub_exchange.py): a submission is collected only from
the account of the student it names, and one student's broken files never stop the others.
"""

import os

c = get_config()  # noqa: F821

c.Exchange.root = os.environ.get("WHOLESCHOOL_EXCHANGE", "/srv/nbgrader/exchange")
c.CourseDirectory.course_id = os.environ.get("WHOLESCHOOL_COURSE_ID", "wholeschool-smhl")

if os.environ.get("WHOLESCHOOL_HUB_ROLE") == "trainer":
    # The course's own settings (gradebook with its lock timeout, feedback steps, rubric), then
    # its folder as the root: a gradebook is never made in the home folder. A command given
    # another course folder still reads that folder's config last, which wins.
    _course = os.path.join(os.path.expanduser("~"), "assessments")
    if os.path.isfile(os.path.join(_course, "nbgrader_config.py")):
        load_subconfig(os.path.join(_course, "nbgrader_config.py"))  # noqa: F821
    c.CourseDirectory.root = _course

from hub_exchange import (  # noqa: E402  (beside this file: on the servers' PYTHONPATH)
    FetchWithReceipt,
    OneByOneReleaseFeedback,
    OwnedCollect,
    ReleaseWithReceipts,
)

c.ExchangeFactory.collect = OwnedCollect
# Fetch leaves a receipt the trainer's cohort page reads (release makes its folder).
c.ExchangeFactory.release_assignment = ReleaseWithReceipts
c.ExchangeFactory.fetch_assignment = FetchWithReceipt
c.ExchangeFactory.release_feedback = OneByOneReleaseFeedback

# The trainer's kernels run in a sandbox that sees only the folder a kernel starts in
# (sandbox_kernel.py): each notebook's kernel starts in that notebook's folder, never ahead in
# the course folder (where it would see the gradebook and every lead's work).
c.Execute.spare_kernels = False
# Nor is a kernel forked from the grading zygote (wholeschool.grading.forked_kernels): that
# would skip the sandbox. Only a plain ``python -m ipykernel_launcher`` kernel is ever forked,
# so the sandboxed kernel spec already starts the usual way; this says so outright.
c.PrivateSocketKernelManager.fork_kernels = False
