//! Splitting rows into train / validation / test (and folds), from the seed.

use serde::{Deserialize, Serialize};

use crate::rng::SplitMix64;

use super::config::PrepConfig;
use super::error::PrepError;

/// Row indices (into the dataset, ascending) of each split. Rows whose target is missing are
/// in none.
///
/// With k-fold cross-validation (`PrepConfig::folds`), `valid` is empty, `train` holds every
/// row that is not test, and `folds` deals those rows into k validation folds: fold i trains on
/// [`Split::fold_train`]`(i)` and validates on `folds[i]`. Rows of classes too small to
/// stratify are in `train` but in no fold, so every fold trains on them.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct Split {
    pub train: Vec<usize>,
    pub valid: Vec<usize>,
    pub test: Vec<usize>,
    pub folds: Vec<Vec<usize>>,
}

impl Split {
    /// The training rows of fold `fold`: `train` without `folds[fold]` (all of `train` when
    /// there is no such fold).
    pub fn fold_train(&self, fold: usize) -> Vec<usize> {
        let held_out = self.folds.get(fold).map_or(&[][..], Vec::as_slice);
        self.train
            .iter()
            .copied()
            .filter(|row| held_out.binary_search(row).is_err())
            .collect()
    }
}

/// Splits the eligible rows (ascending). With `classes` (the class index of each eligible row,
/// and the class names), the split is stratified: each class is shuffled and cut in the split
/// fractions, with at least one row in every split that has a positive fraction. A class with
/// fewer rows than that goes wholly to training, with a note naming it. Without classes, the
/// rows are shuffled and cut once.
pub(crate) fn split_rows(
    rows: &[usize],
    classes: Option<(&[u32], &[String])>,
    config: &PrepConfig,
) -> Result<(Split, Vec<String>), PrepError> {
    let mut rng = SplitMix64::new(config.seed);
    let fractions = config.split;
    let folds = config.folds;
    let test_fraction = fractions.test;
    let valid_fraction = if folds.is_some() {
        0.0
    } else {
        fractions.valid
    };
    let mut notes = Vec::new();

    let groups: Vec<Vec<usize>> = match classes {
        Some((labels, names)) => {
            let mut groups = vec![Vec::new(); names.len()];
            for (&row, &label) in rows.iter().zip(labels) {
                if let Some(group) = groups.get_mut(label as usize) {
                    group.push(row);
                }
            }
            groups
        }
        None => vec![rows.to_vec()],
    };
    let stratified = classes.is_some();
    let needed = 1 + usize::from(test_fraction > 0.0) + usize::from(valid_fraction > 0.0);

    let mut split = Split::default();
    let k = folds.unwrap_or(0);
    split.folds = vec![Vec::new(); k];
    let mut next_fold = 0usize;
    for (index, mut group) in groups.into_iter().enumerate() {
        if group.is_empty() {
            continue;
        }
        rng.shuffle(&mut group);
        let n = group.len();
        if stratified && n < needed {
            let name = classes
                .and_then(|(_, names)| names.get(index))
                .map_or("", String::as_str);
            notes.push(format!(
                "Class \"{name}\" has only {n} {}, too few to appear in every split, so {} to training.",
                if n == 1 { "row with a target" } else { "rows with a target" },
                if n == 1 { "it goes" } else { "all go" }
            ));
            split.train.extend(group);
            continue;
        }
        let (n_test, n_valid) = allocate(n, test_fraction, valid_fraction, stratified);
        let mut rest = group.into_iter();
        split.test.extend(rest.by_ref().take(n_test));
        split.valid.extend(rest.by_ref().take(n_valid));
        for row in rest {
            split.train.push(row);
            if k > 0 {
                if let Some(fold) = split.folds.get_mut(next_fold % k) {
                    fold.push(row);
                }
                next_fold += 1;
            }
        }
    }
    if k > 0 && next_fold < k {
        return Err(PrepError::Setting {
            setting: "folds".to_string(),
            problem: format!(
                "{k} folds need at least {k} training rows, and there are {next_fold}"
            ),
        });
    }
    split.train.sort_unstable();
    split.valid.sort_unstable();
    split.test.sort_unstable();
    for fold in &mut split.folds {
        fold.sort_unstable();
    }
    Ok((split, notes))
}

/// Test and validation counts for a group of `n` rows; training keeps at least one row. When
/// stratified (and `n` allows it) each split with a positive fraction gets at least one row.
fn allocate(n: usize, test: f64, valid: f64, stratified: bool) -> (usize, usize) {
    let count = |fraction: f64| {
        let c = (n as f64 * fraction).round() as usize;
        if stratified && fraction > 0.0 {
            c.max(1)
        } else {
            c
        }
    };
    let min_test = usize::from(stratified && test > 0.0);
    let min_valid = usize::from(stratified && valid > 0.0);
    let (mut n_test, mut n_valid) = (count(test), count(valid));
    while n_test + n_valid >= n {
        if n_valid > min_valid && (n_valid >= n_test || n_test <= min_test) {
            n_valid -= 1;
        } else if n_test > min_test {
            n_test -= 1;
        } else {
            break;
        }
    }
    (n_test, n_valid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allocation_keeps_a_training_row() {
        assert_eq!(allocate(100, 0.15, 0.15, true), (15, 15));
        assert_eq!(allocate(3, 0.15, 0.15, true), (1, 1));
        assert_eq!(allocate(4, 0.45, 0.45, true), (2, 1));
        assert_eq!(allocate(1, 0.15, 0.15, false), (0, 0));
        assert_eq!(allocate(2, 0.5, 0.5, false), (1, 0));
    }

    #[test]
    fn regression_split_is_a_seeded_partition() {
        let rows: Vec<usize> = (0..100).collect();
        let config = PrepConfig::default();
        let (split, notes) = match split_rows(&rows, None, &config) {
            Ok(s) => s,
            Err(e) => panic!("{e}"),
        };
        assert!(notes.is_empty());
        assert_eq!(
            (split.train.len(), split.valid.len(), split.test.len()),
            (70, 15, 15)
        );
        let mut all: Vec<usize> = [&split.train[..], &split.valid[..], &split.test[..]].concat();
        all.sort_unstable();
        assert_eq!(all, rows);
        let again = split_rows(&rows, None, &config).map(|s| s.0);
        assert_eq!(again, Ok(split.clone()));
        let other = split_rows(
            &rows,
            None,
            &PrepConfig {
                seed: 43,
                ..PrepConfig::default()
            },
        )
        .map(|s| s.0);
        assert_ne!(other, Ok(split));
    }
}
