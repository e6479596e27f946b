//! Ensemble selection over a study's best trials (Caruana, Niculescu-Mizil, Crew and Ksikes,
//! "Ensemble selection from libraries of models", ICML 2004; what auto-sklearn and AutoGluon
//! build their final model with): starting from the best trial, repeatedly add — with
//! replacement — the trial whose outputs, averaged in, improve the validation score most, and
//! keep the best prefix. A trial added k times of n weighs k/n.
//!
//! The candidates' outputs are their validation predictions (out-of-fold when the study
//! cross-validates), all on the same rows in the same order; how a blend is scored is the
//! caller's (the study's metric, lower is better), so this module needs no burn.

use serde::{Deserialize, Serialize};

use crate::train::Metrics;

/// Rounds of greedy selection (auto-sklearn's default is 50 over hundreds of models; a study
/// keeps far fewer candidates, and the blend settles within ~15 rounds on the benchmark's
/// tables).
pub const ENSEMBLE_ROUNDS: usize = 20;
/// The most trials whose validation outputs a study keeps for the ensemble.
pub const ENSEMBLE_CANDIDATES: usize = 8;

/// A trial's validation outputs.
pub struct Candidate<'a> {
    pub trial: usize,
    pub outputs: &'a [f32],
}

/// One trial of an ensemble and its share.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct EnsembleMember {
    pub trial: usize,
    pub weight: f64,
}

/// The ensemble a study found: one more candidate beside its trials (the leaderboard shows it
/// as such).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct EnsembleCandidate {
    /// Heaviest first.
    pub members: Vec<EnsembleMember>,
    /// The study's primary metric of the blend on the validation rows.
    pub value: f64,
    /// The blend's validation metrics.
    pub valid_metrics: Option<Metrics>,
    /// The best single trial's value on the same rows, for comparison.
    pub best_single: f64,
}

/// What [`select`] found: members with weights, and the score (lower is better) of the blend
/// and of the best single candidate.
#[derive(Clone, Debug, PartialEq)]
pub struct Selection {
    pub members: Vec<EnsembleMember>,
    pub score: f64,
    pub single_score: f64,
}

/// Greedy selection with replacement for `rounds` rounds; `score` rates a blend's outputs
/// (lower is better; `None` or NaN counts as worst). `None` when no candidate has outputs of
/// the common length or none can be scored.
pub fn select(
    candidates: &[Candidate<'_>],
    score: impl Fn(&[f32]) -> Option<f64>,
    rounds: usize,
) -> Option<Selection> {
    let len = candidates.first()?.outputs.len();
    let usable: Vec<&Candidate<'_>> = candidates
        .iter()
        .filter(|c| c.outputs.len() == len && len > 0)
        .collect();
    let rate = |outputs: &[f32]| {
        score(outputs)
            .filter(|s| !s.is_nan())
            .unwrap_or(f64::INFINITY)
    };
    let singles: Vec<f64> = usable.iter().map(|c| rate(c.outputs)).collect();
    let (first, &single_score) = singles
        .iter()
        .enumerate()
        .min_by(|a, b| a.1.total_cmp(b.1))?;
    if !single_score.is_finite() {
        return None;
    }
    let mut counts = vec![0usize; usable.len()];
    counts[first] = 1;
    let mut sum: Vec<f64> = usable[first]
        .outputs
        .iter()
        .map(|&v| f64::from(v))
        .collect();
    let mut best = (single_score, counts.clone());
    let mut blend = vec![0.0f32; len];
    for round in 1..rounds.max(1) {
        let n = (round + 1) as f64;
        let mut pick: Option<(usize, f64)> = None;
        for (i, candidate) in usable.iter().enumerate() {
            for ((b, &s), &v) in blend.iter_mut().zip(&sum).zip(candidate.outputs) {
                *b = ((s + f64::from(v)) / n) as f32;
            }
            let value = rate(&blend);
            if pick.is_none_or(|(_, best_value)| value < best_value) {
                pick = Some((i, value));
            }
        }
        let Some((i, value)) = pick else { break };
        counts[i] += 1;
        for (s, &v) in sum.iter_mut().zip(usable[i].outputs) {
            *s += f64::from(v);
        }
        if value < best.0 {
            best = (value, counts.clone());
        }
    }
    let (score, counts) = best;
    let total: usize = counts.iter().sum();
    let mut members: Vec<EnsembleMember> = counts
        .iter()
        .zip(&usable)
        .filter(|(count, _)| **count > 0)
        .map(|(&count, candidate)| EnsembleMember {
            trial: candidate.trial,
            weight: count as f64 / total as f64,
        })
        .collect();
    members.sort_by(|a, b| b.weight.total_cmp(&a.weight).then(a.trial.cmp(&b.trial)));
    Some(Selection {
        members,
        score,
        single_score,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Squared error against a target, as a regression blend is scored.
    fn mse(target: &[f32]) -> impl Fn(&[f32]) -> Option<f64> + '_ {
        move |outputs| {
            Some(
                outputs
                    .iter()
                    .zip(target)
                    .map(|(&o, &t)| f64::from(o - t).powi(2))
                    .sum::<f64>()
                    / target.len() as f64,
            )
        }
    }

    #[test]
    fn two_errors_that_cancel_are_averaged() {
        let target = [0.0f32, 0.0, 0.0, 0.0];
        let high = [1.0f32, 1.0, 1.0, 1.0];
        let low = [-1.0f32, -1.0, -1.0, -1.0];
        let far = [5.0f32, 5.0, 5.0, 5.0];
        let candidates = [
            Candidate {
                trial: 3,
                outputs: &far,
            },
            Candidate {
                trial: 1,
                outputs: &high,
            },
            Candidate {
                trial: 2,
                outputs: &low,
            },
        ];
        let selection = select(&candidates, mse(&target), ENSEMBLE_ROUNDS).unwrap();
        assert_eq!(selection.single_score, 1.0);
        assert_eq!(selection.score, 0.0);
        assert_eq!(
            selection.members,
            vec![
                EnsembleMember {
                    trial: 1,
                    weight: 0.5
                },
                EnsembleMember {
                    trial: 2,
                    weight: 0.5
                },
            ]
        );
    }

    #[test]
    fn a_best_model_nothing_improves_stays_alone() {
        let target = [1.0f32, 2.0, 3.0];
        let exact = [1.0f32, 2.0, 3.0];
        let off = [2.0f32, 3.0, 4.0];
        let candidates = [
            Candidate {
                trial: 0,
                outputs: &off,
            },
            Candidate {
                trial: 7,
                outputs: &exact,
            },
        ];
        let selection = select(&candidates, mse(&target), ENSEMBLE_ROUNDS).unwrap();
        assert_eq!(
            selection.members,
            vec![EnsembleMember {
                trial: 7,
                weight: 1.0
            }]
        );
        assert_eq!(selection.score, selection.single_score);
    }

    #[test]
    fn unscorable_or_misshapen_candidates_are_left_out() {
        let target = [0.0f32, 0.0];
        let good = [0.5f32, 0.5];
        let short = [0.0f32];
        assert!(select(&[], mse(&target), 5).is_none());
        let selection = select(
            &[
                Candidate {
                    trial: 0,
                    outputs: &good,
                },
                Candidate {
                    trial: 1,
                    outputs: &short,
                },
            ],
            mse(&target),
            5,
        )
        .unwrap();
        assert_eq!(
            selection.members,
            vec![EnsembleMember {
                trial: 0,
                weight: 1.0
            }]
        );
        assert!(
            select(
                &[Candidate {
                    trial: 0,
                    outputs: &good
                }],
                |_| None,
                5
            )
            .is_none()
        );
    }
}
