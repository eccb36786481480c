"""Size limits for uploaded and imported files: one place, read by the importer, `cli.py import` and (by hand, the
same number) `server.maxUploadSize` in .streamlit/config.toml (tests/test_dataio_hostile.py checks they agree).

The formats we read are small: the template has 3 + years + 2 columns, the long table and the export at most 12.
Anything far bigger is a mistake or an attack (a sparse "bomb" sheet whose rows each hold one cell in column XFD)
and is refused before any row is read. The bounds of entered values (text lengths, report dates) are the store's:
store/limits.py."""
from __future__ import annotations

MAX_UPLOAD_MB = 20                      # server.maxUploadSize in .streamlit/config.toml (megabytes)
MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 1024 * 1024
MAX_ROWS = 50_000                       # rows per sheet (or CSV file), header included
MAX_COLUMNS = 64                        # columns per sheet: only these are ever read
MAX_UNPACKED_BYTES = 100 * 1024 * 1024  # the workbook's XML once unzipped (a zip bomb stops here)


def size_text(n_bytes: int) -> str:
    """A file size for messages: '25.3 MB', '812 KB'."""
    return f"{n_bytes / 1024 / 1024:.1f} MB" if n_bytes >= 1024 * 1024 else f"{max(1, round(n_bytes / 1024))} KB"
