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
//!
//! The estimator itself is in `parzen.rs`, the settings in `settings.rs`; this module ranks and
//! splits the trials and picks the candidate.

mod parzen;
mod settings;

pub use settings::TpeSettings;

use super::super::math::nondomination_ranks;
use super::super::objective::Objectives;
use super::super::space::{Domain, ParamSpec, ParamValue, Params, Space};
use super::super::trial::{Trial, TrialState};
use super::random;
use crate::rng::SplitMix64;
use parzen::{Dim, Parzen};

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
            best_epoch: None,
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
}
