"""Downloading one catalogue product, by the kind of source its publisher has.

:func:`download` fetches a product into a staging folder and returns the finished file
(not yet in place) and its record count, checked:

- ``arcgis``: an ONS Open Geography Portal FeatureServer layer or table, page by page
  (:mod:`stpgeo.io.paging`), each page kept as it comes so that a second run resumes;
  the total against the service's own count; layers asked in their own spatial
  reference and reprojected here, their total area checked against the service's
  (:mod:`stpgeo.io.reproject`); written as GeoJSON (as a GeoPackage where the
  catalogue's file is one) or CSV with the service's field names (tables);
- ``file``: a file at a fixed address, resumed with an HTTP Range request (also
  within a run, after a transient failure: :func:`~stpgeo.io.web.retrying`), refused when
  a web page comes back or its SHA-256 is not the catalogue's, converted where the
  publisher's format is not stpgeo's (:mod:`stpgeo.io.convert`);
- ``ckan``: a data.gov.uk dataset, whose CSV resource data.gov.uk's CKAN API
  (``/api/action/package_show``) names, then downloaded as a ``file``;
- ``parts``: one GeoJSON file per part (district), merged into one layer.

The record count is also checked against the catalogue's (``rows`` / ``features``)
where it records one. Failures raise :class:`~stpgeo.io.web.ServiceError`; which source
to try next is :mod:`stpgeo.io.fetch`'s choice.

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
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyproj

from stpgeo.errors import StpgeoError, preview
from stpgeo.io import arcgis, paging
from stpgeo.io.convert import CONVERTERS
from stpgeo.io.paging import write_atomic
from stpgeo.io.reproject import Areas, reproject, write_features
from stpgeo.io.web import (
    DEFAULT_RETRY,
    Retry,
    ServiceError,
    describe_bytes,
    get,
    read_json,
    retrying,
)
from stpgeo.progress import logger

_CKAN_API = "https://data.gov.uk/api/action/package_show"
_CHUNK = 1 << 20
#: The kinds of source a catalogue entry can name.
KINDS = ("arcgis", "file", "ckan", "parts", "none")


@dataclass(frozen=True)
class Product:
    """A catalogue entry, as something to download.

    Examples
    --------
    >>> p = Product("lookups", "x", {"source": {"kind": "ckan", "dataset": "a"},
    ...                             "fallbacks": [{"kind": "file", "url": "https://b"}]})
    >>> [s["kind"] for s in p.sources]
    ['ckan', 'file']
    """

    section: str
    key: str
    entry: dict[str, Any]

    @property
    def title(self) -> str:
        return str(self.entry.get("title", self.key))

    @property
    def source(self) -> dict[str, Any]:
        """The first source (``[<section>.<key>.source]``)."""
        return self.sources[0]

    @property
    def sources(self) -> list[dict[str, Any]]:
        """Every source, in the order tried: ``source``, then each of ``fallbacks``.

        ``evidence`` (the public evidence for the address) is also read from its old
        name, ``found_in``.
        """
        tables = [self.entry.get("source") or {"kind": "none"},
                  *(self.entry.get("fallbacks") or [])]
        sources = []
        for table in tables:
            source = dict(table)
            if "evidence" not in source and "found_in" in source:
                source["evidence"] = source["found_in"]
            sources.append(source)
        return sources

    @property
    def expected(self) -> int | None:
        """The record count the catalogue records (``rows`` or ``features``), if any."""
        value = self.entry.get("rows", self.entry.get("features"))
        return int(value) if value is not None else None


def address(source: dict[str, Any]) -> str:
    """Where a source points: its service, URL or dataset (``""`` for ``none``).

    Examples
    --------
    >>> address({"kind": "ckan", "dataset": "https://data.gov.uk/dataset/ab12/x"})
    'https://data.gov.uk/dataset/ab12/x'
    """
    return str(source.get("service") or source.get("url") or source.get("dataset") or "")


def mirrored(url: str, mirror: str | None) -> str:
    """``url`` with the scheme and host of ``mirror`` (its path, if any, put before)."""
    if not mirror:
        return url
    to, of = urllib.parse.urlsplit(mirror), urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit((to.scheme, to.netloc, to.path.rstrip("/") + of.path,
                                    of.query, of.fragment))


def download(product: Product, source: dict[str, Any], staging: Path, mirror: str | None,
             retry: Retry = DEFAULT_RETRY) -> tuple[Path, int]:
    """Download one product from one of its sources into ``staging``.

    Returns the checked file (not yet in place) and its record count. Raises
    :class:`~stpgeo.io.web.ServiceError` for what the publisher answered, and
    :class:`~stpgeo.errors.StpgeoError` for a source the catalogue gives wrongly.
    """
    kind = source.get("kind")
    staging.mkdir(parents=True, exist_ok=True)
    if kind == "arcgis":
        return _arcgis(product, source, staging, mirror, retry)
    if kind == "parts":
        result, records = _parts(product, source, staging, mirror, retry)
    elif kind in ("file", "ckan"):
        url = (ckan_resource(source["dataset"], mirror, retry) if kind == "ckan"
               else mirrored(source["url"], mirror))
        result, records = _file(product, source, url, staging, retry)
    else:
        raise StpgeoError(f"the catalogue entry {product.key} has an unknown source kind {kind!r}",
                          fix="use " + ", ".join(KINDS))
    _expected(product, address(source), records)
    return result, records


def _expected(product: Product, url: str, records: int) -> None:
    if product.expected is not None and records != product.expected:
        raise ServiceError(url, f"{records:,} records where the catalogue expects "
                                f"{product.expected:,}", kind="refused")


def _state(staging: Path, state: dict[str, Any]) -> None:
    """Start over when what is resumed was asked differently (another URL, count...)."""
    path = staging / "state.json"
    if path.is_file() and json.loads(path.read_text(encoding="utf-8")) != state:
        for child in staging.iterdir():
            child.unlink()
    write_atomic(path, json.dumps(state))


def _arcgis(product: Product, source: dict[str, Any], staging: Path, mirror: str | None,
            retry: Retry) -> tuple[Path, int]:
    layer = arcgis.layer_info(mirrored(source["service"], mirror), retry)
    where = str(source.get("where", "1=1"))
    total = arcgis.count(layer, where, retry)
    _expected(product, layer.url, total)
    _state(staging, {"service": layer.url, "where": where, "count": total,
                     "fields": list(layer.fields), "paging": layer.paging})
    pages = paging.read_pages(layer, where, total, staging, key=product.key, retry=retry)
    if layer.is_table:
        result = staging / "result.csv"
        _write_table(result, list(layer.fields), paging.records(pages))
        return result, total
    result = staging / "result.geojson"
    areas = Areas()
    wkid = layer.wkid or 4326
    target = int(pyproj.CRS.from_user_input(product.entry.get("crs", 4326)).to_epsg() or 4326) \
        if Path(product.entry["file"]).suffix.lower() != ".geojson" else 4326
    write_features(result, reproject(paging.records(pages), wkid, target, areas,
                                     layer.area_field))
    areas.check(layer.url, layer.area_field)
    if Path(product.entry["file"]).suffix.lower() == ".gpkg":
        result = _geopackage(result, layer=str(product.entry.get("layer", "layer")), crs=target)
    return result, total


def _geopackage(geojson: Path, *, layer: str, crs: int) -> Path:
    """The layer written again as a GeoPackage (for a catalogue file that is one)."""
    import pyogrio

    target = geojson.with_suffix(".gpkg")
    target.unlink(missing_ok=True)
    frame = pyogrio.read_dataframe(geojson)
    pyogrio.write_dataframe(frame.set_crs(crs, allow_override=True), target, layer=layer,
                            driver="GPKG")
    return target


def _write_table(path: Path, fields: list[str], records: Iterable[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(fields)
        for record in records:
            writer.writerow(["" if record.get(f) is None else record[f] for f in fields])


def _parts(product: Product, source: dict[str, Any], staging: Path, mirror: str | None,
           retry: Retry) -> tuple[Path, int]:
    template, parts = str(source["url"]), list(source["parts"])
    _state(staging, {"url": template, "parts": parts})
    for i, part in enumerate(parts, start=1):
        cached = staging / f"part-{part}.json"
        if cached.is_file():
            continue
        url = mirrored(template.format(part=part), mirror)
        answer = read_json(url, retry)
        if answer.get("type") != "FeatureCollection" or not isinstance(answer.get("features"),
                                                                      list):
            raise ServiceError(url, f"GeoJSON that is not a FeatureCollection "
                                    f"(type {answer.get('type')!r})")
        write_atomic(cached, json.dumps({"records": answer["features"], "more": False}))
        if i % 25 == 0 or i == len(parts):
            logger.info("%s: %d of %d parts", product.key, i, len(parts))
    result = staging / "result.geojson"
    records = write_features(result, paging.records([staging / f"part-{p}.json"
                                                     for p in parts]))
    return result, records


def ckan_resource(dataset: str, mirror: str | None, retry: Retry = DEFAULT_RETRY) -> str:
    """The URL of a data.gov.uk dataset's CSV resource (``dataset``: its page or id).

    The resource whose format is CSV, else one whose address ends in ``.csv``.
    """
    parts = urllib.parse.urlsplit(dataset).path.strip("/").split("/")
    ident = parts[parts.index("dataset") + 1] if "dataset" in parts else dataset
    api = mirrored(f"{_CKAN_API}?{urllib.parse.urlencode({'id': ident})}", mirror)
    answer = read_json(api, retry)
    resources = [r for r in (answer.get("result") or {}).get("resources") or [] if r.get("url")]
    csvs = ([r for r in resources if str(r.get("format", "")).strip(". ").lower() == "csv"] or
            [r for r in resources if urllib.parse.urlsplit(str(r["url"])).path.lower()
             .endswith(".csv")])
    if answer.get("success") is not True or not csvs:
        formats = preview(str(r.get("format", "?")) for r in resources) or "none"
        raise ServiceError(api, f"a dataset with no CSV resource (resources: {formats})")
    return mirrored(str(csvs[0]["url"]), mirror)


def _file(product: Product, source: dict[str, Any], url: str, staging: Path,
          retry: Retry) -> tuple[Path, int]:
    _state(staging, {"url": url})
    part = staging / "download.part"

    def whole() -> None:
        try:
            _resume(url, part, product.key)
        except ServiceError as error:
            if error.status != 416:  # 416: the part is whole or stale; fetch it afresh
                raise
            part.unlink()
            _resume(url, part, product.key)
    retrying(whole, retry, what=product.key)
    with part.open("rb") as handle:
        head = handle.read(512)
    if head.lstrip()[:1] == b"<" and not str(source.get("format", "")).endswith("html"):
        part.unlink()
        raise ServiceError(url, f"a web page, not the file: {describe_bytes(head)}",
                           kind="moved")
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
    with get(url, headers={"Range": f"bytes={have}-"} if have else None) as answer:
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
                                        f"({type(error).__name__})", kind="transient") from None
    if expected is not None and have != expected:
        raise ServiceError(url, f"the connection was cut after {have:,} of {expected:,} bytes",
                           kind="transient")


def _count(path: Path) -> int:
    """Records in a downloaded table (rows after the header) or layer (features)."""
    if path.suffix.lower() == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return max(sum(1 for _ in csv.reader(handle)) - 1, 0)
    import pyogrio

    return int(pyogrio.read_info(path)["features"])
