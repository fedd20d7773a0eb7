"""Time the self-audit with level descriptors, the team moderation view and importing rater
files (issue 22).

Usage: python benchmarks/forms.py [--runs N]

Prints, for each measurement, the first (cold) run, the median of the following runs and the
median as a fraction of its goal. Works in temporary folders; no lead's records are touched.
"First draw" is the widget state the browser needs to draw the form (ipywidgets' embed data
for the form's widgets), produced in CPython.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from pathlib import Path

from widgets import report, timed

RATERS = 12
ROLES = ["SMHL", "DSL", "Governor", "Pastoral lead", "SENCo", "Teacher", "Teaching assistant"]


def rater_files(folder: Path, school: str, today: str) -> list[Path]:
    """Twelve colleagues' files, every indicator rated with a short note."""
    from wholeschool import FRAMEWORK

    rng = random.Random(22)
    paths = []
    for n in range(RATERS):
        data = {
            "kind": "rater",
            "schema_version": 1,
            "school": school,
            "framework_version": FRAMEWORK.version,
            "date": today,
            "role": ROLES[n % len(ROLES)],
            "ratings": {
                key: {"rating": rng.randint(0, 4), "note": "Seen in the last staff survey."}
                for key in FRAMEWORK.indicator_by_id
            },
        }
        path = folder / f"rater-{n}.json"
        path.write_text(json.dumps(data), encoding="utf-8")
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    runs = parser.parse_args().runs

    from ipywidgets import Widget
    from ipywidgets.embed import dependency_state, embed_data
    from wholeschool import FRAMEWORK
    from wholeschool.core.team import spreads
    from wholeschool.render.html import to_html
    from wholeschool.reports.team import moderation_view
    from wholeschool.store import RecordFolder
    from wholeschool.store.team import import_rater_files, team_raters
    from wholeschool.ui.audit_form import audit
    from wholeschool.ui.moderation_form import moderation_view as moderation_form

    indicators = len(FRAMEWORK.indicator_by_id)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        folder = RecordFolder(root / "records")
        folder.path.mkdir()

        def build_and_draw() -> None:
            form = audit(None, folder, delay=0, evidence=False)
            embed_data(views=[form], state=dependency_state([form]))
            Widget.close_all()  # the next run starts from an empty widget registry

        def choices() -> None:
            for key in FRAMEWORK.indicator_by_id:
                FRAMEWORK.level_choices(key)

        first, median = timed(choices, runs)
        report("  of which: every indicator's descriptor choices", first, median, 0.050)
        first, median = timed(build_and_draw, runs)
        report(f"self-audit, 8 principles, {indicators} indicators", first, median, 0.050)

        inbox = root / "inbox"
        inbox.mkdir()
        today = folder.today().isoformat()
        paths = rater_files(inbox, "Oak Hill", today)

        def import_all() -> None:
            fresh = RecordFolder(root / f"import-{time.perf_counter_ns()}")
            fresh.path.mkdir()
            result = import_rater_files(fresh, paths, "Oak Hill")
            assert len(result.added) == RATERS, result.refused

        first, median = timed(import_all, max(5, runs // 4))
        report(f"import {RATERS} rater files", first, median, 0.200)

        import_rater_files(folder, paths, "Oak Hill")
        raters = team_raters(folder)

        def view() -> None:
            assert sum(s.rated for s in spreads(raters)) == RATERS * indicators
            to_html(moderation_view(raters, FRAMEWORK, "Oak Hill"))

        first, median = timed(view, runs)
        report(f"moderation view, {RATERS} raters x {indicators} indicators", first, median, 0.200)

        def form_and_draw() -> None:
            form = moderation_form(folder)
            assert len(form.rows) == indicators
            embed_data(views=[form], state=dependency_state([form]))
            Widget.close_all()

        first, median = timed(form_and_draw, max(5, runs // 4))
        report(
            f"  the workbook's moderation form, built and first draw, {RATERS} raters",
            first,
            median,
            0.200,
        )


if __name__ == "__main__":
    main()
