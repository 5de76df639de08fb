"""From the overlap table to verdicts: pieces, slivers, confidence, and each ward's verdict.

Definitions
-----------
piece
    The part of a ward in one footprint: its area (m²) and, when blocks with
    population are given, its residents (the residents of the ward's blocks that
    belong to that footprint).
sliver
    A piece under the tolerance — by default 5% of the ward's residents where
    population is known, else 5% of its area. Slivers come from boundary
    generalisation; they stay in the tables (``kind = sliver``) but not in verdicts.
split
    ``kind = split`` marks a real piece: one at or above the tolerance.
confidence
    With blocks, each minority piece is checked against them: ``confirmed``
    when one of its blocks lies (almost) wholly — at least 90% of its area — inside
    that footprint, ``uncertain`` when its blocks are all cut by the footprint's
    border (the footprint layer is probably generalised). A ward's best-fit piece is
    always ``confirmed``. Uncertain pieces do not by themselves make a ward split.
verdict
    ``within`` (real pieces only in home footprints), ``outside_home`` (only in other
    footprints), ``split`` (in both); ``no_footprint`` (no real piece in any
    footprint) and ``unknown_council`` (council not found, so no home).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: A block lying at least this share of its area inside a footprint confirms a piece.
WHOLE_BLOCK = 0.9

VERDICTS = ("within", "outside_home", "split", "no_footprint", "unknown_council")
#: Verdicts of wards that do not lie wholly in their council's home footprints.
FLAGGED = ("outside_home", "split")


def is_real(pieces: pd.DataFrame) -> pd.Series:
    """Which pieces count as a ward lying in a footprint: not slivers, not uncertain."""
    return (pieces["kind"] == "split") & (pieces["confidence"] != "uncertain")


def real_pieces(pieces: pd.DataFrame) -> pd.DataFrame:
    """The pieces that count as a ward lying in a footprint (see :func:`is_real`)."""
    return pieces[is_real(pieces)]


def is_uncertain(pieces: pd.DataFrame) -> pd.Series:
    """Which pieces the tolerance alone would count but only cut blocks support."""
    return (pieces["kind"] == "split") & (pieces["confidence"] == "uncertain")


def is_flagged(verdicts: pd.DataFrame) -> pd.Series:
    """Which wards lie wholly or partly outside their council's home footprints."""
    return verdicts["verdict"].isin(FLAGGED)


def flagged_wards(verdicts: pd.DataFrame) -> pd.DataFrame:
    """The rows of wards lying wholly or partly outside their home footprints."""
    return verdicts[is_flagged(verdicts)]


def piece_table(overlaps: pd.DataFrame, blocks: pd.DataFrame | None, *, tolerance: float
                ) -> pd.DataFrame:
    """Every ward × footprint piece with its area, residents, kind and confidence.

    Parameters
    ----------
    overlaps
        Ward × footprint overlap table (``left`` ward, ``right`` footprint, ``area_m2``,
        ``left_share``).
    blocks
        One row per block: ``ward``, ``footprint``, ``population`` (NaN when unknown)
        and ``footprint_share`` (share of the block's area inside its footprint); or
        None without blocks.
    tolerance
        Sliver tolerance, a fraction of the ward's residents (else area).

    Returns
    -------
    pandas.DataFrame
        ``ward_code, footprint_code, area_m2, area_share, population, population_share,
        kind, confidence, best`` (best: the ward's best-fit piece).
    """
    pieces = overlaps.rename(columns={"left": "ward_code", "right": "footprint_code",
                                      "left_share": "area_share"})
    pieces = pieces[["ward_code", "footprint_code", "area_m2", "area_share"]]
    have_population = blocks is not None and blocks["population"].notna().any()
    if blocks is not None:
        placed = blocks.dropna(subset=["ward"])
        placed = placed.assign(whole=placed["footprint_share"] >= WHOLE_BLOCK)
        by_piece = placed.dropna(subset=["footprint"]).groupby(["ward", "footprint"]).agg(
            population=("population", "sum"), n_blocks=("population", "size"),
            whole_blocks=("whole", "sum")).reset_index()
        by_piece = by_piece.rename(columns={"ward": "ward_code", "footprint": "footprint_code"})
        pieces = pieces.merge(by_piece, on=["ward_code", "footprint_code"], how="outer")
        pieces[["area_m2", "area_share"]] = pieces[["area_m2", "area_share"]].fillna(0.0)
        pieces[["n_blocks", "whole_blocks"]] = pieces[["n_blocks", "whole_blocks"]].fillna(0)
        ward_population = placed.groupby("ward")["population"].sum()
        if have_population:
            pieces["population"] = pieces["population"].fillna(0.0)
            total = ward_population.reindex(pieces["ward_code"]).to_numpy()
            with np.errstate(invalid="ignore", divide="ignore"):
                pieces["population_share"] = np.where(total > 0, pieces["population"] / total,
                                                      np.nan)
        else:
            pieces["population"] = np.nan
            pieces["population_share"] = np.nan
    else:
        pieces["population"] = np.nan
        pieces["population_share"] = np.nan

    by_people = pieces["population_share"].notna()
    measure = pieces["population_share"].where(by_people, pieces["area_share"])
    pieces["kind"] = np.where(measure < tolerance, "sliver", "split")
    order = pieces.assign(measure=measure).sort_values(
        ["ward_code", "measure", "area_share"], ascending=[True, False, False])
    pieces["best"] = False
    pieces.loc[order.drop_duplicates("ward_code").index, "best"] = True
    if blocks is not None:
        confirmed = pieces["best"] | (pieces["whole_blocks"] > 0)
        pieces["confidence"] = np.where(confirmed, "confirmed", "uncertain")
        pieces = pieces.drop(columns=["n_blocks", "whole_blocks"])
    else:
        pieces["confidence"] = ""
    return pieces.sort_values(["ward_code", "footprint_code"]).reset_index(drop=True)


def ward_verdicts(pieces: pd.DataFrame, ward_codes: pd.Index, councils: pd.Series,
                  homes: pd.Series) -> pd.DataFrame:
    """Each ward's best-fit footprint and verdict.

    Parameters
    ----------
    pieces
        From :func:`piece_table`.
    ward_codes
        Every analysed ward (each gets exactly one row).
    councils
        Ward code → council code (NaN when unknown).
    homes
        Council code → list of home footprint codes.

    Returns
    -------
    pandas.DataFrame
        Indexed by ward code: ``home_footprint_codes`` (list), ``best_footprint_code``,
        ``best_area_share``, ``best_population_share``, ``verdict``,
        ``share_outside_home`` (residents', else area, share in non-home footprints).
    """
    council = councils.reindex(ward_codes)
    home_of = homes.to_dict()
    home = pd.Series([home_of.get(c, []) if isinstance(c, str) else [] for c in council],
                     index=council.index, dtype=object)
    real = real_pieces(pieces)
    home_of_piece = real["ward_code"].map(home)
    in_home = [f in h for f, h in zip(real["footprint_code"].tolist(), home_of_piece.tolist(),
                                      strict=True)]
    real = real.assign(in_home=in_home)
    n_home = real.groupby("ward_code")["in_home"].sum().reindex(ward_codes).fillna(0)
    n_real = real.groupby("ward_code").size().reindex(ward_codes).fillna(0)
    verdict = np.select(
        [council.isna().to_numpy(), (n_real == 0).to_numpy(), (n_home == n_real).to_numpy(),
         (n_home == 0).to_numpy()],
        ["unknown_council", "no_footprint", "within", "outside_home"], default="split")

    best = pieces[pieces["best"]].set_index("ward_code").reindex(ward_codes)
    return pd.DataFrame({
        "home_footprint_codes": home.to_numpy(),
        "best_footprint_code": best["footprint_code"].to_numpy(),
        "best_area_share": best["area_share"].to_numpy(),
        "best_population_share": best["population_share"].to_numpy(),
        "verdict": verdict,
        "share_outside_home": share_outside_home(pieces, home.where(council.notna())).to_numpy(),
    }, index=ward_codes)


def share_outside_home(pieces: pd.DataFrame, homes: pd.Series) -> pd.Series:
    """Each ward's share of residents (else area) in footprints that are not home.

    Parameters
    ----------
    pieces
        ``ward_code, footprint_code, area_share, population_share`` (slivers included).
    homes
        Ward code → list of its council's home footprint codes; NaN for a ward of
        unknown council (its share is then NaN too).

    Notes
    -----
    ``share(W) = Σ share(W ∩ F) over footprints F not home to W's council``, with
    population shares when the ward's residents are known, else area shares.
    """
    known = {w: h for w, h in zip(homes.index.tolist(), homes.tolist(), strict=True)
             if isinstance(h, list)}
    in_other = [f not in known.get(w, ()) for w, f in
                zip(pieces["ward_code"].tolist(), pieces["footprint_code"].tolist(), strict=True)]
    outside = pieces[in_other].groupby("ward_code")[["population_share", "area_share"]].sum(
        min_count=1).reindex(homes.index)
    has_people = (pieces["population_share"].notna().groupby(pieces["ward_code"]).any()
                  .reindex(homes.index, fill_value=False).to_numpy())
    share = np.where(has_people, outside["population_share"].fillna(0.0),
                     outside["area_share"].fillna(0.0))
    return pd.Series(np.where(homes.isna(), np.nan, share), index=homes.index,
                     name="share_outside_home")


def _join(codes: object) -> str:
    return ";".join(sorted(codes)) if isinstance(codes, list | set | tuple) else ""


def council_table(pieces: pd.DataFrame, verdicts: pd.DataFrame, councils: pd.Series,
                  homes: pd.Series, names: pd.Series) -> pd.DataFrame:
    """One row per council: home footprints, wards outside home and split, residents outside.

    ``population_outside_home`` sums the residents of the council's wards in real
    (non-sliver, not uncertain) pieces outside its home footprints; empty without
    population.
    """
    known = councils.dropna()
    real = real_pieces(pieces)
    real = real.assign(council=real["ward_code"].map(known)).dropna(subset=["council"])
    named, home_of = names.to_dict(), homes.to_dict()
    outside = real[np.array([f not in home_of.get(c, []) for c, f in
                             zip(real["council"].tolist(), real["footprint_code"].tolist(),
                                 strict=True)], dtype=bool)]
    has_people = pieces["population_share"].notna().any()
    verdict = verdicts["verdict"].reindex(known.index).to_numpy()
    wards = pd.DataFrame({"council": known.to_numpy(), "outside": verdict == "outside_home",
                          "split": verdict == "split"}).groupby("council", sort=True)
    codes = wards.size().index
    people = outside.groupby("council")["population"].sum().reindex(codes, fill_value=0.0)
    touched = real.groupby("council")["footprint_code"].agg(set).to_dict()
    table = pd.DataFrame({
        "council_code": codes.to_numpy(dtype=object),
        "council_name": [named.get(c, c) for c in codes],
        "home_footprint_codes": [_join(home_of.get(c, [])) for c in codes],
        "n_wards": wards.size().to_numpy(),
        "n_wards_outside_home": wards["outside"].sum().to_numpy().astype(int),
        "n_wards_split": wards["split"].sum().to_numpy().astype(int),
        "population_outside_home": ([round(v) for v in people] if has_people
                                    else [pd.NA] * len(codes)),
        "footprint_codes": [_join(touched.get(c, set())) for c in codes],
    })
    table["population_outside_home"] = table["population_outside_home"].astype("Int64")
    return table.sort_values("council_code").reset_index(drop=True)


def footprint_table(pieces: pd.DataFrame, councils: pd.Series, footprints: pd.DataFrame
                    ) -> pd.DataFrame:
    """One row per footprint: councils wholly and partly inside it, and its residents.

    A council is wholly inside a footprint when every real piece of its wards lies
    in it, partly inside when some do.

    Parameters
    ----------
    footprints
        ``code``, ``name`` and ``population`` (all residents of its blocks; NaN
        without population) of every footprint.
    """
    real = real_pieces(pieces)
    real = real.assign(council=real["ward_code"].map(councils.dropna())).dropna(
        subset=["council"])
    spread = real.groupby("council")["footprint_code"].agg(set)
    whole: dict[str, list[str]] = {}
    partial: dict[str, list[str]] = {}
    for council, touched in spread.items():
        target = whole if len(touched) == 1 else partial
        for footprint in touched:
            target.setdefault(footprint, []).append(str(council))
    table = pd.DataFrame({
        "footprint_code": footprints["code"].to_numpy(),
        "footprint_name": footprints["name"].to_numpy(),
        "councils_whole": [_join(whole.get(c, [])) for c in footprints["code"]],
        "councils_partial": [_join(partial.get(c, [])) for c in footprints["code"]],
        "population": pd.array(footprints["population"].round(), dtype="Int64"),
    })
    return table.sort_values("footprint_code").reset_index(drop=True)
