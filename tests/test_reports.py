"""Governor reports from fixture records open in python-docx and an HTML parser, with the
expected sections, figures, priorities and evidence; the real CLI writes both formats."""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import json
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import docx
import matplotlib.image
import numpy as np
import pytest
from dates_shown import other_date_styles
from helpers import BIN
from wholeschool import FRAMEWORK, AuditRecord, IndicatorRating, RecordError
from wholeschool.core.clock import fixed_clock
from wholeschool.core.crosswalk import crosswalk_table, default_crosswalk
from wholeschool.core.records import EvidenceEntry, EvidenceLog, PlanAction, PlanRecord, ProgressLog
from wholeschool.reports.governors import (
    APPENDICES,
    SECTIONS,
    build_report,
    change_rows,
    to_docx,
    to_html,
    write_report,
)
from wholeschool.store import RecordFolder
from wholeschool.store.sample_year import write_sample_year
from wholeschool.ui.report_page import records_or_sample

SCHOOL = "Fixture Primary"
MADE_ON = dt.date(2026, 11, 25)


def store(folder: Path, when: dt.date | dt.datetime = MADE_ON) -> RecordFolder:
    return RecordFolder(folder, clock=fixed_clock(when))


def _save(record, path: Path) -> None:
    """Save as on the record's own date, so its first version is stamped then."""
    store(path.parent, record.date).save(record, path.name)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A small, hand-checked set of records."""
    common = {"school": SCHOOL, "framework_version": FRAMEWORK.version}
    leadership = dict(zip([f"leadership.{i}" for i in range(1, 6)], [1, 2, 3, 2, 2], strict=True))
    ethos = {f"ethos.{i}": 1 for i in range(1, 6)}
    audit = AuditRecord(
        **common,
        date=dt.date(2026, 4, 20),  # summer term 2025-26
        ratings={k: IndicatorRating(rating=v) for k, v in {**leadership, **ethos}.items()},
    )
    _save(audit, tmp_path / "audit.json")
    log = ProgressLog(
        **common,
        date=dt.date(2026, 11, 20),
        academic_year="2026-27",
        term="autumn",
        ratings={"leadership": 3, "ethos": 1, "curriculum": 2},
    )
    _save(log, tmp_path / "progress-2026-27-autumn.json")
    action = {"start": dt.date(2026, 9, 1), "measure": "Re-rated at the next review"}
    plan = PlanRecord(
        **common,
        date=dt.date(2026, 9, 1),
        pinned=["curriculum.1"],
        actions=[
            PlanAction(
                indicator="ethos.1",
                what="Set up a calm room rota",
                lead="Pastoral lead",
                due=dt.date(2027, 1, 31),
                status="in progress",
                **action,
            ),
            PlanAction(
                indicator="leadership.3",
                what="Cost the wellbeing objectives",
                lead="Head teacher",
                due=dt.date(2026, 10, 31),
                status="done",
                **action,
            ),
            PlanAction(
                indicator="curriculum.1",
                what="Map the RSHE programme",
                lead="PSHE lead",
                due=dt.date(2027, 3, 15),
                status="not started",
                **action,
            ),
        ],
    )
    _save(plan, tmp_path / "plan.json")
    evidence = EvidenceLog(
        **common,
        date=dt.date(2026, 11, 1),
        entries={
            "leadership.2": [
                EvidenceEntry(
                    description="Governors' minutes, wellbeing item",
                    date=dt.date(2026, 10, 14),
                    link="https://governors.fixture.example/minutes/oct",
                )
            ],
            "ethos.2": [
                EvidenceEntry(
                    description="Anti-bullying policy review notes",
                    date=dt.date(2026, 9, 30),
                    link="S:/Policies/anti-bullying-review.docx",
                )
            ],
        },
    )
    _save(evidence, tmp_path / "evidence.json")
    return tmp_path


class Page(HTMLParser):
    """Collects headings, images, table cells and any external references of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[tuple[str, str]] = []
        self.images: list[dict[str, str]] = []
        self.cells: list[str] = []
        self.external: list[str] = []
        self.links: list[str] = []
        self._tag: str | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("h1", "h2", "h3", "td", "th"):
            self._tag, self._text = tag, ""
        if tag == "img":
            self.images.append(attrs)
        if tag == "a":
            self.links.append(attrs["href"])
        # anything the page would fetch by itself: images, scripts, style sheets, frames
        fetched = attrs.get("href") if tag == "link" else attrs.get("src")
        if fetched and not fetched.startswith("data:"):
            self.external.append(fetched)

    def handle_data(self, data):
        if self._tag:
            self._text += data

    def handle_endtag(self, tag):
        if tag == self._tag:
            if tag in ("td", "th"):
                self.cells.append(self._text.strip())
            else:
                self.headings.append((tag, self._text.strip()))
            self._tag = None


def parse(text: str) -> Page:
    page = Page()
    page.feed(text)
    return page


def test_report_content_matches_a_hand_computation(folder: Path):
    report = build_report(store(folder))
    assert report.school == SCHOOL and report.made_on == MADE_ON
    assert [s.source for s in report.snapshots] == ["audit", "progress"]
    assert report.previous.scores["leadership"] == 2.0  # (1 + 2 + 3 + 2 + 2) / 5
    assert report.previous.scores["ethos"] == 1.0
    assert report.previous.scores["curriculum"] is None
    rows = {row[0]: row for row in change_rows(report)}
    assert rows["Leadership and management"] == ["Leadership and management", "2.0", "3.0*", "+1.0"]
    assert rows["Ethos and environment"][3] == "no change"
    assert rows["Curriculum, teaching and learning"][3] == "–"
    # pinned indicator first, done actions left out
    assert [a.what for a in report.priorities] == [
        "Map the RSHE programme",
        "Set up a calm room rota",
    ]
    assert report.crosswalk == crosswalk_table(report.records.audit.rated(), gate_answer=None)


def test_html_report_has_sections_figures_priorities_and_evidence(folder: Path):
    text = to_html(build_report(store(folder)))
    page = parse(text)
    h2 = [title for tag, title in page.headings if tag == "h2"]
    assert h2 == [f"{n}. {title}" for n, title in enumerate(SECTIONS, start=1)] + list(APPENDICES)
    assert len(page.images) == 2
    for image in page.images:
        assert image["alt"]
        png = base64.b64decode(image["src"].removeprefix("data:image/png;base64,"))
        assert png.startswith(b"\x89PNG")
    assert page.external == []  # self-contained: nothing fetched from elsewhere
    assert page.links == ["https://governors.fixture.example/minutes/oct"]  # clickable evidence
    for cell in (
        "Map the RSHE programme",
        "PSHE lead",
        "15 March 2027",
        "Set up a calm room rota",
        "Pastoral lead",
        "Anti-bullying policy review notes",
        "S:/Policies/anti-bullying-review.docx",
        "+1.0",
        *(other.targets[0].name for other in default_crosswalk().frameworks),
    ):
        assert cell in page.cells, cell
    assert "Cost the wellbeing objectives" not in text  # done: not a priority
    h3 = [title for tag, title in page.headings if tag == "h3"]
    assert "Leadership and management: Established (3.0)" in h3
    assert "Curriculum, teaching and learning: Developing (2.0)" in h3
    assert "designated safeguarding lead (DSL)" in text


def test_docx_report_opens_with_python_docx_and_holds_the_same(folder: Path, tmp_path: Path):
    out = write_report(build_report(store(folder)), tmp_path / "out" / "governors.docx")
    document = docx.Document(out)
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == [f"{n}. {title}" for n, title in enumerate(SECTIONS, start=1)] + list(
        APPENDICES
    )
    assert len(document.inline_shapes) == 2
    cells = {cell.text for table in document.tables for row in table.rows for cell in row.cells}
    for expected in (
        "Map the RSHE programme",
        "PSHE lead",
        "15 March 2027",
        "Governors' minutes, wellbeing item",
        "https://governors.fixture.example/minutes/oct",
        default_crosswalk().frameworks[-1].targets[-1].name,
    ):
        assert expected in cells, expected
    assert "Cost the wellbeing objectives" not in cells


def _visible_text(page: str) -> str:
    """An HTML page's text as a reader sees it (no markup, no embedded images)."""
    return html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r'src="data:[^"]*"', "", page)))


def test_the_report_shows_every_date_one_way(folder: Path, tmp_path: Path):
    """Governors read one style of date, "1 November 2026", in the web page and in Word: never
    the records' ISO form beside it ("2026-11-01"), a leading zero or a short month. Checked
    where dates come from: the date made, the priorities, the evidence, the changes since a
    date (a changed evidence date among them) and the safeguarding note naming its audit."""
    data = json.loads((folder / "audit.json").read_text())
    data["gate"] = next(a.id for a in FRAMEWORK.gate.answers if a.id != FRAMEWORK.gate.in_place)
    (folder / "audit.json").write_text(json.dumps(data), encoding="utf-8")
    evidence = store(folder).read("evidence.json", EvidenceLog)
    evidence.entries["leadership.2"][0].date = dt.date(2026, 10, 15)
    store(folder, dt.date(2026, 11, 10)).save(evidence, "evidence.json")
    report = build_report(store(folder), since=dt.date(2026, 11, 5))

    page = _visible_text(to_html(report))
    word = docx.Document(write_report(report, tmp_path / "governors.docx"))
    words = "\n".join(
        [p.text for p in word.paragraphs]
        + [c.text for t in word.tables for row in t.rows for c in row.cells]
    )
    for name, text in (("web page", page), ("Word", words)):
        assert other_date_styles(text) == [], name
        for shown in (
            "25 November 2026",  # made on
            "31 January 2027",  # a priority's due date
            "30 September 2026",  # an evidence date
            "14 October 2026",  # the changed evidence date: before
            "15 October 2026",  # and after
            "20 April 2026",  # the self-audit the safeguarding answer is from
        ):
            assert shown in text, (name, shown)


def test_charts_print_in_black_and_white(folder: Path):
    report = build_report(store(folder))
    for png in report.charts.values():
        pixels = matplotlib.image.imread(io.BytesIO(png), format="png")[..., :3]
        assert np.allclose(pixels[..., 0], pixels[..., 1])
        assert np.allclose(pixels[..., 1], pixels[..., 2])


def test_a_bad_file_is_reported_in_the_report_and_left_alone(folder: Path, tmp_path: Path):
    bad = folder / "progress-old.json"
    bad.write_text('{"kind": "progress", "school": "x"', encoding="utf-8")
    before = bad.read_bytes()
    report = build_report(store(folder))
    assert len(report.records.problems) == 1
    assert str(report.records.problems[0]).startswith(f"{bad}: ")
    assert "could not be read" in to_html(report)
    assert bad.read_bytes() == before


def test_a_record_from_a_newer_framework_is_named_with_its_field(folder: Path):
    data = json.loads((folder / "audit.json").read_text())
    data["framework_version"] = "9.0"
    (folder / "audit.json").write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(RecordError) as caught:
        build_report(store(folder))
    assert "holds no self-audit record to report on" in str(caught.value)
    assert (
        f"left out: {folder / 'audit.json'}: framework_version: the record was made with framework 9.0"
        in str(caught.value)
    )


def test_a_folder_with_two_schools_is_refused_unless_one_is_chosen(folder: Path):
    other = AuditRecord(
        school="Another School", framework_version=FRAMEWORK.version, date=dt.date(2026, 5, 1)
    )
    store(folder).save(other, "audit-another.json")
    with pytest.raises(
        RecordError, match="holds records of 2 schools .'Another School', 'Fixture Primary'."
    ):
        build_report(store(folder))
    mine = build_report(store(folder), school=SCHOOL)
    assert mine.school == SCHOOL and mine.records.audit.school == SCHOOL
    theirs = build_report(store(folder), school="Another School")
    assert theirs.records.plan is None and theirs.records.logs == []
    with pytest.raises(RecordError, match="holds no records for 'Nobody'"):
        build_report(store(folder), school="Nobody")


def test_the_safeguarding_escalation_opens_the_report_when_the_route_is_not_in_place(folder: Path):
    data = json.loads((folder / "audit.json").read_text())
    data["gate"] = next(a.id for a in FRAMEWORK.gate.answers if a.id != FRAMEWORK.gate.in_place)
    (folder / "audit.json").write_text(json.dumps(data), encoding="utf-8")
    report = build_report(store(folder))
    assert report.escalation and FRAMEWORK.gate.escalation in report.escalation
    page = to_html(report)
    assert page.index("Safeguarding first.") < page.index("<h2>1.")
    data["gate"] = FRAMEWORK.gate.in_place
    (folder / "audit.json").write_text(json.dumps(data), encoding="utf-8")
    assert build_report(store(folder)).escalation is None


def test_history_folders_are_not_read_as_records(folder: Path):
    assert (folder / ".history" / "audit").is_dir()
    report = build_report(store(folder))
    assert report.records.problems == []
    assert len(report.records.logs) == 1


def test_changes_between_two_dates_come_from_history(folder: Path):
    audit = build_report(store(folder)).records.audit
    changed = audit.model_copy(deep=True)
    changed.ratings["ethos.3"] = IndicatorRating(rating=3, note="New calm room")
    store(folder, dt.datetime(2026, 6, 1, tzinfo=dt.timezone.utc)).save(changed, "audit.json")
    report = build_report(store(folder), since=dt.date(2026, 5, 1))
    rows = [(name, c.field, c.before, c.after) for name, c in report.record_changes]
    assert ("Self-audit", 'ratings["ethos.3"].rating', 1, 3) in rows
    page = parse(to_html(report))
    assert ("h3", "Changes to the records since 1 May 2026") in page.headings
    # Governors read where and what changed in words, never the file's own field names or ids.
    assert "Ethos and environment, indicator 3: note" in page.cells
    assert "Ethos and environment, indicator 3: rating" in page.cells
    assert not [cell for cell in page.cells if re.search(r'ethos\.3|\["|ratings', cell)]


def test_no_audit_is_a_clear_error(tmp_path: Path):
    with pytest.raises(RecordError, match="holds no self-audit record"):
        build_report(store(tmp_path))


def test_full_year_report_lists_all_evidence(tmp_path: Path):
    folder = write_sample_year(tmp_path / "records", actions=40, evidence=100)
    report = build_report(store(folder))
    assert report.records.plan is not None and len(report.records.plan.actions) == 40
    assert len(report.records.logs) == 3
    assert report.records.evidence.count() == 100
    assert len(report.priorities) == 5
    document = docx.Document(io.BytesIO(to_docx(report)))
    evidence_rows = sum(
        len(t.rows) - 1 for t in document.tables if t.rows[0].cells[0].text == "Indicator"
    )
    assert evidence_rows == 100


def test_the_example_year_shows_a_lead_no_indicator_ids(tmp_path: Path):
    """The report a lead sees before saving a self-audit is the example year's: its actions say
    what the indicator says, never the indicator's id ("Action 2 for leadership.7: ...")."""
    folder = write_sample_year(tmp_path / "records", actions=12)
    report = build_report(store(folder))
    assert report.records.plan is not None
    shown = [action.what for action in report.records.plan.actions]
    ids = [i for i in FRAMEWORK.indicator_by_id if any(i in text for text in shown)]
    assert ids == [], shown


def test_cli_refuses_a_top_below_one(folder: Path, tmp_path: Path):
    result = subprocess.run(
        [
            str(BIN / "wholeschool"),
            "report",
            "governors",
            "--records",
            str(folder),
            "--out",
            str(tmp_path / "r.html"),
            "--top",
            "-1",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "-1 is not in the range 1<=x<=50" in result.stderr
    assert not (tmp_path / "r.html").exists()


def test_cli_writes_both_formats_and_refuses_other_names(folder: Path, tmp_path: Path):
    for name in ("governors.html", "governors.docx"):
        out = tmp_path / name
        result = subprocess.run(
            [
                str(BIN / "wholeschool"),
                "report",
                "governors",
                "--records",
                str(folder),
                "--out",
                str(out),
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        assert f"wrote {out}" in result.stdout
        assert out.stat().st_size > 10_000
    result = subprocess.run(
        [
            str(BIN / "wholeschool"),
            "report",
            "governors",
            "--records",
            str(folder),
            "--out",
            str(tmp_path / "r.pdf"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "must end in .docx or .html" in result.stderr
    assert not (tmp_path / "r.pdf").exists()


def test_records_or_sample_prefers_the_leads_own_audit(folder: Path, tmp_path: Path):
    own, is_sample = records_or_sample(store(folder))
    assert own.path == folder and not is_sample
    sample, is_sample = records_or_sample(store(tmp_path / "empty"), store(tmp_path / "sample"))
    assert is_sample and sample.path == tmp_path / "sample"
    assert not (tmp_path / "empty").exists()  # nothing written into the lead's folder
    assert build_report(sample).school.endswith("(example)")


def test_report_from_the_shared_fixture_records_reads_only(tmp_path: Path):
    """The widgets' own fixture records (audit, plan, two logs) make a report; nothing changes."""
    shared = Path(__file__).parent / "data" / "records"
    before = {p: p.read_bytes() for p in shared.rglob("*") if p.is_file()}
    report = build_report(store(shared))
    assert [s.source for s in report.snapshots][-2:] == ["progress", "progress"]
    assert report.previous is not None
    document = docx.Document(write_report(report, tmp_path / "shared.docx"))
    assert len(document.inline_shapes) == 2
    assert {p: p.read_bytes() for p in shared.rglob("*") if p.is_file()} == before
