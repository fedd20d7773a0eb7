"""Documents (blocks) to files: HTML with Jinja2 (escaped), Word, CSV and Excel (formula-safe),
Markdown (escaped) and charts (matplotlib's object API). Each renderer makes bytes or text;
nothing here reads or writes records."""
