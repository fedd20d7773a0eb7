"""What a page or document a lead reads must not hold: dates in any style but "1 November 2026"."""

from __future__ import annotations

import re

#: An ISO date (the records' own form), a day with a leading zero ("01 May 2026"), or a month
#: cut short ("1 Nov 2026"): each a second style beside the lead's one.
OTHER_STYLES = re.compile(
    r"\b\d{4}-\d{2}-\d{2}\b"
    r"|\b0\d (?:January|February|March|April|May|June|July|August|September|October|November"
    r"|December)\b"
    r"|\b\d{1,2} (?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.? \d{4}\b"
)


def other_date_styles(text: str) -> list[str]:
    """Each date in ``text`` written in a style other than the long form, with its context."""
    return [text[max(0, m.start() - 50) : m.end() + 10] for m in OTHER_STYLES.finditer(text)]
