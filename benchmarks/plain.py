"""The reference: stpgeo's tables for the STPs and CCGs of 2017, in plain geopandas and pandas.

What an analyst would write without stpgeo, step by step, for the same tables
``stpgeo build`` and ``stpgeo analyse`` write (``ward_footprints.csv`` and
``ward_verdicts.csv``), following the method as stpgeo's documentation states it:

1. read the LSOAs and wards (pyogrio), move them to British National Grid and
   ``make_valid`` them; read lookups 143 and 114 and the population with pandas;
   make the LSOAs a clean coverage: vertices rounded to the millimetre, then
   :func:`shapely.coverage_clean` (the LSOA file as published overlaps itself by
   about 55 m², which would count twice where two footprints meet);
2. dissolve the LSOAs into the STPs and CCGs of lookup 143;
3. overlay the wards with each footprint layer (``geopandas.overlay``): the ward ×
   footprint pieces, their areas and area shares;
4. residents: place each LSOA in a ward (ONS lookup 114 where it covers the ward,
   else the ward holding the largest share of its area, if larger than the share
   outside every ward) and in a footprint (lookup 143), and sum the residents of each
   ward × footprint; a piece's population share is of the residents of the ward's LSOAs;
5. verdicts: a piece under 5% of the ward's residents (else of its area) is a sliver;
   a piece holding none of the ward's LSOAs is uncertain unless it is the ward's best
   fit; a ward's council is the one holding most of its LSOAs' residents (lookup
   143's LAD17CD); a council's home footprints are the one holding most of its
   residents and any other whose residents live mostly in it; a ward is ``within``
   when its real pieces are all in home footprints, ``outside_home`` when none is,
   ``split`` otherwise.

Run in a child process (``python -m benchmarks.plain DATA OUT [--as-published]``; with
``--as-published``, the LSOAs are not cleaned), it writes the tables to
the folder ``OUT`` (``<layer>.pieces.parquet``, ``<layer>.verdicts.parquet``) for
:func:`same_as_plain` to compare with stpgeo's.
"""

from __future__ import annotations

import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .inputs import BLOCK_LOOKUP, BLOCK_WARDS, LSOAS, POPULATION, WARDS

LAYERS = {"stp17": "STP17CD", "ccg17": "CCG17CD"}
#: A piece under this share of the ward's residents (else area) is a sliver.
TOLERANCE = 0.05
#: Tolerances of the comparison (issue 23): areas in m², shares.
AREA_M2, SHARE = 1.0, 1e-6


def _read(path: Path, code: str) -> gpd.GeoDataFrame:
    frame = gpd.read_file(path, engine="pyogrio").to_crs(27700)
    frame["geometry"] = frame.make_valid()
    return frame[[code, "geometry"]].rename(columns={code: "code"})


def _ward_of_blocks(pieces: gpd.GeoDataFrame, lsoas: gpd.GeoDataFrame,
                    wards: gpd.GeoDataFrame, lookup: pd.DataFrame) -> pd.Series:
    """Each LSOA's ward: lookup 114 where it covers the ward, else the geometric best fit."""
    pieces["share"] = pieces.area / pieces["code_1"].map(lsoas.set_index("code").area)
    listed = lookup.set_index("LSOA11CD")["WD16CD"].reindex(lsoas["code"])
    covered = set(wards["code"]) & set(lookup["WD16CD"])
    outside = 1 - pieces.groupby("code_1")["share"].sum().reindex(lsoas["code"]).fillna(0)
    free = pieces[~pieces["code_2"].isin(covered)].sort_values("share", ascending=False)
    best = free.drop_duplicates("code_1").set_index("code_1")
    share = best["share"].reindex(lsoas["code"]).fillna(0)
    geometric = best["code_2"].reindex(lsoas["code"]).where(share > outside.clip(lower=0))
    return listed.where(listed.isin(set(wards["code"])), geometric)


def _pieces(wards: gpd.GeoDataFrame, footprints: gpd.GeoDataFrame,
            blocks: pd.DataFrame) -> pd.DataFrame:
    """Ward × footprint pieces: area, residents, kind, confidence, best fit."""
    overlay = gpd.overlay(wards, footprints, how="intersection", keep_geom_type=True)
    overlay = overlay[overlay.area > 0]
    areas = pd.DataFrame({"ward_code": overlay["code_1"], "footprint_code": overlay["code_2"],
                          "area_m2": overlay.area}).groupby(
        ["ward_code", "footprint_code"], as_index=False)["area_m2"].sum()
    areas["area_share"] = areas["area_m2"] / areas["ward_code"].map(
        wards.set_index("code").area).to_numpy()
    placed = blocks.dropna(subset=["ward"])
    people = placed.dropna(subset=["footprint"]).groupby(["ward", "footprint"])[
        "population"].agg(["sum", "size"]).reset_index()
    people.columns = ["ward_code", "footprint_code", "population", "n_blocks"]
    pieces = areas.merge(people, on=["ward_code", "footprint_code"], how="outer")
    pieces[["area_m2", "area_share", "population", "n_blocks"]] = pieces[
        ["area_m2", "area_share", "population", "n_blocks"]].fillna(0)
    total = pieces["ward_code"].map(placed.groupby("ward")["population"].sum())
    pieces["population_share"] = (pieces["population"] / total).where(total > 0)
    measure = pieces["population_share"].fillna(pieces["area_share"])
    pieces["kind"] = np.where(measure < TOLERANCE, "sliver", "split")
    best = (pieces.assign(measure=measure)
            .sort_values(["ward_code", "measure", "area_share"], ascending=[True, False, False])
            .drop_duplicates("ward_code").index)
    pieces["best"] = pieces.index.isin(best)
    # every LSOA lies wholly in its own footprint: a piece holding one is confirmed
    pieces["confidence"] = np.where(pieces["best"] | (pieces["n_blocks"] > 0), "confirmed",
                                    "uncertain")
    return pieces.drop(columns="n_blocks")


def _largest(table: pd.DataFrame, by: str, of: str, amount: str) -> pd.Series:
    """For each ``by``, the ``of`` with the largest sum of ``amount``."""
    return (table.groupby([by, of])[amount].sum().sort_values(ascending=False).reset_index()
            .drop_duplicates(by).set_index(by)[of])


def _verdicts(pieces: pd.DataFrame, wards: pd.Series, blocks: pd.DataFrame,
              block_pieces: pd.DataFrame) -> pd.DataFrame:
    """Each ward's council, its council's home footprints, its best fit and its verdict."""
    people = blocks[blocks["population"] > 0].dropna(subset=["ward", "council"])
    by_area = _largest(block_pieces.dropna(subset=["council"]), "ward", "council", "area")
    council = _largest(people, "ward", "council", "population").combine_first(by_area)
    amounts = blocks.dropna(subset=["footprint", "council"]).groupby(
        ["council", "footprint"])["population"].sum().reset_index()
    amounts = amounts[amounts["population"] > 0]
    totals = blocks.dropna(subset=["footprint"]).groupby("footprint")["population"].sum()
    main = (amounts.sort_values("population", ascending=False).drop_duplicates("council")
            .set_index("council")["footprint"])
    mostly = amounts[amounts["population"] / amounts["footprint"].map(totals) > 0.5]
    homes = {c: {f} | set(mostly.loc[mostly["council"] == c, "footprint"])
             for c, f in main.items()}
    real = pieces[(pieces["kind"] == "split") & (pieces["confidence"] == "confirmed")]
    in_home = [f in homes.get(council.get(w), set()) for w, f in
               zip(real["ward_code"], real["footprint_code"], strict=True)]
    n_home = pd.Series(in_home, index=real["ward_code"]).groupby(level=0).sum()
    n_real = real.groupby("ward_code").size()
    rows = []
    best = pieces[pieces["best"]].set_index("ward_code")["footprint_code"]
    for ward in wards:
        real_n, home_n = n_real.get(ward, 0), n_home.get(ward, 0)
        verdict = ("unknown_council" if ward not in council.index else
                   "no_footprint" if real_n == 0 else "within" if home_n == real_n else
                   "outside_home" if home_n == 0 else "split")
        rows.append((ward, council.get(ward), ";".join(sorted(homes.get(council.get(ward), ()))),
                     best.get(ward), verdict))
    return pd.DataFrame(rows, columns=["ward_code", "council_code", "home_footprint_codes",
                                       "best_footprint_code", "verdict"])


def plain_tables(data: Path, *, clean: bool = True
                 ) -> dict[str, tuple[pd.DataFrame, pd.DataFrame]]:
    """Each layer's pieces and verdicts (see the module's docstring), in plain geopandas;
    ``clean=False`` leaves the LSOAs as published (step 1 without the cleaning)."""
    lsoas = _read(data / LSOAS, "LSOA11CD")
    if clean:
        lsoas["geometry"] = shapely.coverage_clean(shapely.transform(
            lsoas.geometry.values, lambda xy: np.round(xy, 3)))
    wards = _read(data / WARDS, "WD13CD")
    lookup = pd.read_csv(data / BLOCK_LOOKUP, dtype=str).set_index("LSOA11CD")
    population = pd.read_csv(data / POPULATION, dtype={"lsoa11_code": str}).set_index(
        "lsoa11_code")["total_population"]
    overlay = gpd.overlay(lsoas, wards, how="intersection", keep_geom_type=True)
    ward = _ward_of_blocks(overlay, lsoas, wards, pd.read_csv(data / BLOCK_WARDS, dtype=str))
    block_pieces = pd.DataFrame({"ward": overlay["code_2"], "area": overlay.area,
                                 "council": lookup["LAD17CD"].reindex(overlay["code_1"])
                                 .to_numpy()})
    codes = lsoas["code"].to_numpy()
    tables = {}
    for name, by in LAYERS.items():
        footprints = lsoas.merge(lookup[[by]], left_on="code", right_index=True).dissolve(by)
        blocks = pd.DataFrame({"ward": ward.to_numpy(),
                               "footprint": lookup[by].reindex(codes).to_numpy(),
                               "council": lookup["LAD17CD"].reindex(codes).to_numpy(),
                               "population": population.reindex(codes).to_numpy()})
        pieces = _pieces(wards, footprints.reset_index()[[by, "geometry"]].rename(
            columns={by: "code"}), blocks)
        tables[name] = (pieces, _verdicts(pieces, wards["code"], blocks, block_pieces))
    return tables


def same_as_plain(folders: dict[str, Path], plain: Path) -> str:
    """Raise :class:`~benchmarks.same.MismatchError` unless stpgeo's tables (the result
    folder of each layer) equal the plain pipeline's written to ``plain``: the same
    pieces, kinds, confidence, residents, verdicts, councils, home and best-fit
    footprints exactly, areas within :data:`AREA_M2` and shares within :data:`SHARE`."""
    from .same import MismatchError

    said = []
    for name, folder in folders.items():
        key = ["ward_code", "footprint_code"]
        ours = pd.read_csv(folder / "ward_footprints.csv", dtype=dict.fromkeys(key, str))
        theirs = pd.read_parquet(plain / f"{name}.pieces.parquet")
        a, b = ours.set_index(key).sort_index(), theirs.set_index(key).sort_index()
        if not a.index.equals(b.index):
            odd = a.index.symmetric_difference(b.index)
            raise MismatchError(f"{name}: pieces differ: {len(a.index.difference(b.index))} "
                                f"only in stpgeo, {len(b.index.difference(a.index))} only in "
                                f"the plain pipeline (e.g. {odd[:3].tolist()})")
        for column in ("kind", "confidence"):
            if not (a[column].to_numpy() == b[column].to_numpy()).all():
                raise MismatchError(f"{name}: {column} differs for "
                                    f"{int((a[column] != b[column]).sum())} pieces")
        residents = np.abs(a["population"].to_numpy() - b["population"].to_numpy()).max()
        area = np.abs(a["area_m2"].to_numpy() - b["area_m2"].to_numpy()).max()
        shares = max(np.nanmax(np.abs(a[c].to_numpy() - b[c].to_numpy()))
                     for c in ("area_share", "population_share"))
        if residents > 0 or area > AREA_M2 or shares > SHARE or not (
                a["population_share"].isna() == b["population_share"].isna()).all():
            raise MismatchError(f"{name}: residents differ by up to {residents:,.0f}, areas by "
                                f"{area:.3f} m², shares by {shares:.1e}")
        verdicts = pd.read_csv(folder / "ward_verdicts.csv", dtype=str,
                               keep_default_na=False).set_index("ward_code").sort_index()
        plain_verdicts = pd.read_parquet(plain / f"{name}.verdicts.parquet").fillna(
            "").set_index("ward_code").sort_index()
        columns = ["council_code", "home_footprint_codes", "best_footprint_code", "verdict"]
        if not verdicts.index.equals(plain_verdicts.index):
            raise MismatchError(f"{name}: not the same wards")
        for column in columns:
            differ = verdicts[column] != plain_verdicts[column]
            if differ.any():
                raise MismatchError(f"{name}: {column} differs for {int(differ.sum())} wards, "
                                    f"e.g. {differ[differ].index[:3].tolist()}")
        said.append(f"{name}: same {len(a):,} pieces, kinds, confidence and residents, "
                    f"areas within {area:.1e} m², shares within {max(shares, 1e-16):.0e}; "
                    f"same councils, home and best-fit footprints and verdicts of "
                    f"{len(verdicts):,} wards")
    return "; ".join(said)


if __name__ == "__main__":
    out = Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    tables = plain_tables(Path(sys.argv[1]), clean="--as-published" not in sys.argv)
    for layer, (layer_pieces, layer_verdicts) in tables.items():
        layer_pieces.to_parquet(out / f"{layer}.pieces.parquet")
        layer_verdicts.to_parquet(out / f"{layer}.verdicts.parquet")
