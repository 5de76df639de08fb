"""``stpgeo fetch``: the catalogue's products, downloaded from their publishers.

Each catalogue entry's ``source`` says where its publisher keeps it: an ONS ArcGIS
REST layer or table (``arcgis``), a file (``file``), a data.gov.uk dataset (``ckan``),
one file per district (``parts``) — :mod:`stpgeo.io.sources` downloads each kind — or
no known address (``none``: the message says where to look). ``fallbacks``, a list of
further source tables of the same shape, are tried in turn when the one before fails
for a reason another source could mend (a moved or withdrawn service, an HTTP error, a
web page instead of the file, a service still failing after the retries, a wrong
count); a local error (a full disk) stops at once. This module chooses the products,
the folder, the source, and moves each finished product into place.

Downloads go into ``<data>/.stpgeo-fetch/<product>/<n>-<kind>/``, one folder per
source (pages, parts, a ``.part`` file resumed with an HTTP Range request), and the
product is moved into place, as the catalogue lays it out, only when complete and
checked: its record count against the service's own count (or the catalogue's), its
checksum. When every source fails, one :class:`~stpgeo.errors.StpgeoError` names the
product, each source tried and what each answered; products already complete stay,
nothing half-written is left in the layout, and running the same command again resumes.

Examples
--------
>>> [p.key for p in products(["demo"])]
['lsoa_2011', 'wards_dec2013', '143', '114', 'lsoa11_mid2017', 'imd2019']
>>> len(products(["today"])), products(["today"])[0].key
(9, 'lsoa_2021')
"""

from __future__ import annotations

import os
import shutil
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from stpgeo.errors import StpgeoError, preview
from stpgeo.io.catalogue import (
    ENV_VAR,
    PARTIAL_DIR,
    SAMPLE_NAME,
    Catalogue,
    load_catalogue,
    project_boundaries,
)
from stpgeo.io.sources import Product, download
from stpgeo.io.web import DEFAULT_RETRY, Retry, ServiceError
from stpgeo.progress import logger, step

#: What ``stpgeo demo`` needs for England: ``stpgeo fetch`` with no product, or ``demo``.
DEMO = ("lsoa_2011", "wards_dec2013", "143", "114", "lsoa11_mid2017", "imd2019")
#: Today's map (the vintages built from the 2021 LSOAs, and how they meet the older ones):
#: ``stpgeo fetch today``. ONS's own April 2026 lookup replaces the reconstruction.
TODAY = ("lsoa_2021", "wards_may2024", "lsoa21_sicbl24", "lsoa21_sicbl26_ons", "lsoa21_wd24",
         "lsoa21_census2021", "imd2025", "lsoa11_lsoa21", "lad22_lad23")


def products(names: Iterable[str] = (), catalogue: Catalogue | None = None) -> list[Product]:
    """The products named (catalogue keys; ``demo`` or none: :data:`DEMO`; ``today``:
    :data:`TODAY`; ``all``)."""
    catalogue = catalogue or load_catalogue()
    known = {key: Product(section, key, entry) for section in Catalogue.SECTIONS
             for key, entry in getattr(catalogue, section).items()}
    wanted: list[str] = []
    for name in list(names) or ["demo"]:
        if name == "demo":
            wanted += DEMO
        elif name == "today":
            wanted += TODAY
        elif name == "all":
            wanted += [k for k, p in known.items() if usable(p)]
        elif name in known:
            wanted.append(name)
        else:
            raise StpgeoError(f"the catalogue has no product {name!r}",
                              fix="`stpgeo fetch --list` lists them, e.g. "
                              "`stpgeo fetch lsoa_2011 143`, `stpgeo fetch demo` or "
                              "`stpgeo fetch today`")
    return [known[k] for k in dict.fromkeys(wanted)]


def fetch_dir(data: str | os.PathLike[str] | None = None) -> Path:
    """Where fetched products go: ``--data``/``STPGEO_DATA``, else the project's
    ``boundaries/`` (a source checkout), else ``./boundaries``; both are where
    :func:`~stpgeo.io.catalogue.data_dir` looks."""
    explicit = data if data is not None else os.environ.get(ENV_VAR) or None
    if explicit is not None:
        if str(explicit) == SAMPLE_NAME:
            raise StpgeoError("the bundled sample is not a folder to download into",
                              fix="give --data DIR for England's data (a new or existing folder)")
        return Path(explicit).expanduser()
    return project_boundaries() or Path.cwd() / "boundaries"


@dataclass(frozen=True)
class Fetched:
    """One product: where it is and whether it was downloaded now or already there."""

    product: Product
    path: Path
    status: Literal["fetched", "present"]
    records: int | None


@dataclass(frozen=True)
class FetchReport:
    """What ``stpgeo fetch`` did."""

    folder: Path
    items: list[Fetched]

    def describe(self) -> str:
        """Lines for the user: each product, its records and size."""
        lines = []
        for item in self.items:
            size = item.path.stat().st_size / 1e6
            records = f"{item.records:,} records, " if item.records is not None else ""
            lines.append(f"{item.product.key:<32} {item.status:<8} {records}{size:,.1f} MB  "
                         f"{item.path}")
        return "\n".join([*lines, f"data directory: {self.folder}"])


def fetch(names: Iterable[str] = (), *, data: str | os.PathLike[str] | None = None,
          mirror: str | None = None, force: bool = False,
          catalogue: Catalogue | None = None, retry: Retry = DEFAULT_RETRY) -> FetchReport:
    """Download catalogue products into the data directory, as the catalogue lays it out.

    Parameters
    ----------
    names
        Catalogue keys (``lsoa_2011``, ``143``...), ``demo`` (the default: what the
        national demo needs) or ``all``.
    data
        The folder to fill (created if need be); default :func:`fetch_dir`.
    mirror
        Replaces the scheme and host of every URL, e.g. ``http://127.0.0.1:8000``.
    force
        Download products already present again.
    catalogue
        The catalogue to read (default: :func:`~stpgeo.io.catalogue.load_catalogue`).
    retry
        How often transient failures (429, 5xx, timeouts, cut connections) are tried
        again, and after how long.

    Raises
    ------
    StpgeoError
        A product with no known address (before anything is downloaded), or one that
        none of its sources gave: the message names it, each source tried and what
        each answered. Products completed before stay; a second run resumes the one
        that failed (each source's pages and parts are kept apart).

    Examples
    --------
    >>> fetch(["lsoa_2011", "143"], data="boundaries")  # doctest: +SKIP
    """
    catalogue = catalogue or load_catalogue()
    chosen = products(names, catalogue)
    if mirror is not None and not urllib.parse.urlsplit(mirror).netloc:
        raise StpgeoError(f"--mirror {mirror!r} is not a URL with a host",
                          fix="give e.g. --mirror http://mirror.example.org")
    unknown = [p for p in chosen if not usable(p)]
    if unknown:
        p = unknown[0]
        raise StpgeoError(
            f"stpgeo knows no download address for {preview(u.key for u in unknown)}: "
            f"{p.source.get('note', 'none was found')}",
            fix=f"download {p.title} by hand ({p.entry.get('url', 'see boundaries/README.md')}) "
            f"to {p.entry['file']} inside the data directory, or use --data DIR for files "
            "already downloaded")
    folder = fetch_dir(data)
    created = not folder.exists()
    items: list[Fetched] = []
    try:
        for current in chosen:
            target = folder / current.entry["file"]
            if target.exists() and not force:
                items.append(Fetched(current, target, "present", None))
                continue
            staging = folder / PARTIAL_DIR / current.key
            with step(f"fetching {current.key} ({current.title})"):
                result, records = _first_that_answers(
                    current, staging, mirror, retry,
                    done=[i.product.key for i in items if i.status == "fetched"])
            target.parent.mkdir(parents=True, exist_ok=True)
            result.replace(target)
            shutil.rmtree(staging, ignore_errors=True)
            items.append(Fetched(current, target, "fetched", records))
    except OSError as error:
        raise StpgeoError(f"could not write {folder} ({error.strerror or error})",
                          source=folder, fix="free some space or give --data a folder you can "
                          "write to") from None
    finally:
        _tidy(folder, created)
    return FetchReport(folder, items)


def usable(product: Product) -> list[tuple[int, dict[str, Any]]]:
    """A product's sources with an address, numbered from 1 as the catalogue lists them."""
    return [(i, s) for i, s in enumerate(product.sources, start=1)
            if s.get("kind", "none") != "none"]


def _first_that_answers(product: Product, staging: Path, mirror: str | None, retry: Retry,
                        *, done: list[str]) -> tuple[Path, int]:
    """The product from the first of its sources that answers, each staged apart."""
    failed: list[tuple[dict[str, Any], ServiceError]] = []
    for number, source in usable(product):
        try:
            return download(product, source, staging / f"{number}-{source['kind']}", mirror,
                            retry)
        except ServiceError as error:
            failed.append((source, error))
            logger.info("%s: source %d (%s) failed: %s", product.key, number, source["kind"],
                        error)
    raise _refusal(product, failed, done=done)


def _refusal(product: Product, failed: list[tuple[dict[str, Any], ServiceError]], *,
             done: list[str]) -> StpgeoError:
    kept = f" ({preview(done)} fetched and kept)" if done else ""
    errors = [error for _, error in failed]
    if all(e.kind == "moved" for e in errors):
        hint = (f"the publisher may have moved or withdrawn it: look for {product.title!r} "
                f"from {product.entry.get('url', 'its publisher')} and correct the catalogue "
                "(`stpgeo fetch --check` asks every source); ")
    else:
        hint = "check the connection and run the same command again: it resumes where it stopped; "
    fix = hint + ("or use --mirror URL for a mirror of the publishers, or --data DIR for "
                  "files already downloaded")
    if len(failed) == 1:
        return StpgeoError(f"could not fetch {product.key} ({product.title}): "
                           f"{errors[0].what}{kept}", source=errors[0].url, fix=fix)
    tried = "".join(f"\n  {n}. {s['kind']} {e.url}: {e.what}"
                    for n, (s, e) in enumerate(failed, start=1))
    return StpgeoError(f"could not fetch {product.key} ({product.title}) from any of its "
                       f"{len(failed)} sources{kept}:{tried}", fix=fix)


def _tidy(folder: Path, created: bool) -> None:
    """Remove what a failed fetch made that holds nothing to resume from."""
    partial = folder / PARTIAL_DIR
    if partial.is_dir():
        for product in [p for p in partial.iterdir() if p.is_dir()]:
            for source in [s for s in product.iterdir() if s.is_dir()]:
                if {p.name for p in source.iterdir()} <= {"state.json"}:
                    shutil.rmtree(source)
            if not any(product.iterdir()):
                product.rmdir()
        if not any(partial.iterdir()):
            partial.rmdir()
    if created and folder.is_dir() and not any(folder.rglob("*")):
        folder.rmdir()


def confirmation(product: Product) -> str:
    """Whether a product's first source is confirmed by public evidence, in words.

    Examples
    --------
    >>> confirmation(Product("lookups", "x", {"source": {"kind": "arcgis", "confirmed": True}}))
    'confirmed'
    >>> confirmation(Product("lookups", "x", {"source": {"kind": "none", "note": "ask ONS"}}))
    'none known'
    """
    if not usable(product):
        return "none known"
    return "confirmed" if product.sources[0].get("confirmed") is True else "unconfirmed"


def product_table(*, data: str | os.PathLike[str] | None = None,
                  catalogue: Catalogue | None = None) -> str:
    """``stpgeo fetch --list``: each product, its size when known, whether it is present,
    where it comes from and whether that source is confirmed (or why none is known)."""
    catalogue = catalogue or load_catalogue()
    folder = fetch_dir(data)
    listed = products(["all"] + [k for s in Catalogue.SECTIONS for k in getattr(catalogue, s)],
                      catalogue)
    width = max(len(p.key) for p in listed) + 2
    lines = [f" {'product':<{width}}{'present':<9}{'size':>10}  {'from':<8}"
             f"{'source':<12}title"]
    for product in listed:
        path = folder / product.entry["file"]
        if path.is_file():
            size = f"{path.stat().st_size / 1e6:,.1f} MB"
        elif product.entry.get("size"):
            size = f"~{int(product.entry['size']) / 1e6:,.1f} MB"
        else:
            size = "?"
        demo = "*" if product.key in DEMO else " "
        fallbacks = len(usable(product)) - 1
        kind = str(product.source.get("kind", "none")) + ("+" if fallbacks > 0 else "")
        note = (f" (no source known: {product.source['note']})"
                if not usable(product) and product.source.get("note") else "")
        lines.append(f"{demo}{product.key:<{width}}{'yes' if path.is_file() else 'no':<9}"
                     f"{size:>10}  {kind:<8}{confirmation(product):<12}{product.title}{note}")
    return "\n".join([*lines, f"* needed by `stpgeo demo` for England; + a fallback source "
                      f"is tried if the first fails; data directory: {folder}"])
