"""The ArcGIS REST protocol of ONS's Open Geography Portal: one request at a time.

The portal publishes each boundary layer and lookup table as an ArcGIS
FeatureServer layer (``https://services1.arcgis.com/ESMARspQHYMw9BZ9/arcgis/rest/
services/<name>/FeatureServer/0``). Reading one takes these requests:

- the layer's metadata, ``<layer>?f=json``: its type (``Feature Layer`` or
  ``Table``), ``maxRecordCount``, ``objectIdField``, ``fields``, its own spatial
  reference (``sourceSpatialReference`` or ``extent.spatialReference``: 27700 for
  ONS), whether it pages (``advancedQueryCapabilities.supportsPagination``) and its
  formats (``supportedQueryFormats``);
- its count, ``<layer>/query?where=...&returnCountOnly=true&f=json``;
- pages, ``<layer>/query?where=...&outFields=*&orderByFields=<object id>&
  resultOffset=k&resultRecordCount=n``, or, for a layer that does not page, its object
  ids (``returnIdsOnly=true``) then records by ``objectIds``. Layers are asked in their
  own spatial reference (``outSR``), as GeoJSON (``f=geojson``) or, where the layer
  does not offer it, as Esri JSON (``f=json``, :mod:`stpgeo.io.esrijson`); tables as
  attribute records (``f=json``).

Requests go through :mod:`stpgeo.io.web` (errors, retries). This module knows nothing
of products or files: :mod:`stpgeo.io.paging` reads a whole layer.

Examples
--------
>>> query_url("https://host/arcgis/rest/services/X/FeatureServer/0", {"f": "json"})
'https://host/arcgis/rest/services/X/FeatureServer/0/query?f=json'
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass
from typing import Any

from stpgeo.io.esrijson import esri_feature
from stpgeo.io.web import DEFAULT_RETRY, Retry, ServiceError, read_json

#: Fields in which ONS's layers keep each polygon's area in their own spatial reference.
AREA_FIELDS = ("shape__area", "shape_area", "st_area(shape)", "st_areashape", "st_areasha")


def query_url(layer: str, params: dict[str, str]) -> str:
    """The URL of a query of ``layer`` with ``params``."""
    return f"{layer.rstrip('/')}/query?{urllib.parse.urlencode(params)}"


@dataclass(frozen=True)
class LayerInfo:
    """What a FeatureServer layer says of itself.

    ``wkid`` is the layer's own spatial reference (None when it gives none),
    ``paging`` whether it honours ``resultOffset``, ``geojson`` whether it answers
    ``f=geojson``, ``area_field`` the field holding each polygon's area, if any.
    """

    url: str
    name: str
    is_table: bool
    max_records: int
    object_id: str
    fields: tuple[str, ...]
    wkid: int | None = None
    paging: bool = True
    geojson: bool = True
    area_field: str | None = None


def layer_info(url: str, retry: Retry = DEFAULT_RETRY) -> LayerInfo:
    """Read a layer's metadata (``<layer>?f=json``)."""
    meta = read_json(f"{url.rstrip('/')}?f=json", retry)
    kind = meta.get("type")
    if kind not in ("Feature Layer", "Table") or not isinstance(meta.get("fields"), list):
        raise ServiceError(url, f"metadata that is not a FeatureServer layer's (type {kind!r})")
    fields = tuple(str(f["name"]) for f in meta["fields"])
    object_id = meta.get("objectIdField") or next(
        (str(f["name"]) for f in meta["fields"] if f.get("type") == "esriFieldTypeOID"), None)
    if object_id is None:
        raise ServiceError(url, "a layer without an object id field to page by")
    reference = meta.get("sourceSpatialReference") or (meta.get("extent") or {}).get(
        "spatialReference") or {}
    wkid = reference.get("latestWkid") or reference.get("wkid")
    formats = str(meta.get("supportedQueryFormats", "JSON, geoJSON")).lower()
    paging = (meta.get("advancedQueryCapabilities") or {}).get("supportsPagination")
    return LayerInfo(url=url, name=str(meta.get("name", "")), is_table=kind == "Table",
                     max_records=int(meta.get("maxRecordCount") or 1000),
                     object_id=object_id, fields=fields,
                     wkid=int(wkid) if isinstance(wkid, int) else None,
                     paging=paging is not False, geojson="geojson" in formats,
                     area_field=next((f for f in fields if f.lower() in AREA_FIELDS), None))


def count(layer: LayerInfo, where: str, retry: Retry = DEFAULT_RETRY) -> int:
    """How many records ``where`` selects, by the service's own count."""
    url = query_url(layer.url, {"where": where, "returnCountOnly": "true", "f": "json"})
    answer = read_json(url, retry)
    if not isinstance(answer.get("count"), int):
        raise ServiceError(url, f"a count that is not a number: {answer.get('count')!r}")
    return int(answer["count"])


def object_ids(layer: LayerInfo, where: str, retry: Retry = DEFAULT_RETRY) -> list[int]:
    """The object ids ``where`` selects, in order (``returnIdsOnly``)."""
    url = query_url(layer.url, {"where": where, "returnIdsOnly": "true", "f": "json"})
    ids = read_json(url, retry).get("objectIds")
    if not isinstance(ids, list) or not all(isinstance(i, int) for i in ids):
        raise ServiceError(url, "an answer without a list of object ids")
    return sorted(ids)


@dataclass(frozen=True)
class Page:
    """One page of a query: its records (GeoJSON features or attribute dicts)."""

    records: list[dict[str, Any]]
    more: bool


def page(layer: LayerInfo, where: str, *, offset: int = 0, size: int | None = None,
         ids: list[int] | None = None, geojson: bool = True,
         retry: Retry = DEFAULT_RETRY) -> tuple[str, Page]:
    """The page of ``size`` records from ``offset`` (or those of ``ids``), by object id.

    Returns the URL asked (for messages) and the page: GeoJSON features in the
    layer's own spatial reference for layers (asked as Esri JSON when ``geojson`` is
    false), attribute dicts for tables.
    """
    params = {"where": where, "outFields": "*", "orderByFields": f"{layer.object_id} ASC"}
    if ids is not None:
        params["objectIds"] = ",".join(map(str, ids))
    else:
        params |= {"resultOffset": str(offset),
                   "resultRecordCount": str(size or layer.max_records)}
    as_geojson = geojson and not layer.is_table
    if layer.is_table:
        params |= {"returnGeometry": "false", "f": "json"}
    else:
        params |= {"outSR": str(layer.wkid or 4326), "f": "geojson" if as_geojson else "json"}
    url = query_url(layer.url, params)
    answer = read_json(url, retry)
    features = answer.get("features")
    if not isinstance(features, list):
        raise ServiceError(url, "an answer without a features list")
    if as_geojson:
        if answer.get("type") != "FeatureCollection":
            raise ServiceError(url, f"GeoJSON that is not a FeatureCollection "
                                    f"(type {answer.get('type')!r})")
        records = features
    else:
        if any(not isinstance(f, dict) or not isinstance(f.get("attributes"), dict)
               for f in features):
            raise ServiceError(url, "records without attributes")
        records = ([f["attributes"] for f in features] if layer.is_table else
                   [esri_feature(f, layer.object_id) for f in features])
    # ArcGIS puts the flag at the top of JSON answers and under "properties" in GeoJSON ones
    flags = [answer.get("exceededTransferLimit"),
             (answer.get("properties") or {}).get("exceededTransferLimit")]
    return url, Page(records=records, more=any(flag is True for flag in flags))


def record_id(record: dict[str, Any], layer: LayerInfo) -> Any:
    """A record's object id (GeoJSON features keep it as ``id`` or a property)."""
    properties = record.get("properties")
    if isinstance(properties, dict):
        return properties.get(layer.object_id, record.get("id"))
    return record.get(layer.object_id)
