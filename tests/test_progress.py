"""Progress logs: term rules, one log per term, the widget, charts and the summary export."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import docx
import pytest
from dates_shown import other_date_styles
from hypothesis import given
from hypothesis import strategies as st
from wholeschool import FRAMEWORK, RecordError
from wholeschool.core.clock import fixed_clock
from wholeschool.core.records import IndicatorRating, ProgressLog
from wholeschool.core.scoring import principle_scores
from wholeschool.core.terms import Term, academic_year_label, academic_year_start, term_of
from wholeschool.reports.progress import Progress, export_summary
from wholeschool.reports.timeline import WHOLE
from wholeschool.store import RecordFolder
from wholeschool.store.logs import file_log, new_log, scan_logs
from wholeschool.ui.outputs import progress_charts
from wholeschool.ui.progress_form import progress_log as open_log

RECORDS = Path(__file__).parent / "data" / "records"
PRINCIPLES = list(FRAMEWORK.principle_by_id)
TODAY = dt.date(2027, 8, 31)
CLOCK = fixed_clock(TODAY)
#: The fixture audit's leadership score once migrated to framework 2.0 (see below).
LEADERSHIP_BASELINE = (2 + 1 + 1 + 3 + 2 + 2 + 2 + 2) / 8


def store(folder: Path, today: dt.date = TODAY) -> RecordFolder:
    return RecordFolder(folder, clock=fixed_clock(today))


def load_record(path: Path, expected=ProgressLog):
    return store(path.parent).read(path.name, expected)


def progress_log(folder: Path, day: dt.date, **kwargs):
    return open_log(store(folder), day, **kwargs)


def rated(**by_indicator: int) -> dict[str, IndicatorRating]:
    return {
        k.replace("_", ".", 1).replace("_", "-"): IndicatorRating(rating=v)
        for k, v in by_indicator.items()
    }


# --- terms ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "name", "year"),
    [
        ("2026-08-31", "summer", "2025-26"),
        ("2026-09-01", "autumn", "2026-27"),
        ("2026-12-31", "autumn", "2026-27"),
        ("2027-01-01", "spring", "2026-27"),
        ("2027-03-31", "spring", "2026-27"),
        ("2027-04-01", "summer", "2026-27"),
        ("2000-02-29", "spring", "1999-00"),
    ],
)
def test_term_boundaries(day: str, name: str, year: str):
    term = term_of(dt.date.fromisoformat(day))
    assert (term.name, term.academic_year) == (name, year)


@given(st.dates(dt.date(1990, 1, 1), dt.date(2200, 1, 1)))
def test_property_every_day_is_in_exactly_one_term_and_terms_follow_on(day: dt.date):
    term = term_of(day)
    assert term.first_day <= day <= term.last_day
    assert term_of(term.first_day) == term == term_of(term.last_day)
    following = term_of(term.last_day + dt.timedelta(days=1))
    assert following > term
    assert following == (
        Term(term.start_year, term.index + 1) if term.index < 2 else Term(term.start_year + 1, 0)
    )


def test_academic_year_labels():
    assert academic_year_label(2026) == "2026-27"
    assert academic_year_label(1999) == "1999-00"
    assert academic_year_start("2026-27") == 2026
    for bad in ("2026-28", "2026/27", "26-27", "2026-2027"):
        with pytest.raises(ValueError, match="should look like 2026-27"):
            academic_year_start(bad)
    with pytest.raises(ValueError, match="unknown term 'winter'"):
        Term.of("2026-27", "winter")


# --- one log per term -------------------------------------------------------------------------


def log_on(folder: Path, day: str, **fields) -> ProgressLog:
    return new_log(store(folder), "Oak Hill Primary", dt.date.fromisoformat(day), **fields)


def files_of(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))


def test_second_log_in_a_term_is_refused_and_the_first_kept(tmp_path: Path):
    first = file_log(
        store(tmp_path), log_on(tmp_path, "2026-10-01", indicator_ratings=rated(ethos_1=2))
    )
    assert first.name == "progress-2026-27-autumn.json"
    before = first.read_bytes()
    with pytest.raises(RecordError) as caught:
        file_log(
            store(tmp_path), log_on(tmp_path, "2026-12-31", indicator_ratings=rated(ethos_1=4))
        )
    assert caught.value.field == "term"
    assert "already a progress log for the autumn term of 2026-27" in caught.value.problem
    assert "progress-2026-27-autumn.json" in caught.value.problem
    assert first.read_bytes() == before
    assert files_of(tmp_path) == [first.name]


def test_three_logs_a_year_then_a_clear_refusal(tmp_path: Path):
    for day in ("2026-09-01", "2027-01-01", "2027-08-31"):
        file_log(store(tmp_path), log_on(tmp_path, day))
    assert [log.term for _p, log in scan_logs(store(tmp_path))[0]] == ["autumn", "spring", "summer"]
    files = {p: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}
    with pytest.raises(RecordError, match="All 3 logs for 2026-27 have been filed"):
        file_log(store(tmp_path), log_on(tmp_path, "2027-05-15"))
    assert {p: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()} == files
    # 1 September starts a new year.
    later = store(tmp_path, dt.date(2027, 9, 1))
    path = file_log(later, new_log(later, "Oak Hill Primary", dt.date(2027, 9, 1)))
    assert path.name == "progress-2027-28-autumn.json"


def test_a_renamed_log_still_counts_for_its_term(tmp_path: Path):
    file_log(store(tmp_path), log_on(tmp_path, "2026-10-01")).rename(
        tmp_path / "my-autumn-log.json"
    )
    with pytest.raises(RecordError, match=r"\(my-autumn-log.json\)"):
        file_log(store(tmp_path), log_on(tmp_path, "2026-11-01"))


def test_future_log_is_refused(tmp_path: Path):
    with pytest.raises(RecordError, match="2027-09-05 is in the future"):
        file_log(store(tmp_path), log_on(tmp_path, "2027-09-05"))
    assert files_of(tmp_path) == []


@pytest.mark.parametrize(
    ("change", "field", "problem"),
    [
        (
            {"date": "2026-09-01"},
            "date",
            "2026-09-01 falls in the autumn term of 2026-27, not the spring term of 2025-26",
        ),
        ({"academic_year": "2025-27"}, "academic_year", "should look like 2026-27"),
        ({"term": "winter"}, "term", "'autumn', 'spring' or 'summer'"),
        ({"ratings": {"leadership": 5}}, "ratings.leadership", "rating 5 is outside 0–4"),
        (
            {"indicator_ratings": {"ethos.1": {"rating": 7}}},
            'indicator_ratings["ethos.1"].rating',
            "rating 7 is outside 0–4",
        ),
        ({"ratings": {"wellbeing": 1}}, "ratings.wellbeing", "unknown principle 'wellbeing'"),
        ({"pupil_names": "x"}, "pupil_names", "records never hold pupil data"),
    ],
)
def test_hand_edited_log_is_reported_by_field(tmp_path: Path, change, field, problem):
    data = json.loads((RECORDS / "progress-2025-26-spring.json").read_text(encoding="utf-8"))
    data.update(change)
    path = tmp_path / "progress-2025-26-spring.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    before = path.read_bytes()
    with pytest.raises(RecordError) as caught:
        load_record(path, ProgressLog)
    assert (caught.value.field, str(caught.value.path)) == (field, str(path))
    assert problem in caught.value.problem
    assert path.read_bytes() == before


# --- the widget -----------------------------------------------------------------------------


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    for path in RECORDS.glob("*.json"):
        shutil.copy(path, tmp_path)
    return tmp_path


def test_form_files_a_new_log_on_first_change_and_updates_it_after(folder: Path):
    form = progress_log(folder, dt.date(2026, 5, 4), delay=0)
    assert (form.term.name, form.term.academic_year) == ("summer", "2025-26")
    target = folder / "progress-2025-26-summer.json"
    assert not target.exists()
    # a new log starts from the latest indicator ratings: the audit's (the older logs rated
    # whole principles only)
    assert form.ratings["leadership.1"].value == 2
    form.ratings["leadership.2"].value = 3
    log = load_record(target)
    assert log.rated()["leadership.2"] == 3
    assert log.rated()["leadership.1"] == 2  # carried from the audit
    form.texts["done"].value = "Termly survey done."
    log = load_record(target)
    assert (log.done, log.term, log.date) == ("Termly survey done.", "summer", dt.date(2026, 5, 4))
    assert "Saved" in form.status.value
    assert all(c.description for c in [*form.ratings.values(), *form.texts.values()])


def test_form_reopens_this_terms_log(tmp_path: Path):
    day = dt.date(2027, 2, 1)
    log = new_log(
        store(tmp_path), "Oak", day, indicator_ratings=rated(ethos_2=3), helped="Support team."
    )
    file_log(store(tmp_path), log)
    form = progress_log(tmp_path, day, delay=0)
    assert form.filed and form.path.name == "progress-2026-27-spring.json"
    assert form.ratings["ethos.2"].value == 3
    assert form.texts["helped"].value == "Support team."
    form.texts["helped"].value = "The support team."
    assert load_record(form.path).helped == "The support team."
    assert load_record(form.path).rated() == {"ethos.2": 3}


def test_two_forms_racing_for_one_term_keep_the_first(tmp_path: Path):
    first = progress_log(tmp_path, dt.date(2026, 10, 1), delay=0)
    second = progress_log(tmp_path, dt.date(2026, 10, 2), delay=0)
    first.ratings["ethos.1"].value = 2
    before = first.path.read_bytes()
    second.ratings["ethos.1"].value = 4
    assert first.path.read_bytes() == before
    assert "already a progress log for the autumn term of 2026-27" in second.error
    assert "Not saved" in second.status.value


def test_form_with_a_bad_log_for_this_term_never_overwrites_it(tmp_path: Path):
    path = tmp_path / "progress-2026-27-autumn.json"
    path.write_text('{"kind": "progress"', encoding="utf-8")
    form = progress_log(tmp_path, dt.date(2026, 10, 1), delay=0)
    assert "is not valid JSON" in form.status.value
    form.ratings["ethos.1"].value = 1
    assert path.read_text(encoding="utf-8") == '{"kind": "progress"'
    assert str(path) in form.error


def test_debounced_form_saves_on_flush(tmp_path: Path):
    form = progress_log(tmp_path, dt.date(2026, 10, 1), delay=30)
    form.ratings["ethos.1"].value = 1
    assert not form.path.exists()
    form.flush()
    assert load_record(form.path).rated() == {"ethos.1": 1}


# --- charts and summary: like with like -----------------------------------------------------


def test_baseline_is_the_mean_of_rated_indicators():
    audit = load_record(RECORDS / "audit.json", expected=type(None).__mro__[0]) if False else None
    from wholeschool import AuditRecord

    audit = store(RECORDS).read("audit.json", AuditRecord)
    scores = principle_scores(audit.rated(), FRAMEWORK)
    # The fixture is a framework 1.0 audit: leadership.1 (2) now counts for leadership.1, .6
    # and .7, and leadership.5 (2) for .5 and .8, beside .2 (1), .3 (1) and .4 (3).
    assert scores["leadership"] == pytest.approx(LEADERSHIP_BASELINE)
    # targeted-support.3 (4) became the gate's answer; .4 (1) counts for .4 and .6.
    assert scores["targeted-support"] == pytest.approx((2 + 3 + 1 + 1) / 4)  # .5 unrated
    assert principle_scores({}, FRAMEWORK) == dict.fromkeys(PRINCIPLES)


def test_a_log_that_re_rates_indicators_is_scored_like_the_audit(tmp_path: Path):
    day = dt.date(2027, 2, 1)
    log = new_log(store(tmp_path), "Oak", day, indicator_ratings=rated(ethos_1=1, ethos_2=4))
    file_log(store(tmp_path), log)
    (point,) = Progress(store(tmp_path)).points
    assert point.scores["ethos"] == pytest.approx(2.5)
    assert not point.marked("ethos")


def test_older_whole_principle_logs_are_kept_and_marked(folder: Path):
    progress = Progress(store(folder))
    baseline, autumn, spring = progress.points
    assert baseline.scores["leadership"] == pytest.approx(LEADERSHIP_BASELINE)
    assert not baseline.marked("leadership")
    assert (autumn.scores["leadership"], autumn.basis["leadership"]) == (2, WHOLE)
    assert spring.scores["leadership"] == 3 and spring.marked("leadership")


def test_radar_plots_baseline_and_latest_point(folder: Path):
    progress = Progress(store(folder))
    figure = progress.radar()
    lines = figure.axes[0].get_lines()
    assert [line.get_label() for line in lines] == ["Baseline audit", "Now (Spring 2025-26)"]
    latest = progress.logs[-1]
    assert list(lines[1].get_ydata())[:-1] == [latest.ratings[p] for p in PRINCIPLES]
    assert list(lines[0].get_ydata())[:-1] == pytest.approx(
        [progress.points[0].scores[p] or 0 for p in PRINCIPLES]
    )


def test_trend_has_a_panel_per_principle_across_terms(folder: Path):
    figure = Progress(store(folder)).trend()
    visible = [a for a in figure.axes if a.get_visible()]
    assert [a.get_title().replace("\n", " ") for a in visible] == [
        p.short_name for p in FRAMEWORK.principles
    ]
    assert list(visible[0].get_lines()[0].get_ydata()) == pytest.approx([LEADERSHIP_BASELINE, 2, 3])
    assert [t.get_text() for t in visible[-1].get_xticklabels()] == [
        "Baseline",
        "Autumn 2025-26",
        "Spring 2025-26",
    ]


def test_summary_exports_say_what_is_compared(folder: Path, tmp_path_factory):
    out = tmp_path_factory.mktemp("summary")
    written = export_summary(store(folder), out)
    assert set(written) == {
        "progress-summary.md",
        "progress-summary.html",
        "progress-summary.docx",
        "progress-chart-1.png",
        "progress-chart-2.png",
    }
    md = written["progress-summary.md"].read_text(encoding="utf-8")
    # 1.875 shows as 1.9 (halves up) and stands for Developing (the nearest level)
    assert (
        "| Leadership and management | 1.9 Developing | 2.0\\* Developing | 3.0\\* Established |"
        in md
    )
    assert "What is compared." in md and "mean of the ratings" in md
    assert "## What got in the way?" in md
    assert written["progress-chart-1.png"].read_bytes().startswith(b"\x89PNG")
    page = written["progress-summary.html"].read_text(encoding="utf-8")
    assert page.count("data:image/png;base64,") == 2 and "<table>" in page
    document = docx.Document(str(written["progress-summary.docx"]))
    assert document.paragraphs[0].text == "Progress summary: Example Academy"
    table = document.tables[0]
    assert len(table.rows) == 1 + len(PRINCIPLES)
    assert [c.text for c in table.rows[0].cells] == [
        "Principle",
        "Baseline",
        "Autumn 2025-26",
        "Spring 2025-26",
    ]
    assert len(document.inline_shapes) == 2
    # one style of date for people (the baseline's and the latest log's), in all three files
    word = "\n".join(p.text for p in document.paragraphs)
    for name, text in (("Markdown", md), ("web page", page), ("Word", word)):
        assert other_date_styles(text) == [], name
        assert "filed " in text and "the self-audit of " in text, name


def test_typed_markup_is_escaped_in_the_summary(tmp_path: Path):
    day = dt.date(2027, 2, 1)
    log = new_log(
        store(tmp_path),
        "Oak <b>Hill</b>",
        day,
        indicator_ratings=rated(ethos_1=1),
        done='<script>alert(1)</script><img src=x onerror="alert(2)"> [click](javascript:alert(3))',
    )
    file_log(store(tmp_path), log)
    written = export_summary(store(tmp_path), tmp_path / "out", formats=("md", "html"))
    page = written["progress-summary.html"].read_text(encoding="utf-8")
    assert "<script>" not in page and "<img src=x" not in page and 'href="javascript' not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Oak &lt;b&gt;Hill&lt;/b&gt;" in page


def test_nothing_to_chart_or_summarise(tmp_path: Path):
    assert "nothing to chart yet" in progress_charts(store(tmp_path)).value
    assert export_summary(store(tmp_path)) == {}
    assert list(tmp_path.iterdir()) == []


def test_bad_log_is_left_out_of_charts_and_reported(folder: Path):
    (folder / "progress-2026-27-autumn.json").write_text("{}", encoding="utf-8")
    progress = Progress(store(folder))
    assert len(progress.logs) == 2
    assert [e.field for e in progress.errors] == ["kind"]


def test_the_log_asks_the_safeguarding_route_again_and_escalates(tmp_path: Path):
    gate = FRAMEWORK.gate
    form = progress_log(tmp_path, dt.date(2027, 2, 1), delay=0)
    not_in_place = next(a.id for a in gate.answers if gate.escalates(a.id))
    form.gate.answer.value = not_in_place
    assert "Act now." in form.gate.escalation.value
    assert load_record(form.path).gate == not_in_place
    form.gate.answer.value = gate.in_place
    assert form.gate.escalation.value == ""
    assert load_record(form.path).gate == gate.in_place


def test_editing_the_text_of_a_framework_1_log_keeps_its_ratings_notes_and_gate(tmp_path: Path):
    data = json.loads((RECORDS / "progress-2025-26-spring.json").read_text())
    data["indicator_ratings"] = {
        "targeted-support.3": {"rating": 4},
        "ethos.1": {"rating": 2, "note": "Kept note"},
    }
    name = "progress-2025-26-spring.json"
    (tmp_path / name).write_text(json.dumps(data), encoding="utf-8")
    day = dt.date(2026, 3, 25)
    folder = RecordFolder(tmp_path, clock=fixed_clock(day))
    before = folder.read(name, ProgressLog)
    assert before.ratings and before.gate == FRAMEWORK.gate.in_place
    form = open_log(folder, day, delay=0)
    form.texts["done"].value = "Only the text changed."
    assert form.error is None
    after = folder.read(name, ProgressLog)
    assert after.done == "Only the text changed."
    assert after.ratings == before.ratings, "the whole-principle ratings are kept"
    assert after.gate == before.gate
    assert after.indicator_ratings == before.indicator_ratings, "ratings keep their notes"
