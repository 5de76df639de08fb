"""A local stand-in for the publishers, for testing ``stpgeo fetch --mirror``.

:class:`Publishers` serves, on 127.0.0.1, the files of a data directory the way the
catalogue's sources say their publishers do:

- ``arcgis``: the ArcGIS REST protocol of ONS's Open Geography Portal: layer metadata
  (``?f=json``: type, ``maxRecordCount``, ``objectIdField``, fields), counts
  (``returnCountOnly``), pages ordered by the object id (``resultOffset``,
  ``resultRecordCount`` up to ``maxRecordCount``, ``exceededTransferLimit``), as GeoJSON
  for layers (``outSR=4326`` required) and attribute JSON for tables; ``where`` is
  ``1=1`` or ``FIELD LIKE 'X%'``; errors as ArcGIS gives them (HTTP 200, ``{"error"}``);
- ``file``: plain files with HTTP Range support; ONS's population workbook (a zip
  holding an XLS made with xlwt from the table) and GOV.UK's IMD "File 7" CSVs are
  made from the data directory's tables in the publishers' layouts;
- ``ckan``: data.gov.uk's ``/api/action/package_show``, whose CSV resource the
  server also serves;
- ``parts``: one GeoJSON file per district (wards grouped by their old district code).

An unknown service is answered as ArcGIS Online answers one (HTTP 200,
``{"error": {"code": 400, "message": "Invalid URL"}}``). Faults
(:meth:`Publishers.fail`, :class:`Fault`) make it misbehave as real servers do: cut
or reset a connection, stall, answer an HTTP status, a web page or ArcGIS's HTTP 200
errors, ignore ``resultOffset``, not page, not answer GeoJSON, give wrong areas;
:attr:`Publishers.log` records every request.
"""

from __future__ import annotations

import csv
import io
import json
import re
import threading
import time
import urllib.parse
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import numpy as np
import pyproj
import shapely
import shapely.geometry
import shapely.geometry.polygon

from stpgeo.io.arcgis import AREA_FIELDS
from stpgeo.io.catalogue import Catalogue
from stpgeo.io.convert import IMD2015, IMD2019, IMD2025
from stpgeo.io.sources import Product

_OIDS = ("FID", "OBJECTID", "objectid", "ObjectId")


class ArcgisLayer:
    """A file of the data directory as a FeatureServer layer or table.

    Layers are stored in ``wkid`` (the file's longitude/latitude are reprojected once,
    for 27700 as ONS stores them) and carry ONS's ``Shape__Area`` (square metres in
    EPSG:27700) unless the file has an area field. ``mode`` (a fault's) makes the
    layer misbehave: ``ignores-offset`` (page 1 whatever ``resultOffset`` says),
    ``no-pagination`` (``supportsPagination: false``; ``resultOffset`` refused),
    ``no-geojson`` (not in ``supportedQueryFormats``; ``f=geojson`` refused),
    ``geojson-fails`` (offered, but ``f=geojson`` answers an error), ``wrong-area``
    (``Shape__Area`` 5% too large).
    """

    def __init__(self, path: Path, max_records: int, wkid: int = 4326) -> None:
        self.path, self.max_records, self.wkid = path, max_records, wkid
        self.is_table = path.suffix.lower() == ".csv"

    @cached_property
    def rows(self) -> tuple[str, list[str], list[dict[str, Any]], list[str]]:
        """(object id field, field names, properties, geometry JSON texts in ``wkid``)."""
        if self.is_table:
            with self.path.open(encoding="utf-8-sig", newline="") as handle:
                reader = csv.DictReader(handle)
                names = list(reader.fieldnames or [])
                props: list[dict[str, Any]] = [{k: (v if v != "" else None) for k, v in r.items()}
                                               for r in reader]
            geometries: list[str] = []
        else:
            features = json.loads(self.path.read_text(encoding="utf-8"))["features"]
            names = list(features[0]["properties"])
            props = [f["properties"] for f in features]
            shapes = np.array([shapely.geometry.shape(f["geometry"]) for f in features])
            if not any(n.lower() in AREA_FIELDS for n in names):
                names.append("Shape__Area")
                for row, area in zip(props, shapely.area(_reprojected(shapes, 4326, 27700)),
                                     strict=True):
                    row["Shape__Area"] = float(area)
            if self.wkid == 4326:
                geometries = [json.dumps(f["geometry"]) for f in features]
            else:
                geometries = [json.dumps(shapely.geometry.mapping(g))
                              for g in _reprojected(shapes, 4326, self.wkid)]
        oid = next((n for n in _OIDS if n in names), None)
        if oid is None:
            oid = "FID"
            names.append(oid)
            for i, row in enumerate(props, start=1):
                row[oid] = i
        else:
            for row in props:
                row[oid] = int(row[oid])
        return oid, names, props, geometries

    def metadata(self, q: dict[str, str], mode: str | None = None) -> dict[str, Any]:
        oid, names, props, _ = self.rows
        first = props[0]

        def kind(name: str) -> str:
            value = first.get(name)
            if name == oid:
                return "esriFieldTypeOID"
            return {int: "esriFieldTypeInteger", float: "esriFieldTypeDouble"}.get(
                type(value), "esriFieldTypeString")
        reference = {"wkid": self.wkid, "latestWkid": self.wkid}
        return {"currentVersion": 11.3, "id": 0, "name": self.path.stem,
                "type": "Table" if self.is_table else "Feature Layer",
                "geometryType": None if self.is_table else "esriGeometryPolygon",
                "objectIdField": oid, "maxRecordCount": self.max_records,
                "sourceSpatialReference": reference,
                "extent": {"xmin": 0, "ymin": 0, "xmax": 1, "ymax": 1,
                           "spatialReference": reference},
                "supportedQueryFormats": "JSON, AMF" if mode == "no-geojson" else
                "JSON, geoJSON, PBF",
                "advancedQueryCapabilities": {"supportsPagination": mode != "no-pagination"},
                "fields": [{"name": n, "type": kind(n), "alias": n} for n in names]}

    def select(self, where: str) -> list[int] | None:
        _, names, props, _ = self.rows
        if where.replace(" ", "") == "1=1":
            return list(range(len(props)))
        match = re.fullmatch(r"\s*(\w+)\s+LIKE\s+'([^'%]*)%'\s*", where, flags=re.I)
        if match is None or match.group(1) not in names:
            return None
        column, start = match.groups()
        return [i for i, r in enumerate(props) if str(r.get(column) or "").startswith(start)]

    def query(self, q: dict[str, str], mode: str | None = None) -> dict[str, Any] | str:
        oid, _names, props, geometries = self.rows
        chosen = self.select(q.get("where", ""))
        if chosen is None:
            return _error(400, "Unable to complete operation: invalid where clause")
        if q.get("returnCountOnly") == "true":
            return {"count": len(chosen)}
        if q.get("returnIdsOnly") == "true":
            return {"objectIdFieldName": oid, "objectIds": [props[i][oid] for i in chosen]}
        if q.get("orderByFields", "").split()[:1] != [oid]:
            return _error(400, f"pages must be ordered by the object id {oid}")
        if "objectIds" in q:
            wanted = {int(i) for i in q["objectIds"].split(",")}
            page = [i for i in chosen if props[i][oid] in wanted][:self.max_records]
            more = False
        else:
            if mode == "no-pagination":
                return _error(400, "Pagination is not supported.")
            offset = 0 if mode == "ignores-offset" else int(q.get("resultOffset", 0))
            size = min(int(q.get("resultRecordCount", self.max_records)), self.max_records)
            page = chosen[offset:offset + size]
            more = mode == "ignores-offset" or offset + len(page) < len(chosen)
        rows = [props[i] if mode != "wrong-area" else
                {**props[i], "Shape__Area": props[i]["Shape__Area"] * 1.05} for i in page]
        if self.is_table:
            if q.get("f") != "json":
                return _error(400, "tables are read as f=json here")
            return {"objectIdFieldName": oid, "fields": self.metadata(q)["fields"],
                    "features": [{"attributes": r} for r in rows],
                    "exceededTransferLimit": more}
        out = int(q.get("outSR", 0))
        if out not in (4326, self.wkid):
            return _error(400, f"give outSR (4326 or the layer's {self.wkid}) here")
        texts = [geometries[i] for i in page]
        if out != self.wkid:
            texts = [json.dumps(shapely.geometry.mapping(g)) for g in _reprojected(
                np.array([shapely.geometry.shape(json.loads(t)) for t in texts]), self.wkid, out)]
        if q.get("f") == "json":
            return {"objectIdFieldName": oid, "geometryType": "esriGeometryPolygon",
                    "spatialReference": {"wkid": out}, "exceededTransferLimit": more,
                    "features": [{"attributes": r, "geometry": _esri(json.loads(t))}
                                 for r, t in zip(rows, texts, strict=True)]}
        if q.get("f") != "geojson" or mode in ("no-geojson", "geojson-fails"):
            return _error(400, "Invalid or missing input parameters.")
        features = ",".join(
            f'{{"type":"Feature","id":{r[oid]},"geometry":{t},'
            f'"properties":{json.dumps(r)}}}' for r, t in zip(rows, texts, strict=True))
        extra = ',"properties":{"exceededTransferLimit":true}' if more else ""
        return f'{{"type":"FeatureCollection","features":[{features}]{extra}}}'


def _reprojected(shapes: Any, source: int, target: int) -> Any:
    if source == target:
        return shapes
    move = pyproj.Transformer.from_crs(source, target, always_xy=True)
    return shapely.transform(shapes, lambda xy: np.column_stack(move.transform(xy[:, 0],
                                                                               xy[:, 1])))


def _esri(geometry: dict[str, Any]) -> dict[str, Any]:
    """Esri JSON rings of a GeoJSON polygon: outer rings clockwise, holes counter-clockwise."""
    shape = shapely.geometry.shape(geometry)
    rings = []
    for polygon in getattr(shape, "geoms", [shape]):
        oriented = shapely.geometry.polygon.orient(polygon, sign=-1.0)
        rings += [list(map(list, oriented.exterior.coords))] + [
            list(map(list, r.coords)) for r in oriented.interiors]
    return {"rings": rings}


def _error(code: int, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": []}}


def population_workbook(table: Path, member: str, sheet: str) -> bytes:
    """ONS's LSOA population workbook (XLS in a zip), made from stpgeo's population CSV."""
    import xlwt

    book = xlwt.Workbook()
    page = book.add_sheet(sheet)
    title = ["Mid-2017 Population Estimates for Lower Layer Super Output Areas in England and "
             "Wales by Single Year of Age and Sex", "National Statistics", "", "All persons"]
    for i, text in enumerate(title):
        page.write(i, 0, text)
    for j, text in enumerate(["Area Codes", "Area Names", "", "All Ages", "0", "1"]):
        page.write(4, j, text)
    with table.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    page.write(5, 0, "E92000001")
    page.write(5, 1, "England")
    page.write(5, 3, sum(int(r["total_population"]) for r in rows if r["lsoa11_code"][0] == "E"))
    for i, row in enumerate(rows, start=6):
        page.write(i, 0, row["lsoa11_code"])
        page.write(i, 2, row["lsoa11_name"])
        page.write(i, 3, int(row["total_population"]))
    workbook = io.BytesIO()
    book.save(workbook)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as handle:
        handle.writestr(member, workbook.getvalue())
    return archive.getvalue()


def file7(table: Path, convert: str) -> bytes:
    """GOV.UK's Indices of Deprivation File 7, made from stpgeo's IMD table."""
    ours = {"imd2015": IMD2015, "imd2019": IMD2019, "imd2025": IMD2025}[convert]
    theirs = {c: s + ("" if "(20" in s else
                      " (2011)" if s.startswith("LSOA") else
                      " (2013)" if s.startswith("Local") else
                      " (where 1 is most deprived)" if s.endswith("Rank") else
                      " (where 1 is most deprived 10% of LSOAs)" if s.endswith("Decile") else
                      " (rate)" if s in ("Income Score", "Employment Score") else "")
              for c, s in ours.items()}
    distractors = ([] if convert == "imd2025" else ["Income Score (rate)"]) + [
        "Income Deprivation Affecting Children Index (IDACI) Rank (where 1 is most deprived)"]
    with table.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(list(theirs.values()) + distractors)
    for row in rows:
        writer.writerow([row[c] for c in theirs] + ["0.1", "1"])
    return out.getvalue().encode("utf-8")


def census_zip(table: Path, member: str) -> bytes:
    """Nomis's Census 2021 TS001 bulk zip, made from stpgeo's population CSV (with a
    region row, which the converter leaves out)."""
    with table.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["date", "geography", "geography code",
                     "Residence type: Total; measures: Value"])
    writer.writerow(["2021", "West Midlands", "E12000005", "5950757"])
    for row in rows:
        writer.writerow(["2021", row["LSOA21NM"], row["LSOA21CD"], row["total_population"]])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(member, out.getvalue())
    return buffer.getvalue()


def ward_parts(path: Path, parts: list[str], lookup: Path | None) -> dict[str, bytes]:
    """A ward layer split into one FeatureCollection per part (district).

    Wards are grouped by their old district code (the start of ``WD13CDO``); groups
    whose wards a ward -> district lookup names go to that district, the others to
    the remaining parts in order (the stand-in only needs every ward served once).
    """
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    groups: dict[str, list[Any]] = {}
    for f in features:
        groups.setdefault(str(f["properties"]["WD13CDO"])[:4], []).append(f)
    known: dict[str, str] = {}
    if lookup is not None and lookup.is_file():
        with lookup.open(encoding="utf-8-sig", newline="") as handle:
            district = {r["WD16CD"]: r["LAD16CD"] for r in csv.DictReader(handle)}
        for prefix, members in groups.items():
            found = {district[m["properties"]["WD13CD"]] for m in members
                     if m["properties"]["WD13CD"] in district} & set(parts)
            if len(found) == 1 and found.isdisjoint(known.values()):
                known[prefix] = found.pop()
    rest = iter(sorted(set(parts) - set(known.values())))
    for prefix in sorted(set(groups) - set(known)):
        known[prefix] = next(rest)
    served: dict[str, list[Any]] = {p: [] for p in parts}
    for prefix, members in groups.items():
        served[known[prefix]] += members
    return {p: json.dumps({"type": "FeatureCollection", "features": fs}).encode()
            for p, fs in served.items()}


@dataclass
class Fault:
    """Make requests whose path and query contain ``match`` fail ``times`` times.

    ``mode``: an HTTP status (``"503"``; ``"429"`` says ``Retry-After: 3``), ``"cut"``
    (half the answer, then close), ``"reset"`` (close without answering), ``"stall"``
    (answer after :attr:`Publishers.stall_s`), ``"html"`` (a web page); ArcGIS's
    HTTP 200 errors: ``"invalid-url"`` (400 Invalid URL, a deleted or renamed
    service), ``"withdrawn"`` (499 Token Required, a service made private),
    ``"forbidden"`` (403), ``"invalid-query"`` (400 Unable to complete operation),
    ``"error-500"`` (500, as ArcGIS answers a heavy page now and then); or one of
    :class:`ArcgisLayer`'s misbehaviours (``"ignores-offset"``...).
    """

    match: str
    mode: str
    times: int = 1


_JSON_ERRORS = {
    "invalid-url": (400, "Invalid URL"),
    "withdrawn": (499, "Token Required"),
    "forbidden": (403, "You do not have permissions to access this resource or perform "
                       "this operation."),
    "invalid-query": (400, "Unable to complete operation."),
    "error-500": (500, "Error performing query operation"),
}


@dataclass
class Publishers:
    """The stand-in server over ``data``, for the products of ``catalogue`` (every
    source of each: the first and the fallbacks); ``wkid``: the spatial reference its
    ArcGIS layers are stored in (ONS's: 27700)."""

    data: Path
    catalogue: Catalogue
    max_records: int = 2000
    wkid: int = 4326
    stall_s: float = 1.0
    log: list[tuple[str, dict[str, str], dict[str, str]]] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.routes: dict[str, Callable[[dict[str, str], str | None], Any]] = {}
        self.files: dict[str, Callable[[], bytes]] = {}
        self.layers: dict[Path, ArcgisLayer] = {}
        ckan: dict[str, str] = {}
        for section in Catalogue.SECTIONS:
            for key, entry in getattr(self.catalogue, section).items():
                for source in Product(section, key, entry).sources:
                    self._add(entry, source, ckan)
        if ckan:
            self.routes["/api/action/package_show"] = lambda q, mode: (
                {"success": True, "result": {"id": q.get("id"), "resources": [
                    {"format": "HTML", "url": "https://data.gov.uk/about"},
                    {"format": "CSV", "url": ckan[q["id"]]}]}}
                if q.get("id") in ckan else
                (404, {"success": False, "error": {"message": "Not found",
                                                   "__type": "Not Found Error"}}))

    def _add(self, entry: dict[str, Any], source: dict[str, Any], ckan: dict[str, str]) -> None:
        path = self.data / entry["file"]
        kind = source.get("kind")
        if kind == "arcgis":
            layer = self.layers.setdefault(path, ArcgisLayer(path, self.max_records, self.wkid))
            base = urllib.parse.urlsplit(source["service"]).path.rstrip("/")
            self.routes[base] = layer.metadata
            self.routes[base + "/query"] = layer.query
        elif kind == "file":
            convert = source.get("convert")
            if convert == "ons_lsoa_population":
                def make() -> bytes:
                    return population_workbook(path, source["member"], source["sheet"])
            elif convert in ("imd2015", "imd2019", "imd2025"):
                def make() -> bytes:
                    return file7(path, convert)
            elif convert == "census2021_ts001":
                def make() -> bytes:
                    return census_zip(path, source["member"])
            else:
                def make() -> bytes:
                    return path.read_bytes()
            self.files[urllib.parse.urlsplit(source["url"]).path] = make
        elif kind == "ckan":
            ident = urllib.parse.urlsplit(source["dataset"]).path.strip("/").split("/")[1]
            resource = f"https://geoportal.statistics.gov.uk/datasets/{ident}_0.csv"
            ckan[ident] = resource
            self.files[urllib.parse.urlsplit(resource).path] = path.read_bytes
        elif kind == "parts":
            template = urllib.parse.urlsplit(source["url"]).path
            lookup = self.data / self.catalogue.lookups["032"]["file"] \
                if "032" in self.catalogue.lookups else None
            split = _once(lambda: ward_parts(path, source["parts"], lookup))
            for part in source["parts"]:
                self.files[template.format(part=part)] = lambda part=part: split()[part]

    def fail(self, match: str, mode: str, times: int = 1) -> None:
        self.faults.append(Fault(match, mode, times))

    def warm(self) -> None:
        """Read every layer now, so that no first answer is slow (tests with short timeouts)."""
        for layer in self.layers.values():
            if layer.path.is_file():
                layer.rows  # noqa: B018

    def __enter__(self) -> Publishers:
        publishers = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                try:
                    publishers._answer(self)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up
                    self.close_connection = True

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def requests(self, contains: str) -> list[tuple[str, dict[str, str], dict[str, str]]]:
        return [r for r in self.log if contains in r[0] + "?" + urllib.parse.urlencode(r[1])]

    def _answer(self, handler: BaseHTTPRequestHandler) -> None:
        split = urllib.parse.urlsplit(handler.path)
        query = dict(urllib.parse.parse_qsl(split.query))
        self.log.append((split.path, query, dict(handler.headers)))
        fault = next((f for f in self.faults if f.times > 0
                      and f.match in handler.path + urllib.parse.unquote_plus(handler.path)), None)
        if fault is not None:
            fault.times -= 1
        mode = fault.mode if fault is not None else None
        if mode is not None and mode.isdigit():
            if mode == "429":
                handler.send_response(429)
                handler.send_header("Retry-After", "3")
                handler.send_header("Content-Length", "0")
                handler.end_headers()
            else:
                handler.send_error(int(mode))
            return
        if mode == "reset":
            handler.close_connection = True
            return
        if mode == "stall":
            time.sleep(self.stall_s)
        if mode == "html":
            _send(handler, 200, b"<!DOCTYPE html><html><body>Service moved</body></html>",
                  "text/html")
            return
        if mode in _JSON_ERRORS:
            _send(handler, 200, json.dumps(_error(*_JSON_ERRORS[mode])).encode(),
                  "application/json")
            return
        cut = mode == "cut"
        if split.path in self.routes:
            answer = self.routes[split.path](query, mode)
            status, answer = answer if isinstance(answer, tuple) else (200, answer)
            body = (answer if isinstance(answer, str) else json.dumps(answer)).encode()
            _send(handler, status, body, "application/json", cut=cut)
        elif split.path in self.files:
            body = self.files[split.path]()
            asked = re.fullmatch(r"bytes=(\d+)-(\d*)", handler.headers.get("Range", ""))
            if asked and int(asked.group(1)) < len(body):
                offset = int(asked.group(1))
                last = min(int(asked.group(2) or len(body) - 1), len(body) - 1)
                _send(handler, 206, body[offset:last + 1], "application/octet-stream", cut=cut,
                      extra={"Content-Range": f"bytes {offset}-{last}/{len(body)}"})
            else:
                _send(handler, 200, body, "application/octet-stream", cut=cut)
        elif "/rest/services/" in split.path:  # as ArcGIS Online answers a service it lacks
            _send(handler, 200, json.dumps(_error(400, "Invalid URL")).encode(),
                  "application/json")
        else:
            handler.send_error(404)


def _once(make: Callable[[], dict[str, bytes]]) -> Callable[[], dict[str, bytes]]:
    kept: list[dict[str, bytes]] = []
    lock = threading.Lock()

    def get() -> dict[str, bytes]:
        with lock:
            if not kept:
                kept.append(make())
            return kept[0]
    return get


def _send(handler: BaseHTTPRequestHandler, status: int, body: bytes, kind: str, *,
          cut: bool = False, extra: dict[str, str] | None = None) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", kind)
    handler.send_header("Content-Length", str(len(body)))
    handler.send_header("Accept-Ranges", "bytes")
    for name, value in (extra or {}).items():
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(body[:len(body) // 2] if cut else body)
    if cut:
        handler.wfile.flush()
        handler.close_connection = True
