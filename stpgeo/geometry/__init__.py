"""Geometry in British National Grid: CRS checks, repairs, clean coverages, all cores.

Functions on GeoDataFrames and arrays of shapely geometries; nothing here reads a
file or knows what a ward is.
"""
