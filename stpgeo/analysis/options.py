"""The options of an analysis, in one frozen object.

:class:`AnalysisOptions` holds everything an analysis is given besides its two layers:
the lookups, the blocks and their residents, the sliver tolerance, and how to read
files that need help (a CRS, a layer name). :func:`stpgeo.analyse`,
:func:`stpgeo.analyse_many`, ``stpgeo analyse`` and ``stpgeo demo`` all take it;
the command line makes one flag per field (the help text is the field's
``metadata["help"]``), so a new option is added here and nowhere else.

The options are checked when the object is made: a tolerance outside 0..0.5, a
population table or block lookup without blocks are refused at once.

Examples
--------
>>> options = AnalysisOptions(tolerance=0.1)
>>> options.tolerance
0.1
>>> AnalysisOptions.merge(options, tolerance=0.02).tolerance
0.02
>>> AnalysisOptions.merge(None, tolerence=0.02)  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
TypeError: unknown analysis option 'tolerence'; the options are: councils, council_field, ...
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any, Literal

from stpgeo._types import LayerInput, LookupInput, PopulationInput, TableInput
from stpgeo.errors import StpgeoError

#: What a command-line flag takes: a file (found in the data directory too), a share, text,
#: or nothing (an on/off switch: ``--cache/--no-cache``).
OptionKind = Literal["path", "share", "text", "switch"]


def _flag(help: str, kind: OptionKind = "text") -> dict[str, str]:
    """A field's metadata: the help text of its command-line flag and what the flag takes."""
    return {"help": help, "kind": kind}


@dataclass(frozen=True, kw_only=True)
class AnalysisOptions:
    """Everything an analysis is given besides its ward and footprint layers.

    Attributes
    ----------
    councils
        A ward → council lookup (e.g. ONS 032) or a block → council lookup (e.g. ONS
        143), recognised from its columns; a table or a CSV file.
    council_field
        A field of the ward layer holding each ward's council code.
    blocks
        Building blocks (LSOAs): a :class:`~stpgeo.io.layer.Layer` or a file.
    population
        Residents per block: a Series indexed by block code, or a CSV file.
    block_wards, block_footprints
        ONS block lookups (e.g. 114: LSOA → 2016 ward; 143: LSOA → CCG17 → STP17);
        where they cover a ward or footprint they decide, as they do for ONS.
    tolerance
        Pieces under this share of the ward's residents (else area) are slivers.
    deprivation
        The English Indices of Deprivation per block (e.g. IMD 2019 per LSOA): deciles
        of each index, as read by :func:`stpgeo.read_deprivation`, or a CSV file. Needs
        blocks and population.
    practices
        GP practices (NHS Digital's epraccur, with or without latitude/longitude), as
        read by :func:`stpgeo.read_practices`, or a CSV file.
    commissioners
        An ONS lookup from the practices' CCG ODS codes to GSS codes (a column such as
        ``CCG17CDH`` beside ``CCG17CD``/``STP17CD``, e.g. 066 or 143); by default the
        block-footprint, council or block-ward lookup that has one.
    wards_crs, footprints_crs, blocks_crs
        The CRS of files that have none (e.g. ``"EPSG:27700"``).
    wards_layer, footprints_layer, blocks_layer
        The layer to read from files holding several (GeoPackages).
    cache
        Reuse work done on the same inputs in earlier runs (layers read and repaired,
        overlap tables) and keep this run's (:mod:`stpgeo.io.cache`); False computes
        everything afresh and keeps nothing.
    """

    councils: LookupInput | None = field(default=None, metadata=_flag(
        "Ward → council lookup (e.g. ONS 032) or block → council lookup (e.g. 143).", "path"))
    council_field: str | None = field(default=None, metadata=_flag(
        "Field of the ward layer holding council codes."))
    blocks: LayerInput | None = field(default=None, metadata=_flag(
        "Building blocks, e.g. LSOAs.", "path"))
    population: PopulationInput | None = field(default=None, metadata=_flag(
        "Residents per block (CSV).", "path"))
    block_wards: LookupInput | None = field(default=None, metadata=_flag(
        "Block → ward lookup CSV (e.g. ONS 114 for 2016 wards).", "path"))
    block_footprints: LookupInput | None = field(default=None, metadata=_flag(
        "Block → footprint lookup CSV (e.g. ONS 143).", "path"))
    deprivation: TableInput | None = field(default=None, metadata=_flag(
        "Indices of deprivation per block (CSV, e.g. IMD 2019 per LSOA).", "path"))
    practices: TableInput | None = field(default=None, metadata=_flag(
        "GP practices (CSV: NHS Digital's epraccur, optionally with latitude/longitude).",
        "path"))
    commissioners: LookupInput | None = field(default=None, metadata=_flag(
        "Lookup from the practices' CCG ODS codes to GSS codes (e.g. ONS 066) "
        "[default: a lookup given that has them].", "path"))
    tolerance: float = field(default=0.05, metadata=_flag(
        "Pieces under this share of a ward's residents (else area) are slivers.", "share"))
    wards_crs: str | None = field(default=None, metadata=_flag(
        "CRS of a ward file that has none, e.g. EPSG:27700."))
    footprints_crs: str | None = field(default=None, metadata=_flag(
        "CRS of a footprint file that has none."))
    blocks_crs: str | None = field(default=None, metadata=_flag(
        "CRS of a block file that has none."))
    wards_layer: str | None = field(default=None, metadata=_flag(
        "Layer to read from a ward file holding several."))
    footprints_layer: str | None = field(default=None, metadata=_flag(
        "Layer to read from a footprint file holding several."))
    blocks_layer: str | None = field(default=None, metadata=_flag(
        "Layer to read from a block file holding several."))
    cache: bool = field(default=True, metadata=_flag(
        "Reuse work done on the same inputs by earlier runs, from the user's cache directory "
        "(--no-cache: compute everything afresh).", "switch"))

    def __post_init__(self) -> None:
        if not 0 <= self.tolerance < 0.5:
            raise StpgeoError(f"the tolerance {self.tolerance} is not a share between 0 and 0.5",
                              fix="give a fraction such as 0.05 (5%)")
        if self.blocks is None:
            for name, given in (("population table", self.population),
                                ("block-ward lookup", self.block_wards),
                                ("block-footprint lookup", self.block_footprints)):
                if given is not None:
                    raise StpgeoError(f"a {name} was given without blocks",
                                      fix="give the blocks it is for (--blocks)")
        if self.deprivation is not None and (self.blocks is None or self.population is None):
            raise StpgeoError("a deprivation table was given without blocks and their "
                              "population: residents by decile need both",
                              fix="give the blocks (--blocks, e.g. LSOAs) and their residents "
                              "(--population)")
        if self.commissioners is not None and self.practices is None:
            raise StpgeoError("a commissioner lookup was given without GP practices",
                              fix="give the practices (--practices) it is for")

    @classmethod
    def merge(cls, options: AnalysisOptions | None = None, **keywords: Any) -> AnalysisOptions:
        """``options`` (or the defaults) with some fields replaced by keywords.

        Raises
        ------
        TypeError
            For a keyword that is not an option, listing the options.
        """
        names = [f.name for f in fields(cls)]
        unknown = [k for k in keywords if k not in names]
        if unknown:
            raise TypeError(f"unknown analysis option {unknown[0]!r}; the options are: "
                            + ", ".join(names))
        return replace(options, **keywords) if options is not None else cls(**keywords)

    def crs(self, role: str) -> str | None:
        """The CRS given for the files of a role (``"wards"``, ``"footprints"``, ``"blocks"``)."""
        return getattr(self, f"{role}_crs")

    def layer(self, role: str) -> str | None:
        """The layer given for the files of a role."""
        return getattr(self, f"{role}_layer")
