//! Another model on a table lesson's plane: the Train step's model (burn's network, boosted
//! trees or an ensemble — any model on the same prepared features) drawn over the same slice or
//! PCA plane as the lesson's small network, so that a class sees what the full model learned
//! beside what theirs did.
//!
//! The lesson says where its plane lies in feature space ([`PlaneInputs`]); whoever holds the
//! model (the page's compute worker, `hearth teach --model`) evaluates the rows a
//! [`ModelPlaneQuery`] lays out and turns the outputs into the plane's cells with
//! [`ModelPlaneQuery::answer`]. No burn here: the Teach worker stays small.

use serde::{Deserialize, Serialize};

use super::TeachError;
use super::lesson::{Lesson, cell_centre, cell_value, head_of};
use super::network::Head;
use super::table::{PlaneMap, Table};
use crate::prep::{FittedPipeline, Matrix};

/// The most cells a side of a model's plane may have (the page draws 64 or fewer).
pub const MAX_MODEL_DENSITY: usize = 256;

/// Where a table lesson's plane lies among the prepared features: the plane point `(a, b)` is
/// the input `origin + a·u + b·v`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct PlaneInputs {
    /// The prepared features, in the order of the vectors below.
    pub features: Vec<String>,
    pub origin: Vec<f64>,
    pub u: Vec<f64>,
    pub v: Vec<f64>,
}

/// What a model is asked to draw: the plane's `density × density` cells, and the lesson's
/// points (the table's rows) to be scored against their labels.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ModelPlaneQuery {
    /// Echoed in the answer, so that the page drops the answer to a plane it has left.
    pub id: u32,
    pub plane: PlaneInputs,
    pub density: usize,
    /// The table's rows, `plane.features` wide.
    pub points: Vec<f32>,
    /// Each row's class index, or its standardised value.
    pub labels: Vec<f64>,
    /// The lesson's test points (indices into the rows).
    pub test: Vec<usize>,
    /// The table's target and its classes (none for regression): a model of another target
    /// is refused.
    pub target: String,
    pub classes: Vec<String>,
}

/// A model's answer over the plane, and how it does on the lesson's points.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ModelPlane {
    pub id: u32,
    pub head: Head,
    pub density: usize,
    /// One cell value a cell ([`cell_value`]), row by row from the top.
    pub cells: Vec<f32>,
    /// The points it classifies wrongly (none for a value).
    pub wrong: Vec<usize>,
    /// Points it classifies rightly, of all and of the lesson's test points (classification).
    pub right: Option<(usize, usize)>,
    pub points: usize,
    pub test_points: usize,
}

impl Lesson {
    /// Where an all-feature table lesson's plane lies among the prepared features (`None` for
    /// a toy or two columns, whose plane is their whole input space).
    pub fn plane_inputs(&self) -> Option<PlaneInputs> {
        let table = self.table()?;
        match self.plane_map() {
            PlaneMap::Affine { origin, u, v } => Some(PlaneInputs {
                features: table.features.clone(),
                origin: origin.clone(),
                u: u.clone(),
                v: v.clone(),
            }),
            PlaneMap::Features(_) => None,
        }
    }

    /// The query that draws another model on this all-feature table lesson's plane at
    /// `density` (`None` for a toy or two columns).
    pub fn model_query(&self, id: u32, density: usize) -> Option<ModelPlaneQuery> {
        let plane = self.plane_inputs()?;
        let table = self.table()?;
        Some(ModelPlaneQuery::new(
            id,
            table,
            plane,
            density,
            self.split().1.to_vec(),
        ))
    }
}

impl ModelPlaneQuery {
    /// The query for `table` seen on `plane`, with the lesson's `test` points.
    pub fn new(
        id: u32,
        table: &Table,
        plane: PlaneInputs,
        density: usize,
        test: Vec<usize>,
    ) -> ModelPlaneQuery {
        ModelPlaneQuery {
            id,
            plane,
            density,
            points: table.values.iter().map(|&v| v as f32).collect(),
            labels: table.labels.clone(),
            test,
            target: table.target.clone(),
            classes: table.classes.clone(),
        }
    }

    /// [`Self::rows`] for a model with the fitted `pipeline`, as the matrix it predicts.
    pub fn matrix(&self, pipeline: &FittedPipeline) -> Result<Matrix, TeachError> {
        let (values, rows) = self.rows(
            &pipeline.feature_names,
            &pipeline.target,
            pipeline.classes(),
        )?;
        Ok(Matrix {
            rows,
            cols: pipeline.feature_names.len(),
            values,
            feature_names: pipeline.feature_names.clone(),
        })
    }

    /// The rows to evaluate, `plane.features` wide: the plane's cells row by row from the top,
    /// each at its centre, then the points. Refused when the model (which reads `features`
    /// to predict `target`'s `classes`) was made on another preparation than the table, or
    /// when the query does not hold together (it crosses from the page).
    fn rows(
        &self,
        features: &[String],
        target: &str,
        classes: &[String],
    ) -> Result<(Vec<f32>, usize), TeachError> {
        let plane = &self.plane;
        let width = plane.features.len();
        let other = if target != self.target {
            Some(format!("predicts {target}, not {}", self.target))
        } else if classes != self.classes.as_slice() {
            Some(format!("knows the classes {}", classes.join(", ")))
        } else if features != plane.features.as_slice() {
            Some(format!(
                "reads {} prepared features, the table {width}",
                features.len()
            ))
        } else {
            None
        };
        if let Some(reason) = other {
            return Err(TeachError::OtherModel { reason });
        }
        let whole = plane.origin.len() == width
            && plane.u.len() == width
            && plane.v.len() == width
            && self.points.len() == self.labels.len() * width
            && self.test.iter().all(|&i| i < self.labels.len());
        if !whole || !(1..=MAX_MODEL_DENSITY).contains(&self.density) {
            return Err(TeachError::Table {
                reason: "the plane asked of the model is malformed".into(),
            });
        }
        let cells = self.density * self.density;
        let mut rows = Vec::with_capacity((cells + self.labels.len()) * width);
        for row in 0..self.density {
            for col in 0..self.density {
                let [a, b] = cell_centre(self.density, row, col);
                rows.extend(
                    (0..width).map(|k| (plane.origin[k] + a * plane.u[k] + b * plane.v[k]) as f32),
                );
            }
        }
        rows.extend_from_slice(&self.points);
        Ok((rows, cells + self.labels.len()))
    }

    /// The plane and the points' scores from the model's `outputs` for [`Self::rows`]: per row,
    /// the probability of class 1 (two classes), every class's probability (more), or the
    /// standardised value.
    pub fn answer(&self, outputs: &[f32]) -> Result<ModelPlane, TeachError> {
        let head = head_of(self.classes.len());
        let units = head.units();
        let cells = self.density * self.density;
        if outputs.len() != (cells + self.labels.len()) * units {
            return Err(TeachError::Table {
                reason: format!(
                    "the model gives {} outputs a row, not the {units} this table's target needs",
                    outputs.len() / (cells + self.labels.len()).max(1)
                ),
            });
        }
        let mut values = outputs
            .chunks(units)
            .map(|row| cell_value(head, &row.iter().map(|&v| f64::from(v)).collect::<Vec<_>>()));
        let cells: Vec<f32> = values.by_ref().take(cells).collect();
        let points: Vec<f32> = values.collect();
        let (wrong, right) = match cell_class(head) {
            None => (Vec::new(), None),
            Some(class_of) => {
                let wrong: Vec<usize> = points
                    .iter()
                    .zip(&self.labels)
                    .enumerate()
                    .filter(|(_, (value, label))| class_of(**value) != **label as usize)
                    .map(|(i, _)| i)
                    .collect();
                let wrong_tests = self
                    .test
                    .iter()
                    .filter(|i| wrong.binary_search(i).is_ok())
                    .count();
                let right = (points.len() - wrong.len(), self.test.len() - wrong_tests);
                (wrong, Some(right))
            }
        };
        Ok(ModelPlane {
            id: self.id,
            head,
            density: self.density,
            cells,
            wrong,
            right,
            points: points.len(),
            test_points: self.test.len(),
        })
    }
}

/// The class a cell value stands for (see [`cell_value`]); `None` for a value.
fn cell_class(head: Head) -> Option<fn(f32) -> usize> {
    match head {
        Head::Binary => Some(|v| usize::from(v >= 0.5)),
        Head::Classes(_) => Some(|v| v.max(0.0) as usize),
        Head::Value => None,
    }
}

/// The share of two planes' cells (of one head and density) given the same class; `None` for
/// a value or planes of different sizes.
pub fn agreement(head: Head, a: &[f32], b: &[f32]) -> Option<f64> {
    let class_of = cell_class(head)?;
    if a.len() != b.len() || a.is_empty() {
        return None;
    }
    let same = a
        .iter()
        .zip(b)
        .filter(|(x, y)| class_of(**x) == class_of(**y))
        .count();
    Some(same as f64 / a.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(classes: usize) -> ModelPlaneQuery {
        ModelPlaneQuery {
            id: 7,
            plane: PlaneInputs {
                features: vec!["a".into(), "b".into(), "c".into()],
                origin: vec![1.0, 2.0, 3.0],
                u: vec![0.5, 0.0, 0.0],
                v: vec![0.0, 0.0, -1.0],
            },
            density: 2,
            points: vec![0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 2.0, 2.0, 2.0],
            labels: vec![0.0, 1.0, 1.0],
            test: vec![2],
            target: "y".into(),
            classes: (0..classes).map(|k| format!("class {k}")).collect(),
        }
    }

    fn rows(query: &ModelPlaneQuery) -> Result<(Vec<f32>, usize), TeachError> {
        query.rows(&query.plane.features, &query.target, &query.classes)
    }

    #[test]
    fn rows_are_the_cells_at_their_centres_then_the_points() {
        let q = query(2);
        let (rows, count) = rows(&q).unwrap();
        assert_eq!(count, 4 + 3);
        assert_eq!(rows.len(), count * 3);
        // The top-left cell's centre is (-EXTENT/2, EXTENT/2) for a 2 × 2 plane.
        let [a, b] = cell_centre(2, 0, 0);
        assert_eq!(&rows[..3], &[(1.0 + 0.5 * a) as f32, 2.0, (3.0 - b) as f32]);
        assert_eq!(&rows[12..], q.points.as_slice());
    }

    #[test]
    fn a_model_on_other_features_or_a_malformed_query_is_refused() {
        let q = query(2);
        let error = q
            .rows(&["a".into(), "b".into()], "y", &q.classes)
            .unwrap_err();
        assert!(
            error
                .to_string()
                .contains("reads 2 prepared features, the table 3"),
            "{error}"
        );
        let error = q.rows(&q.plane.features, "z", &q.classes).unwrap_err();
        assert!(error.to_string().contains("predicts z, not y"), "{error}");
        let error = q
            .rows(&q.plane.features, "y", &["no".into(), "yes".into()])
            .unwrap_err();
        assert!(
            error.to_string().contains("knows the classes no, yes"),
            "{error}"
        );
        let mut bad = query(2);
        bad.points.pop();
        assert!(rows(&bad).is_err());
        let mut dense = query(2);
        dense.density = MAX_MODEL_DENSITY + 1;
        assert!(rows(&dense).is_err());
    }

    #[test]
    fn outputs_become_cells_and_the_points_wrong_and_right() {
        let q = query(2);
        // Four cells, then the points: 0.2 (right, label 0), 0.4 (wrong, label 1), 0.9 (right).
        let plane = q.answer(&[0.1, 0.6, 0.7, 0.3, 0.2, 0.4, 0.9]).unwrap();
        assert_eq!(plane.id, 7);
        assert_eq!(plane.cells, vec![0.1, 0.6, 0.7, 0.3]);
        assert_eq!(plane.wrong, vec![1]);
        assert_eq!(plane.right, Some((2, 1)));
        assert!(q.answer(&[0.1; 6]).is_err());
    }

    #[test]
    fn three_classes_take_the_likeliest_and_values_have_no_wrong_points() {
        let q = query(3);
        let mut outputs = [0.2_f32, 0.7, 0.1].repeat(4);
        outputs.extend([0.8, 0.1, 0.1, 0.1, 0.1, 0.8, 0.3, 0.6, 0.1]);
        let plane = q.answer(&outputs).unwrap();
        assert_eq!(plane.cells[0].floor(), 1.0);
        assert_eq!(plane.wrong, vec![1]);
        assert_eq!(plane.right, Some((2, 1)));
        let values = query(0).answer(&[0.5; 7]).unwrap();
        assert_eq!((values.wrong.len(), values.right), (0, None));
    }

    #[test]
    fn agreement_counts_cells_of_the_same_class() {
        assert_eq!(
            agreement(Head::Binary, &[0.1, 0.9, 0.6, 0.4], &[0.2, 0.8, 0.4, 0.4]),
            Some(0.75)
        );
        assert_eq!(agreement(Head::Value, &[0.1], &[0.1]), None);
        assert_eq!(agreement(Head::Binary, &[0.1], &[0.1, 0.2]), None);
    }
}
