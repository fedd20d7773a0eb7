"""A lead's choice to share their audit summary with the trainer: the records app's tick box
writes only the principle means, with consent, where the trainer reads them; unticking takes
it back; the trainer's page shows the weakest principles only from three leads on, and only
files each lead's own account made."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from helpers import ROOT
from wholeschool.core.shared_summary import SharedSummary
from wholeschool.grading.cohort_page import cohort_page_html
from wholeschool.grading.cohort_status import CohortStatus, shared_principles
from wholeschool.store import RecordFolder
from wholeschool.store.sharing import REMEMBERED, SharingError, share_summary
from wholeschool.ui.records_form import SHARE_LABEL, records_panel, sharing_box

AUDIT = ROOT / "tests" / "data" / "records" / "audit.json"


def lead_folder(tmp_path: Path, lead: str) -> RecordFolder:
    folder = tmp_path / "homes" / lead
    folder.mkdir(parents=True)
    shutil.copy(AUDIT, folder / "audit.json")
    return RecordFolder(folder)


@pytest.fixture
def outbox(tmp_path: Path) -> Path:
    folder = tmp_path / "exchange" / "wholeschool-smhl" / "shared-audits"
    folder.mkdir(parents=True)
    return folder


def test_ticking_shares_only_the_principle_means_and_unticking_takes_it_back(
    tmp_path: Path, outbox: Path
) -> None:
    folder = lead_folder(tmp_path, "lead-a")
    box = sharing_box(folder, outbox, "lead-a")
    choice = box.children[1]
    assert choice.description == SHARE_LABEL and choice.value is False
    choice.value = True
    (shared,) = outbox.iterdir()
    assert shared.name.startswith("lead-a+audit-summary+")
    data = json.loads(shared.read_text(encoding="utf-8"))
    assert set(data) == {"consent", "shared_on", "framework_version", "principles"}
    assert data["consent"] is True
    # The mean of the leadership ratings of the audit as the course reads it (brought up to
    # this framework's version), nothing else.
    audit = folder.scan()[0].record
    leadership = [v for k, v in audit.rated().items() if k.startswith("leadership.")]
    assert data["principles"]["leadership"] == round(sum(leadership) / len(leadership), 2)
    text = shared.read_text(encoding="utf-8")
    assert "Example Academy" not in text and "Governors hear" not in text
    assert oct(shared.stat().st_mode & 0o777) == oct(0o644)
    assert "Shared" in box.children[2].value
    again = sharing_box(folder, outbox, "lead-a").children[1]
    assert again.value is True  # the app remembers the choice
    again.value = True  # sharing again replaces the earlier summary
    choice.value = False
    assert list(outbox.iterdir()) == [] and not (folder.path / REMEMBERED).exists()
    assert "Not shared" in box.children[2].value


def test_sharing_needs_an_audit_and_an_open_folder(tmp_path: Path, outbox: Path) -> None:
    empty = RecordFolder(tmp_path / "nothing")
    with pytest.raises(SharingError, match="Rate at least one indicator"):
        share_summary(empty, outbox, "lead-a")
    folder = lead_folder(tmp_path, "lead-a")
    with pytest.raises(SharingError, match="has not opened sharing yet"):
        share_summary(folder, tmp_path / "missing", "lead-a")
    box = sharing_box(folder, tmp_path / "missing", "lead-a")
    box.children[1].value = True
    assert box.children[1].value is False and "not opened sharing" in box.children[2].value


def test_the_records_app_offers_sharing_only_to_a_lead_on_the_hub(
    tmp_path: Path, outbox: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = lead_folder(tmp_path, "lead-a")
    # where, listing, download button, restore, outcome; on the hub, for a lead, sharing too
    assert len(records_panel(folder).children) == 5
    monkeypatch.setenv("WHOLESCHOOL_HUB_ROLE", "lead")
    monkeypatch.setenv("WHOLESCHOOL_EXCHANGE", str(outbox.parent.parent))
    monkeypatch.setenv("JUPYTERHUB_USER", "lead-a")
    panel = records_panel(folder)
    assert len(panel.children) == 6
    panel.children[-1].children[1].value = True
    assert [p.name.split("+")[0] for p in outbox.iterdir()] == ["lead-a"]
    monkeypatch.setenv("WHOLESCHOOL_HUB_ROLE", "trainer")
    assert len(records_panel(folder).children) == 5


def test_the_weakest_principles_need_three_leads_and_their_own_files(
    tmp_path: Path, outbox: Path
) -> None:
    for lead in ("lead-a", "lead-b"):
        share_summary(lead_folder(tmp_path, lead), outbox, lead)
    two = shared_principles(outbox)
    assert two.consented == 2 and two.weakest == ()
    page = cohort_page_html(CohortStatus((), (), (), (), two))
    assert "Needs consent from at least 3 leads" in page and "2 of the 3 needed" in page
    forged = share_summary(lead_folder(tmp_path, "lead-c"), outbox, "lead-c")
    os.chown(forged, 65534, 65534)  # made by another account than lead-c's
    assert shared_principles(outbox).consented == 2
    forged.unlink()
    (outbox / f"lead-d+audit-summary+{'0' * 16}.json").write_text("not json")
    refused = SharedSummary.model_construct(consent=False).model_dump_json()
    (outbox / f"lead-e+audit-summary+{'1' * 16}.json").write_text(refused)
    assert shared_principles(outbox).consented == 2  # neither counts
    share_summary(RecordFolder(tmp_path / "homes" / "lead-c"), outbox, "lead-c")
    three = shared_principles(outbox)
    assert three.consented == 3 and len(three.weakest) == 3
    means = [row.mean for row in three.weakest]
    assert means == sorted(means) and all(row.leads == 3 for row in three.weakest)
    page = cohort_page_html(CohortStatus((), (), (), (), three))
    assert "Needs consent" not in page and three.weakest[0].principle in page
