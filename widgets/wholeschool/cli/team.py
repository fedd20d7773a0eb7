"""``wholeschool team ...`` (a team audit with moderation) and ``wholeschool calibrate``."""

from __future__ import annotations

import re
from pathlib import Path

import click

from ..core.errors import RecordError
from ..render.safe import terminal_safe

_RECORDS = click.option(
    "--records",
    "folder",
    required=True,
    type=click.Path(exists=True, file_okay=False),
    help="The lead's records folder (it holds the self-audit).",
)
_OUT = click.option(
    "--out",
    default=None,
    type=click.Path(dir_okay=False),
    help="Write the view to this file (.html or .md) instead of printing it.",
)


def _school(folder: object, school: str | None) -> str:
    """The school label: as given, else the self-audit's."""
    from ..core.records import AuditRecord
    from ..store import AUDIT_FILE

    if school:
        return school
    audit = folder.read_optional(AUDIT_FILE, AuditRecord)  # type: ignore[attr-defined]
    if audit is None:
        raise click.UsageError("no self-audit in the folder yet: give the school label (--school)")
    return audit.school


def _lines(text: str) -> str:
    """``text`` safe for a terminal, line by line (line breaks kept, control characters not)."""
    return "\n".join(terminal_safe(line) for line in text.splitlines())


def _emit(document: object, out: str | None) -> None:
    from ..render.html import to_html
    from ..render.markdown import to_markdown
    from ..store.atomic import write_atomic

    if out is None:
        click.echo(_lines(to_markdown(document)))  # type: ignore[arg-type]
        return
    if out.lower().endswith((".html", ".htm")):
        text = to_html(document)  # type: ignore[arg-type]
    elif out.lower().endswith(".md"):
        text = to_markdown(document)  # type: ignore[arg-type]
    else:
        raise click.BadParameter("the file name must end in .html or .md", param_hint="--out")
    write_atomic(Path(out), text.encode("utf-8"))
    click.echo(f"wrote {out}")


@click.group()
def team() -> None:
    """A team audit: colleagues' ratings side by side, and the rating the team agrees."""


@team.command("import")
@_RECORDS
@click.option("--school", default=None, help="School label (default: the self-audit's).")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
def import_files(folder: str, school: str | None, files: tuple[str, ...]) -> None:
    """Import colleagues' rater FILES into the records folder; bad files are refused."""
    from ..store import RecordFolder
    from ..store.team import import_rater_files

    records = RecordFolder(folder)
    result = import_rater_files(records, files, _school(records, school))
    for path in result.added:
        click.echo(terminal_safe(f"added    {path.name}"))
    for path in result.skipped:
        click.echo(terminal_safe(f"skipped  {path} (already imported)"))
    for error in result.refused:
        click.echo(terminal_safe(f"REFUSED  {error}"), err=True)
    if result.refused:
        raise SystemExit(1)


@team.command()
@_RECORDS
@click.option("--role", required=True, help='Your role, such as "Governor" (not your name).')
@click.option(
    "--out", required=True, type=click.Path(dir_okay=False), help="The file to send the lead."
)
def export(folder: str, role: str, out: str) -> None:
    """Turn your own self-audit in FOLDER into a rater file to send your school's lead."""
    from pydantic import ValidationError

    from ..core.errors import from_validation_error
    from ..core.records import AuditRecord
    from ..core.team import rater_from_audit
    from ..store import AUDIT_FILE, RecordFolder
    from ..store.atomic import write_atomic

    records = RecordFolder(folder)
    try:
        audit = records.read(AUDIT_FILE, AuditRecord)
        try:
            rater = rater_from_audit(audit, role, records.today())
        except ValidationError as error:
            raise from_validation_error(error, records.file(AUDIT_FILE), RecordError) from None
    except RecordError as error:
        raise click.ClickException(terminal_safe(str(error))) from None
    if Path(out).exists():
        raise click.BadParameter("that file exists already; choose a new name", param_hint="--out")
    write_atomic(Path(out), rater.model_dump_json(indent=2) + "\n")
    click.echo(f"wrote {out}: {len(rater.rated())} ratings, for {audit.school}")


@team.command()
@_RECORDS
@_OUT
def view(folder: str, out: str | None) -> None:
    """Show, per indicator, the spread of the team's ratings and the notes behind them."""
    from ..reports.team import moderation_view
    from ..store import RecordFolder
    from ..store.team import team_raters

    records = RecordFolder(folder)
    try:
        raters = team_raters(records)
    except RecordError as error:
        raise click.ClickException(terminal_safe(str(error))) from None
    if not raters:
        raise click.ClickException("no rater files imported yet: use `wholeschool team import`")
    _emit(moderation_view(raters, records.framework, raters[0].school), out)


_SET = re.compile(r"^([a-z][a-z-]*\.[0-9]+)=([0-9])$")


@team.command()
@_RECORDS
@click.option(
    "--set",
    "settings",
    multiple=True,
    metavar="INDICATOR=LEVEL",
    help="The agreed level of one indicator (others take the middle rating).",
)
def agree(folder: str, settings: tuple[str, ...]) -> None:
    """Record the agreed ratings in the self-audit, keeping the spread as evidence."""
    from ..store import RecordFolder
    from ..store.team import record_agreement

    agreed = {}
    for item in settings:
        found = _SET.match(item.strip())
        if not found:
            raise click.BadParameter(f"{item!r} is not INDICATOR=LEVEL", param_hint="--set")
        agreed[found[1]] = int(found[2])
    records = RecordFolder(folder)
    try:
        moderation = record_agreement(records, agreed, _school(records, None))
    except RecordError as error:
        raise click.ClickException(terminal_safe(str(error))) from None
    click.echo(
        f"recorded {len(moderation.indicators)} agreed ratings from {moderation.raters} raters"
    )


@click.command()
@click.argument("setting")
@click.option(
    "--ratings",
    default=None,
    type=click.Path(exists=True, dir_okay=False),
    help="YAML file of your ratings: indicator: level (a number or a level name).",
)
@_OUT
def calibrate(setting: str, ratings: str | None, out: str | None) -> None:
    """Rate a fictional SETTING (primary, secondary or college) and compare with moderators."""
    from ..core.calibration import calibration_settings, compare
    from ..core.datafiles import read_yaml
    from ..core.errors import DataFileError
    from ..core.framework import FRAMEWORK
    from ..reports.calibration import calibration_document

    settings = calibration_settings()
    if setting not in settings:
        raise click.BadParameter(f"choose one of {', '.join(settings)}", param_hint="SETTING")
    chosen = settings[setting]
    if ratings is None:
        click.echo(_lines(f"{chosen.name}\n\n{chosen.picture}"))
        for key in chosen.moderated:
            click.echo(f"{key}: {FRAMEWORK.indicator_by_id[key].text}")
        return
    labels = {level.label.lower(): level.value for level in FRAMEWORK.scale}
    try:
        data = read_yaml(ratings)
        if not isinstance(data, dict):
            raise DataFileError(ratings, None, "must map each indicator to a level")
        given = {}
        for key, value in data.items():
            level = labels.get(str(value).strip().lower(), value)
            if not isinstance(level, int) or isinstance(level, bool):
                raise DataFileError(ratings, str(key), f"{value!r} is not a level")
            given[str(key)] = level
        result = compare(chosen, given)
    except DataFileError as error:
        raise click.ClickException(terminal_safe(str(error))) from None
    except ValueError as error:
        raise click.ClickException(terminal_safe(f"{ratings}: {error}")) from None
    _emit(calibration_document(result), out)
