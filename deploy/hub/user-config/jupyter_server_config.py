"""Jupyter server settings for every account on the course hub (found via JUPYTER_CONFIG_PATH).

Voila renders the course apps: code hidden, widgets live, and no traceback ever shown to a lead
(an error is logged for the trainer instead).
"""

c = get_config()  # noqa: F821

c.VoilaConfiguration.strip_sources = True
c.VoilaConfiguration.show_tracebacks = False
c.VoilaConfiguration.theme = "light"
