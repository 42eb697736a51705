"""Gi* against PySAL's esda (the oracle), FDR, and degenerate grids."""

import warnings

import numpy as np
import pytest

from trygg.analysis.hotspots import benjamini_hochberg, disk, gi_star


def esda_zs(counts: np.ndarray, distance: float) -> np.ndarray:
    from esda.getisord import G_Local
    from libpysal.weights import DistanceBand

    ny, nx = counts.shape
    iy, ix = np.mgrid[0:ny, 0:nx]
    centres = np.column_stack([ix.ravel(), iy.ravel()]).astype(float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w = DistanceBand(centres, threshold=distance, binary=True, silence_warnings=True)
        g = G_Local(counts.ravel(), w, transform="B", star=True, permutations=0)
    return np.asarray(g.Zs).reshape(counts.shape)


@pytest.mark.parametrize(
    ("shape", "distance", "seed"),
    [
        ((10, 10), 1.0, 0),
        ((10, 10), 1.5, 1),
        ((12, 7), 2.5, 2),
        ((7, 12), 1.5, 3),
        ((1, 15), 1.0, 4),
        ((20, 20), 3.2, 5),
        ((30, 25), 1.5, 6),
    ],
)
def test_z_equals_esda_including_border_cells(shape, distance, seed):
    rng = np.random.default_rng(seed)
    counts = rng.poisson(2.0, shape).astype(float)
    counts[rng.integers(0, shape[0]), rng.integers(0, shape[1])] += 25  # a hotspot
    ours = gi_star(counts, distance)
    np.testing.assert_allclose(ours.z, esda_zs(counts, distance), rtol=0, atol=1e-9)


def test_sparse_counts_equal_esda():
    rng = np.random.default_rng(11)
    counts = (rng.random((15, 15)) < 0.05).astype(float)
    np.testing.assert_allclose(gi_star(counts, 1.5).z, esda_zs(counts, 1.5), atol=1e-9)


@pytest.mark.parametrize("value", [0.0, 3.0])
def test_zero_and_constant_grids_do_not_crash(value):
    result = gi_star(np.full((8, 9), value), 1.5)
    assert np.all(result.z == 0)
    assert np.all(result.p == 1)
    assert np.all(result.classify() == 0)


def test_disk_kernels():
    assert disk(1.0).sum() == 5  # the cell and its 4 neighbours
    assert disk(1.5).sum() == 9  # 3 × 3
    assert disk(2.5).sum() == 21  # offsets with dx² + dy² ≤ 6.25


def test_p_values_are_two_sided():
    rng = np.random.default_rng(3)
    result = gi_star(rng.poisson(3, (10, 10)), 1.5)
    from scipy import stats

    np.testing.assert_allclose(result.p, 2 * stats.norm.sf(np.abs(result.z)))


def test_classification_finds_a_planted_hotspot_and_a_cold_spot():
    rng = np.random.default_rng(7)
    counts = rng.poisson(4, (40, 40)).astype(float)
    counts[10:13, 10:13] += 30
    counts[30:36, 30:36] = 0
    classes = gi_star(counts, 1.5).classify()
    assert classes[11, 11] == 3
    assert classes[32:34, 32:34].min() < 0
    assert (classes > 0).sum() < 40  # FDR keeps the rest of the grid quiet


def test_benjamini_hochberg_matches_the_textbook_procedure():
    p = np.array([0.01, 0.04, 0.03, 0.005, 0.2, np.nan])
    q = benjamini_hochberg(p)
    # sorted: 0.005 0.01 0.03 0.04 0.2 (m = 5) → 0.025 0.025 0.05 0.05 0.2
    np.testing.assert_allclose(q[:5], [0.025, 0.05, 0.05, 0.025, 0.2])
    assert np.isnan(q[5])


def test_rejects_bad_input():
    with pytest.raises(ValueError):
        gi_star(np.ones(5))
    with pytest.raises(ValueError):
        gi_star(np.array([[1.0, np.nan]]))
