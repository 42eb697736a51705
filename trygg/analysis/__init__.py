"""Trygg's analysis engine: pure Python + numpy/scipy, no Django (so it can be tested and
benchmarked alone). Functions take arrays and return arrays or result objects with clearly
named fields, as in PySAL.

* ``grid``      — WGS84 → SWEREF 99 TM (EPSG:3006) and square-grid aggregation
* ``hotspots``  — Getis-Ord Gi* in closed form, with Benjamini–Hochberg classification
* ``trends``    — the Mann–Kendall trend test and Sen's slope
"""
