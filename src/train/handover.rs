//! A prepared dataset's examples handed from one holder to another in blocks of rows: the
//! page's data worker, which holds the parsed table, transforms the rows a block at a time and
//! the compute worker puts the blocks together ([`Assembly`]) into the [`TrainingData`] it
//! trains on.
//!
//! Why: a worker cannot share a Rust heap with another, and a wasm heap never shrinks. Before
//! this, the compute worker read the user's file again and fitted the same preparation, so the
//! tab held two parsed copies of the table; a 340 MB file took 1.6 GB. Now the compute worker
//! holds only the examples (features as `f32`), and neither side ever holds a whole part twice:
//! the sender's blocks are a few megabytes, the receiver writes each block where it belongs.

use serde::{Deserialize, Serialize};

use super::error::TrainError;
use super::examples::{Examples, Layout, Part, TrainingData};
use crate::data::Dataset;
use crate::prep::{FittedPipeline, Matrix, Prepared, TargetEncoding, Targets};

/// Rows per block: about 4 MB of `f32` for 60 features, small beside the table and large
/// enough that a million rows take a few dozen messages.
pub const BLOCK_ROWS: usize = 16_384;

/// What the receiver needs before the blocks: the preprocessing, the width, and each part's
/// size and kind of target.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Shape {
    pub pipeline: FittedPipeline,
    pub cols: usize,
    pub feature_names: Vec<String>,
    pub parts: Vec<PartShape>,
    pub notes: Vec<String>,
}

/// One part of the handed-over data.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct PartShape {
    pub part: Part,
    pub rows: usize,
    /// Class indices (carried as `f32`, exact below 2²⁴) rather than regression values.
    pub classes: bool,
}

/// One block: rows `first .. first + rows` of part number `part` (an index into
/// [`Shape::parts`]); its values are the rows' features, row by row, then their targets.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct Block {
    pub part: usize,
    pub first: usize,
    pub rows: usize,
}

/// The sender's side: the shape of a prepared dataset's examples, and its blocks.
pub struct Handover<'a> {
    prepared: &'a Prepared,
    dataset: &'a Dataset,
    layout: Layout,
}

impl<'a> Handover<'a> {
    pub fn new(prepared: &'a Prepared, dataset: &'a Dataset) -> Handover<'a> {
        Handover {
            prepared,
            dataset,
            layout: Layout::of(&prepared.split),
        }
    }

    /// The shape to send ahead of the blocks.
    pub fn shape(&self) -> Shape {
        let pipeline = &self.prepared.pipeline;
        let classes = matches!(pipeline.target_encoding, TargetEncoding::Labels { .. });
        Shape {
            pipeline: pipeline.clone(),
            cols: pipeline.width(),
            feature_names: pipeline.feature_names.clone(),
            parts: self
                .layout
                .parts
                .iter()
                .map(|(part, rows)| PartShape {
                    part: *part,
                    rows: rows.len(),
                    classes,
                })
                .collect(),
            notes: self.layout.notes.clone(),
        }
    }

    /// Every block of `rows_per_block` rows ([`BLOCK_ROWS`] between workers), in order, each
    /// built when asked for (so only one is in memory).
    pub fn blocks(
        &self,
        rows_per_block: usize,
    ) -> impl Iterator<Item = Result<(Block, Vec<f32>), TrainError>> + '_ {
        let rows_per_block = rows_per_block.max(1);
        self.layout
            .parts
            .iter()
            .enumerate()
            .flat_map(move |(part, (_, rows))| {
                rows.chunks(rows_per_block)
                    .enumerate()
                    .map(move |(k, chunk)| (part, k * rows_per_block, chunk))
            })
            .map(|(part, first, rows)| {
                let pipeline = &self.prepared.pipeline;
                let features = pipeline.transform_dataset(self.dataset, rows)?;
                let mut values = features.values;
                values.reserve_exact(rows.len());
                match pipeline.encode_targets(self.dataset, rows)? {
                    Targets::Classes(classes) => values.extend(classes.iter().map(|&c| c as f32)),
                    Targets::Values(targets) => values.extend_from_slice(&targets),
                }
                let block = Block {
                    part,
                    first,
                    rows: rows.len(),
                };
                Ok((block, values))
            })
    }
}

/// The receiver's side: parts filled block by block, then [`Assembly::finish`].
pub struct Assembly {
    shape: Shape,
    features: Vec<Vec<f32>>,
    targets: Vec<Vec<f32>>,
    /// Rows received per part.
    received: Vec<usize>,
}

impl Assembly {
    /// Room for every part (allocated once, at its final size).
    pub fn new(shape: Shape) -> Result<Assembly, TrainError> {
        if shape.cols != shape.pipeline.width() || shape.feature_names.len() != shape.cols {
            return Err(TrainError::data(
                "handed-over",
                "its width does not match its preprocessing",
            ));
        }
        let size = |rows: usize| {
            rows.checked_mul(shape.cols)
                .ok_or_else(|| TrainError::data("handed-over", "it is too large"))
        };
        let features = shape
            .parts
            .iter()
            .map(|part| size(part.rows).map(|len| vec![0.0; len]))
            .collect::<Result<Vec<_>, _>>()?;
        let targets = shape
            .parts
            .iter()
            .map(|part| vec![0.0; part.rows])
            .collect();
        let received = vec![0; shape.parts.len()];
        Ok(Assembly {
            shape,
            features,
            targets,
            received,
        })
    }

    /// Writes one block's values (features, then targets) where its rows belong. A part's
    /// blocks come in order, so every row is written once.
    pub fn add(&mut self, block: Block, values: &[f32]) -> Result<(), TrainError> {
        let bad = |problem: &str| Err(TrainError::data("handed-over", problem));
        let cols = self.shape.cols;
        let Some(part) = self.shape.parts.get(block.part) else {
            return bad("a block names a part it does not have");
        };
        let end = block.first.saturating_add(block.rows);
        if block.first != self.received[block.part] {
            return bad("a block came out of order");
        }
        if end > part.rows || Some(values.len()) != block.rows.checked_mul(cols + 1) {
            return bad("a block does not fit its part");
        }
        let (features, targets) = values.split_at(block.rows * cols);
        self.features[block.part][block.first * cols..end * cols].copy_from_slice(features);
        self.targets[block.part][block.first..end].copy_from_slice(targets);
        self.received[block.part] += block.rows;
        Ok(())
    }

    /// The preprocessing and the training data, once every row of every part came.
    pub fn finish(self) -> Result<(FittedPipeline, TrainingData), TrainError> {
        let Assembly {
            shape,
            features,
            targets,
            received,
        } = self;
        let mut parts = Vec::with_capacity(shape.parts.len());
        for (((part, values), targets), received) in
            shape.parts.iter().zip(features).zip(targets).zip(received)
        {
            if received != part.rows {
                return Err(TrainError::data(
                    "handed-over",
                    format!("{:?} has {received} of its {} rows", part.part, part.rows),
                ));
            }
            let targets = if part.classes {
                Targets::Classes(targets.iter().map(|&c| c as u32).collect())
            } else {
                Targets::Values(targets)
            };
            let features = Matrix {
                rows: part.rows,
                cols: shape.cols,
                values,
                feature_names: shape.feature_names.clone(),
            };
            parts.push((part.part, Examples { features, targets }));
        }
        let data = TrainingData::from_parts(parts, shape.notes)?;
        Ok((shape.pipeline, data))
    }
}
