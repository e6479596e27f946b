//! The drift statistics, each between a column's training reference (bin or category counts,
//! never rows) and a new sample: Kolmogorov–Smirnov, chi-square, normalised Wasserstein,
//! Jensen–Shannon and the population stability index, with Evidently's definitions.
//!
//! Ours rather than a crate's: the reference is binned (a model file holds no training row),
//! and the crates' tests (statrs' `ks_twosample`, `kolmogorov_smirnov`) take two raw samples.
//! The chi-squared tail is statrs'. `tests/it/monitor.rs` checks each against scipy.

use statrs::distribution::{ChiSquared, ContinuousCDF};

/// Evidently's floor for an empty share in Jensen–Shannon and PSI: an empty bin would make the
/// logarithm infinite.
pub const EMPTY_SHARE: f64 = 0.0001;
/// Evidently's floor for the reference's standard deviation when normalising Wasserstein.
pub const MIN_STD: f64 = 0.001;

/// The CDF of a binned reference: `counts[0]` values at `edges[0]`, `counts[i]` values in
/// `(edges[i - 1], edges[i]]` (see [`ReferenceValues`](crate::prep::ReferenceValues)).
pub struct BinnedCdf<'a> {
    edges: &'a [f64],
    /// `cumulative[i]`: values at or below `edges[i]`.
    cumulative: Vec<u64>,
    total: f64,
}

impl<'a> BinnedCdf<'a> {
    /// `edges` ascending, one count per edge.
    pub fn new(edges: &'a [f64], counts: &[u64]) -> BinnedCdf<'a> {
        let cumulative: Vec<u64> = counts
            .iter()
            .take(edges.len())
            .scan(0u64, |sum, &c| {
                *sum += c;
                Some(*sum)
            })
            .collect();
        let total = cumulative.last().copied().unwrap_or(0).max(1) as f64;
        BinnedCdf {
            edges,
            cumulative,
            total,
        }
    }

    /// The share at or below `edges[i]` (exact).
    fn at_edge(&self, i: usize) -> f64 {
        self.cumulative
            .get(i)
            .map_or(1.0, |&c| c as f64 / self.total)
    }

    /// The CDF with each bin's values spread evenly across it (the first bin's sit at the
    /// minimum), for Wasserstein.
    fn spread(&self, x: f64) -> f64 {
        let above = self.edges.partition_point(|&edge| edge <= x);
        match above {
            0 => 0.0,
            i if i >= self.edges.len() => 1.0,
            i => {
                let (low, high) = (self.edges[i - 1], self.edges[i]);
                let below = self.at_edge(i - 1);
                below + (self.at_edge(i) - below) * ((x - low) / (high - low)).clamp(0.0, 1.0)
            }
        }
    }
}

/// The two-sample Kolmogorov–Smirnov statistic between a binned reference and `sorted` (new
/// values in ascending order): the largest gap between the two CDFs at each reference edge
/// (where its CDF is exact) and just below it. When the edges are every distinct reference
/// value this is exactly scipy's `ks_2samp` statistic; otherwise it can miss a gap inside a
/// bin (at most one bin's share).
pub fn ks_statistic(reference: &BinnedCdf, sorted: &[f64]) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let m = sorted.len() as f64;
    let mut d: f64 = 0.0;
    for (i, &edge) in reference.edges.iter().enumerate() {
        let before = if i == 0 {
            0.0
        } else {
            reference.at_edge(i - 1)
        };
        let below = sorted.partition_point(|&v| v < edge) as f64 / m;
        let at = sorted.partition_point(|&v| v <= edge) as f64 / m;
        d = d
            .max((before - below).abs())
            .max((reference.at_edge(i) - at).abs());
    }
    // Below the first edge the reference's CDF is 0 and above the last 1: the gaps there are
    // no larger than those just below the first edge and at the last.
    d
}

/// The Kolmogorov–Smirnov p-value for statistic `d` between samples of `n` and `m` values:
/// the Kolmogorov limit distribution at `√(nm / (n + m)) · d` (scipy's `kstwobign.sf`).
pub fn ks_p_value(d: f64, n: u64, m: u64) -> f64 {
    if n == 0 || m == 0 {
        return 1.0;
    }
    let en = (n as f64 * m as f64) / (n + m) as f64;
    kolmogorov_survival(en.sqrt() * d)
}

/// `P(K > x)` for the Kolmogorov distribution: the alternating series for large `x`, the
/// Jacobi-theta form for small `x`, where the first converges slowly.
pub fn kolmogorov_survival(x: f64) -> f64 {
    if x.is_nan() || x <= 0.0 {
        return 1.0;
    }
    if x < 1.18 {
        let factor = (2.0 * std::f64::consts::PI).sqrt() / x;
        let w = std::f64::consts::PI.powi(2) / (8.0 * x * x);
        let cdf: f64 = (1..=20)
            .map(|k| {
                let odd = (2 * k - 1) as f64;
                (-odd * odd * w).exp()
            })
            .sum::<f64>()
            * factor;
        (1.0 - cdf).clamp(0.0, 1.0)
    } else {
        let sum: f64 = (1..=100)
            .map(|k| {
                let k = k as f64;
                let sign = if k as u64 % 2 == 1 { 1.0 } else { -1.0 };
                sign * (-2.0 * k * k * x * x).exp()
            })
            .sum();
        (2.0 * sum).clamp(0.0, 1.0)
    }
}

/// Pearson's chi-square goodness of fit of the new counts against the reference's shares
/// scaled to the new total (Evidently's `chi_stat_test`, scipy's `chisquare`): the statistic
/// and its p-value with `k − 1` degrees of freedom. A category absent from the reference but
/// present in the new data makes the statistic infinite (p = 0), as in scipy.
pub fn chi_square(reference: &[u64], new: &[u64]) -> (f64, f64) {
    let n: u64 = reference.iter().sum();
    let m: u64 = new.iter().sum();
    if n == 0 || m == 0 || reference.len() < 2 {
        return (0.0, 1.0);
    }
    let scale = m as f64 / n as f64;
    let mut statistic = 0.0;
    for (&r, &o) in reference.iter().zip(new) {
        let expected = r as f64 * scale;
        let gap = o as f64 - expected;
        statistic += if expected > 0.0 {
            gap * gap / expected
        } else if o > 0 {
            f64::INFINITY
        } else {
            0.0
        };
    }
    if statistic.is_infinite() {
        return (statistic, 0.0);
    }
    let freedom = (reference.len() - 1) as f64;
    let p = ChiSquared::new(freedom).map_or(1.0, |chi| chi.sf(statistic));
    (statistic, p)
}

/// Shares of each count, with empty ones raised to [`EMPTY_SHARE`] (Evidently's `feel_zeroes`).
fn floored_shares(counts: &[u64]) -> Vec<f64> {
    let total = counts.iter().sum::<u64>().max(1) as f64;
    counts
        .iter()
        .map(|&c| {
            let share = c as f64 / total;
            if share == 0.0 { EMPTY_SHARE } else { share }
        })
        .collect()
}

/// The Jensen–Shannon distance (the square root of the divergence, natural logarithm) between
/// the two count vectors' floored shares, as scipy's `jensenshannon` after Evidently's
/// binning.
pub fn jensen_shannon(reference: &[u64], new: &[u64]) -> f64 {
    let normalise = |shares: Vec<f64>| {
        let total: f64 = shares.iter().sum();
        shares.into_iter().map(|s| s / total).collect::<Vec<_>>()
    };
    let p = normalise(floored_shares(reference));
    let q = normalise(floored_shares(new));
    let divergence: f64 = p
        .iter()
        .zip(&q)
        .map(|(&pi, &qi)| {
            let mid = (pi + qi) / 2.0;
            0.5 * (pi * (pi / mid).ln() + qi * (qi / mid).ln())
        })
        .sum();
    divergence.max(0.0).sqrt()
}

/// The population stability index `Σ (new − ref) · ln(new / ref)` over floored shares.
pub fn psi(reference: &[u64], new: &[u64]) -> f64 {
    floored_shares(reference)
        .iter()
        .zip(floored_shares(new))
        .map(|(&r, n)| (n - r) * (n / r).ln())
        .sum()
}

/// The first Wasserstein distance between the binned reference (each bin's values spread
/// evenly across it) and the new values (`sorted`), divided by the reference's standard
/// deviation (at least [`MIN_STD`]): Evidently's normalised Wasserstein. Exact for that
/// piecewise-linear reference CDF: `∫ |F_ref − F_new|`, integrated piece by piece.
pub fn wasserstein_normed(reference: &BinnedCdf, std: f64, sorted: &[f64]) -> f64 {
    if sorted.is_empty() || reference.edges.is_empty() {
        return 0.0;
    }
    let m = sorted.len() as f64;
    let mut points: Vec<f64> = reference.edges.iter().chain(sorted).copied().collect();
    points.sort_by(f64::total_cmp);
    points.dedup();
    let mut distance = 0.0;
    for pair in points.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        // F_new is constant on (a, b): the share at or below a.
        let new = sorted.partition_point(|&v| v <= a) as f64 / m;
        let (u, v) = (reference.spread(a) - new, reference.spread(b) - new);
        let width = b - a;
        distance += if u * v >= 0.0 {
            width * (u + v).abs() / 2.0
        } else {
            width * (u * u + v * v) / (2.0 * (v - u).abs())
        };
    }
    distance / std.max(MIN_STD)
}
