"""Saying what a file that GDAL cannot read actually is, for error messages.

A user who gives a PDF, a CSV table or a web page saved under a ``.geojson`` name
learns more from "this is a PDF document" than from GDAL's "not recognized as
being in a supported file format". The guess is made from the first bytes only.

Examples
--------
>>> what_it_is(b"%PDF-1.4 ...")
'a PDF document'
>>> what_it_is(b"lsoa11_code,lsoa11_name,total_population\\nE01000001,City 001A,1465\\n")
'a text table (CSV)'
>>> what_it_is(b'{"type": "FeatureCollection", "features": [{"type": "Fea')
'a GeoJSON file that ends abruptly (truncated)'
"""

from __future__ import annotations

from pathlib import Path

#: Leading bytes of file types users send by mistake.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "a PDF document"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office file (.xls or .doc)"),
    (b"PK\x03\x04", "a zip archive (or an Excel or Word file) with no boundary layer in it"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"SQLite format 3", "an SQLite database with no readable layer"),
)

#: How GDAL ends its "unknown format" message; the hint does not help stpgeo's users.
_GDAL_HINT = "; It might help to specify the correct driver"


def what_it_is(head: bytes, tail: bytes | None = None) -> str | None:
    """A guess at what a file is from its first (and last) bytes, or None when unclear."""
    for signature, description in _SIGNATURES:
        if head.startswith(signature):
            return description
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    if text[:200].lower().startswith(("<!doctype html", "<html")):
        return "an HTML web page (perhaps an error page saved instead of the download)"
    if text.startswith("{"):
        end = (head if tail is None else tail).rstrip()
        if '"type"' in text and not end.endswith(b"}"):
            return "a GeoJSON file that ends abruptly (truncated)"
        return None
    first = text.split("\n", 1)[0]
    if not text.startswith("<") and ("," in first or "\t" in first):
        return "a text table (CSV)"
    return None


def describe_unreadable(path: Path, gdal_message: str) -> str:
    """The problem sentence for a file GDAL could not read."""
    detail = gdal_message.strip().split(_GDAL_HINT, 1)[0].rstrip(" .;")
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
            handle.seek(max(0, path.stat().st_size - 256))
            tail = handle.read()
    except OSError:
        head = tail = b""
    found = what_it_is(head, tail) if head else None
    if found:
        return f"the file is {found}; GDAL cannot read it ({detail})"
    return f"the file cannot be read as geographic data ({detail})"
