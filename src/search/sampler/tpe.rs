//! The tree-structured Parzen estimator (Bergstra et al., 2011) as Optuna's `TPESampler`
//! implements it (checked against Optuna 5.0.0's `samplers/_tpe`, with its defaults):
//!
//! * the first `startup_trials` (10) trials are random;
//! * the finished trials (complete, then pruned ones by how far they got) are ranked and split:
//!   the best `γ(n) = min(⌈0.1 n⌉, 25)` are "good", the rest "bad"; with two objectives the
//!   ranking is by non-domination rank, then the primary metric, and `γ(n) = ⌈0.1 n⌉`;
//! * trials still running elsewhere join the bad group with their parameters (Optuna 5's
//!   default "constant liar"), so that parallel workers do not all sample the same place;
//! * each group becomes a Parzen estimator per parameter: one truncated-normal kernel per
//!   observation in the parameter's internal scale (the logarithm for log ranges; whole
//!   numbers as bins of width 1, in the logarithm for log ranges) whose width is the larger gap to its sorted neighbours
//!   (clipped to `[range / min(100, 1 + kernels), range]`, the "magic clip"), plus a prior
//!   kernel at the middle of the range as wide as the range; categories get one smoothed
//!   categorical kernel per observation plus a uniform prior. Older trials weigh less once a
//!   group has more than 25 (only the bad group with two objectives, whose good group weighs
//!   equally);
//! * `ei_candidates` (24) candidates are drawn from the good estimator `l(x)`, and the one
//!   with the largest `log l(x) − log g(x)` (expected improvement) is chosen.
//!
//! Like Optuna 5, single-objective studies are multivariate by default: the unconditional
//! parameters are sampled jointly (one kernel per observation across all of them, each
//! dimension with the bandwidths above), conditional ones on their own over the trials that
//! have them; two-objective studies are independent (each parameter on its own).

use serde::{Deserialize, Serialize};

use super::super::error::SearchError;
use super::super::math::{
    log_sum_exp, nondomination_ranks, truncated_normal_log_mass, truncated_normal_log_pdf,
    truncated_normal_sample, weighted_index,
};
use super::super::objective::Objectives;
use super::super::space::{Domain, ParamSpec, ParamValue, Params, Space};
use super::super::trial::{Trial, TrialState};
use super::random;
use crate::rng::SplitMix64;

/// TPE settings; Optuna's defaults.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct TpeSettings {
    /// Random trials before the estimators are used. Default 10.
    pub startup_trials: usize,
    /// Candidates drawn from the good estimator per sample. Default 24.
    pub ei_candidates: usize,
    /// Weight of the prior kernel against each observation's. Default 1.
    pub prior_weight: f64,
    /// Whether the range's ends count as neighbours when sizing the outermost kernels.
    /// Default false.
    pub consider_endpoints: bool,
    /// Whether kernel widths have the lower bound `range / min(100, 1 + kernels)`. Default
    /// true.
    pub magic_clip: bool,
    /// Sample the unconditional parameters jointly. Default (`null`): yes with one
    /// objective, no with two, as Optuna 5.
    pub multivariate: Option<bool>,
    /// Count trials still running (on other workers) as bad, Optuna 5's default. Default
    /// true; it changes nothing with one worker.
    pub constant_liar: bool,
}

impl Default for TpeSettings {
    fn default() -> Self {
        TpeSettings {
            startup_trials: 10,
            ei_candidates: 24,
            prior_weight: 1.0,
            consider_endpoints: false,
            magic_clip: true,
            multivariate: None,
            constant_liar: true,
        }
    }
}

impl TpeSettings {
    pub(crate) fn validate(&self) -> Result<(), SearchError> {
        if self.ei_candidates == 0 {
            return Err(SearchError::setting(
                "ei_candidates",
                "TPE needs at least 1 candidate",
            ));
        }
        if !(self.prior_weight.is_finite() && self.prior_weight > 0.0) {
            return Err(SearchError::setting(
                "prior_weight",
                format!("must be a positive number, not {}", self.prior_weight),
            ));
        }
        Ok(())
    }
}

/// Optuna's `default_gamma`: how many of `n` ranked trials are "good".
pub fn gamma(n: usize) -> usize {
    n.div_ceil(10).min(25)
}

/// Optuna's `default_gamma_multiobjective`: `⌈0.1 n⌉`, without a cap.
pub fn gamma_multiobjective(n: usize) -> usize {
    n.div_ceil(10)
}

/// Optuna's `default_weights`: 1 for the newest 25, a ramp from `1/n` up for older ones.
pub fn default_weights(n: usize) -> Vec<f64> {
    if n < 25 {
        return vec![1.0; n];
    }
    let ramp = n - 25;
    let mut weights: Vec<f64> = (0..ramp)
        .map(|i| {
            if ramp == 1 {
                1.0 / n as f64
            } else {
                1.0 / n as f64 + (1.0 - 1.0 / n as f64) * i as f64 / (ramp - 1) as f64
            }
        })
        .collect();
    weights.extend(std::iter::repeat_n(1.0, 25));
    weights
}

/// The finished trials split into good and bad, each in trial order; with `constant_liar`,
/// the running trials are added to the bad ones.
pub(crate) fn split_trials<'a>(
    trials: &'a [Trial],
    objectives: &Objectives,
    constant_liar: bool,
) -> (Vec<&'a Trial>, Vec<&'a Trial>) {
    let mut complete: Vec<(&Trial, Vec<f64>)> = trials
        .iter()
        .filter(|t| t.state == TrialState::Complete)
        .filter_map(|t| t.values.as_ref().map(|v| (t, objectives.scores(v))))
        .collect();
    if objectives.count() > 1 {
        let ranks =
            nondomination_ranks(&complete.iter().map(|(_, s)| s.clone()).collect::<Vec<_>>());
        let mut ranked: Vec<(usize, (&Trial, Vec<f64>))> =
            ranks.into_iter().zip(complete).collect();
        ranked.sort_by(|(ra, (ta, sa)), (rb, (tb, sb))| {
            ra.cmp(rb)
                .then(sa[0].total_cmp(&sb[0]))
                .then(ta.number.cmp(&tb.number))
        });
        complete = ranked.into_iter().map(|(_, c)| c).collect();
    } else {
        complete
            .sort_by(|(ta, sa), (tb, sb)| sa[0].total_cmp(&sb[0]).then(ta.number.cmp(&tb.number)));
    }
    // Pruned trials after the complete ones: further first, then by their last value (one
    // that is not a number last, as Optuna).
    let mut pruned: Vec<(&Trial, usize, f64)> = trials
        .iter()
        .filter(|t| t.state == TrialState::Pruned)
        .map(|t| {
            let score = t
                .intermediate
                .last()
                .map_or(0.0, |&last| objectives.primary.score(last));
            let score = if score.is_nan() { f64::INFINITY } else { score };
            (t, t.intermediate.len(), score)
        })
        .collect();
    pruned.sort_by(|a, b| {
        b.1.cmp(&a.1)
            .then(a.2.total_cmp(&b.2))
            .then(a.0.number.cmp(&b.0.number))
    });
    let ordered: Vec<&Trial> = complete
        .into_iter()
        .map(|(t, _)| t)
        .chain(pruned.into_iter().map(|(t, _, _)| t))
        .collect();
    let n_good = if objectives.count() > 1 {
        gamma_multiobjective(ordered.len())
    } else {
        gamma(ordered.len())
    }
    .min(ordered.len());
    let mut good: Vec<&Trial> = ordered[..n_good].to_vec();
    let mut bad: Vec<&Trial> = ordered[n_good..].to_vec();
    if constant_liar {
        bad.extend(trials.iter().filter(|t| t.state == TrialState::Running));
    }
    good.sort_by_key(|t| t.number);
    bad.sort_by_key(|t| t.number);
    (good, bad)
}

/// One point of the space by TPE (random during the start-up trials).
pub fn sample(
    space: &Space,
    trials: &[Trial],
    objectives: &Objectives,
    settings: &TpeSettings,
    rng: &mut SplitMix64,
) -> Params {
    let finished = trials
        .iter()
        .filter(|t| matches!(t.state, TrialState::Complete | TrialState::Pruned))
        .count();
    if finished < settings.startup_trials.max(1) {
        return random::sample(space, rng);
    }
    let (good, bad) = split_trials(trials, objectives, settings.constant_liar);
    // With two objectives the good group's kernels weigh equally (Optuna's MOTPE).
    let uniform_good = objectives.count() > 1;
    let mut params = Params::new();
    if settings.multivariate.unwrap_or(objectives.second.is_none()) {
        let group: Vec<&ParamSpec> = space
            .params
            .iter()
            .filter(|p| p.when.is_none() && !matches!(p.domain, Domain::Fixed { .. }))
            .collect();
        if !group.is_empty() {
            let values = sample_group(&group, &good, &bad, uniform_good, settings, rng);
            for (spec, value) in group.iter().zip(values) {
                params.insert(spec.name.clone(), value);
            }
        }
    }
    for spec in &space.params {
        if params.contains_key(&spec.name) || !Space::applies(spec, &params) {
            continue;
        }
        let value = match &spec.domain {
            Domain::Fixed { value } => value.clone(),
            _ => sample_group(&[spec], &good, &bad, uniform_good, settings, rng)
                .into_iter()
                .next()
                .unwrap_or_else(|| random::sample_one(spec, rng)),
        };
        params.insert(spec.name.clone(), value);
    }
    params
}

/// How the estimator treats one parameter, in its internal scale.
#[derive(Clone, Copy)]
enum Dim {
    Continuous {
        low: f64,
        high: f64,
    },
    /// Whole numbers: bins of width 1 within `[low, high]` (widened by half a step; in the
    /// logarithm for log ranges).
    Discrete {
        low: f64,
        high: f64,
        bins: Bins,
    },
    Categorical {
        choices: usize,
    },
}

/// The whole numbers `first..=last` of a discrete parameter, as bins `[v − ½, v + ½]` in the
/// internal scale (their logarithms for log ranges), as Optuna's discrete distributions.
#[derive(Clone, Copy)]
struct Bins {
    first: f64,
    last: f64,
    log: bool,
}

impl Bins {
    /// The internal value of the whole number nearest to internal value `x`.
    fn snap(&self, x: f64) -> f64 {
        if self.log {
            x.exp().round().clamp(self.first, self.last).ln()
        } else {
            x.round().clamp(self.first, self.last)
        }
    }

    /// The internal interval of the bin holding internal value `x`.
    fn bin(&self, x: f64) -> (f64, f64) {
        if self.log {
            let v = x.exp().round();
            ((v - 0.5).ln(), (v + 0.5).ln())
        } else {
            (x - 0.5, x + 0.5)
        }
    }
}

impl Dim {
    fn of(domain: &Domain) -> Dim {
        match *domain {
            Domain::Int {
                low: first,
                high: last,
                log,
            } => {
                let (low, high) = domain.internal_bounds().unwrap_or((0.0, 1.0));
                let bins = Bins {
                    first: first as f64,
                    last: last as f64,
                    log,
                };
                Dim::Discrete { low, high, bins }
            }
            Domain::Categorical { ref choices } => Dim::Categorical {
                choices: choices.len().max(1),
            },
            _ => {
                let (low, high) = domain.internal_bounds().unwrap_or((0.0, 1.0));
                Dim::Continuous { low, high }
            }
        }
    }
}

/// The kernels of one parameter.
enum Kernels {
    Normal {
        mus: Vec<f64>,
        sigmas: Vec<f64>,
        low: f64,
        high: f64,
        bins: Option<Bins>,
    },
    Categorical {
        probabilities: Vec<Vec<f64>>,
    },
}

/// A mixture with one kernel per observation and a prior kernel, shared across dimensions.
struct Parzen {
    weights: Vec<f64>,
    dims: Vec<Kernels>,
}

impl Parzen {
    /// `observations[i][d]`: observation i's value of dimension d; `weights`: one per
    /// observation.
    fn new(
        dims: &[Dim],
        observations: &[Vec<f64>],
        weights: &[f64],
        settings: &TpeSettings,
    ) -> Parzen {
        let n = observations.len();
        let kernels = n + 1;
        let mut mixture: Vec<f64> = weights.to_vec();
        mixture.push(settings.prior_weight);
        let total: f64 = mixture.iter().sum();
        for w in &mut mixture {
            *w /= total;
        }
        let dims = dims
            .iter()
            .enumerate()
            .map(|(d, dim)| {
                let column: Vec<f64> = observations.iter().map(|o| o[d]).collect();
                match *dim {
                    Dim::Categorical { choices } => {
                        let base = settings.prior_weight / kernels as f64;
                        let mut probabilities: Vec<Vec<f64>> = column
                            .iter()
                            .map(|&x| {
                                let mut row = vec![base; choices];
                                if let Some(cell) = row.get_mut(x.max(0.0) as usize) {
                                    *cell += 1.0;
                                }
                                let sum: f64 = row.iter().sum();
                                row.iter().map(|p| p / sum).collect()
                            })
                            .collect();
                        probabilities.push(vec![1.0 / choices as f64; choices]);
                        Kernels::Categorical { probabilities }
                    }
                    Dim::Continuous { low, high } | Dim::Discrete { low, high, .. } => {
                        let range = high - low;
                        let mut sigmas =
                            univariate_sigmas(&column, low, high, settings.consider_endpoints);
                        let min_sigma = if settings.magic_clip {
                            range / (100f64).min(1.0 + kernels as f64)
                        } else {
                            f64::EPSILON
                        };
                        for s in &mut sigmas {
                            *s = s.clamp(min_sigma, range);
                        }
                        let mut mus = column;
                        mus.push(0.5 * (low + high));
                        sigmas.push(range);
                        Kernels::Normal {
                            mus,
                            sigmas,
                            low,
                            high,
                            bins: match *dim {
                                Dim::Discrete { bins, .. } => Some(bins),
                                _ => None,
                            },
                        }
                    }
                }
            })
            .collect();
        Parzen {
            weights: mixture,
            dims,
        }
    }

    fn sample(&self, rng: &mut SplitMix64) -> Vec<f64> {
        let k = weighted_index(rng, &self.weights);
        self.dims
            .iter()
            .map(|kernels| match kernels {
                Kernels::Normal {
                    mus,
                    sigmas,
                    low,
                    high,
                    bins,
                } => {
                    let x = truncated_normal_sample(rng, mus[k], sigmas[k], *low, *high);
                    bins.map_or(x, |bins| bins.snap(x))
                }
                Kernels::Categorical { probabilities } => {
                    weighted_index(rng, &probabilities[k]) as f64
                }
            })
            .collect()
    }

    fn log_pdf(&self, x: &[f64]) -> f64 {
        let terms = (0..self.weights.len()).map(|k| {
            let mut total = self.weights[k].ln();
            for (kernels, &value) in self.dims.iter().zip(x) {
                total += match kernels {
                    Kernels::Normal {
                        mus,
                        sigmas,
                        low,
                        high,
                        bins,
                    } => {
                        if let Some(bins) = bins {
                            let (a, b) = bins.bin(value);
                            truncated_normal_log_mass(a, b, mus[k], sigmas[k], *low, *high)
                        } else {
                            truncated_normal_log_pdf(value, mus[k], sigmas[k], *low, *high)
                        }
                    }
                    Kernels::Categorical { probabilities } => probabilities[k]
                        .get(value.max(0.0) as usize)
                        .map_or(f64::NEG_INFINITY, |p| p.ln()),
                };
            }
            total
        });
        log_sum_exp(terms.collect::<Vec<_>>().into_iter())
    }
}

/// Optuna's univariate bandwidths: each kernel as wide as the larger gap to its sorted
/// neighbours (the range's ends being neighbours), the outermost ones measured inwards unless
/// `consider_endpoints`.
fn univariate_sigmas(mus: &[f64], low: f64, high: f64, consider_endpoints: bool) -> Vec<f64> {
    let n = mus.len();
    if n == 0 {
        return Vec::new();
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| mus[a].total_cmp(&mus[b]));
    let mut with_ends = Vec::with_capacity(n + 2);
    with_ends.push(low);
    with_ends.extend(order.iter().map(|&i| mus[i]));
    with_ends.push(high);
    let mut sorted_sigmas: Vec<f64> = (1..=n)
        .map(|i| (with_ends[i] - with_ends[i - 1]).max(with_ends[i + 1] - with_ends[i]))
        .collect();
    if !consider_endpoints && with_ends.len() >= 4 {
        sorted_sigmas[0] = with_ends[2] - with_ends[1];
        sorted_sigmas[n - 1] = with_ends[n] - with_ends[n - 1];
    }
    let mut sigmas = vec![0.0; n];
    for (rank, &i) in order.iter().enumerate() {
        sigmas[i] = sorted_sigmas[rank];
    }
    sigmas
}

/// The observations of `specs` in `trials` (only trials that have all of them) with their
/// weights.
fn observations(specs: &[&ParamSpec], trials: &[&Trial]) -> (Vec<Vec<f64>>, Vec<f64>) {
    let rows: Vec<Vec<f64>> = trials
        .iter()
        .filter_map(|t| {
            specs
                .iter()
                .map(|spec| {
                    t.params
                        .get(&spec.name)
                        .and_then(|v| spec.domain.internal_of(v))
                })
                .collect::<Option<Vec<f64>>>()
        })
        .collect();
    let weights = default_weights(rows.len());
    (rows, weights)
}

/// Values for `specs` maximising `l(x) / g(x)` over candidates drawn from `l`.
fn sample_group(
    specs: &[&ParamSpec],
    good: &[&Trial],
    bad: &[&Trial],
    uniform_good: bool,
    settings: &TpeSettings,
    rng: &mut SplitMix64,
) -> Vec<ParamValue> {
    let dims: Vec<Dim> = specs.iter().map(|s| Dim::of(&s.domain)).collect();
    let (good_obs, mut good_weights) = observations(specs, good);
    if uniform_good {
        good_weights.fill(1.0);
    }
    let (bad_obs, bad_weights) = observations(specs, bad);
    let l = Parzen::new(&dims, &good_obs, &good_weights, settings);
    let g = Parzen::new(&dims, &bad_obs, &bad_weights, settings);
    let mut best: Option<(f64, Vec<f64>)> = None;
    for _ in 0..settings.ei_candidates {
        let candidate = l.sample(rng);
        let score = l.log_pdf(&candidate) - g.log_pdf(&candidate);
        let better = match &best {
            None => true,
            Some((best_score, _)) => score > *best_score || best_score.is_nan(),
        };
        if better {
            best = Some((score, candidate));
        }
    }
    let chosen = best.map(|(_, c)| c).unwrap_or_default();
    specs
        .iter()
        .zip(chosen)
        .map(|(spec, x)| spec.domain.value_at(x))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gamma_and_weights_follow_optuna() {
        assert_eq!(gamma(0), 0);
        assert_eq!(gamma(10), 1);
        assert_eq!(gamma(11), 2);
        assert_eq!(gamma(1000), 25);
        assert_eq!(gamma_multiobjective(1000), 100);
        assert_eq!(default_weights(3), vec![1.0; 3]);
        let w = default_weights(30);
        assert_eq!(w.len(), 30);
        assert!((w[0] - 1.0 / 30.0).abs() < 1e-12);
        assert_eq!(w[4], 1.0);
        assert!(w[..5].windows(2).all(|p| p[0] < p[1]));
    }

    #[test]
    fn densities_match_optunas_parzen_estimator() {
        // Reference: Optuna 5.0.0's `_ParzenEstimator(...).log_pdf` with default parameters on
        // the same observations of a float in [0, 1], a log int in [1, 100], an int in [0, 40]
        // and a categorical of 3 choices. (The numbers are distinct: Optuna sizes the kernels
        // of equal numbers in the order of NumPy's unstable sort, and Hearth in trial order.)
        let dims = [
            Dim::of(&Domain::Float {
                low: 0.0,
                high: 1.0,
                log: false,
            }),
            Dim::of(&Domain::Int {
                low: 1,
                high: 100,
                log: true,
            }),
            Dim::of(&Domain::Int {
                low: 0,
                high: 40,
                log: false,
            }),
            Dim::Categorical { choices: 3 },
        ];
        let observations: Vec<Vec<f64>> = (0..30)
            .map(|i| {
                vec![
                    ((i * 37) % 101) as f64 / 101.0,
                    ((1 + (i * 53) % 100) as f64).ln(),
                    ((i * 7) % 41) as f64,
                    (i % 3) as f64,
                ]
            })
            .collect();
        let points = [
            [0.1, 1f64.ln(), 0.0, 0.0],
            [0.5, 17f64.ln(), 3.0, 1.0],
            [0.999, 100f64.ln(), 40.0, 2.0],
        ];
        let expected = [
            (30, [-9.185_436_933_5, -12.642_894_985_3, -14.679_795_343_6]),
            (4, [-3.768_726_533_5, -8.518_045_462_5, -12.935_242_017_6]),
        ];
        for (n, values) in expected {
            let parzen = Parzen::new(
                &dims,
                &observations[..n],
                &default_weights(n),
                &TpeSettings::default(),
            );
            for (point, value) in points.iter().zip(values) {
                let ours = parzen.log_pdf(point);
                // Within the 1e-7 relative error of `math::erfc` (Optuna's is exact).
                assert!((ours - value).abs() < 1e-5, "{n}: {ours} vs {value}");
            }
        }
        // Draws of the log int are whole numbers (as logarithms) within the range.
        let parzen = Parzen::new(
            &dims,
            &observations,
            &default_weights(30),
            &TpeSettings::default(),
        );
        let mut rng = SplitMix64::new(3);
        for _ in 0..200 {
            let x = parzen.sample(&mut rng);
            let v = x[1].exp();
            assert!(
                (v - v.round()).abs() < 1e-9 && (1.0..=100.0).contains(&v.round()),
                "{v}"
            );
        }
    }

    fn trial(number: usize, state: TrialState, values: Option<Vec<f64>>, curve: &[f64]) -> Trial {
        Trial {
            number,
            state,
            params: Params::new(),
            seed: 0,
            values,
            intermediate: curve.to_vec(),
            rungs: Vec::new(),
            epochs: curve.len(),
            work: 0,
            elapsed_ms: 0.0,
            valid_metrics: None,
            note: None,
        }
    }

    #[test]
    fn split_follows_optuna() {
        use super::super::super::objective::Metric;
        let objectives = Objectives {
            primary: Metric::Value,
            second: None,
        };
        let mut trials: Vec<Trial> = (0..9)
            .map(|i| trial(i, TrialState::Complete, Some(vec![10.0 - i as f64]), &[]))
            .collect();
        // Pruned: one that got further, one whose last value is not a number.
        trials.push(trial(9, TrialState::Pruned, None, &[f64::NAN, f64::NAN]));
        trials.push(trial(10, TrialState::Pruned, None, &[0.0]));
        trials.push(trial(11, TrialState::Pruned, None, &[5.0, 4.0]));
        trials.push(trial(12, TrialState::Running, None, &[]));
        let numbers = |group: &[&Trial]| group.iter().map(|t| t.number).collect::<Vec<_>>();
        // 12 finished: γ = 2, the two best complete trials; the running one is a "lie".
        let (good, bad) = split_trials(&trials, &objectives, true);
        assert_eq!(numbers(&good), vec![7, 8]);
        assert_eq!(numbers(&bad), vec![0, 1, 2, 3, 4, 5, 6, 9, 10, 11, 12]);
        let (_, bad) = split_trials(&trials, &objectives, false);
        assert!(!numbers(&bad).contains(&12));
        // With only pruned trials ranked: further first, a NaN last among equals.
        let pruned: Vec<Trial> = trials[9..12].to_vec();
        let (good, _) = split_trials(&pruned, &objectives, true);
        assert_eq!(numbers(&good), vec![11]);
        let mut two = pruned.clone();
        two[2].intermediate = vec![f64::NAN, f64::NAN];
        two[0].intermediate = vec![5.0, 4.0];
        let (good, _) = split_trials(&two, &objectives, true);
        assert_eq!(numbers(&good), vec![9]);
        // Also where higher is better (a negated NaN is still a NaN).
        let accuracy = Objectives {
            primary: Metric::Accuracy,
            second: None,
        };
        let (good, _) = split_trials(&two, &accuracy, true);
        assert_eq!(numbers(&good), vec![9]);
    }

    #[test]
    fn sigmas_are_the_larger_neighbour_gap() {
        // Sorted 0.2, 0.5, 0.6 in [0, 1]: gaps 0.2|0.3|0.1|0.4.
        let sigmas = univariate_sigmas(&[0.5, 0.2, 0.6], 0.0, 1.0, true);
        assert_eq!(sigmas.len(), 3);
        assert!((sigmas[1] - 0.3).abs() < 1e-12);
        assert!((sigmas[0] - 0.3).abs() < 1e-12);
        assert!((sigmas[2] - 0.4).abs() < 1e-12);
        // Without the ends, the outermost take their inner gap.
        let inner = univariate_sigmas(&[0.5, 0.2, 0.6], 0.0, 1.0, false);
        assert!((inner[1] - 0.3).abs() < 1e-12);
        assert!((inner[2] - 0.1).abs() < 1e-12);
    }
}
