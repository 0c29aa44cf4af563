"""Per-code decision thresholds from held-out probabilities.

:func:`calibrate_thresholds` receives out-of-fold probabilities (cross-validation inside
the training set) and picks, for every code, the threshold that maximises that code's
F1.  Rare codes give noisy optima, so each code's threshold is shrunk towards the one
global threshold that maximises micro-F1 over all codes:
``t_c = (n_c * t_best_c + m * t_global) / (n_c + m)`` with ``n_c`` the code's positive
held-out segments and ``m = shrink``.  A code without held-out positives gets ``t_global``.
"""
from __future__ import annotations

import numpy as np

__all__ = ["GRID", "best_threshold", "calibrate_thresholds"]

GRID = np.round(np.arange(0.10, 0.91, 0.025), 3)


def _f1(y: np.ndarray, pred: np.ndarray) -> float:
    tp = float((y & pred).sum())
    fp = float((~y & pred).sum())
    fn = float((y & ~pred).sum())
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def best_threshold(y: np.ndarray, p: np.ndarray, grid: np.ndarray = GRID) -> tuple[float, float]:
    """(threshold, F1) maximising F1 of ``p >= threshold`` against boolean ``y``; among
    equally good thresholds the median one is taken."""
    y = y.astype(bool)
    scores = np.array([_f1(y, p >= t) for t in grid])
    best = scores.max()
    ties = grid[np.isclose(scores, best)]
    return float(ties[len(ties) // 2]), float(best)


def calibrate_thresholds(Y: np.ndarray, P: np.ndarray, *, shrink: float = 5.0,
                         grid: np.ndarray = GRID) -> tuple[np.ndarray, float]:
    """Per-code thresholds (array of length ``Y.shape[1]``) and the global threshold."""
    Y = Y.astype(bool)
    t_global, _ = best_threshold(Y.ravel(), P.ravel(), grid)
    out = np.full(Y.shape[1], t_global, dtype=np.float32)
    for j in range(Y.shape[1]):
        n = int(Y[:, j].sum())
        if n == 0:
            continue
        t, _ = best_threshold(Y[:, j], P[:, j], grid)
        out[j] = (n * t + shrink * t_global) / (n + shrink)
    return out, t_global
