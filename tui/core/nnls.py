"""Non-negative least squares for a handful of unknowns, in plain Python (no numpy).

``nnls(rows, targets)`` finds ``x >= 0`` minimising ``|A x - b|``; the estimator uses it to learn
how much each kind of token moves a window's percentage. Columns are scaled to unit size before
solving (token counts differ by orders of magnitude between kinds) and a tiny ridge keeps
collinear columns (input and cache reads that always come together) solvable. The solver is
Lawson and Hanson's active-set method on the normal equations.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

RIDGE = 1e-6  # relative to the scaled normal matrix's diagonal (1 per row)
_TOL = 1e-12


def _solve(matrix: list[list[float]], rhs: list[float]) -> list[float] | None:
    """Gaussian elimination with partial pivoting; None when the system is singular."""
    n = len(rhs)
    a = [[*row, rhs[i]] for i, row in enumerate(matrix)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(a[r][col]))
        if abs(a[pivot][col]) < _TOL:
            return None
        a[col], a[pivot] = a[pivot], a[col]
        for r in range(col + 1, n):
            factor = a[r][col] / a[col][col]
            if factor:
                for c in range(col, n + 1):
                    a[r][c] -= factor * a[col][c]
    x = [0.0] * n
    for r in range(n - 1, -1, -1):
        x[r] = (a[r][n] - sum(a[r][c] * x[c] for c in range(r + 1, n))) / a[r][r]
    return x


def _active_set(ata: list[list[float]], atb: list[float]) -> list[float]:
    n = len(atb)
    x = [0.0] * n
    passive: list[int] = []
    for _ in range(3 * n + 10):
        grad = [atb[i] - sum(ata[i][j] * x[j] for j in range(n)) for i in range(n)]
        candidates = [i for i in range(n) if i not in passive and grad[i] > 1e-10]
        if not candidates:
            break
        passive.append(max(candidates, key=lambda i: grad[i]))
        for _inner in range(3 * n + 10):
            sub = _solve([[ata[i][j] for j in passive] for i in passive], [atb[i] for i in passive])
            if sub is None:
                passive.pop()
                return x
            if all(v > 0 for v in sub):
                for i, v in zip(passive, sub, strict=True):
                    x[i] = v
                break
            # Step towards the unconstrained solution until a coordinate hits zero.
            alpha = min(x[i] / (x[i] - v) for i, v in zip(passive, sub, strict=True) if v <= 0)
            for i, v in zip(passive, sub, strict=True):
                x[i] += alpha * (v - x[i])
            passive = [i for i in passive if x[i] > _TOL]
            for i in range(n):
                if i not in passive:
                    x[i] = 0.0
    return x


def nnls(rows: Sequence[Sequence[float]], targets: Sequence[float]) -> list[float]:
    """Non-negative weights ``x`` with ``sum(row[j] * x[j])`` close to each target.

    Columns that are zero in every row get weight 0.
    """
    if not rows:
        return []
    n = len(rows[0])
    scale = [math.sqrt(sum(row[j] ** 2 for row in rows) / len(rows)) for j in range(n)]
    used = [j for j in range(n) if scale[j] > 0]
    if not used:
        return [0.0] * n
    scaled = [[row[j] / scale[j] for j in used] for row in rows]
    m = len(used)
    ata = [[sum(r[i] * r[j] for r in scaled) for j in range(m)] for i in range(m)]
    for i in range(m):
        ata[i][i] += RIDGE * len(rows)
    atb = [sum(r[i] * t for r, t in zip(scaled, targets, strict=True)) for i in range(m)]
    solution = _active_set(ata, atb)
    weights = [0.0] * n
    for k, j in enumerate(used):
        weights[j] = solution[k] / scale[j]
    return weights
