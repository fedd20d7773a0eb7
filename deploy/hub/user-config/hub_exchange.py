"""nbgrader's exchange on the course hub: collect and feedback that one lead cannot spoil
(configured in nbgrader_config.py beside this file).

* A submission is collected only when its folder in ``inbound/`` belongs to the Unix account of
  the student it names; any other is refused with one line and never graded (nbgrader itself
  only warns, so a lead could submit in another lead's name).
* Fetching leaves a receipt in the course's ``fetched/`` folder (write-only for leads, as
  ``inbound/``), so the trainer's cohort page can say who fetched; it names the lead and is
  counted only when the lead's own account made it. Release also makes ``shared-audits/``,
  where a lead who chooses to share their audit summary puts it.
* One student's broken submission or feedback (a file the trainer cannot read, a missing
  ``submission_secret.txt``) is reported in one line and skipped; the others go on.
"""

from __future__ import annotations

import glob
import os
import pwd
import re
import secrets
import shutil
import stat

from nbgrader.exchange.default.collect import ExchangeCollect
from nbgrader.exchange.default.fetch_assignment import ExchangeFetchAssignment
from nbgrader.exchange.default.release_assignment import ExchangeReleaseAssignment
from nbgrader.exchange.default.release_feedback import ExchangeReleaseFeedback
from nbgrader.utils import get_username, notebook_hash

#: The course's folders leads leave things in for the trainer's cohort page: fetch receipts,
#: and the audit summaries leads chose to share (wholeschool.store.sharing).
DROPBOXES = ("fetched", "shared-audits")
#: Write-only for leads, never listed by them; only a file's maker or the trainer removes it.
DROPBOX_MODE = stat.S_ISVTX | 0o733


def owner_name(path: str) -> str:
    """The Unix account that owns ``path`` (its number if it has no name)."""
    uid = os.lstat(path).st_uid
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def one_line(text: object) -> str:
    """``text`` on one line, without control characters (it is printed in a terminal)."""
    return re.sub(r"[\x00-\x1f\x7f]+", " ", str(text)).strip()


class OwnedCollect(ExchangeCollect):
    """nbgrader's collect, refusing submissions not owned by the student they name."""

    def init_src(self):
        super().init_src()
        inbound = self.inbound_path
        pattern = os.path.join(
            inbound,
            "{}+{}+*".format(self.coursedir.student_id or "*", self.coursedir.assignment_id),
        )
        owned, self.refused = [], []
        for path in glob.glob(pattern):
            record = self._path_to_record(path)
            if owner_name(path) == record["username"]:
                owned.append(record)
            else:
                self.refused.append((record["username"], owner_name(path)))
        # The newest submission of each student among their own (a forged newer one in their
        # name never hides their real one).
        latest: dict[str, dict] = {}
        for record in self._sort_by_timestamp(owned):
            latest.setdefault(record["username"], record)
        self.src_records = list(latest.values())

    def copy_files(self):
        for student, owner in self.refused:
            self.log.error(
                one_line(
                    f"Refused a submission in {student}'s name: it belongs to {owner}, "
                    f"not {student}; it was not collected"
                )
            )
        records = self.src_records
        try:
            for record in records:
                self.src_records = [record]
                try:
                    super().copy_files()
                except Exception as error:  # one student's broken submission stops no other
                    self.log.error(
                        one_line(f"Could not collect {record['username']}'s submission: {error}")
                    )
        finally:
            self.src_records = records


class OneByOneReleaseFeedback(ExchangeReleaseFeedback):
    """nbgrader's release_feedback, one student at a time: a broken one is reported and
    skipped."""

    def copy_files(self):
        exclude = set(filter(None, (self.coursedir.student_id_exclude or "").split(",")))
        for html_file in sorted(glob.glob(os.path.join(self.src_path, "*.html"))):
            feedback_dir = os.path.dirname(html_file)
            student_id = os.path.basename(os.path.dirname(feedback_dir))
            notebook_id = os.path.splitext(os.path.basename(html_file))[0]
            if student_id in exclude:
                continue
            try:
                with open(os.path.join(feedback_dir, "submission_secret.txt")) as fh:
                    secret = fh.read()
                checksum = notebook_hash(secret=secret, notebook_id=notebook_id)
                temporary = os.path.join(self.dest_path, f"{checksum}-tmp.html")
                shutil.copy(html_file, temporary)
                shutil.move(temporary, os.path.join(self.dest_path, f"{checksum}.html"))
                self.log.info("Feedback released for student '%s' (%s)", student_id, notebook_id)
            except Exception as error:
                self.log.error(
                    one_line(
                        f"Feedback for {student_id} ({notebook_id}) not released: {error}; "
                        "the others' was"
                    )
                )


class ReleaseWithReceipts(ExchangeReleaseAssignment):
    """nbgrader's release, also making the course's folders of fetch receipts and shared
    audit summaries."""

    def init_dest(self):
        super().init_dest()
        for name in DROPBOXES:
            folder = os.path.join(self.course_path, name)
            os.makedirs(folder, exist_ok=True)
            os.chmod(folder, DROPBOX_MODE)


class FetchWithReceipt(ExchangeFetchAssignment):
    """nbgrader's fetch, then an empty receipt ``<lead>+<assignment>+<random>`` for the
    trainer's cohort page (a missing receipt folder never stops a fetch)."""

    def copy_files(self):
        super().copy_files()
        student = self.coursedir.student_id
        if student in ("", "*"):
            student = get_username()
        name = f"{student}+{self.coursedir.assignment_id}+{secrets.token_hex(8)}"
        try:
            os.close(
                os.open(
                    os.path.join(self.course_path, DROPBOXES[0], name),
                    os.O_WRONLY | os.O_CREAT | os.O_EXCL,
                    0o600,
                )
            )
        except OSError as error:
            self.log.warning(one_line(f"The trainer will not see this fetch: {error}"))
