"""The team audit as documents: the lead's moderation view and the governors' short section.

The lead's view shows, per indicator, how many chose each level, whether the team agrees,
is one level apart or differs by two levels or more, and each colleague's note (by role).
The governors' section says how many rated and where they differed; it never says who rated
what, and when fewer than :data:`~wholeschool.core.team.SMALL_NUMBER` rated it shows no
roles and no counts at all, only where the team differed.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..core.errors import RecordError
from ..core.framework import FRAMEWORK, Framework
from ..core.records import ModerationRecord, RaterRecord
from ..core.team import SMALL_NUMBER, Spread, disputed, spreads
from ..render.blocks import Block, Bullets, Document, Heading, Paragraph, Table
from ..store import RecordFolder
from ..store.team import MODERATION_FILE

STATUS_WORDS = {
    "unrated": "Not rated",
    "agree": "Agree",
    "close": "One level apart",
    "differ": "Differ by two levels or more",
}
VIEW_HEADERS = ["Indicator", "Ratings", "Team", "Notes"]


def spread_words(spread: Spread, framework: Framework = FRAMEWORK) -> str:
    """ "Developing 2, Established 1": how many chose each level, lowest level first."""
    parts = [f"{framework.scale[level].label} {n}" for level, n in enumerate(spread.counts) if n]
    return ", ".join(parts) or "No ratings"


def moderation_view(
    raters: Sequence[RaterRecord], framework: Framework = FRAMEWORK, school: str = ""
) -> Document:
    """The lead's view of every rater's answers, one table per principle."""
    all_spreads = spreads(raters, framework)
    differ = [s for s in all_spreads if s.status == "differ"]
    blocks: list[Block] = [
        Paragraph(
            f"{len(raters)} {'person' if len(raters) == 1 else 'people'} rated. The team "
            f"differs by two levels or more on {len(differ)} "
            f"indicator{'' if len(differ) == 1 else 's'}: talk these through first, then "
            "record the rating you agree."
        )
    ]
    by_principle: dict[str, list[Spread]] = {}
    for spread in all_spreads:
        by_principle.setdefault(spread.indicator.principle_id, []).append(spread)
    for principle in framework.principles:
        rows = []
        for number, spread in enumerate(by_principle.get(principle.id, []), start=1):
            notes = "; ".join(f"{v.role}: {v.note}" for v in spread.views if v.note.strip())
            rows.append(
                [
                    f"{number}. {spread.indicator.text}",
                    spread_words(spread, framework),
                    STATUS_WORDS[spread.status],
                    notes,
                ]
            )
        blocks += [
            Heading(f"{principle.number}. {principle.short_name}", 2),
            Table(VIEW_HEADERS, rows, widths={"Indicator": 40, "Notes": 40}),
        ]
    return Document("Team audit: where the team agrees and differs", blocks, subtitle=school)


def governors_section(
    moderation: ModerationRecord, framework: Framework = FRAMEWORK
) -> list[Block]:
    """How many rated and where they differed, with the small-number rule applied."""
    count = moderation.raters
    differ = [framework.indicator_by_id[key].text for key in disputed(moderation)]
    blocks: list[Block] = [Heading("How the self-audit was rated", 2)]
    if count < SMALL_NUMBER:
        blocks.append(
            Paragraph(
                f"{count} {'person' if count == 1 else 'people'} rated independently before the "
                "ratings were agreed. Fewer than three rated, so who rated what is not shown."
            )
        )
    else:
        roles = sorted(set(moderation.roles))
        blocks.append(
            Paragraph(
                f"{count} people rated independently before the ratings were agreed: "
                f"{', '.join(roles)}. Individual ratings are not shown."
            )
        )
    if differ:
        blocks += [
            Paragraph(
                f"The team differed by two levels or more on {len(differ)} "
                f"indicator{'' if len(differ) == 1 else 's'} and agreed a rating after "
                "discussion:"
            ),
            Bullets(differ),
        ]
    else:
        blocks.append(Paragraph("No two people were more than one level apart."))
    return blocks


def team_section(folder: RecordFolder, framework: Framework = FRAMEWORK) -> list[Block]:
    """The governors' section if the folder holds a team audit (nothing otherwise)."""
    try:
        moderation = folder.read_optional(MODERATION_FILE, ModerationRecord)
    except RecordError:
        return []  # listed with the files left out, like any bad record
    return governors_section(moderation, framework) if moderation else []
