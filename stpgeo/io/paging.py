"""All the records of an ArcGIS layer, page by page into a staging folder, resumable.

:func:`read_pages` asks a layer (:mod:`stpgeo.io.arcgis`) for every record a
``where`` clause selects and keeps each page as it comes
(``page-<first record>.json``), so that a run that stopped resumes from the last page
kept: pages already on disk are not asked again.

- A layer that pages (``supportsPagination``) is read by ``resultOffset`` in pages
  of its ``maxRecordCount``, until a page is empty, says no more
  (``exceededTransferLimit``) or the offset reaches the service's count. A server
  that ignores ``resultOffset`` (the same records again) is refused, not looped on.
- A layer that does not page is asked its object ids (``returnIdsOnly``), then its
  records by batches of ``maxRecordCount`` ids.
- A layer whose ``f=geojson`` fails (or that does not offer it) is read as Esri JSON.

Transient failures are retried (:class:`~stpgeo.io.web.Retry`); what is finally
refused raises :class:`~stpgeo.io.web.ServiceError`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from stpgeo.io import arcgis
from stpgeo.io.arcgis import LayerInfo, Page
from stpgeo.io.web import Retry, ServiceError, retrying
from stpgeo.progress import logger


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file, so no half page is kept."""
    partial = path.with_name(path.name + ".tmp")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)


def read_pages(layer: LayerInfo, where: str, total: int, staging: Path, *, key: str,
               retry: Retry) -> list[Path]:
    """Every record ``where`` selects, as page files in ``staging``, in object id order.

    Parameters
    ----------
    layer, where
        The layer and the records of it wanted.
    total
        The service's count of those records.
    staging
        Where pages are kept; pages already there are not asked again.
    key
        The product's name, for progress messages.
    retry
        How transient failures are tried again.

    Raises
    ------
    ServiceError
        A page refused after the retries, a server that ignores ``resultOffset``, or a
        number of records that is not the service's count.
    """
    reader = _Reader(layer, where, retry)
    got = (_by_offset(reader, total, staging, key) if layer.paging else
           _by_ids(reader, staging, key))
    if got != total:
        raise ServiceError(layer.url, f"{got:,} records where the service counts {total:,}")
    return sorted(staging.glob("page-*.json"))


class _Reader:
    """Asks for one page, switching to Esri JSON once ``f=geojson`` is refused."""

    def __init__(self, layer: LayerInfo, where: str, retry: Retry) -> None:
        self.layer, self.where, self.retry = layer, where, retry
        self.geojson = layer.geojson and not layer.is_table

    def __call__(self, **which: Any) -> tuple[str, Page]:
        def ask() -> tuple[str, Page]:
            return arcgis.page(self.layer, self.where, geojson=self.geojson,
                               retry=Retry(tries=1), **which)
        if self.geojson:
            try:
                return retrying(ask, self.retry)
            except ServiceError as error:
                if error.kind != "refused":
                    raise
                logger.info("%s answered f=geojson with %s; reading Esri JSON (f=json)",
                            self.layer.url, error.what)
                self.geojson = False
        return retrying(ask, self.retry)


def _kept(path: Path) -> dict[str, Any] | None:
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def _by_offset(reader: _Reader, total: int, staging: Path, key: str) -> int:
    layer, offset = reader.layer, 0
    seen: set[Any] = set()
    while offset < total:
        cached = staging / f"page-{offset:09d}.json"
        kept = _kept(cached)
        if kept is None:
            url, page = reader(offset=offset, size=layer.max_records)
            if not page.records:
                raise ServiceError(url, f"an empty page at record {offset:,} of {total:,}")
            kept = {"records": page.records, "more": page.more}
            ids = [arcgis.record_id(r, layer) for r in page.records]
            if seen.intersection(ids):
                raise ServiceError(url, f"records already read (object ids from {ids[0]}) "
                                   f"again at offset {offset:,}: the server ignores "
                                   "resultOffset, so the layer cannot be read page by page",
                                   kind="refused")
            write_atomic(cached, json.dumps(kept))
        seen.update(arcgis.record_id(r, layer) for r in kept["records"])
        offset += len(kept["records"])
        logger.info("%s: %s of %s records", key, f"{offset:,}", f"{total:,}")
        if not kept["more"] or not kept["records"]:
            break
    return offset


def _by_ids(reader: _Reader, staging: Path, key: str) -> int:
    layer = reader.layer
    listed = staging / "object-ids.json"
    ids = _kept(listed)
    if ids is None:
        ids = {"ids": retrying(lambda: arcgis.object_ids(layer, reader.where, Retry(tries=1)),
                               reader.retry)}
        write_atomic(listed, json.dumps(ids))
    every: list[int] = ids["ids"]
    got = 0
    for start in range(0, len(every), layer.max_records):
        cached = staging / f"page-{start:09d}.json"
        if not cached.is_file():
            batch = every[start:start + layer.max_records]
            url, page = reader(ids=batch)
            if len(page.records) != len(batch):
                raise ServiceError(url, f"{len(page.records):,} records for {len(batch):,} "
                                        "object ids asked")
            write_atomic(cached, json.dumps({"records": page.records, "more": False}))
        got += len(json.loads(cached.read_text(encoding="utf-8"))["records"])
        logger.info("%s: %s of %s records", key, f"{got:,}", f"{len(every):,}")
    return got


def records(pages: list[Path]) -> Iterator[dict[str, Any]]:
    """The records of page files, in order."""
    for path in pages:
        yield from json.loads(path.read_text(encoding="utf-8"))["records"]
