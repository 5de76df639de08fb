"""Reading a CSV table of text: the one way stpgeo opens population, deprivation and
practice files, with one message for a missing or unreadable file.

Examples
--------
>>> import io
>>> read_text_table(io.StringIO("code,n\\nE01000001, 5\\n"), what="population",
...                 fix="give a CSV").to_dict("records")
[{'code': 'E01000001', 'n': ' 5'}]
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO, Any

import pandas as pd

from stpgeo.errors import StpgeoError


def source_name(source: str | os.PathLike[str] | IO[str], what: str) -> str:
    """How messages name a table: its path, else ``'<what> table'``."""
    return str(source) if isinstance(source, str | os.PathLike) else f"{what} table"


def read_text_table(source: str | os.PathLike[str] | IO[str], *, what: str, fix: str,
                    **options: Any) -> pd.DataFrame:
    """Every cell as text (empty cells missing), column names stripped.

    Parameters
    ----------
    source
        A CSV file (UTF-8, with or without a byte-order mark) or an open text stream.
    what
        What the file holds, for messages (``"population"``).
    fix
        How to fix a file that cannot be read as a table.
    **options
        More options of :func:`pandas.read_csv` (``header=None``, ``thousands=","``).

    Raises
    ------
    StpgeoError
        For a missing file, or one that is not a CSV table.
    """
    name = source_name(source, what)
    if isinstance(source, str | os.PathLike) and not Path(source).is_file():
        raise StpgeoError(f"the {what} file does not exist", source=name,
                          fix=f"check the path to the {what} CSV")
    try:
        table = pd.read_csv(source, dtype=str, keep_default_na=False, na_values=[""],
                            encoding="utf-8-sig", **options)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        raise StpgeoError(f"the {what} file cannot be read as a CSV table ({error})",
                          source=name, fix=fix) from None
    table.columns = [str(c).strip() for c in table.columns]
    return table
