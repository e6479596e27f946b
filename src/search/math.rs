//! The few numerical pieces the samplers need, in plain Rust so that they give the same
//! numbers natively and in wasm32: the normal distribution (truncated to an interval),
//! log-sum-exp, seeded streams of random numbers per trial, and Pareto dominance.

use crate::rng::SplitMix64;

/// A generator for one purpose (`stream`) of one trial, derived from the study's seed, so that
/// what a trial draws does not depend on what other trials drew or in which order they ran.
pub(crate) fn trial_rng(seed: u64, number: usize, stream: u64) -> SplitMix64 {
    let mut mixer = SplitMix64::new(
        seed ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03)
            ^ (number as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15),
    );
    // Two rounds of output mixing, so that neighbouring seeds and numbers give unrelated streams.
    mixer.next_u64();
    SplitMix64::new(mixer.next_u64())
}

/// A standard normal draw (Box–Muller).
pub(crate) fn standard_normal(rng: &mut SplitMix64) -> f64 {
    let u1 = (1.0 - rng.next_f64()).max(f64::MIN_POSITIVE);
    let u2 = rng.next_f64();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// The complementary error function, with relative error below 1.2e-7 everywhere (the
/// Chebyshev fit of Numerical Recipes, `erfcc`).
pub(crate) fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let r = t * poly.exp();
    if x >= 0.0 { r } else { 2.0 - r }
}

/// The standard normal cumulative distribution function.
pub(crate) fn normal_cdf(x: f64) -> f64 {
    0.5 * erfc(-x / std::f64::consts::SQRT_2)
}

/// The probability mass of N(mu, sigma) in `[a, b]`, computed on the side of the mean where it
/// loses no precision.
pub(crate) fn normal_mass(mu: f64, sigma: f64, a: f64, b: f64) -> f64 {
    let za = (a - mu) / sigma;
    let zb = (b - mu) / sigma;
    let mass = if za > 0.0 {
        normal_cdf(-za) - normal_cdf(-zb)
    } else {
        normal_cdf(zb) - normal_cdf(za)
    };
    mass.max(0.0)
}

const LOG_SQRT_TAU: f64 = 0.918_938_533_204_672_7;

/// The log density at `x` of N(mu, sigma) truncated to `[low, high]`.
pub(crate) fn truncated_normal_log_pdf(x: f64, mu: f64, sigma: f64, low: f64, high: f64) -> f64 {
    let z = (x - mu) / sigma;
    let mass = normal_mass(mu, sigma, low, high).max(1e-300);
    -0.5 * z * z - LOG_SQRT_TAU - sigma.ln() - mass.ln()
}

/// The log probability that N(mu, sigma) truncated to `[low, high]` falls in `[a, b]` (a bin of
/// a discrete parameter).
pub(crate) fn truncated_normal_log_mass(
    a: f64,
    b: f64,
    mu: f64,
    sigma: f64,
    low: f64,
    high: f64,
) -> f64 {
    let inside = normal_mass(mu, sigma, a.max(low), b.min(high)).max(1e-300);
    let total = normal_mass(mu, sigma, low, high).max(1e-300);
    inside.ln() - total.ln()
}

/// A draw from N(mu, sigma) truncated to `[low, high]`, by rejection (the kernels' means lie in
/// the interval and their widths are at most its length, so at least a third of the draws
/// land in it); after 200 misses the draw is clamped.
pub(crate) fn truncated_normal_sample(
    rng: &mut SplitMix64,
    mu: f64,
    sigma: f64,
    low: f64,
    high: f64,
) -> f64 {
    for _ in 0..200 {
        let x = mu + sigma * standard_normal(rng);
        if (low..=high).contains(&x) {
            return x;
        }
    }
    mu.clamp(low, high)
}

/// `ln(Σ exp(values))`, stable for large magnitudes; −∞ for no values.
pub(crate) fn log_sum_exp(values: impl Iterator<Item = f64> + Clone) -> f64 {
    let max = values.clone().fold(f64::NEG_INFINITY, f64::max);
    if !max.is_finite() {
        return max;
    }
    max + values.map(|v| (v - max).exp()).sum::<f64>().ln()
}

/// An index drawn with probability proportional to `weights` (non-negative, not all 0).
pub(crate) fn weighted_index(rng: &mut SplitMix64, weights: &[f64]) -> usize {
    let total: f64 = weights.iter().sum();
    if total.is_nan() || total <= 0.0 {
        return rng.below(weights.len() as u64) as usize;
    }
    let mut target = rng.next_f64() * total;
    for (index, &weight) in weights.iter().enumerate() {
        if target < weight {
            return index;
        }
        target -= weight;
    }
    weights.len().saturating_sub(1)
}

/// `x` rounded to 15 significant digits (fewer below 1e-8; numbers below 1e-22 are left as
/// they are), a number that serde_json (without its
/// `float_roundtrip` feature, which the crate does not enable) reads back bit for bit: its
/// fast path is exact for mantissas below 2⁵³ and small exponents, and 15 digits keep every
/// hyperparameter and metric far more precisely than it matters. Every float the study stores
/// goes through this, so a study resumed from JSON continues exactly as it would have.
pub(crate) fn json_exact(x: f64) -> f64 {
    if !x.is_finite() || x == 0.0 {
        return x;
    }
    // Fewer digits for tiny numbers, so that the integer mantissa's decimal exponent stays
    // within the 10^±22 that the fast path divides by exactly.
    let exponent = x.abs().log10().floor() as i32;
    let digits = (exponent + 23).min(15);
    if digits < 1 {
        return x;
    }
    let decimals = usize::try_from(digits - 1).unwrap_or(0);
    format!("{x:.decimals$e}").parse().unwrap_or(x)
}

/// Whether score vector `a` dominates `b`: no worse on every objective and better on one.
pub(crate) fn dominates(a: &[f64], b: &[f64]) -> bool {
    a.iter().zip(b).all(|(x, y)| x <= y) && a.iter().zip(b).any(|(x, y)| x < y)
}

/// The non-domination rank of each score vector (0: the Pareto front, 1: the front once the
/// first is removed, …).
pub(crate) fn nondomination_ranks(scores: &[Vec<f64>]) -> Vec<usize> {
    let n = scores.len();
    let mut ranks = vec![usize::MAX; n];
    let mut rank = 0;
    let mut left = n;
    while left > 0 {
        let current: Vec<usize> = (0..n)
            .filter(|&i| ranks[i] == usize::MAX)
            .filter(|&i| {
                !(0..n)
                    .any(|j| j != i && ranks[j] == usize::MAX && dominates(&scores[j], &scores[i]))
            })
            .collect();
        if current.is_empty() {
            break;
        }
        for &i in &current {
            ranks[i] = rank;
        }
        left -= current.len();
        rank += 1;
    }
    ranks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_cdf_matches_known_values() {
        assert!((normal_cdf(0.0) - 0.5).abs() < 1e-7);
        assert!((normal_cdf(1.0) - 0.841_344_746).abs() < 1e-7);
        assert!((normal_cdf(-1.959_963_985) - 0.025).abs() < 1e-7);
        assert!(normal_cdf(-40.0) >= 0.0 && normal_cdf(40.0) <= 1.0);
    }

    #[test]
    fn truncated_density_integrates_to_one() {
        let (mu, sigma, low, high) = (0.2, 0.3, 0.0, 1.0);
        let steps = 10_000;
        let width = (high - low) / steps as f64;
        let integral: f64 = (0..steps)
            .map(|i| {
                let x = low + (i as f64 + 0.5) * width;
                truncated_normal_log_pdf(x, mu, sigma, low, high).exp() * width
            })
            .sum();
        assert!((integral - 1.0).abs() < 1e-4, "{integral}");
        let mut rng = SplitMix64::new(1);
        for _ in 0..1000 {
            let x = truncated_normal_sample(&mut rng, mu, sigma, low, high);
            assert!((low..=high).contains(&x));
        }
    }

    #[test]
    fn json_exact_values_survive_serde_json() {
        let mut rng = SplitMix64::new(9);
        for i in 0..20_000 {
            let scale = 10f64.powi((i % 30) - 20);
            let x = json_exact((0.1 + 0.9 * rng.next_f64()) * scale);
            let text = serde_json::to_string(&x).unwrap_or_default();
            let back: f64 = serde_json::from_str(&text).unwrap_or(f64::NAN);
            assert_eq!(back.to_bits(), x.to_bits(), "{text}");
        }
    }

    #[test]
    fn log_sum_exp_is_stable() {
        let values = [1000.0, 1000.0];
        assert!((log_sum_exp(values.iter().copied()) - (1000.0 + 2f64.ln())).abs() < 1e-9);
        assert_eq!(log_sum_exp(std::iter::empty()), f64::NEG_INFINITY);
    }
}
