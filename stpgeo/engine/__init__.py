"""The overlap engine and the rules on top of it.

The ward × footprint and block × ward overlap tables (:mod:`.overlap`), blocks
placed in one target each (:mod:`.assign`), councils and their home footprints
(:mod:`.councils`), pieces and verdicts (:mod:`.verdicts`), conservation checks
(:mod:`.conservation`), and footprints built from blocks (:mod:`.footprints`).
Tables in, tables out: the engine never reads files given by the user (except
through :func:`~stpgeo.engine.footprints.build_footprints`'s conveniences) and
never draws anything.
"""
