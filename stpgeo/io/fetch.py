"""``stpgeo fetch``: the catalogue's products, downloaded from their publishers.

Each catalogue entry's ``source`` says where its publisher keeps it:

- ``arcgis``: an ONS Open Geography Portal FeatureServer layer, read in pages with
  the REST query API (:mod:`stpgeo.io.arcgis`) and written as GeoJSON (layers) or as
  CSV with ONS's column names (lookup tables);
- ``file``: a file at a fixed address (IMD from GOV.UK, population from ONS),
  converted where the publisher's format is not the one stpgeo reads
  (:mod:`stpgeo.io.convert`), checked against a SHA-256 where one is recorded;
- ``ckan``: a data.gov.uk dataset, whose CSV resource is found with data.gov.uk's
  CKAN API (``/api/action/package_show``) and downloaded as a ``file``;
- ``parts``: one GeoJSON file per district, merged into one layer;
- ``none``: no download address is known (the message says where to look).

Downloads go into ``<data>/.stpgeo-fetch/<product>/`` (pages, parts, a ``.part``
file resumed with an HTTP Range request) and the product is moved into place, as the
catalogue lays it out, only when complete and checked: its record count against the
service's own count (or the catalogue's), its checksum. Any failure raises one
:class:`~stpgeo.errors.StpgeoError` naming the product, the URL and what came back;
products already complete stay, nothing half-written is left in the layout, and
running the same command again resumes.

Examples
--------
>>> mirrored("https://services1.arcgis.com/ESMARspQHYMw9BZ9/arcgis/rest/services/X",
...          "http://127.0.0.1:8000")
'http://127.0.0.1:8000/ESMARspQHYMw9BZ9/arcgis/rest/services/X'
"""

from __future__ import annotations

import csv
import hashlib
import http.client
import json
import os
import shutil
import urllib.parse
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from stpgeo.errors import StpgeoError, preview
from stpgeo.io import arcgis
from stpgeo.io.arcgis import ServiceError
from stpgeo.io.catalogue import (
    ENV_VAR,
    PARTIAL_DIR,
    SAMPLE_NAME,
    Catalogue,
    load_catalogue,
    project_boundaries,
)
from stpgeo.io.convert import CONVERTERS
from stpgeo.progress import logger, step

#: What ``stpgeo demo`` needs for England: ``stpgeo fetch`` with no product, or ``demo``.
DEMO = ("lsoa_2011", "wards_dec2013", "143", "114", "lsoa11_mid2017")
_CKAN_API = "https://data.gov.uk/api/action/package_show"
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Product:
    """A catalogue entry, as something to download."""

    section: str
    key: str
    entry: dict[str, Any]

    @property
    def title(self) -> str:
        return str(self.entry.get("title", self.key))

    @property
    def source(self) -> dict[str, Any]:
        return dict(self.entry.get("source") or {"kind": "none"})


def products(names: Iterable[str] = (), catalogue: Catalogue | None = None) -> list[Product]:
    """The products named (catalogue keys; ``demo`` or none: :data:`DEMO`; ``all``)."""
    catalogue = catalogue or load_catalogue()
    known = {key: Product(section, key, entry) for section in Catalogue.SECTIONS
             for key, entry in getattr(catalogue, section).items()}
    wanted: list[str] = []
    for name in list(names) or ["demo"]:
        if name == "demo":
            wanted += DEMO
        elif name == "all":
            wanted += [k for k, p in known.items() if p.source.get("kind") != "none"]
        elif name in known:
            wanted.append(name)
        else:
            raise StpgeoError(f"the catalogue has no product {name!r}",
                              fix="`stpgeo fetch --list` lists them, e.g. "
                              "`stpgeo fetch lsoa_2011 143`, or `stpgeo fetch demo`")
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


def mirrored(url: str, mirror: str | None) -> str:
    """``url`` with the scheme and host of ``mirror`` (its path, if any, put before)."""
    if not mirror:
        return url
    to, of = urllib.parse.urlsplit(mirror), urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit((to.scheme, to.netloc, to.path.rstrip("/") + of.path,
                                    of.query, of.fragment))


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
          catalogue: Catalogue | None = None) -> FetchReport:
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

    Raises
    ------
    StpgeoError
        A product with no known address (before anything is downloaded), or one whose
        download failed: the message names it, the URL and what came back. Products
        completed before stay; a second run resumes the one that failed.

    Examples
    --------
    >>> fetch(["lsoa_2011", "143"], data="boundaries")  # doctest: +SKIP
    """
    catalogue = catalogue or load_catalogue()
    chosen = products(names, catalogue)
    if mirror is not None and not urllib.parse.urlsplit(mirror).netloc:
        raise StpgeoError(f"--mirror {mirror!r} is not a URL with a host",
                          fix="give e.g. --mirror http://mirror.example.org")
    unknown = [p for p in chosen if p.source.get("kind") == "none"]
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
    current: Product | None = None
    try:
        for current in chosen:
            target = folder / current.entry["file"]
            if target.exists() and not force:
                items.append(Fetched(current, target, "present", None))
                continue
            with step(f"fetching {current.key} ({current.title})"):
                records = _download(current, target, folder / PARTIAL_DIR / current.key, mirror)
            items.append(Fetched(current, target, "fetched", records))
    except ServiceError as error:
        assert current is not None
        raise _refusal(current, error, done=[i.product.key for i in items if i.status ==
                                             "fetched"]) from None
    except OSError as error:
        raise StpgeoError(f"could not write {folder} ({error.strerror or error})",
                          source=folder, fix="free some space or give --data a folder you can "
                          "write to") from None
    finally:
        _tidy(folder, created)
    return FetchReport(folder, items)


def _refusal(product: Product, error: ServiceError, *, done: list[str]) -> StpgeoError:
    kept = f" ({preview(done)} fetched and kept)" if done else ""
    if error.status == 404:
        hint = (f"the publisher may have moved it: look for {product.title!r} from "
                f"{product.entry.get('url', 'its publisher')} and correct the catalogue; ")
    else:
        hint = "check the connection and run the same command again: it resumes where it stopped; "
    return StpgeoError(
        f"could not fetch {product.key} ({product.title}): {error.what}{kept}",
        source=error.url,
        fix=hint + "or use --mirror URL for a mirror of the publishers, or --data DIR for "
        "files already downloaded")


def _tidy(folder: Path, created: bool) -> None:
    """Remove what a failed fetch made that holds nothing to resume from."""
    partial = folder / PARTIAL_DIR
    if partial.is_dir():
        for child in partial.iterdir():
            if child.is_dir() and {p.name for p in child.iterdir()} <= {"state.json"}:
                shutil.rmtree(child)
        if not any(partial.iterdir()):
            partial.rmdir()
    if created and folder.is_dir() and not any(folder.rglob("*")):
        folder.rmdir()


def _download(product: Product, target: Path, staging: Path, mirror: str | None) -> int:
    """Download one product into ``staging``, check it, move it to ``target``."""
    source = product.source
    kind = source.get("kind")
    staging.mkdir(parents=True, exist_ok=True)
    if kind == "arcgis":
        result, records = _arcgis(product, staging, mirror)
    elif kind == "parts":
        result, records = _parts(product, staging, mirror)
    elif kind in ("file", "ckan"):
        url = (_ckan_resource(source["dataset"], mirror) if kind == "ckan"
               else mirrored(source["url"], mirror))
        result, records = _file(product, url, staging)
    else:
        raise StpgeoError(f"the catalogue entry {product.key} has an unknown source kind {kind!r}",
                          fix="use arcgis, file, ckan, parts or none")
    expected = product.entry.get("rows", product.entry.get("features"))
    if expected is not None and kind != "arcgis" and records != expected:
        raise ServiceError(str(source.get("url") or source.get("dataset")),
                           f"{records:,} records where the catalogue expects {expected:,}")
    target.parent.mkdir(parents=True, exist_ok=True)
    result.replace(target)
    shutil.rmtree(staging, ignore_errors=True)
    return records


def _write_atomic(path: Path, text: str) -> None:
    partial = path.with_name(path.name + ".tmp")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)


def _state(staging: Path, state: dict[str, Any]) -> None:
    """Start over when what is resumed was asked differently (another URL, count...)."""
    path = staging / "state.json"
    if path.is_file() and json.loads(path.read_text(encoding="utf-8")) != state:
        for child in staging.iterdir():
            child.unlink()
    _write_atomic(path, json.dumps(state))


def _arcgis(product: Product, staging: Path, mirror: str | None) -> tuple[Path, int]:
    layer = arcgis.layer_info(mirrored(product.source["service"], mirror))
    where = str(product.source.get("where", "1=1"))
    total = arcgis.count(layer, where)
    _state(staging, {"service": layer.url, "where": where, "count": total,
                     "fields": list(layer.fields)})
    offset = 0
    while True:
        cached = staging / f"page-{offset:09d}.json"
        if cached.is_file():
            kept = json.loads(cached.read_text(encoding="utf-8"))
            records, more = kept["records"], kept["more"]
        else:
            url, page = arcgis.page(layer, where, offset, layer.max_records)
            if not page.records and offset < total:
                raise ServiceError(url, f"an empty page at record {offset:,} of {total:,}")
            records, more = page.records, page.more
            _write_atomic(cached, json.dumps({"records": records, "more": more}))
        offset += len(records)
        logger.info("%s: %s of %s records", product.key, f"{offset:,}", f"{total:,}")
        if not more or not records:
            break
    if offset != total:
        raise ServiceError(layer.url, f"{offset:,} records where the service counts {total:,}")
    pages = sorted(staging.glob("page-*.json"))
    if layer.is_table:
        result = staging / "result.csv"
        _write_table(result, list(layer.fields), _records(pages))
    else:
        result = staging / "result.geojson"
        _write_features(result, _records(pages))
    return result, total


def _records(pages: list[Path]) -> Iterator[dict[str, Any]]:
    for path in pages:
        yield from json.loads(path.read_text(encoding="utf-8"))["records"]


def _write_table(path: Path, fields: list[str], records: Iterable[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(fields)
        for record in records:
            writer.writerow(["" if record.get(f) is None else record[f] for f in fields])


def _write_features(path: Path, features: Iterable[dict[str, Any]]) -> int:
    """Write a FeatureCollection in longitude/latitude, one feature a line."""
    n = 0
    with path.open("w", encoding="utf-8") as handle:
        handle.write('{"type":"FeatureCollection","features":[\n')
        for feature in features:
            handle.write(("," if n else "") + json.dumps(feature, separators=(",", ":"),
                                                         ensure_ascii=False) + "\n")
            n += 1
        handle.write("]}\n")
    return n


def _parts(product: Product, staging: Path, mirror: str | None) -> tuple[Path, int]:
    template, parts = str(product.source["url"]), list(product.source["parts"])
    _state(staging, {"url": template, "parts": parts})
    for i, part in enumerate(parts, start=1):
        cached = staging / f"part-{part}.json"
        if cached.is_file():
            continue
        url = mirrored(template.format(part=part), mirror)
        answer = arcgis.read_json(url)
        if answer.get("type") != "FeatureCollection" or not isinstance(answer.get("features"),
                                                                      list):
            raise ServiceError(url, f"GeoJSON that is not a FeatureCollection "
                                    f"(type {answer.get('type')!r})")
        _write_atomic(cached, json.dumps({"records": answer["features"], "more": False}))
        if i % 25 == 0 or i == len(parts):
            logger.info("%s: %d of %d parts", product.key, i, len(parts))
    result = staging / "result.geojson"
    records = _write_features(result, _records([staging / f"part-{p}.json" for p in parts]))
    return result, records


def _ckan_resource(dataset: str, mirror: str | None) -> str:
    """The URL of a data.gov.uk dataset's CSV resource (``dataset``: its page or id)."""
    parts = urllib.parse.urlsplit(dataset).path.strip("/").split("/")
    ident = parts[parts.index("dataset") + 1] if "dataset" in parts else dataset
    api = mirrored(f"{_CKAN_API}?{urllib.parse.urlencode({'id': ident})}", mirror)
    answer = arcgis.read_json(api)
    resources = (answer.get("result") or {}).get("resources") or []
    csvs = [r for r in resources if str(r.get("format", "")).strip().lower() == "csv"
            and r.get("url")]
    if answer.get("success") is not True or not csvs:
        formats = preview(str(r.get("format", "?")) for r in resources) or "none"
        raise ServiceError(api, f"a dataset with no CSV resource (resources: {formats})")
    return mirrored(str(csvs[0]["url"]), mirror)


def _file(product: Product, url: str, staging: Path) -> tuple[Path, int]:
    source = product.source
    _state(staging, {"url": url})
    part = staging / "download.part"
    try:
        _resume(url, part, product.key)
    except ServiceError as error:
        if error.status != 416:  # 416: the part is whole or stale; fetch it afresh
            raise
        part.unlink()
        _resume(url, part, product.key)
    with part.open("rb") as handle:
        head = handle.read(512)
    if head.lstrip()[:1] == b"<" and not str(source.get("format", "")).endswith("html"):
        part.unlink()
        raise ServiceError(url, f"a web page, not the file: {arcgis.describe_bytes(head)}")
    if source.get("sha256"):
        digest = hashlib.sha256()
        with part.open("rb") as handle:
            for chunk in iter(lambda: handle.read(_CHUNK), b""):
                digest.update(chunk)
        if digest.hexdigest() != source["sha256"]:
            part.unlink()
            raise ServiceError(url, f"a file whose SHA-256 is {digest.hexdigest()}, not the "
                                    f"catalogue's {source['sha256']}")
    suffix = Path(product.entry["file"]).suffix
    result = staging / f"result{suffix}"
    if source.get("convert"):
        options = {k: source[k] for k in ("member", "sheet") if k in source}
        try:
            records = CONVERTERS[source["convert"]](part, result, **options)
        except StpgeoError as error:
            raise ServiceError(url, f"an unexpected file: {error.problem}") from None
    else:
        part.replace(result)
        records = _count(result)
    return result, records


def _resume(url: str, part: Path, key: str) -> None:
    """Download ``url`` into ``part``, going on from its size with an HTTP Range request."""
    have = part.stat().st_size if part.is_file() else 0
    with arcgis.get(url, headers={"Range": f"bytes={have}-"} if have else None) as answer:
        if answer.status != 206:
            have = 0
        length = answer.headers.get("Content-Length")
        expected = have + int(length) if length is not None else None
        announced = have
        with part.open("ab" if have else "wb") as handle:
            try:
                while chunk := answer.read(_CHUNK):
                    handle.write(chunk)
                    have += len(chunk)
                    if have - announced >= 8 * _CHUNK:
                        logger.info("%s: %.1f MB", key, have / 1e6)
                        announced = have
            except (OSError, ValueError, http.client.HTTPException) as error:  # cut, timed out
                raise ServiceError(url, f"the connection was cut after {have:,} bytes "
                                        f"({type(error).__name__})") from None
    if expected is not None and have != expected:
        raise ServiceError(url, f"the connection was cut after {have:,} of {expected:,} bytes")


def _count(path: Path) -> int:
    """Records in a downloaded table (rows after the header) or layer (features)."""
    if path.suffix.lower() == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return max(sum(1 for _ in csv.reader(handle)) - 1, 0)
    import pyogrio

    return int(pyogrio.read_info(path)["features"])


def product_table(*, data: str | os.PathLike[str] | None = None,
                  catalogue: Catalogue | None = None) -> str:
    """``stpgeo fetch --list``: each product, its size when known, whether it is present."""
    catalogue = catalogue or load_catalogue()
    folder = fetch_dir(data)
    listed = products(["all"] + [k for s in Catalogue.SECTIONS for k in getattr(catalogue, s)],
                      catalogue)
    width = max(len(p.key) for p in listed) + 2
    lines = [f" {'product':<{width}}{'present':<9}{'size':>10}  {'from':<7}title"]
    for product in listed:
        path = folder / product.entry["file"]
        if path.is_file():
            size = f"{path.stat().st_size / 1e6:,.1f} MB"
        elif product.entry.get("size"):
            size = f"~{int(product.entry['size']) / 1e6:,.1f} MB"
        else:
            size = "?"
        demo = "*" if product.key in DEMO else " "
        lines.append(f"{demo}{product.key:<{width}}{'yes' if path.is_file() else 'no':<9}"
                     f"{size:>10}  {product.source.get('kind', 'none'):<7}{product.title}")
    return "\n".join([*lines, f"* needed by `stpgeo demo` for England; data directory: {folder}"])
