"""The team audit: colleagues' rater files imported, hostile ones refused, the spread exact,
the agreed rating recorded with the spread kept as evidence, the plan favouring disagreement."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from helpers import BIN
from strategies import CLOCK, TODAY
from wholeschool import FRAMEWORK, AuditRecord
from wholeschool.core.planning import rank_gaps
from wholeschool.core.records import ModerationRecord, RaterRecord
from wholeschool.core.team import disputed, favour_disagreement, spreads
from wholeschool.store import AUDIT_FILE, RecordFolder
from wholeschool.store.team import (
    MODERATION_FILE,
    import_rater_files,
    record_agreement,
    team_raters,
)

SCHOOL = "Oak Hill Primary"


def rater(role: str, school: str = SCHOOL, version: str | None = None, **ratings) -> dict:
    """A rater file's content: ``ratings`` as ``indicator=(rating, note)``."""
    return {
        "kind": "rater",
        "schema_version": 1,
        "school": school,
        "framework_version": version or FRAMEWORK.version,
        "date": TODAY.isoformat(),
        "role": role,
        "ratings": {
            key.replace("_", "."): {"rating": r, "note": n} for key, (r, n) in ratings.items()
        },
    }


def write(folder: Path, name: str, data: dict | str | bytes) -> Path:
    path = folder / name
    if isinstance(data, dict):
        data = json.dumps(data)
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    (tmp_path / "inbox").mkdir()
    return tmp_path / "inbox"


@pytest.fixture
def folder(tmp_path: Path) -> RecordFolder:
    return RecordFolder(tmp_path / "records", clock=CLOCK)


def two_raters(inbox: Path) -> list[Path]:
    first = {
        "ethos.1": (3, "Warm in most classes"),
        "ethos.2": (0, "No agreed time"),
        "leadership.1": (2, ""),
    }
    second = {"ethos.1": (3, ""), "ethos.2": (3, "Log is kept"), "leadership.1": (1, "Cover")}
    return [
        write(inbox, "a.json", {**rater("Pastoral lead"), "ratings": _r(first)}),
        write(inbox, "b.json", {**rater("Governor"), "ratings": _r(second)}),
    ]


def _r(ratings: dict) -> dict:
    return {k: {"rating": r, "note": n} for k, (r, n) in ratings.items()}


def test_two_raters_files_merged_give_the_exact_spread(folder, inbox):
    result = import_rater_files(folder, two_raters(inbox), SCHOOL)
    assert (len(result.added), result.refused, result.skipped) == (2, [], [])
    by_id = {s.indicator.id: s for s in spreads(team_raters(folder))}
    assert by_id["ethos.1"].counts == (0, 0, 0, 2, 0) and by_id["ethos.1"].status == "agree"
    assert by_id["ethos.2"].counts == (1, 0, 0, 1, 0) and by_id["ethos.2"].status == "differ"
    assert (by_id["ethos.2"].lowest, by_id["ethos.2"].highest, by_id["ethos.2"].gap) == (0, 3, 3)
    assert by_id["leadership.1"].counts == (0, 1, 1, 0, 0)
    assert by_id["leadership.1"].status == "close"
    assert [(v.role, v.rating, v.note) for v in by_id["ethos.2"].views] == [
        ("Governor", 3, "Log is kept"),
        ("Pastoral lead", 0, "No agreed time"),
    ]  # files are kept by role name: rater-governor-1.json, rater-pastoral-lead-1.json
    assert by_id["ethos.3"].status == "unrated" and by_id["ethos.3"].counts == (0,) * 5
    assert sum(s.rated for s in by_id.values()) == 6


def test_the_same_file_twice_is_imported_once(folder, inbox):
    paths = two_raters(inbox)
    import_rater_files(folder, paths, SCHOOL)
    again = import_rater_files(folder, paths, SCHOOL)
    assert (again.added, again.skipped) == ([], paths)
    assert len(team_raters(folder)) == 2


def test_two_colleagues_with_the_same_role_are_both_kept(folder, inbox):
    a = write(inbox, "a.json", rater("Teacher", ethos_1=(2, "")))
    b = write(inbox, "b.json", rater("Teacher", ethos_1=(4, "")))
    result = import_rater_files(folder, [a, b], SCHOOL)
    assert [p.name for p in result.added] == ["rater-teacher-1.json", "rater-teacher-2.json"]


HOSTILE = [
    pytest.param(
        rater("Governor", version="2.0", ethos_1=(2, "")),
        "framework_version",
        "made with framework '2.0', not this course's",
        id="other-framework-version",
    ),
    pytest.param(
        rater("Governor", school="Elm Academy", ethos_1=(2, "")),
        "school",
        "is for 'Elm Academy', not your school label 'Oak Hill Primary'",
        id="other-school",
    ),
    pytest.param(
        rater("Governor", ethos_1=(2, "<script>alert(1)</script>")),
        'ratings["ethos.1"].note',
        "HTML tag",
        id="injected-html",
    ),
    pytest.param(
        rater('=HYPERLINK("http://x")', ethos_1=(2, "")),
        "role",
        "formula",
        id="formula-role",
    ),
    pytest.param(
        rater("Governor\x1b[2J", ethos_1=(2, "")),
        "role",
        "control character",
        id="terminal-escape",
    ),
    pytest.param(
        rater("Governor", ethos_1=(7, "")),
        'ratings["ethos.1"].rating',
        "outside 0–4",
        id="off-the-scale",
    ),
    pytest.param(
        {**rater("Governor"), "pupil": "A. Pupil"},
        "pupil",
        "not a field",
        id="pupil-data",
    ),
    pytest.param(
        {**rater("Governor"), "kind": "audit"},
        "kind",
        "not a colleague's ratings file",
        id="another-kind",
    ),
    pytest.param(
        json.dumps(rater("Governor", ethos_1=(2, "x" * 500))) + " " * 100_000,
        None,
        "more than a record can be",
        id="oversized",
    ),
    pytest.param("{not json", None, "is not valid JSON", id="not-json"),
]


@pytest.mark.parametrize(("content", "field", "problem"), HOSTILE)
def test_a_hostile_rater_file_is_refused_naming_file_and_field_and_nothing_is_written(
    folder, inbox, content, field, problem
):
    import_rater_files(folder, two_raters(inbox)[:1], SCHOOL)
    team = folder.path
    before = {p.name: p.read_bytes() for p in team.iterdir() if p.is_file()}
    bad = write(inbox, "from-a-colleague.json", content)
    result = import_rater_files(folder, [bad], SCHOOL)
    assert result.added == [] and len(result.refused) == 1
    error = result.refused[0]
    assert error.path == str(bad) and error.field == field
    assert problem in error.problem
    assert str(error).startswith(f"{bad}: ")
    assert {p.name: p.read_bytes() for p in team.iterdir() if p.is_file()} == before


def test_a_refused_file_does_not_stop_the_good_ones(folder, inbox):
    good = two_raters(inbox)
    bad = write(inbox, "bad.json", rater("Governor", school="Elm", ethos_1=(1, "")))
    result = import_rater_files(folder, [good[0], bad, good[1]], SCHOOL)
    assert len(result.added) == 2 and [e.path for e in result.refused] == [str(bad)]


def test_plain_text_with_a_less_than_sign_is_not_a_false_alarm(folder, inbox):
    fine = write(inbox, "ok.json", rater("SENCo", ethos_1=(1, "< half of staff trained; 3<4")))
    assert len(import_rater_files(folder, [fine], SCHOOL).added) == 1


def test_the_agreed_rating_is_recorded_with_the_spread_kept_as_evidence(folder, inbox):
    import_rater_files(folder, two_raters(inbox), SCHOOL)
    folder.save(
        AuditRecord(
            school=SCHOOL,
            framework_version=FRAMEWORK.version,
            date=TODAY,
            ratings={"ethos.2": {"rating": 4, "note": "my own note"}},
        ),
        AUDIT_FILE,
    )
    moderation = record_agreement(folder, {"ethos.2": 1}, SCHOOL, notes={"ethos.2": "talked"})
    saved = folder.read(MODERATION_FILE, ModerationRecord)
    assert saved == moderation and saved.raters == 2
    assert saved.roles == ["Governor", "Pastoral lead"]
    item = saved.indicators["ethos.2"]
    assert (item.agreed, item.counts, item.note) == (1, [1, 0, 0, 1, 0], "talked")
    assert [v.note for v in item.views] == ["Log is kept", "No agreed time"]
    assert saved.indicators["leadership.1"].agreed == 1  # the lower middle of 1 and 2
    assert disputed(saved) == ["ethos.2"]
    audit = folder.read(AUDIT_FILE, AuditRecord)
    assert audit.rated() == {"ethos.1": 3, "ethos.2": 1, "leadership.1": 1}
    assert audit.ratings["ethos.2"].note == "my own note"


def test_the_plan_can_favour_indicators_the_team_disagreed_on():
    ratings = {"ethos.1": 1, "ethos.2": 2, "ethos.3": 2}
    gaps = rank_gaps(ratings, pinned=["ethos.3"])
    assert [g.indicator.id for g in gaps] == ["ethos.3", "ethos.1", "ethos.2"]
    favoured = favour_disagreement(gaps, ["ethos.2", "ethos.3"])
    assert [g.indicator.id for g in favoured] == ["ethos.3", "ethos.1", "ethos.2"]  # a tie
    favoured = favour_disagreement(rank_gaps({"ethos.1": 1, "ethos.2": 1}), ["ethos.2"])
    assert [g.indicator.id for g in favoured] == ["ethos.2", "ethos.1"]


def test_a_rater_record_is_a_record_like_any_other(folder, inbox):
    import_rater_files(folder, two_raters(inbox), SCHOOL)
    kinds = sorted(type(item.record).__name__ for item in folder.scan())
    assert kinds == ["RaterRecord", "RaterRecord"]
    assert all(isinstance(r, RaterRecord) for r in team_raters(folder))


def wholeschool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "wholeschool"), *args], capture_output=True, text=True, timeout=60
    )


def test_cli_imports_refuses_shows_and_records_the_agreement(tmp_path: Path, inbox):
    records = tmp_path / "records"
    records.mkdir()
    audit = AuditRecord(school=SCHOOL, framework_version=FRAMEWORK.version, date=TODAY)
    RecordFolder(records, clock=CLOCK).save(audit, AUDIT_FILE)
    bad = write(inbox, "bad.json", rater("Governor", school="Elm", ethos_1=(1, "")))
    result = wholeschool(
        "team", "import", "--records", str(records), *map(str, two_raters(inbox)), str(bad)
    )
    assert result.returncode == 1
    assert (
        "added    rater-governor-1.json" in result.stdout
        and "rater-pastoral-lead-1.json" in result.stdout
    )
    assert f"REFUSED  {bad}: school: is for 'Elm'" in result.stderr
    shown = wholeschool("team", "view", "--records", str(records))
    assert shown.returncode == 0, shown.stderr
    assert "2 people rated" in shown.stdout and "Differ by two levels or more" in shown.stdout
    assert "Pastoral lead: No agreed time" in shown.stdout
    agreed = wholeschool("team", "agree", "--records", str(records), "--set", "ethos.2=2")
    assert agreed.returncode == 0, agreed.stderr
    assert "recorded 3 agreed ratings from 2 raters" in agreed.stdout
    saved = RecordFolder(records).read(AUDIT_FILE, AuditRecord)  # saved by the real clock
    assert saved.rated()["ethos.2"] == 2


def _governors_html(folder: RecordFolder) -> str:
    from wholeschool.reports.governors import build_report, to_html

    return to_html(build_report(folder, made_on=TODAY))


def test_governors_report_says_how_many_rated_and_never_who_rated_what_below_three(folder, inbox):
    import_rater_files(folder, two_raters(inbox), SCHOOL)
    record_agreement(folder, {}, SCHOOL)
    html = _governors_html(folder)
    assert "2 people rated independently" in html
    assert "Fewer than three rated, so who rated what is not shown." in html
    assert "Pastoral lead" not in html and "Governor" not in html.replace("governor", "")
    assert "No agreed time" not in html, "no rater's note reaches the governors"
    text = FRAMEWORK.indicator_by_id["ethos.2"].text
    assert "differed by two levels or more on 1 indicator" in html and text in html


def test_governors_report_lists_roles_but_no_ratings_from_three_raters(folder, inbox):
    third = write(inbox, "c.json", rater("SENCo", ethos_2=(2, "mixed")))
    import_rater_files(folder, [*two_raters(inbox), third], SCHOOL)
    record_agreement(folder, {}, SCHOOL)
    html = _governors_html(folder)
    assert "3 people rated independently" in html
    assert "Governor, Pastoral lead, SENCo. Individual ratings are not shown." in html
    assert "mixed" not in html and "Fewer than three" not in html


def test_download_and_restore_keeps_the_team_audit(folder, inbox, tmp_path: Path):
    from wholeschool.store.bundle import export_zip, import_files

    import_rater_files(folder, two_raters(inbox), SCHOOL)
    record_agreement(folder, {"ethos.2": 1}, SCHOOL)
    other = RecordFolder(tmp_path / "other", clock=CLOCK)
    other.path.mkdir()
    result = import_files(other, {"records.zip": export_zip(folder)})
    assert not result.problems
    assert len(team_raters(other)) == 2
    assert other.read(MODERATION_FILE, ModerationRecord).indicators["ethos.2"].agreed == 1


def test_a_draft_plan_can_favour_the_indicators_the_team_disagreed_on():
    from wholeschool.core.planning import draft_plan

    audit = AuditRecord(
        school=SCHOOL,
        framework_version=FRAMEWORK.version,
        date=TODAY,
        gate="in-place",
        ratings={"ethos.1": {"rating": 1}, "ethos.2": {"rating": 1}},
    )
    plain, _ = draft_plan(audit, today=TODAY, limit=1)
    favoured, _ = draft_plan(audit, today=TODAY, limit=1, favour=["ethos.2"])
    assert {a.indicator for a in plain.actions} == {"ethos.1"}
    assert {a.indicator for a in favoured.actions} == {"ethos.2"}


def test_a_colleague_exports_their_own_self_audit_as_a_rater_file(tmp_path: Path):
    folder = RecordFolder(tmp_path / "lead")  # the real clock: the file is dated by the command
    mine = tmp_path / "colleague"
    mine.mkdir()
    audit = AuditRecord(
        school=SCHOOL,
        framework_version=FRAMEWORK.version,
        date=TODAY,
        ratings={"ethos.1": {"rating": 2, "note": "Most classes"}},
    )
    RecordFolder(mine, clock=CLOCK).save(audit, AUDIT_FILE)
    out = tmp_path / "governor.json"
    done = wholeschool(
        "team", "export", "--records", str(mine), "--role", "Governor", "--out", str(out)
    )
    assert done.returncode == 0, done.stderr
    result = import_rater_files(folder, [out], SCHOOL)
    assert len(result.added) == 1
    (rater_record,) = team_raters(folder)
    assert (rater_record.role, rater_record.rated()) == ("Governor", {"ethos.1": 2})
    again = wholeschool(
        "team", "export", "--records", str(mine), "--role", "Governor", "--out", str(out)
    )
    assert again.returncode != 0 and "exists already" in again.stderr
