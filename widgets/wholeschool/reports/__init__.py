"""Reports built from a records folder: each builds a document (blocks) once, then writes it
in every format through :mod:`wholeschool.render`.

* :mod:`.governors` – the report to the governing board;
* :mod:`.progress` – the termly progress summary;
* :mod:`.plan_export` – the action plan as CSV, Excel, Markdown and Word.
"""
