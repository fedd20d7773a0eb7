"""Read a records folder for a report: the current record of each kind, and the files left out.

Which record is current is the store's rule (:mod:`wholeschool.store.current`). A folder must
hold one school's records: a report that silently mixed two schools would mislead governors,
so several school labels are an error unless one is chosen.
"""

from __future__ import annotations

import os

from ..core.errors import RecordError
from ..store import RecordFolder
from ..store.current import Records, current_records

__all__ = ["Records", "read_records"]


def read_records(
    folder: RecordFolder | str | os.PathLike[str], school: str | None = None
) -> Records:
    """Every record in ``folder`` (for ``school``, if given); bad files go to ``problems``."""
    if not isinstance(folder, RecordFolder):
        folder = RecordFolder(folder)
    if not folder.path.is_dir():
        raise RecordError(folder.path, None, "is not a folder of records")
    loaded = folder.scan()
    schools = sorted({item.record.school for item in loaded if item.record is not None})
    if school is not None and school not in schools:
        raise RecordError(
            folder.path,
            "school",
            f"holds no records for {school!r} (it has {', '.join(map(repr, schools)) or 'none'})",
        )
    if school is None and len(schools) > 1:
        raise RecordError(
            folder.path,
            "school",
            f"holds records of {len(schools)} schools ({', '.join(map(repr, schools))}); a "
            "report covers one school: choose one (--school on the command line)",
        )
    return current_records(folder, school=school, loaded=loaded)
