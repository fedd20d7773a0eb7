"""Render framework data as Markdown for the book, so pages never restate the data by hand."""

from __future__ import annotations

from IPython.display import Markdown

from ..core.framework import FRAMEWORK, Framework


def indicator_list(principle_id: str, framework: Framework = FRAMEWORK) -> Markdown:
    """The indicators of one principle as a numbered Markdown list (no internal ids)."""
    principle = framework.principle(principle_id)
    lines = [f"1. {indicator.text}" for indicator in principle.indicators]
    return Markdown("\n".join(lines))


def principle_summary(principle_id: str, framework: Framework = FRAMEWORK) -> Markdown:
    """The full name and one-line summary of a principle."""
    principle = framework.principle(principle_id)
    centre = " It sits at the centre of the approach." if principle.centre else ""
    return Markdown(
        f"**Principle {principle.number}: {principle.name}.**\n\n{principle.summary}{centre}"
    )


def rating_scale(framework: Framework = FRAMEWORK) -> Markdown:
    """The rating scale as a Markdown table."""
    rows = ["| Rating | Level | What it means |", "| --- | --- | --- |"]
    rows += [f"| {lv.value} | {lv.label} | {lv.descriptor} |" for lv in framework.scale]
    return Markdown("\n".join(rows))


def good_practice(principle_id: str, framework: Framework = FRAMEWORK) -> Markdown:
    """Each indicator of a principle with what it can look like in each kind of setting."""
    from ..core.content import SETTINGS, load_examples

    examples = load_examples(principle_id, framework=framework)
    parts = []
    principle = framework.principle(principle_id)
    for number, indicator in enumerate(principle.indicators, start=1):
        parts.append(
            f"### {indicator.text}\n\n*Indicator {principle.number}.{number}: number "
            f"{number} in the {principle.short_name.lower()} self-audit*\n"
        )
        per_setting = examples.indicators[indicator.id]
        for setting in SETTINGS:
            parts.append(f"- **{setting.capitalize()}:** {getattr(per_setting, setting)}")
        parts.append("")
    return Markdown("\n".join(parts))


def reflection_questions(principle_id: str) -> Markdown:
    """The reflection questions of a principle (or ``"capstone"``) as a numbered list."""
    from ..core.content import reflection_questions as questions

    lines = [f"1. {q.text} *({q.points} marks)*" for q in questions(principle_id)]
    return Markdown("\n".join(lines))


def resource_criteria() -> Markdown:
    """The quality criteria for judging a resource, as a list of questions."""
    from ..core.content import load_resources

    data = load_resources()
    return Markdown("\n".join(f"- **{c.name}.** {c.question}" for c in data.criteria))


def evidence_levels() -> Markdown:
    """The course's evidence scale for resources, as a Markdown table."""
    from ..core.content import load_resources

    rows = ["| Evidence | What it means |", "| --- | --- |"]
    rows += [f"| {level.label} | {level.meaning} |" for level in load_resources().evidence_levels]
    return Markdown("\n".join(rows))


def resource_list(framework: Framework = FRAMEWORK) -> Markdown:
    """The curated resources under a heading per principle, each with its level of evidence."""
    from ..core.content import load_resources

    data = load_resources(framework=framework)
    parts = []
    for principle in framework.principles:
        parts.append(f"### {principle.number}. {principle.short_name}\n")
        for item in data.principles[principle.id]:
            # The url is the organisation's own site, so it links the organisation's name.
            who = f"[{item.organisation}]({item.url})" if item.url else item.organisation
            settings = ", ".join(item.settings)
            parts.append(
                f"- **{item.title}** ({who}). {item.description} "
                f"*Evidence: {data.level(item.evidence).label}. Settings: {settings}.*"
            )
        parts.append("")
    return Markdown("\n".join(parts))
