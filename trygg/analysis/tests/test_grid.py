import numpy as np
import pytest

from trygg.analysis.grid import Grid, aggregate_to_areas, to_sweref, to_wgs84


def test_projection_round_trip_and_a_known_point():
    # Stockholm's city hall, roughly: E 674 000, N 6 580 000 in SWEREF 99 TM.
    x, y = to_sweref([18.0545], [59.3275])
    assert x[0] == pytest.approx(674_000, abs=1_000)
    assert y[0] == pytest.approx(6_580_000, abs=1_000)
    lon, lat = to_wgs84(x, y)
    assert lon[0] == pytest.approx(18.0545, abs=1e-9)
    assert lat[0] == pytest.approx(59.3275, abs=1e-9)


def test_grid_counts_points_per_cell():
    x = np.array([10.0, 260.0, 260.0, 499.0, 1000.0])
    y = np.array([10.0, 10.0, 240.0, 260.0, 1000.0])
    grid = Grid.covering(x, y, cell=250)
    assert (grid.x0, grid.y0, grid.nx, grid.ny) == (0, 0, 5, 5)
    counts = grid.aggregate(x, y)
    assert counts.sum() == 5
    assert counts[0, 1] == 2  # (260, 10) and (260, 240)
    assert counts[1, 1] == 1  # (499, 260)
    assert counts[4, 4] == 1


def test_points_outside_are_ignored_and_weights_summed():
    grid = Grid(0, 0, 100, 2, 2)
    counts = grid.aggregate([50, 150, 500], [50, 50, 50], weights=[2, 3, 7])
    assert counts.tolist() == [[2, 3], [0, 0]]


def test_aggregate_to_areas():
    assert aggregate_to_areas([0, 2, 2, -1, 1], 3).tolist() == [1, 1, 2]
