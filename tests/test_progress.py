"""Progress logs: term rules, one log per term, the widget, charts and the summary export."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import docx
import matplotlib
import pytest
from helpers import corrupt, load_corrupted
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wholeschool import FRAMEWORK, RecordError
from wholeschool.progress import (
    Progress,
    export_summary,
    file_log,
    new_log,
    principle_averages,
    progress_log,
    scan_logs,
    show_charts,
)
from wholeschool.records import ProgressLog
from wholeschool.storage import load_record, save_record
from wholeschool.terms import Term, academic_year_label, academic_year_start, term_of

matplotlib.use("Agg")

RECORDS = Path(__file__).parent / "data" / "records"
PRINCIPLES = list(FRAMEWORK.principle_by_id)
TODAY = dt.date(2027, 8, 31)


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


def log_on(day: str, **fields) -> ProgressLog:
    return new_log("Oak Hill Primary", dt.date.fromisoformat(day), **fields)


def test_second_log_in_a_term_is_refused_and_the_first_kept(tmp_path: Path):
    first = file_log(log_on("2026-10-01", ratings={"ethos": 2}), tmp_path, today=TODAY)
    assert first.name == "progress-2026-27-autumn.json"
    before = first.read_bytes()
    with pytest.raises(RecordError) as caught:
        file_log(log_on("2026-12-31", ratings={"ethos": 4}), tmp_path, today=TODAY)
    assert caught.value.field == "term"
    assert "already a progress log for the autumn term of 2026-27" in caught.value.problem
    assert "progress-2026-27-autumn.json" in caught.value.problem
    assert first.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == [first.name]


def test_three_logs_a_year_then_a_clear_refusal(tmp_path: Path):
    for day in ("2026-09-01", "2027-01-01", "2027-08-31"):
        file_log(log_on(day), tmp_path, today=TODAY)
    assert [log.term for _p, log in scan_logs(tmp_path)[0]] == ["autumn", "spring", "summer"]
    files = {p: p.read_bytes() for p in tmp_path.iterdir()}
    with pytest.raises(RecordError, match="All 3 logs for 2026-27 have been filed"):
        file_log(log_on("2027-05-15"), tmp_path, today=TODAY)
    assert {p: p.read_bytes() for p in tmp_path.iterdir()} == files
    # 1 September starts a new year.
    path = file_log(log_on("2027-09-01"), tmp_path, today=dt.date(2027, 9, 1))
    assert path.name == "progress-2027-28-autumn.json"


def test_a_renamed_log_still_counts_for_its_term(tmp_path: Path):
    file_log(log_on("2026-10-01"), tmp_path, today=TODAY).rename(tmp_path / "my-autumn-log.json")
    with pytest.raises(RecordError, match=r"\(my-autumn-log.json\)"):
        file_log(log_on("2026-11-01"), tmp_path, today=TODAY)


def test_future_log_is_refused(tmp_path: Path):
    with pytest.raises(RecordError, match="date: 2027-09-01 is in the future"):
        file_log(log_on("2027-09-01"), tmp_path, today=TODAY)
    assert list(tmp_path.iterdir()) == []


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
    assert "1.8" in form.children[2].children[1].value  # leadership baseline average shown
    form.ratings["leadership"].value = 3
    assert load_record(target, ProgressLog).ratings["leadership"] == 3
    form.texts["done"].value = "Termly survey done."
    log = load_record(target, ProgressLog)
    assert (log.done, log.term, log.date) == ("Termly survey done.", "summer", dt.date(2026, 5, 4))
    assert form.summary.value.startswith("1 of 8 principles rated")
    assert form.status.value.startswith("Saved at")
    assert all(c.description for c in [*form.ratings.values(), *form.texts.values()])


def test_form_reopens_this_terms_log(folder: Path):
    form = progress_log(folder, dt.date(2026, 2, 1), delay=0)
    assert form.filed and form.path.name == "progress-2025-26-spring.json"
    assert form.ratings["leadership"].value == 3
    assert form.texts["helped"].value == "Support from the local mental health support team."
    form.texts["helped"].value = "The support team."
    assert load_record(form.path, ProgressLog).helped == "The support team."
    assert load_record(form.path, ProgressLog).ratings["leadership"] == 3


def test_two_forms_racing_for_one_term_keep_the_first(tmp_path: Path):
    first = progress_log(tmp_path, dt.date(2026, 10, 1), delay=0)
    second = progress_log(tmp_path, dt.date(2026, 10, 2), delay=0)
    first.ratings["ethos"].value = 2
    before = first.path.read_bytes()
    second.ratings["ethos"].value = 4
    assert first.path.read_bytes() == before
    assert "already a progress log for the autumn term of 2026-27" in second.error
    assert "Not saved" in second.status.value


def test_form_with_a_bad_log_for_this_term_never_overwrites_it(tmp_path: Path):
    path = tmp_path / "progress-2026-27-autumn.json"
    path.write_text('{"kind": "progress"', encoding="utf-8")
    form = progress_log(tmp_path, dt.date(2026, 10, 1), delay=0)
    assert "is not valid JSON" in form.status.value
    form.ratings["ethos"].value = 1
    assert path.read_text(encoding="utf-8") == '{"kind": "progress"'
    assert str(path) in form.error


def test_debounced_form_saves_on_flush(tmp_path: Path):
    form = progress_log(tmp_path, dt.date(2026, 10, 1), delay=30)
    form.ratings["ethos"].value = 1
    assert not form.path.exists()
    form.flush()
    assert load_record(form.path, ProgressLog).ratings["ethos"] == 1


# --- charts and summary ---------------------------------------------------------------------


def test_baseline_is_the_average_of_rated_indicators():
    audit = load_record(RECORDS / "audit.json")
    averages = principle_averages(audit)
    assert averages["leadership"] == pytest.approx((2 + 1 + 1 + 3 + 2) / 5)
    assert averages["targeted-support"] == pytest.approx((2 + 3 + 4 + 1) / 4)  # one unrated
    assert principle_averages(None) == dict.fromkeys(PRINCIPLES)


def test_radar_plots_baseline_and_latest_log(folder: Path):
    progress = Progress(folder)
    figure = progress.radar()
    axes = figure.axes[0]
    lines = axes.get_lines()
    assert [line.get_label() for line in lines] == ["Baseline audit", "Now (Spring 2025-26)"]
    latest = progress.logs[-1]
    assert list(lines[1].get_ydata())[:-1] == [latest.ratings[p] for p in PRINCIPLES]
    assert list(lines[0].get_ydata())[:-1] == pytest.approx(
        [progress.baseline[p] for p in PRINCIPLES]
    )


def test_trend_has_a_panel_per_principle_across_terms(folder: Path):
    figure = Progress(folder).trend()
    visible = [a for a in figure.axes if a.get_visible()]
    assert [a.get_title().replace("\n", " ") for a in visible] == [
        p.short_name for p in FRAMEWORK.principles
    ]
    assert list(visible[0].get_lines()[0].get_ydata()) == pytest.approx([1.8, 2, 3])
    assert [t.get_text() for t in visible[-1].get_xticklabels()] == [
        "Baseline",
        "Autumn 2025-26",
        "Spring 2025-26",
    ]


def test_summary_exports(folder: Path, tmp_path_factory):
    out = tmp_path_factory.mktemp("summary")
    written = export_summary(folder, out)
    assert set(written) == {"md", "html", "docx"}
    md = written["md"].read_text(encoding="utf-8")
    assert "| Leadership and management | 1.8 | 2 Developing | 3 Established |" in md
    assert "## What got in the way?" in md
    assert (out / "progress-radar.png").read_bytes().startswith(b"\x89PNG")
    page = written["html"].read_text(encoding="utf-8")
    assert page.count("data:image/png;base64,") == 2 and "<table>" in page
    document = docx.Document(str(written["docx"]))
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


def test_nothing_to_chart_or_summarise(tmp_path: Path):
    assert "nothing to chart yet" in show_charts(tmp_path).data
    assert export_summary(tmp_path) == {}
    assert list(tmp_path.iterdir()) == []


def test_bad_log_is_left_out_of_charts_and_reported(folder: Path):
    (folder / "progress-2026-27-autumn.json").write_text("{}", encoding="utf-8")
    progress = Progress(folder)
    assert len(progress.logs) == 2
    assert [e.field for e in progress.errors] == ["kind"]


# --- properties -----------------------------------------------------------------------------

note = st.text(max_size=100)
logs = st.builds(
    lambda school, day, ratings, done, helped, hindered, steps: new_log(
        school, day, ratings=ratings, done=done, helped=helped, hindered=hindered, next_steps=steps
    ),
    school=st.text(min_size=1, max_size=80).map(str.strip).filter(bool),
    day=st.dates(dt.date(2000, 1, 1), dt.date(2100, 1, 1)),
    ratings=st.dictionaries(
        st.sampled_from(PRINCIPLES), st.one_of(st.none(), st.integers(0, FRAMEWORK.max_rating))
    ),
    done=note,
    helped=note,
    hindered=note,
    steps=note,
)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(log=logs)
def test_property_log_round_trip(tmp_path: Path, log: ProgressLog):
    path = save_record(log, tmp_path / "log.json")
    assert load_record(path, ProgressLog) == log


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(log=logs, data=st.data())
def test_property_log_corruption_is_caught_and_file_kept(tmp_path: Path, log: ProgressLog, data):
    raw = corrupt(log.model_dump_json(indent=2) + "\n", data)
    loaded = load_corrupted(tmp_path / "log.json", raw)
    if loaded is not None:
        # A change can leave a valid log (a letter of a note): it must then still be consistent.
        assert isinstance(loaded, ProgressLog)
        assert loaded.term_key == term_of(loaded.date)
