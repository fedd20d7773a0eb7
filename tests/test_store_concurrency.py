"""Several writers at once lose nothing: processes updating one record, processes saving their
own records, and two forms of one kernel flushing together."""

from __future__ import annotations

import json
import multiprocessing
import threading
from pathlib import Path

import pytest
from strategies import CLOCK
from wholeschool import FRAMEWORK, AuditRecord, IndicatorRating
from wholeschool.store import RecordFolder

PROCESSES = 4
UPDATES = 25
INDICATORS = list(FRAMEWORK.indicator_by_id)


def _indicators_of(worker: int) -> list[str]:
    return INDICATORS[worker::PROCESSES]


def _updater(folder: str, worker: int) -> None:
    """Rate this worker's own indicators, one update at a time, merging into the shared audit."""
    store = RecordFolder(folder, clock=CLOCK)
    mine = _indicators_of(worker)
    for step in range(UPDATES):
        key = mine[step % len(mine)]

        def change(current: AuditRecord | None, key: str = key, step: int = step) -> AuditRecord:
            ratings = dict(current.ratings) if current else {}
            ratings[key] = IndicatorRating(rating=step % 5, note=f"worker {worker} step {step}")
            return AuditRecord(
                school="Oak",
                framework_version=FRAMEWORK.version,
                date=CLOCK().date(),
                ratings=ratings,
            )

        store.update("audit.json", AuditRecord, change)


def _saver(folder: str, worker: int) -> None:
    store = RecordFolder(folder, clock=CLOCK)
    for step in range(UPDATES):
        record = AuditRecord(
            school=f"School {worker}",
            framework_version=FRAMEWORK.version,
            date=CLOCK().date(),
            ratings={INDICATORS[0]: IndicatorRating(rating=step % 5, note=str(step))},
        )
        store.save(record, f"audit-{worker}.json")


def _run(target, folder: Path) -> None:
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=target, args=(str(folder), n)) for n in range(PROCESSES)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
        assert worker.exitcode == 0


def _check_history(folder: RecordFolder, name: str) -> list[int]:
    numbers = [v.number for v in folder.versions(name)]
    assert numbers == list(range(1, len(numbers) + 1)), "unique, gapless version numbers"
    for version in folder.versions(name):
        folder.read_version(version)  # every version is a valid record
    return numbers


def test_processes_updating_one_record_lose_nothing(tmp_path: Path):
    _run(_updater, tmp_path)
    folder = RecordFolder(tmp_path, clock=CLOCK)
    final = folder.read("audit.json", AuditRecord)
    for worker in range(PROCESSES):
        mine = _indicators_of(worker)
        for step in range(UPDATES - len(mine), UPDATES):  # each indicator's last update
            key = mine[step % len(mine)]
            assert final.ratings[key].note == f"worker {worker} step {step}", key
    numbers = _check_history(folder, "audit.json")
    assert len(numbers) == PROCESSES * UPDATES  # every update changed the record: one version each
    assert not list(tmp_path.rglob("*.tmp"))


def test_processes_saving_their_own_records_do_not_disturb_each_other(tmp_path: Path):
    _run(_saver, tmp_path)
    folder = RecordFolder(tmp_path, clock=CLOCK)
    for worker in range(PROCESSES):
        record = folder.read(f"audit-{worker}.json", AuditRecord)
        assert record.school == f"School {worker}"
        assert record.ratings[INDICATORS[0]].note == str(UPDATES - 1)
        assert len(_check_history(folder, f"audit-{worker}.json")) == UPDATES
    assert not list(tmp_path.rglob("*.tmp"))


@pytest.mark.parametrize("rounds", [5])
def test_two_forms_in_one_kernel_flushing_together_keep_both(tmp_path: Path, rounds: int):
    from wholeschool.ui.audit_form import audit

    folder = RecordFolder(tmp_path, clock=CLOCK)
    for n in range(rounds):
        first = audit("leadership", folder, delay=60, evidence=False)
        second = audit("ethos", folder, delay=60, evidence=False)
        first.rows["leadership.1"].rating.value = n % 5
        second.rows["ethos.1"].rating.value = (n + 1) % 5
        threads = [threading.Thread(target=form.flush) for form in (first, second)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        saved = json.loads(folder.file("audit.json").read_text())["ratings"]
        assert saved["leadership.1"]["rating"] == n % 5
        assert saved["ethos.1"]["rating"] == (n + 1) % 5
        assert first.error is None and second.error is None


ROUNDS = 12


def _filer(folder: str, worker: int, barrier) -> None:
    """File this term's log in each round's folder at the same moment as the other worker."""
    from wholeschool.core.errors import RecordError
    from wholeschool.store.logs import file_log, new_log

    for round_ in range(ROUNDS):
        store = RecordFolder(Path(folder) / str(round_), clock=CLOCK)
        log = new_log(store, "Oak", done=f"worker {worker}")
        barrier.wait(timeout=60)
        try:
            file_log(store, log)
        except RecordError as error:
            assert "there is already a progress log" in error.problem, error
        else:
            (Path(folder) / str(round_) / f"won-{worker}").touch()


def test_two_processes_filing_the_same_term_keep_exactly_one_log(tmp_path: Path):
    """The check for an earlier log of the term and the save happen under one lock hold."""
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(2)
    workers = [context.Process(target=_filer, args=(str(tmp_path), n, barrier)) for n in (0, 1)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=300)
        assert worker.exitcode == 0
    for round_ in range(ROUNDS):
        place = tmp_path / str(round_)
        winners = sorted(p.name for p in place.glob("won-*"))
        assert len(winners) == 1, f"round {round_}: {winners} both filed; one log was lost"
        (log,) = [p for p in place.glob("progress-*.json")]
        store = RecordFolder(place, clock=CLOCK)
        assert store.read(log.name).done == f"worker {winners[0][-1]}"
        assert len(store.versions(log.name)) == 1, "never written over"
