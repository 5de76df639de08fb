"""What people read: findings in plain English, maps, the report, exports, notebook views.

Everything here starts from :class:`~stpgeo.analysis.result.Analysis` objects (or the
folders they were written to) and never changes them.
"""
