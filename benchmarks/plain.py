"""The reference for the demo: the same ward × footprint population shares, in plain geopandas.

What an analyst would write without stpgeo, step by step as the issue lists them:

1. read the LSOAs and wards (pyogrio), move them to British National Grid and
   ``make_valid`` them; read lookups 143 and 114 and the population with pandas;
2. dissolve the LSOAs into the STPs and CCGs of lookup 143;
3. overlay the wards with each footprint layer (the ward × footprint pieces and their
   area shares);
4. population by overlay with the LSOAs: overlay the LSOAs with the wards, place each
   LSOA in a ward as stpgeo does (ONS lookup 114 where it covers the ward, else the
   ward holding the largest share of its area, if larger than the share outside every
   ward), in a footprint by lookup 143, and sum the residents of each ward × footprint.

Run in a child process (``python -m benchmarks.plain DATA OUT``), it writes the
population shares to ``OUT`` (Parquet: ``layer, ward_code, footprint_code,
population, population_share``) for :mod:`benchmarks.speed` to compare with the demo's,
and the pieces' area shares beside it (``OUT.pieces``; not compared: its footprints are
dissolved from the LSOAs as published, stpgeo's from their cleaned coverage).
"""

from __future__ import annotations

import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from .inputs import BLOCK_LOOKUP, BLOCK_WARDS, LSOAS, POPULATION, WARDS

LAYERS = {"stp17": "STP17CD", "ccg17": "CCG17CD"}


def _read(path: Path, code: str) -> gpd.GeoDataFrame:
    frame = gpd.read_file(path, engine="pyogrio").to_crs(27700)
    frame["geometry"] = frame.make_valid()
    return frame[[code, "geometry"]].rename(columns={code: "code"})


def _ward_of_blocks(lsoas: gpd.GeoDataFrame, wards: gpd.GeoDataFrame,
                    lookup: pd.DataFrame) -> pd.Series:
    """Each LSOA's ward: lookup 114 where it covers the ward, else the geometric best fit."""
    pieces = gpd.overlay(lsoas, wards, how="intersection", keep_geom_type=True)
    pieces["share"] = pieces.area / pieces["code_1"].map(lsoas.set_index("code").area)
    listed = lookup.set_index("LSOA11CD")["WD16CD"].reindex(lsoas["code"])
    covered = set(wards["code"]) & set(lookup["WD16CD"])
    outside = 1 - pieces.groupby("code_1")["share"].sum().reindex(lsoas["code"]).fillna(0)
    free = pieces[~pieces["code_2"].isin(covered)].sort_values("share", ascending=False)
    best = free.drop_duplicates("code_1").set_index("code_1")
    share = best["share"].reindex(lsoas["code"]).fillna(0)
    geometric = best["code_2"].reindex(lsoas["code"]).where(share > outside.clip(lower=0))
    return listed.where(listed.isin(set(wards["code"])), geometric)


def plain_pipeline(data: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ward × footprint population shares of the demo, and the pieces' area shares, in
    plain geopandas."""
    lsoas = _read(data / LSOAS, "LSOA11CD")
    wards = _read(data / WARDS, "WD13CD")
    lookup = pd.read_csv(data / BLOCK_LOOKUP, dtype=str)
    population = pd.read_csv(data / POPULATION, dtype={"lsoa11_code": str}).set_index(
        "lsoa11_code")["total_population"]
    tables = []
    for name, by in LAYERS.items():
        footprints = lsoas.merge(lookup[["LSOA11CD", by]], left_on="code",
                                 right_on="LSOA11CD").dissolve(by).reset_index()
        pieces = gpd.overlay(wards, footprints[[by, "geometry"]], how="intersection",
                             keep_geom_type=True)
        tables.append(pd.DataFrame({"layer": name, "ward_code": pieces["code"],
                                    "footprint_code": pieces[by],
                                    "area_share": pieces.area / pieces["code"].map(
                                        wards.set_index("code").area).to_numpy()}))
    ward = _ward_of_blocks(lsoas, wards, pd.read_csv(data / BLOCK_WARDS, dtype=str))
    blocks = pd.DataFrame({"ward_code": ward.to_numpy(),
                           "population": population.reindex(lsoas["code"]).to_numpy()},
                          index=lsoas["code"].to_numpy())
    shares = []
    for name, by in LAYERS.items():
        placed = blocks.assign(footprint_code=lookup.set_index("LSOA11CD")[by].reindex(
            blocks.index).to_numpy()).dropna(subset=["ward_code", "footprint_code"])
        people = placed.groupby(["ward_code", "footprint_code"])["population"].sum()
        total = placed.groupby("ward_code")["population"].sum()
        shares.append(people.rename("population").reset_index().assign(
            layer=name, population_share=lambda t, total=total: t["population"]
            / t["ward_code"].map(total).to_numpy()))
    return (pd.concat(shares, ignore_index=True)[
        ["layer", "ward_code", "footprint_code", "population", "population_share"]],
        pd.concat(tables, ignore_index=True))


def demo_shares(folder: Path) -> pd.DataFrame:
    """The same shares as the demo wrote them (pieces with residents)."""
    tables = []
    for name in LAYERS:
        pieces = pd.read_csv(folder / name / "ward_footprints.csv",
                             dtype={"ward_code": str, "footprint_code": str})
        pieces = pieces[pieces["population"].fillna(0) > 0]
        tables.append(pieces.assign(layer=name))
    return pd.concat(tables, ignore_index=True)[
        ["layer", "ward_code", "footprint_code", "population", "population_share"]]


def same_shares(ours: pd.DataFrame, theirs: pd.DataFrame) -> str:
    """Raise :class:`~benchmarks.same.MismatchError` unless both give the same pieces with
    residents, the same residents and the same shares (within 1e-9); else say so."""
    from .same import MismatchError

    key = ["layer", "ward_code", "footprint_code"]
    theirs = theirs[theirs["population"] > 0]
    a, b = ours.set_index(key).sort_index(), theirs.set_index(key).sort_index()
    if not a.index.equals(b.index):
        raise MismatchError(f"pieces with residents differ: {len(a.index.difference(b.index))} "
                            f"only in stpgeo, {len(b.index.difference(a.index))} only in the "
                            "plain pipeline")
    residents = np.abs(a["population"].to_numpy() - b["population"].to_numpy())
    shares = np.abs(a["population_share"].to_numpy() - b["population_share"].to_numpy())
    if residents.max() > 0.5 or shares.max() > 1e-9:
        raise MismatchError(f"residents differ by up to {residents.max():,.0f}, shares by "
                            f"{shares.max():.2e}")
    return (f"same {len(a):,} ward × footprint pieces with residents as the plain pipeline, "
            f"same residents, shares within {max(shares.max(), 1e-16):.0e}")


if __name__ == "__main__":
    population_shares, area_shares = plain_pipeline(Path(sys.argv[1]))
    population_shares.to_parquet(sys.argv[2])
    area_shares.to_parquet(f"{sys.argv[2]}.pieces")
