"""``moves.csv``: the residents whose footprint, or whose council's home, changes.

Between consecutive vintages of a series, for every council of England: the residents
who move into their council's home footprints (``into_home``), out of them
(``out_of_home``) or from one footprint outside them to another (``away_to_away``), by
pair of footprints: ``council_code, council_name, from_vintage, to_vintage, direction,
from_footprint, from_footprint_name, to_footprint, to_footprint_name, population,
ward_codes, ward_names`` (the wards holding them, most residents first; only for the
wards analysed). Exact, from the blocks; the timeline's story is told from it.

The council is the later vintage's. A move may keep its footprint: when councils were
reorganised (North Yorkshire in April 2023), the residents of a former district can
find themselves outside the new council's home footprints without any footprint
changing (``from_footprint`` equals ``to_footprint``). Across the change of building
blocks (July 2022 → April 2024) each 2021 LSOA is followed from its 2011 LSOAs through
the bridge (:mod:`.bridge`), with the later vintage's residents.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from stpgeo.analysis.timeline.bridge import Bridge
from stpgeo.analysis.timeline.tables import series_pairs
from stpgeo.analysis.timeline.vintage import VintageResult
from stpgeo.ons.generations import Generation

MOVES = ["council_code", "council_name", "from_vintage", "to_vintage", "direction",
         "from_footprint", "from_footprint_name", "to_footprint", "to_footprint_name",
         "population", "ward_codes", "ward_names"]


def _in_home(councils: pd.Series, footprints: pd.Series, homes: pd.Series) -> np.ndarray:
    """Whether each block's footprint is one of its council's home footprints."""
    pairs = pd.MultiIndex.from_tuples([(c, f) for c, codes in homes.items() for f in codes])
    blocks = pd.MultiIndex.from_arrays([councils.astype(object), footprints.astype(object)])
    return np.asarray(blocks.isin(pairs)) if len(pairs) else np.zeros(len(blocks), dtype=bool)


def _pairs(before: VintageResult, after: VintageResult, bridge: Bridge | None
           ) -> pd.DataFrame:
    """Each block of the later vintage beside the earlier blocks it stands for, weighted."""
    a, b = before.every, after.every
    if before.map.vintage.generation == after.map.vintage.generation or bridge is None:
        return pd.DataFrame({"new": a.index.intersection(b.index),
                             "old": a.index.intersection(b.index), "weight": 1.0})
    pairs = bridge.weights
    return pairs[pairs["new"].isin(b.index) & pairs["old"].isin(a.index)][
        ["new", "old", "weight"]]


def moves_rows(before: VintageResult, after: VintageResult, *, wards: pd.Series,
               ward_names: pd.Series, bridge: Bridge | None = None) -> pd.DataFrame:
    """``moves.csv`` rows between two vintages: residents whose footprint (or council's
    home) changes, by council (of the later vintage), direction and pair of footprints.
    ``wards``: block → ward of the later vintage's blocks; ``bridge``: across the change
    of blocks, each later block's earlier ones."""
    pairs = _pairs(before, after, bridge)
    a = before.every.reindex(pairs["old"].to_numpy())
    b = after.every.reindex(pairs["new"].to_numpy())
    home_a = _in_home(a["council"], a["footprint"], before.homes)
    home_b = _in_home(b["council"], b["footprint"], after.homes)
    changed = (a["footprint"].to_numpy() != b["footprint"].to_numpy())
    direction = np.select([~home_a & home_b, home_a & ~home_b, ~home_a & ~home_b & changed],
                          ["into_home", "out_of_home", "away_to_away"], default="")
    moved = pd.DataFrame({"council_code": b["council"].to_numpy(), "direction": direction,
                          "from_footprint": a["footprint"].to_numpy(),
                          "to_footprint": b["footprint"].to_numpy(),
                          "population": b["population"].fillna(0).to_numpy()
                          * pairs["weight"].to_numpy(),
                          "ward": wards.reindex(pairs["new"].to_numpy()).to_numpy()})
    moved = moved[(direction != "") & moved["council_code"].notna().to_numpy()
                  & moved["from_footprint"].notna().to_numpy()
                  & moved["to_footprint"].notna().to_numpy()]
    keys = ["council_code", "direction", "from_footprint", "to_footprint"]
    by_ward = moved.dropna(subset=["ward"]).groupby([*keys, "ward"])["population"].sum()
    by_ward = by_ward.sort_values(ascending=False, kind="stable")
    ward_lists = by_ward.reset_index().groupby(keys, sort=False)["ward"].agg(list)
    rows = moved.groupby(keys, as_index=False)["population"].sum()
    lists = [ward_lists.get(tuple(k), []) for k in rows[keys].itertuples(index=False)]
    names_a, names_b = before.map.footprint_names, after.map.footprint_names
    table = rows.assign(
        council_name=rows["council_code"].map(after.map.council_names),
        from_vintage=before.name, to_vintage=after.name,
        from_footprint_name=rows["from_footprint"].map(names_a),
        to_footprint_name=rows["to_footprint"].map(names_b),
        population=rows["population"].round().astype("int64"),
        ward_codes=[";".join(w) for w in lists],
        ward_names=[";".join(str(ward_names.get(c, c)) for c in w) for w in lists])
    return table[table["population"] > 0][MOVES]


def moves_table(results: Sequence[VintageResult], *, wards: Mapping[Generation, pd.Series],
                ward_names: Mapping[Generation, pd.Series], bridge: Bridge | None = None
                ) -> pd.DataFrame:
    """``moves.csv``: :func:`moves_rows` for each pair of
    :func:`~stpgeo.analysis.timeline.tables.series_pairs` (``wards``, ``ward_names``: per
    generation; pairs across the generations without a bridge are left out)."""
    by_name = {r.name: r for r in results}
    pairs = [(a, b) for a, b in series_pairs([r.map.vintage for r in results])
             if a.generation == b.generation or bridge is not None]
    found = [moves_rows(by_name[a.name], by_name[b.name], wards=wards[b.generation],
                        ward_names=ward_names[b.generation], bridge=bridge)
             for a, b in pairs]
    if not found:
        return pd.DataFrame(columns=MOVES)
    return pd.concat([f.sort_values(["council_code", "population"], ascending=[True, False],
                                    kind="stable") for f in found], ignore_index=True)
