"""nbgrader settings for every account on the course hub (found via JUPYTER_CONFIG_PATH).

The hub sets the two variables; a course folder's own nbgrader_config.py adds the rest.
"""

import os

c = get_config()  # noqa: F821

c.Exchange.root = os.environ.get("WHOLESCHOOL_EXCHANGE", "/srv/nbgrader/exchange")
c.CourseDirectory.course_id = os.environ.get("WHOLESCHOOL_COURSE_ID", "wholeschool-smhl")
