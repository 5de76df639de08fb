"""Reading and writing: boundary layers, ONS lookups, population, the data directory.

:func:`~stpgeo.io.read.read_layer` returns a checked :class:`~stpgeo.io.layer.Layer`
in EPSG:27700; lookups and population tables are read as text and counts; results
are written atomically. :func:`~stpgeo.io.fetch.fetch` downloads the catalogue's
products from their publishers (:mod:`~stpgeo.io.sources`, :mod:`~stpgeo.io.arcgis`,
:mod:`~stpgeo.io.convert`).
"""
