"""Make the synthetic school dataset the data tasks use, reproducibly.

Every figure is invented by a seeded random generator: there are no real pupils, schools or
results here, and the rows are whole form groups, never individuals. Columns:

- ``year_group`` (Year 7 to Year 11) and ``form`` (e.g. ``9B``), ``term`` (autumn, spring, summer)
- ``pupils``: pupils on roll in the form
- ``attendance_pct``: attendance that term, in per cent
- ``wellbeing_score``: the form's mean score on the school's wellbeing survey (0–100)
- ``referrals``: referrals to the school's mental health support that term
- ``intervention``: whether the form took part in a wellbeing programme run in the spring term

Run ``python assessments/data/make_school_data.py`` to rewrite ``school_data.csv`` in every
data-strand assignment folder (``assessments/source/data-*``); the output is the same on every
run. The leads' strand uses no dataset.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20261125
YEARS = (7, 8, 9, 10, 11)
FORMS = "ABCDEF"
TERMS = ("autumn", "spring", "summer")
#: Typical wellbeing by year group: a dip in Year 9 and a lower Year 11 before exams.
YEAR_BASELINE = {7: 66.0, 8: 62.0, 9: 55.0, 10: 58.0, 11: 57.0}
FILE_NAME = "school_data.csv"


def make_school_data(seed: int = SEED) -> pd.DataFrame:
    """One row per form and term, with the columns described in the module docstring."""
    rng = np.random.default_rng(seed)
    rows = []
    for year in YEARS:
        # Half the forms in each year group take part in the spring programme.
        in_programme = set(rng.choice(list(FORMS), size=3, replace=False))
        for form in FORMS:
            pupils = int(rng.integers(24, 32))
            form_effect = rng.normal(0, 3)
            attendance = rng.normal(93.5, 2.2) - (1.5 if year == 9 else 0)
            for t, term in enumerate(TERMS):
                took_part = form in in_programme
                lift = 4.0 * t / 2 if took_part else 0.0
                drift = -1.0 * t if year == 11 else 0.0
                score = YEAR_BASELINE[year] + form_effect + lift + drift + rng.normal(0, 1.5)
                att = attendance + 0.3 * (score - 60) / 5 + rng.normal(0, 0.8)
                expected_referrals = max(0.2, (70 - score) / 6)
                rows.append(
                    {
                        "year_group": f"Year {year}",
                        "form": f"{year}{form}",
                        "term": term,
                        "pupils": pupils,
                        "attendance_pct": round(float(np.clip(att, 80, 99.5)), 1),
                        "wellbeing_score": round(float(np.clip(score, 0, 100)), 1),
                        "referrals": int(rng.poisson(expected_referrals)),
                        "intervention": took_part,
                    }
                )
    return pd.DataFrame(rows)


#: Folders of the data strand's assignments (see assessments/make_notebooks.py).
DATA_PREFIX = "data-"


def write_all(source: Path) -> list[Path]:
    """Write the dataset into every data-strand assignment folder under ``source``."""
    frame = make_school_data()
    written = []
    for folder in sorted(p for p in source.glob(f"{DATA_PREFIX}*") if p.is_dir()):
        path = folder / FILE_NAME
        frame.to_csv(path, index=False, lineterminator="\n")
        written.append(path)
    return written


if __name__ == "__main__":
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parents[1] / "source"
    for path in write_all(root):
        print(f"wrote {path}")
