//! A lesson on real data: the Data step's table as Hearth's fitted preprocessing turns it into
//! numbers (the features every Hearth model sees), and the planes a 2-D view of it can take.
//!
//! A network on two chosen columns is drawn exactly (its whole input space is the plane). A
//! network on all the features lives in many dimensions, so the plane is a slice through it or
//! the plane of the first two principal components, and says so: [`TablePlane`].

use serde::{Deserialize, Serialize};

use super::TeachError;
use super::share::FileSeal;
use crate::data::Dataset;
use crate::prep::{Prepared, Targets};
use crate::rng::SplitMix64;

/// The prepared table a lesson learns from.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Table {
    /// The data's file name and target column, as the Data step loaded them.
    pub name: String,
    pub target: String,
    /// The rows of the file with a target (before any sampling).
    pub source_rows: usize,
    /// The prepared features' names (`island=Dream`, `bill_length_mm`…).
    pub features: Vec<String>,
    /// Row after row, `features` wide.
    pub values: Vec<f64>,
    /// Each row's class index, or its (standardised) value.
    pub labels: Vec<f64>,
    /// The class names; empty for regression.
    pub classes: Vec<String>,
    /// The file the table was read from, when its bytes were at hand (set by the caller).
    pub file: Option<FileSeal>,
}

/// The most rows a lesson takes from a table (a seeded sample of a larger one).
pub const MAX_TABLE_ROWS: usize = 2_000;

impl Table {
    /// The table of `dataset` as `prepared` encodes it: every row with a target (a seeded
    /// sample of [`MAX_TABLE_ROWS`] when there are more).
    pub fn from_prepared(
        dataset: &Dataset,
        prepared: &Prepared,
        seed: u64,
    ) -> Result<Table, TeachError> {
        let split = &prepared.split;
        let mut rows: Vec<usize> = split
            .train
            .iter()
            .chain(&split.valid)
            .chain(&split.test)
            .copied()
            .collect();
        rows.sort_unstable();
        let source_rows = rows.len();
        if rows.len() > MAX_TABLE_ROWS {
            SplitMix64::new(seed).shuffle(&mut rows);
            rows.truncate(MAX_TABLE_ROWS);
            rows.sort_unstable();
        }
        let pipeline = &prepared.pipeline;
        let failed = |error: crate::prep::PrepError| TeachError::Table {
            reason: error.to_string(),
        };
        let matrix = pipeline.transform_dataset(dataset, &rows).map_err(failed)?;
        let labels = match pipeline.encode_targets(dataset, &rows).map_err(failed)? {
            Targets::Classes(classes) => classes.into_iter().map(f64::from).collect(),
            Targets::Values(values) => values.into_iter().map(f64::from).collect(),
        };
        let classes = pipeline.classes().to_vec();
        let table = Table {
            name: dataset.source.clone(),
            target: pipeline.target.clone(),
            source_rows,
            features: pipeline.feature_names.clone(),
            values: matrix.values.iter().map(|&v| f64::from(v)).collect(),
            labels,
            classes,
            file: None,
        };
        if table.rows() < 2 || table.features.is_empty() {
            return Err(TeachError::Table {
                reason: format!(
                    "{} has {} usable rows and {} features; a lesson needs 2 rows and 1 feature",
                    table.name,
                    table.rows(),
                    table.features.len()
                ),
            });
        }
        Ok(table)
    }

    pub fn rows(&self) -> usize {
        self.labels.len()
    }

    pub fn width(&self) -> usize {
        self.features.len()
    }

    pub fn row(&self, row: usize) -> &[f64] {
        let width = self.width();
        self.values
            .get(row * width..(row + 1) * width)
            .unwrap_or(&[])
    }

    pub fn feature(&self, name: &str) -> Result<usize, TeachError> {
        self.features
            .iter()
            .position(|f| f == name)
            .ok_or_else(|| TeachError::Table {
                reason: format!("{} has no feature `{name}`", self.name),
            })
    }

    /// The smallest and largest value of feature `k`.
    pub fn range(&self, k: usize) -> (f64, f64) {
        (0..self.rows())
            .filter_map(|r| self.row(r).get(k).copied())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                (lo.min(v), hi.max(v))
            })
    }

    /// The median of feature `k` (the lower middle value of an even count).
    pub fn median(&self, k: usize) -> f64 {
        let mut values: Vec<f64> = (0..self.rows())
            .filter_map(|r| self.row(r).get(k).copied())
            .collect();
        values.sort_by(f64::total_cmp);
        values
            .get(values.len().saturating_sub(1) / 2)
            .copied()
            .unwrap_or(0.0)
    }
}

/// Which 2-D plane of an all-feature network the page draws. Changing it does not retrain.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum TablePlane {
    /// Features `x` and `y` across their ranges, every other feature held at its median, or
    /// at the value `at` gives it.
    Slice {
        x: String,
        y: String,
        at: Vec<(String, f64)>,
    },
    /// The plane of the first two principal components of the features, through their mean.
    Pca,
}

/// How a plane coordinate becomes the network's input: the toy features of a point, or a
/// point of an affine plane `origin + a·u + b·v` in feature space.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum PlaneMap {
    Features(Vec<super::Feature>),
    Affine {
        origin: Vec<f64>,
        u: Vec<f64>,
        v: Vec<f64>,
    },
}

impl PlaneMap {
    pub(super) fn input(&self, at: [f64; 2], out: &mut [f64]) {
        match self {
            PlaneMap::Features(features) => {
                for (o, f) in out.iter_mut().zip(features) {
                    *o = f.value(at);
                }
            }
            PlaneMap::Affine { origin, u, v } => {
                for (k, o) in out.iter_mut().enumerate() {
                    *o = origin[k] + at[0] * u[k] + at[1] * v[k];
                }
            }
        }
    }
}

/// Half the side of the square the data is scaled into (inside the plane's 6).
pub(super) const DATA_EXTENT: f64 = 5.5;

/// How a lesson's data shows on the plane: the map from plane to input, and what the page
/// labels it with.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct PlaneView {
    pub map: PlaneMap,
    /// Each point's opacity by its distance from the plane (empty: all on it).
    pub fade: Vec<f32>,
    pub axes: [String; 2],
    /// The share of the variance a PCA plane shows.
    pub explained: Option<f64>,
    /// A slice's held features.
    pub held: Vec<Held>,
}

impl PlaneView {
    /// The plane of a toy or of two columns: the input features computed from its two
    /// coordinates, exactly.
    pub(super) fn features(features: &[super::Feature], axes: [String; 2]) -> PlaneView {
        PlaneView {
            map: PlaneMap::Features(features.to_vec()),
            fade: Vec::new(),
            axes,
            explained: None,
            held: Vec::new(),
        }
    }
}

/// The plane `view` of `table`: each row's plane coordinates, and the view (the axes' names,
/// the variance a PCA plane explains, a slice's held features with their values and ranges).
pub(super) fn table_plane(
    table: &Table,
    view: &TablePlane,
) -> Result<(Vec<[f64; 2]>, PlaneView), TeachError> {
    let width = table.width();
    let (map, axes, explained, held) = match view {
        TablePlane::Slice { x, y, at } => {
            let (i, j) = (table.feature(x)?, table.feature(y)?);
            let mut origin: Vec<f64> = (0..width).map(|k| table.median(k)).collect();
            let mut held = Vec::new();
            for (k, name) in table.features.iter().enumerate() {
                if k == i || k == j {
                    continue;
                }
                if let Some((_, value)) = at.iter().find(|(n, _)| n == name) {
                    origin[k] = *value;
                }
                let (min, max) = table.range(k);
                if min >= max {
                    // A constant feature: nothing to slide.
                    continue;
                }
                held.push(Held {
                    name: name.clone(),
                    value: origin[k],
                    min,
                    max,
                });
            }
            let mut u = vec![0.0; width];
            let mut v = vec![0.0; width];
            for (k, axis) in [(i, &mut u), (j, &mut v)] {
                let (min, max) = table.range(k);
                origin[k] = (min + max) / 2.0;
                axis[k] = ((max - min) / (2.0 * DATA_EXTENT)).max(1e-9);
            }
            let map = PlaneMap::Affine { origin, u, v };
            (map, [x.clone(), y.clone()], None, held)
        }
        TablePlane::Pca => {
            let (mean, components, explained) = principal_plane(table);
            let [first, second] = components;
            let (pc1, pc2) = (first.1, second.1);
            // One scale for both axes keeps the geometry: ±5.5 is ±2.5 standard deviations
            // along the first component.
            let scale = (2.5 * first.0.max(0.0).sqrt() / DATA_EXTENT).max(1e-9);
            let map = PlaneMap::Affine {
                origin: mean,
                u: pc1.iter().map(|c| c * scale).collect(),
                v: pc2.iter().map(|c| c * scale).collect(),
            };
            let names = [
                format!("PC1 ({:.0} %)", 100.0 * first.0 / explained.1.max(1e-12)),
                format!("PC2 ({:.0} %)", 100.0 * second.0 / explained.1.max(1e-12)),
            ];
            (
                map,
                names,
                Some(explained.0 / explained.1.max(1e-12)),
                Vec::new(),
            )
        }
    };
    let (positions, fade) = place(table, &map);
    let view = PlaneView {
        map,
        fade,
        axes,
        explained,
        held,
    };
    Ok((positions, view))
}

/// A held feature of a slice, for its slider.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Held {
    pub name: String,
    pub value: f64,
    pub min: f64,
    pub max: f64,
}

/// Each row's coordinates on the affine plane (least squares: the axes are orthogonal) and its
/// opacity from its distance to the plane against the rows' root-mean-square distance (1 on
/// the plane, fading to 0.15).
fn place(table: &Table, map: &PlaneMap) -> (Vec<[f64; 2]>, Vec<f32>) {
    let PlaneMap::Affine { origin, u, v } = map else {
        return (Vec::new(), Vec::new());
    };
    let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
    let (uu, vv) = (dot(u, u).max(1e-300), dot(v, v).max(1e-300));
    let mut positions = Vec::with_capacity(table.rows());
    let mut distances = Vec::with_capacity(table.rows());
    let mut centred = vec![0.0; table.width()];
    for r in 0..table.rows() {
        for (c, (x, o)) in centred.iter_mut().zip(table.row(r).iter().zip(origin)) {
            *c = x - o;
        }
        let (a, b) = (dot(&centred, u) / uu, dot(&centred, v) / vv);
        let residual: f64 = centred
            .iter()
            .zip(u.iter().zip(v))
            .map(|(c, (uk, vk))| (c - a * uk - b * vk).powi(2))
            .sum();
        positions.push([a, b]);
        distances.push(residual.sqrt());
    }
    let rms = (distances.iter().map(|d| d * d).sum::<f64>() / distances.len().max(1) as f64).sqrt();
    let fade = distances
        .iter()
        .map(|d| {
            if rms <= 1e-12 {
                1.0
            } else {
                libm::exp(-0.5 * (d / rms).powi(2)).max(0.15) as f32
            }
        })
        .collect();
    (positions, fade)
}

/// The features' mean, the first two principal components (variance, unit vector), and
/// `(their variance, the total variance)`: power iteration on the covariance matrix with
/// deflation, from a fixed start, each vector's largest entry made positive (deterministic).
#[allow(clippy::type_complexity)]
fn principal_plane(table: &Table) -> (Vec<f64>, [(f64, Vec<f64>); 2], (f64, f64)) {
    let (n, d) = (table.rows().max(1), table.width());
    let mut mean = vec![0.0; d];
    for r in 0..table.rows() {
        for (m, x) in mean.iter_mut().zip(table.row(r)) {
            *m += x / n as f64;
        }
    }
    let mut cov = vec![0.0; d * d];
    for r in 0..table.rows() {
        let row = table.row(r);
        for a in 0..d {
            let da = row[a] - mean[a];
            for b in a..d {
                cov[a * d + b] += da * (row[b] - mean[b]) / n as f64;
            }
        }
    }
    for a in 0..d {
        for b in 0..a {
            cov[a * d + b] = cov[b * d + a];
        }
    }
    let total: f64 = (0..d).map(|k| cov[k * d + k]).sum();
    let mut components: Vec<(f64, Vec<f64>)> = Vec::new();
    for c in 0..2 {
        let mut vector: Vec<f64> = (0..d).map(|k| 1.0 + (k + c) as f64 * 0.013).collect();
        let mut value = 0.0;
        for _ in 0..500 {
            let mut next: Vec<f64> = (0..d)
                .map(|a| (0..d).map(|b| cov[a * d + b] * vector[b]).sum())
                .collect();
            // Deflation: remove what the earlier component explains.
            for (lambda, earlier) in &components {
                let along: f64 = vector.iter().zip(earlier).map(|(x, e)| x * e).sum();
                for (x, e) in next.iter_mut().zip(earlier) {
                    *x -= lambda * along * e;
                }
            }
            let norm = next.iter().map(|x| x * x).sum::<f64>().sqrt();
            if norm <= 1e-300 {
                // No variance left: any unit vector orthogonal to the earlier one.
                next = (0..d)
                    .map(|k| if k == c.min(d - 1) { 1.0 } else { 0.0 })
                    .collect();
                value = 0.0;
                vector = next;
                break;
            }
            let converged = next
                .iter()
                .zip(&vector)
                .map(|(a, b)| (a / norm - b).abs())
                .fold(0.0, f64::max)
                < 1e-12;
            value = norm;
            vector = next.iter().map(|x| x / norm).collect();
            if converged {
                break;
            }
        }
        let largest = vector
            .iter()
            .copied()
            .fold(0.0_f64, |m, x| if x.abs() > m.abs() { x } else { m });
        if largest < 0.0 {
            vector.iter_mut().for_each(|x| *x = -*x);
        }
        components.push((value, vector));
    }
    let second = components.pop().unwrap_or((0.0, vec![0.0; d]));
    let first = components.pop().unwrap_or((0.0, vec![0.0; d]));
    let explained = first.0 + second.0;
    (mean, [first, second], (explained, total))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(values: Vec<f64>, width: usize) -> Table {
        let rows = values.len() / width;
        Table {
            name: "t.csv".into(),
            target: "y".into(),
            source_rows: rows,
            features: (0..width).map(|k| format!("f{k}")).collect(),
            values,
            labels: (0..rows).map(|r| (r % 2) as f64).collect(),
            classes: vec!["a".into(), "b".into()],
            file: None,
        }
    }

    #[test]
    fn the_pca_plane_finds_the_directions_of_most_variance() {
        // Points on a tilted plane in 3-D (x, 2y, x + 0.1): all variance in two directions.
        let mut rng = SplitMix64::new(1);
        let mut values = Vec::new();
        for _ in 0..300 {
            let (a, b) = (rng.next_f64() * 4.0 - 2.0, rng.next_f64() - 0.5);
            values.extend([a, 2.0 * b, a + 0.1]);
        }
        let t = table(values, 3);
        let (mean, [first, second], (explained, total)) = principal_plane(&t);
        assert!(
            (explained / total - 1.0).abs() < 1e-9,
            "{explained} of {total}"
        );
        assert!(first.0 > second.0);
        // Each component is an eigenvector of the sample covariance, and they are orthogonal.
        for (lambda, vector) in [&first, &second] {
            for a in 0..3 {
                let cv: f64 = (0..3)
                    .map(|b| {
                        let c: f64 = (0..300)
                            .map(|r| (t.row(r)[a] - mean[a]) * (t.row(r)[b] - mean[b]))
                            .sum::<f64>()
                            / 300.0;
                        c * vector[b]
                    })
                    .sum();
                assert!(
                    (cv - lambda * vector[a]).abs() < 1e-8,
                    "{cv} vs {}",
                    lambda * vector[a]
                );
            }
        }
        let along: f64 = first.1.iter().zip(&second.1).map(|(a, b)| a * b).sum();
        assert!(along.abs() < 1e-8);
        assert!((mean[2] - mean[0] - 0.1).abs() < 1e-9);
        let (
            _,
            PlaneView {
                map,
                fade,
                axes,
                explained: share,
                held,
            },
        ) = table_plane(&t, &TablePlane::Pca).unwrap();
        assert!(matches!(map, PlaneMap::Affine { .. }));
        assert!(axes[0].starts_with("PC1"));
        assert!((share.unwrap() - 1.0).abs() < 1e-9);
        assert!(held.is_empty());
        // Every row lies on the plane: nothing fades.
        assert!(fade.iter().all(|&f| f > 0.99));
    }

    #[test]
    fn a_slice_spans_its_two_features_and_holds_the_rest() {
        let t = table(vec![0.0, 10.0, 5.0, 1.0, 20.0, 6.0, 2.0, 30.0, 7.0], 3);
        let view = TablePlane::Slice {
            x: "f0".into(),
            y: "f1".into(),
            at: vec![("f2".into(), 6.5)],
        };
        let (
            positions,
            PlaneView {
                map,
                axes,
                explained: share,
                held,
                ..
            },
        ) = table_plane(&t, &view).unwrap();
        assert_eq!(axes, ["f0".to_string(), "f1".to_string()]);
        assert!(share.is_none());
        assert_eq!(held.len(), 1);
        assert_eq!((held[0].value, held[0].min, held[0].max), (6.5, 5.0, 7.0));
        let mut input = vec![0.0; 3];
        map.input([DATA_EXTENT, -DATA_EXTENT], &mut input);
        assert!((input[0] - 2.0).abs() < 1e-12 && (input[1] - 10.0).abs() < 1e-12);
        assert_eq!(input[2], 6.5);
        // The middle row sits at the slice's centre.
        assert!(positions[1].iter().all(|p| p.abs() < 1e-9));
        assert!(
            table_plane(
                &t,
                &TablePlane::Slice {
                    x: "f9".into(),
                    y: "f1".into(),
                    at: vec![]
                }
            )
            .is_err()
        );
    }
}
