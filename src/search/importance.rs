//! Parameter importance from the complete trials: for each parameter, the share of the
//! primary metric's variance that its value explains on its own (a main-effect, fANOVA-like
//! measure without the random forest). Scores are replaced by their ranks first, so that one
//! diverged trial does not dominate; real and whole-number parameters are cut into quantile
//! bins, categories grouped by value, and trials without the parameter form their own group.

use serde::{Deserialize, Serialize};

use super::objective::Objectives;
use super::space::{Domain, Space};
use super::trial::Trial;

/// One parameter's importance; the importances of a study sum to 1 (when any is above 0).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ParamImportance {
    pub name: String,
    pub importance: f64,
}

/// Importances, most important first; empty with fewer than 4 complete trials.
pub fn importance(
    space: &Space,
    trials: &[Trial],
    objectives: &Objectives,
) -> Vec<ParamImportance> {
    let scored: Vec<(&Trial, f64)> = trials
        .iter()
        .filter_map(|t| t.primary_score(objectives).map(|s| (t, s)))
        .collect();
    let n = scored.len();
    if n < 4 {
        return Vec::new();
    }
    let ranks = average_ranks(&scored.iter().map(|(_, s)| *s).collect::<Vec<_>>());
    let mean = ranks.iter().sum::<f64>() / n as f64;
    let total: f64 = ranks.iter().map(|r| (r - mean) * (r - mean)).sum();
    let bins = (n / 3).clamp(2, 5);
    let mut out: Vec<ParamImportance> = space
        .params
        .iter()
        .filter(|spec| !matches!(spec.domain, Domain::Fixed { .. }))
        .map(|spec| {
            // Group key per trial: None (absent) or a bin / category index.
            let internal: Vec<Option<f64>> = scored
                .iter()
                .map(|(t, _)| {
                    t.params
                        .get(&spec.name)
                        .and_then(|v| spec.domain.internal_of(v))
                })
                .collect();
            let keys: Vec<Option<usize>> = match spec.domain {
                Domain::Categorical { .. } => {
                    internal.iter().map(|x| x.map(|v| v as usize)).collect()
                }
                _ => {
                    let present: Vec<f64> = internal.iter().flatten().copied().collect();
                    let present_ranks = average_ranks(&present);
                    let mut next = present_ranks.iter();
                    internal
                        .iter()
                        .map(|x| {
                            x.and_then(|_| next.next()).map(|&rank| {
                                (((rank - 1.0) / present.len().max(1) as f64) * bins as f64)
                                    as usize
                            })
                        })
                        .collect()
                }
            };
            let mut groups: Vec<(Option<usize>, f64, usize)> = Vec::new();
            for (key, rank) in keys.iter().zip(&ranks) {
                match groups.iter_mut().find(|(k, _, _)| k == key) {
                    Some(group) => {
                        group.1 += rank;
                        group.2 += 1;
                    }
                    None => groups.push((*key, *rank, 1)),
                }
            }
            let between: f64 = groups
                .iter()
                .map(|(_, sum, count)| {
                    let group_mean = sum / *count as f64;
                    *count as f64 * (group_mean - mean) * (group_mean - mean)
                })
                .sum();
            ParamImportance {
                name: spec.name.clone(),
                importance: if total > 0.0 { between / total } else { 0.0 },
            }
        })
        .collect();
    let sum: f64 = out.iter().map(|p| p.importance).sum();
    if sum > 0.0 {
        for p in &mut out {
            p.importance /= sum;
        }
    }
    out.sort_by(|a, b| b.importance.total_cmp(&a.importance));
    out
}

/// 1-based ranks, ties sharing their average rank.
fn average_ranks(values: &[f64]) -> Vec<f64> {
    let n = values.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut ranks = vec![0.0; n];
    let mut start = 0;
    while start < n {
        let mut end = start + 1;
        while end < n && values[order[end]] == values[order[start]] {
            end += 1;
        }
        let average = (start + 1 + end) as f64 / 2.0;
        for &i in &order[start..end] {
            ranks[i] = average;
        }
        start = end;
    }
    ranks
}
