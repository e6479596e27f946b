//! What the page draws after a step: the lesson's numbers in one serde message, and its planes
//! (the boundary and each hidden unit's thumbnail) in one `f32` buffer beside it, which the
//! worker transfers instead of copying.

use serde::{Deserialize, Serialize};

use super::lesson::{Lesson, Scores};
use super::model_plane::PlaneInputs;
use super::network::Network;
use super::table::Held;
use super::toy::Point;

/// Weights are counted in this many equal bins over `[-HISTOGRAM_RANGE, HISTOGRAM_RANGE]`
/// (the end bins also hold everything beyond), so that histograms of different epochs line
/// up; exact zeros (L1's doing) are counted apart.
pub const HISTOGRAM_BINS: usize = 20;
pub const HISTOGRAM_RANGE: f64 = 2.0;

/// One layer's weights, binned.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct WeightHistogram {
    pub counts: Vec<u32>,
    pub zeros: u32,
}

impl WeightHistogram {
    pub fn of(weights: &[f64]) -> WeightHistogram {
        let mut counts = vec![0; HISTOGRAM_BINS];
        let mut zeros = 0;
        for &w in weights {
            if w == 0.0 {
                zeros += 1;
                continue;
            }
            let position = (w + HISTOGRAM_RANGE) / (2.0 * HISTOGRAM_RANGE) * HISTOGRAM_BINS as f64;
            let bin = (position.max(0.0) as usize).min(HISTOGRAM_BINS - 1);
            counts[bin] += 1;
        }
        WeightHistogram { counts, zeros }
    }
}

/// The points of a new lesson, sent once: the page keeps them.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct FramePoints {
    pub points: Vec<Point>,
    /// Indices of the test points (the rest trained).
    pub test: Vec<usize>,
    /// Each point's opacity by its distance from the plane (empty: all on it).
    pub fade: Vec<f32>,
    /// The class names of a table (empty for a toy or a value).
    pub classes: Vec<String>,
    /// Where an all-feature table lesson's plane lies among the features, for drawing the
    /// Train step's model on it.
    pub plane: Option<PlaneInputs>,
}

/// A frame of the lesson.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Frame {
    /// Counts every lesson the worker started, so the page drops frames of an old one.
    pub lesson: u32,
    pub epoch: usize,
    pub batches: u64,
    /// Scores now (mid-epoch after a single batch).
    pub now: Scores,
    /// `history[history_from..]`: the epochs finished since the last frame (the page keeps
    /// the earlier ones; it truncates to `history_from` first, after a restore).
    pub history_from: usize,
    pub history: Vec<Scores>,
    pub network: Network,
    pub parameters: usize,
    /// Dead ReLU units of each hidden layer.
    pub dead: Vec<usize>,
    pub histograms: Vec<WeightHistogram>,
    /// Points the network now gets wrong (classification), by index.
    pub wrong: Vec<usize>,
    pub snapshots: Vec<usize>,
    /// The planes' sides, in cells.
    pub density: usize,
    pub thumb: usize,
    pub playing: bool,
    /// The plane's axes: x₁ and x₂, two columns, or a table's principal components.
    pub axes: [String; 2],
    /// The share of the features' variance the plane shows (PCA).
    pub explained: Option<f64>,
    /// A slice's held features, with their values and ranges.
    pub held: Vec<Held>,
    /// The snapshot epoch shown instead of the lesson as it is (the lesson stays where it is;
    /// the page keeps its history).
    pub viewing: Option<usize>,
    /// Epochs a second while playing, measured over the last frame interval.
    pub epochs_per_second: Option<f64>,
    pub points: Option<FramePoints>,
}

impl Lesson {
    /// This lesson's frame, with history from `history_from` and the points when `with_points`,
    /// and its planes.
    pub fn frame(
        &mut self,
        lesson: u32,
        history_from: usize,
        with_points: bool,
        density: usize,
        thumb: usize,
    ) -> (Frame, Vec<f32>) {
        let now = self.scores();
        let planes = self.planes(density, thumb);
        let dead = self.dead_units();
        let wrong = self.wrong_points();
        let network = self.network().clone();
        let histograms = network
            .layers
            .iter()
            .map(|l| WeightHistogram::of(&l.weights))
            .collect();
        let history_from = history_from.min(self.history().len());
        let (axes, explained, held, fade) = self.plane_description();
        let (axes, held, fade) = (axes.clone(), held.to_vec(), fade.to_vec());
        let points = with_points.then(|| FramePoints {
            points: self.points().to_vec(),
            test: self.split().1.to_vec(),
            fade,
            classes: self.class_names(),
            plane: self.plane_inputs(),
        });
        let frame = Frame {
            lesson,
            epoch: self.epoch(),
            batches: self.batches(),
            now,
            history_from,
            history: self.history()[history_from..].to_vec(),
            parameters: network.parameters(),
            network,
            dead,
            histograms,
            wrong,
            snapshots: self.snapshot_epochs(),
            density,
            thumb,
            playing: false,
            axes,
            explained,
            held,
            viewing: None,
            epochs_per_second: None,
            points,
        };
        (frame, planes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_counts_every_weight_once_and_zeros_apart() {
        let h = WeightHistogram::of(&[0.0, -5.0, -1.99, 0.01, 1.99, 7.0, 0.0]);
        assert_eq!(h.zeros, 2);
        assert_eq!(h.counts.iter().sum::<u32>(), 5);
        assert_eq!(h.counts[0], 2);
        assert_eq!(h.counts[HISTOGRAM_BINS - 1], 2);
        assert_eq!(h.counts[HISTOGRAM_BINS / 2], 1);
    }
}
