"""Data quality for people: inputs described as they are, warnings once, in plain words,
with file names rather than the paths of the machine that ran the analysis.

- :func:`describe_input` — "STPs of April 2017, built from 32,844 LSOAs with ONS lookup
  143" for footprints built from blocks; "electoral wards of 2013" for a layer read;
- :func:`plain_warnings` — the warnings of several analyses, each once, the coverage of
  the ONS block lookups said in plain words;
- :func:`file_names` — any text (or the strings inside lists and dicts) with absolute
  paths replaced by file names.

Examples
--------
>>> file_names("the lookup (/data/lookups/114_LSOA11_WD16_LAD16_EW_LU.csv) covers 5 wards")
'the lookup (114_LSOA11_WD16_LAD16_EW_LU.csv) covers 5 wards'
>>> lookup_name("/data/lookups/143_LSOA11_CCG17_STP17_LAD17_EN_LU.csv")
'ONS lookup 143'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import PurePath, PurePosixPath, PureWindowsPath
from typing import Any, TypeVar

from stpgeo.analysis.checks import lookup_warning
from stpgeo.analysis.result import Analysis
from stpgeo.io.catalogue import load_catalogue
from stpgeo.ons.codes import KIND_TITLES

T = TypeVar("T")

#: Kinds of area in the plural, for sentences.
PLURALS = {"stp": "STPs", "ccg": "CCGs", "lsoa": "LSOAs", "msoa": "MSOAs", "ward": "wards",
           "council": "councils", "output area": "output areas",
           "constituency": "constituencies"}
_POSIX = re.compile(r"(?<![\w.:/~-])/(?:[^/\s,;:()\[\]'\"<>]+/)+([^/\s,;:()\[\]'\"<>]+)")
_WINDOWS = re.compile(r"\b[A-Za-z]:\\(?:[^\\\s,;:()\[\]'\"<>]+\\)+([^\\\s,;:()\[\]'\"<>]+)")
_ONS_NUMBER = re.compile(r"^(\d{3})_")
_WHEN = re.compile(r"\((?:(?P<month>[A-Z][a-z]+) )?(?P<year>\d{4})\)")
#: The ONS block lookups' notes in summary.json, and what they place blocks in.
_LOOKUPS = {"block_wards": ("block-ward lookup", "wards"),
            "block_footprints": ("block-footprint lookup", "footprints")}


def _name(path: str) -> str:
    return (PureWindowsPath(path) if re.match(r"^[A-Za-z]:\\", path) else PurePosixPath(path)).name


def file_names(value: T, known: Iterable[str] = ()) -> T:
    """``value`` with every absolute path in its text replaced by the file's name.

    ``known`` paths are replaced first, as wholes (they may hold spaces); other
    absolute paths are recognised by their shape. Lists, tuples and dicts are walked.
    """
    if isinstance(value, str):
        text: str = value
        for path in sorted(set(known), key=len, reverse=True):
            if path and PurePath(path).is_absolute():
                text = text.replace(path, _name(path))
        text = _WINDOWS.sub(lambda m: m.group(1), text)
        return _POSIX.sub(lambda m: m.group(1), text)  # type: ignore[return-value]
    if isinstance(value, dict):
        return {k: file_names(v, known) for k, v in value.items()}  # type: ignore[return-value]
    if isinstance(value, list | tuple):
        return type(value)(file_names(v, known) for v in value)
    return value


def paths_in(value: object) -> set[str]:
    """Every absolute path among the strings of a summary (or any nested value)."""
    if isinstance(value, str):
        return {value} if PurePosixPath(value).is_absolute() or re.match(
            r"^[A-Za-z]:\\", value) else set()
    if isinstance(value, dict):
        return set().union(*(paths_in(v) for v in value.values())) if value else set()
    if isinstance(value, list | tuple):
        return set().union(*(paths_in(v) for v in value)) if value else set()
    return set()


def lookup_name(path: str) -> str:
    """An ONS lookup as people cite it (``ONS lookup 143``), else its file name."""
    name = _name(path)
    number = _ONS_NUMBER.match(name)
    if number:
        return f"ONS lookup {number.group(1)}"
    for key, entry in load_catalogue().lookups.items():
        if _name(str(entry.get("file", ""))) == name:
            return f"ONS lookup {key}"
    return name


def _when(lookup: str, vintage: int | None) -> str:
    """"April 2017" from the catalogue's title of a lookup, else the vintage."""
    name = _name(lookup)
    for entry in load_catalogue().lookups.values():
        if _name(str(entry.get("file", ""))) == name:
            for found in _WHEN.finditer(str(entry.get("title", ""))):
                if vintage is None or int(found["year"]) == vintage:
                    return " ".join(p for p in (found["month"], found["year"]) if p)
    return str(vintage) if vintage else ""


def describe_input(given: dict[str, Any]) -> str:
    """What an input layer holds, in words (from its entry in summary.json → inputs)."""
    kind = given.get("kind")
    what = PLURALS.get(kind or "", KIND_TITLES.get(kind or "", kind or "areas"))
    built = given.get("built_from")
    if built:
        when = _when(str(built["lookup"]), given.get("vintage"))
        blocks = PLURALS.get(built.get("block_kind") or "", "blocks")
        return (f"{what} of {when}, built from {built['blocks']:,} {blocks} with "
                f"{lookup_name(str(built['lookup']))}" if when else
                f"{what}, built from {built['blocks']:,} {blocks} with "
                f"{lookup_name(str(built['lookup']))}")
    vintage = given.get("vintage")
    return f"{what} of {vintage}" if vintage else what


def lookup_in_words(notes: dict[str, Any], *, what: str, blocks: str) -> str:
    """How far an ONS block lookup covers the wards (footprints), in plain words."""
    total = notes["targets_covered"] + notes["targets_not_covered"]
    name = lookup_name(str(notes["file"]))
    sentence = f"{name} places the {blocks} of {notes['targets_covered']:,} of the {total:,} " \
               f"{what} analysed"
    if notes["targets_not_covered"]:
        sentence += (f"; the other {notes['targets_not_covered']:,} have codes it does not list "
                     f"(they may be of another year), so their {blocks} were placed by where "
                     "their boundaries lie")
    sentence += "."
    if notes["lookup_codes_not_analysed"]:
        sentence += (f" It also lists {notes['lookup_codes_not_analysed']:,} {what} that are "
                     "not among those analysed.")
    if notes["blocks_not_in_lookup"]:
        sentence += f" {notes['blocks_not_in_lookup']:,} {blocks} are not in it."
    return sentence


def plain_warnings(analyses: Sequence[Analysis]) -> list[str]:
    """Every warning of the analyses once, in plain words and with file names only."""
    found: list[str] = []
    for analysis in analyses:
        summary = analysis.summary
        inputs = summary.get("inputs", {})
        blocks = PLURALS.get((inputs.get("blocks") or {}).get("kind") or "", "blocks")
        rephrased = {}
        for key, (role, what) in _LOOKUPS.items():
            notes = inputs.get("lookups", {}).get(key)
            sentence = lookup_warning(notes, role=role, what=what) if notes else None
            if sentence:
                target = PLURALS.get((inputs.get(what) or {}).get("kind") or "", what)
                rephrased[sentence] = lookup_in_words(notes, what=target, blocks=blocks)
        found += [rephrased.get(w, w) for w in summary.get("warnings", [])]
        found = file_names(found, paths_in(summary))
    return list(dict.fromkeys(found))


def affected_inputs(summary: dict[str, Any]) -> list[str]:
    """The deprivation table and the GP practices an analysis was given, in words."""
    lines = []
    deprivation = summary.get("deprivation")
    if deprivation:
        lines.append(
            f"deprivation: {_name(str(deprivation['file']))}, the English Indices of "
            f"Deprivation {deprivation['year']} ({len(deprivation['indices'])} indices: "
            f"{', '.join(deprivation['indices'])}), deciles for "
            f"{deprivation['blocks_with_decile']:,} of the {deprivation['blocks']:,} blocks")
    practices = summary.get("practices")
    if practices:
        left = "; ".join(f"{n:,} {why}" for why, n in practices["left_out"].items())
        lookup = practices["lookup"]
        lines.append(
            f"GP practices: {_name(str(practices['file']))}, {practices['rows']:,} rows, of "
            f"which {practices['active_gp_practices']:,} active GP practices"
            + (f" (left out: {left})" if left else "")
            + f"; placed in the {practices['placed_in']} holding their coordinates "
            f"({practices['without_coordinates']:,} without); their CCGs matched through "
            f"{lookup_name(str(lookup['file']))} ({lookup['ods_column']})")
    return lines
