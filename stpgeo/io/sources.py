"""Downloading one catalogue product, by the kind of source its publisher has.

:func:`download` fetches a product into a staging folder and returns the finished file
(not yet in place) and its record count, checked:

- ``arcgis``: an ONS Open Geography Portal FeatureServer layer or table, page by page
  (:mod:`stpgeo.io.arcgis`), each page kept as it comes so that a second run resumes;
  the total against the service's own count; written as GeoJSON (layers; as a
  GeoPackage where the catalogue's file is one) or CSV with the service's field names
  (tables);
- ``file``: a file at a fixed address, resumed with an HTTP Range request, refused when
  a web page comes back or its SHA-256 is not the catalogue's, converted where the
  publisher's format is not stpgeo's (:mod:`stpgeo.io.convert`);
- ``ckan``: a data.gov.uk dataset, whose CSV resource data.gov.uk's CKAN API
  (``/api/action/package_show``) names, then downloaded as a ``file``;
- ``parts``: one GeoJSON file per part (district), merged into one layer.

The record count is also checked against the catalogue's (``rows`` / ``features``)
where it records one. Failures raise :class:`~stpgeo.io.arcgis.ServiceError`.

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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stpgeo.errors import StpgeoError, preview
from stpgeo.io import arcgis
from stpgeo.io.arcgis import ServiceError
from stpgeo.io.convert import CONVERTERS
from stpgeo.progress import logger

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


def mirrored(url: str, mirror: str | None) -> str:
    """``url`` with the scheme and host of ``mirror`` (its path, if any, put before)."""
    if not mirror:
        return url
    to, of = urllib.parse.urlsplit(mirror), urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit((to.scheme, to.netloc, to.path.rstrip("/") + of.path,
                                    of.query, of.fragment))


def download(product: Product, staging: Path, mirror: str | None) -> tuple[Path, int]:
    """Download one product into ``staging``; return the checked file and its records."""
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
    return result, records


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
        if Path(product.entry["file"]).suffix.lower() == ".gpkg":
            result = _geopackage(result, layer=str(product.entry.get("layer", "layer")))
    return result, total


def _geopackage(geojson: Path, *, layer: str) -> Path:
    """The layer written again as a GeoPackage (for a catalogue file that is one)."""
    import pyogrio

    target = geojson.with_suffix(".gpkg")
    target.unlink(missing_ok=True)
    pyogrio.write_dataframe(pyogrio.read_dataframe(geojson), target, layer=layer,
                            driver="GPKG")
    return target


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
