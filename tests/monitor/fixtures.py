"""Writes tests/monitor/fixtures.json: drift statistics computed by scipy on fixed inputs, which
tests/it/monitor.rs compares with src/monitor/statistics.rs to 1e-6. Run once (scipy and numpy
from PyPI) when a definition changes: python3 tests/monitor/fixtures.py"""
import json
import os

import numpy as np
from scipy import integrate, stats
from scipy.spatial import distance

rng = np.random.default_rng(7)
EMPTY_SHARE = 0.0001  # Evidently's floor for an empty share


def floored(counts):
    shares = np.asarray(counts, float) / max(sum(counts), 1)
    return np.where(shares == 0, EMPTY_SHARE, shares)


ks = []
for n, m, shift in [(300, 200, 0.0), (300, 250, 1.5), (900, 60, -3.0), (50, 1500, 0.4)]:
    # Whole numbers with repeats: a reference whose edges are its distinct values, where the
    # binned statistic is exactly scipy's.
    reference = np.round(rng.normal(20, 6, n))
    new = np.round(rng.normal(20 + shift, 6, m) * 2) / 2
    edges, counts = np.unique(reference, return_counts=True)
    d = stats.ks_2samp(reference, new).statistic
    en = n * m / (n + m)
    ks.append({
        "edges": edges.tolist(), "counts": counts.tolist(), "new": sorted(new.tolist()),
        "statistic": float(d), "p_value": float(stats.kstwobign.sf(np.sqrt(en) * d)),
        "n": n, "m": m,
    })

chi = []
for reference, new in [([50, 30, 20], [48, 33, 19]), ([120, 60, 15, 5], [40, 50, 30, 4]),
                        ([10, 10], [30, 2]), ([400, 300, 200, 100, 5], [380, 310, 205, 95, 10])]:
    expected = np.asarray(reference, float) * sum(new) / sum(reference)
    statistic, p = stats.chisquare(new, expected)
    js = distance.jensenshannon(floored(reference), floored(new))
    r, q = floored(reference), floored(new)
    chi.append({
        "reference": reference, "new": new, "statistic": float(statistic), "p_value": float(p),
        "jensen_shannon": float(js), "psi": float(np.sum((q - r) * np.log(q / r))),
    })
# An empty category on one side: the floor keeps the distances finite.
for reference, new in [([70, 30, 0], [50, 25, 25]), ([10, 0, 90], [0, 40, 60])]:
    r, q = floored(reference), floored(new)
    chi.append({
        "reference": reference, "new": new, "statistic": None, "p_value": None,
        "jensen_shannon": float(distance.jensenshannon(r, q)),
        "psi": float(np.sum((q - r) * np.log(q / r))),
    })

wasserstein = []
for n, m, shift, scale in [(5000, 300, 0.0, 1.0), (5000, 300, 0.5, 1.0), (2000, 400, 0.0, 2.0)]:
    train = rng.gamma(2.0, 3.0, n)
    new = np.sort(rng.gamma(2.0, 3.0, m) * scale + shift)
    # The reference as Hearth keeps it: 101 quantile edges (numpy's linear method), the count
    # at the minimum, then the count in each (edge[i-1], edge[i]].
    edges = np.unique(np.quantile(train, np.linspace(0, 1, 101)))
    index = np.searchsorted(edges, train, side="left")
    counts = np.bincount(np.minimum(index, len(edges) - 1), minlength=len(edges))
    cumulative = np.cumsum(counts) / n

    def reference_cdf(x):
        # Each bin's values spread evenly across it; the first bin's sit at the minimum.
        if x < edges[0]:
            return 0.0
        if x >= edges[-1]:
            return 1.0
        i = np.searchsorted(edges, x, side="right")
        low, high = edges[i - 1], edges[i]
        return cumulative[i - 1] + (cumulative[i] - cumulative[i - 1]) * (x - low) / (high - low)

    def gap(x):
        return abs(reference_cdf(x) - np.searchsorted(new, x, side="right") / m)

    breaks = np.unique(np.concatenate([edges, new]))
    total = sum(integrate.quad(gap, a, b, epsabs=1e-12, epsrel=1e-12, limit=200)[0]
                for a, b in zip(breaks[:-1], breaks[1:]))
    std = float(np.std(train))
    wasserstein.append({
        "edges": edges.tolist(), "counts": counts.tolist(), "new": new.tolist(), "std": std,
        "normed": total / max(std, 0.001),
    })

kolmogorov = [{"x": x, "survival": float(stats.kstwobign.sf(x))}
              for x in [0.05, 0.3, 0.6, 0.9, 1.1, 1.18, 1.2, 1.36, 1.6, 2.5, 4.0]]

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures.json")
with open(out, "w") as f:
    json.dump({"ks": ks, "chi": chi, "wasserstein": wasserstein, "kolmogorov": kolmogorov}, f)
print(f"wrote {out}")
