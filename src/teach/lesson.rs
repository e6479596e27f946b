//! A lesson: a toy data set split into training and test points, the network learning it one
//! mini-batch at a time, each finished epoch's scores, and snapshots to scrub back to. Every
//! random draw (points, split, initial weights, batch order, dropout) comes from the
//! settings' seed, so the same settings replay the same run bit for bit.

use serde::{Deserialize, Serialize};

use super::TeachError;
use super::network::{Activation, Head, Network, Scratch, StepRule};
use super::table::{DATA_EXTENT, Held, PlaneMap, PlaneView, Table, TablePlane, table_plane};
use super::toy::{EXTENT, Point, Toy, generate};
use crate::rng::SplitMix64;

/// An input the network can be given, computed from a point's two coordinates (the
/// Playground's seven).
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Feature {
    X1,
    X2,
    X1Squared,
    X2Squared,
    X1X2,
    SinX1,
    SinX2,
}

impl Feature {
    pub const ALL: [Feature; 7] = [
        Feature::X1,
        Feature::X2,
        Feature::X1Squared,
        Feature::X2Squared,
        Feature::X1X2,
        Feature::SinX1,
        Feature::SinX2,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Feature::X1 => "x1",
            Feature::X2 => "x2",
            Feature::X1Squared => "x1sq",
            Feature::X2Squared => "x2sq",
            Feature::X1X2 => "x1x2",
            Feature::SinX1 => "sinx1",
            Feature::SinX2 => "sinx2",
        }
    }

    /// As a formula, for labels.
    pub fn label(self) -> &'static str {
        match self {
            Feature::X1 => "x₁",
            Feature::X2 => "x₂",
            Feature::X1Squared => "x₁²",
            Feature::X2Squared => "x₂²",
            Feature::X1X2 => "x₁x₂",
            Feature::SinX1 => "sin x₁",
            Feature::SinX2 => "sin x₂",
        }
    }

    pub fn from_key(key: &str) -> Option<Feature> {
        Feature::ALL.into_iter().find(|f| f.key() == key)
    }

    pub fn value(self, [x1, x2]: [f64; 2]) -> f64 {
        match self {
            Feature::X1 => x1,
            Feature::X2 => x2,
            Feature::X1Squared => x1 * x1,
            Feature::X2Squared => x2 * x2,
            Feature::X1X2 => x1 * x2,
            Feature::SinX1 => libm::sin(x1),
            Feature::SinX2 => libm::sin(x2),
        }
    }
}

/// Everything that decides a run. Limits keep a link from asking for more than a browser tab
/// can hold: [`LessonSettings::check`].
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct LessonSettings {
    pub toy: Toy,
    pub points: usize,
    /// In `[0, 0.5]`.
    pub noise: f64,
    /// Percent of the points used for training; the rest are the test points.
    pub train_percent: u32,
    pub features: Vec<Feature>,
    /// Units of each hidden layer.
    pub hidden: Vec<usize>,
    pub activation: Activation,
    pub learning_rate: f64,
    pub batch_size: usize,
    pub l1: f64,
    pub l2: f64,
    pub dropout: f64,
    pub seed: u64,
    /// Points painted by hand (classes 0 and 1), added to the toy's; coordinates are kept to
    /// two decimals, so a link holds them exactly.
    #[serde(default)]
    pub painted: Vec<Point>,
    /// Learn the Data step's table instead of a toy (the toy, its points, noise and painted
    /// points are then unused).
    #[serde(default)]
    pub table: Option<TableRef>,
}

/// The table a lesson learns: which file and target (checked against the table the page
/// hands over, so that a link opened with another file says so), and its inputs.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct TableRef {
    pub name: String,
    pub target: String,
    /// Rows of the file with a target.
    pub rows: usize,
    /// The SHA-256 of the file's bytes, when the page or the CLI read it whole.
    #[serde(default)]
    pub sha256: Option<String>,
    /// Two prepared features as the plane's axes, with the lesson's input features computed
    /// from them as from a toy's (the map is exact); `None`: every prepared feature is an
    /// input, and the plane is a view ([`TablePlane`]).
    pub columns: Option<[String; 2]>,
}

/// The most points that may be painted (they travel in the link).
pub const MAX_PAINTED: usize = 500;

impl Default for LessonSettings {
    /// The Playground's opening screen: circle, x₁ and x₂, 4 and 2 tanh units, learning rate
    /// 0.03, batches of 10, half the points for training.
    fn default() -> Self {
        LessonSettings {
            toy: Toy::Circle,
            points: 500,
            noise: 0.0,
            train_percent: 50,
            features: vec![Feature::X1, Feature::X2],
            hidden: vec![4, 2],
            activation: Activation::Tanh,
            learning_rate: 0.03,
            batch_size: 10,
            l1: 0.0,
            l2: 0.0,
            dropout: 0.0,
            seed: 1,
            painted: Vec::new(),
            table: None,
        }
    }
}

/// The most points, hidden layers and units per layer a lesson may have.
pub const MAX_POINTS: usize = 5_000;
pub const MAX_LAYERS: usize = 6;
pub const MAX_UNITS: usize = 32;

impl LessonSettings {
    /// Refuses settings a lesson cannot run, naming the setting.
    pub fn check(&self) -> Result<(), TeachError> {
        let bad = |setting: &'static str, value: String, expected: &'static str| {
            Err(TeachError::Setting {
                setting,
                value,
                expected,
            })
        };
        if !(10..=MAX_POINTS).contains(&self.points) {
            return bad("points", self.points.to_string(), "10 to 5,000");
        }
        if !(0.0..=0.5).contains(&self.noise) {
            return bad("noise", self.noise.to_string(), "0 to 0.5");
        }
        if !(10..=90).contains(&self.train_percent) {
            return bad("train", self.train_percent.to_string(), "10 to 90 percent");
        }
        if self.features.is_empty() {
            return bad("features", String::new(), "at least one input");
        }
        if self.hidden.len() > MAX_LAYERS
            || self.hidden.iter().any(|&u| !(1..=MAX_UNITS).contains(&u))
        {
            return bad(
                "layers",
                format!("{:?}", self.hidden),
                "up to 6 hidden layers of 1 to 32 units",
            );
        }
        if !(self.learning_rate > 0.0 && self.learning_rate <= 10.0) {
            return bad("lr", self.learning_rate.to_string(), "above 0, at most 10");
        }
        if !(1..=MAX_POINTS).contains(&self.batch_size) {
            return bad("batch", self.batch_size.to_string(), "1 to 5,000");
        }
        for (setting, value) in [("l1", self.l1), ("l2", self.l2)] {
            if !(0.0..=10.0).contains(&value) {
                return bad(setting, value.to_string(), "0 to 10");
            }
        }
        if !(0.0..=0.9).contains(&self.dropout) {
            return bad("dropout", self.dropout.to_string(), "0 to 0.9");
        }
        if self.painted.len() > MAX_PAINTED {
            return bad(
                "paint",
                format!("{} points", self.painted.len()),
                "at most 500 points",
            );
        }
        let inside = |p: &Point| p.x.iter().all(|v| v.abs() <= EXTENT);
        let classes = self.toy.classes().max(2);
        let a_class =
            |label: f64| label >= 0.0 && label.fract() == 0.0 && (label as usize) < classes;
        if let Some(p) = self
            .painted
            .iter()
            .find(|p| !inside(p) || !a_class(p.label))
        {
            return bad(
                "paint",
                format!("({}, {}) of class {}", p.x[0], p.x[1], p.label),
                "points inside the plane, of one of the data set's classes",
            );
        }
        if !self.painted.is_empty() && self.table.is_some() {
            return bad("paint", "a table".into(), "a toy data set");
        }
        if !self.painted.is_empty() && self.toy.is_regression() {
            return bad(
                "paint",
                self.toy.key().to_string(),
                "a classification data set",
            );
        }
        Ok(())
    }

    fn head(&self) -> Head {
        head_of(self.toy.classes())
    }

    fn rule(&self) -> StepRule {
        StepRule {
            learning_rate: self.learning_rate,
            l1: self.l1,
            l2: self.l2,
            dropout: self.dropout,
        }
    }
}

/// The head for `classes` classes (0: a value).
pub(super) fn head_of(classes: usize) -> Head {
    match classes {
        0 => Head::Value,
        1 | 2 => Head::Binary,
        k => Head::Classes(k),
    }
}

/// What a lesson learns from, laid out for the network and the plane.
struct Data {
    /// Plane positions and labels.
    points: Vec<Point>,
    /// The network's inputs, `width` per point.
    inputs: Vec<f64>,
    width: usize,
    head: Head,
    view: PlaneView,
    table: Option<Table>,
}

/// The scores after an epoch (or now): mean loss (log loss, or squared error for a value) and
/// accuracy (classification only) on the training and test points.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq)]
pub struct Scores {
    pub epoch: usize,
    pub train_loss: f64,
    pub test_loss: f64,
    pub train_accuracy: Option<f64>,
    pub test_accuracy: Option<f64>,
}

/// What training changes: restored whole from a snapshot.
#[derive(Clone, Debug)]
struct Progress {
    network: Network,
    rng: SplitMix64,
    /// This epoch's order of the training points.
    order: Vec<usize>,
    /// Training points of this epoch already stepped over.
    cursor: usize,
    epoch: usize,
    batches: u64,
}

#[derive(Clone, Debug)]
struct Snapshot {
    progress: Progress,
    history: usize,
}

/// Snapshots kept; when full, every other one is dropped and they are taken half as often.
const MAX_SNAPSHOTS: usize = 64;

/// A lesson being taught.
#[derive(Clone, Debug)]
pub struct Lesson {
    settings: LessonSettings,
    points: Vec<Point>,
    /// Each point's inputs, `width` wide, row after row.
    inputs: Vec<f64>,
    width: usize,
    view: PlaneView,
    table: Option<Table>,
    train: Vec<usize>,
    test: Vec<usize>,
    progress: Progress,
    history: Vec<Scores>,
    snapshots: Vec<Snapshot>,
    snapshot_every: usize,
    scratch: Scratch,
}

impl Lesson {
    /// A lesson on a toy data set (and painted points).
    pub fn new(settings: LessonSettings) -> Result<Lesson, TeachError> {
        settings.check()?;
        if settings.table.is_some() {
            return Err(TeachError::NeedsTable);
        }
        let mut points = generate(settings.toy, settings.points, settings.noise, settings.seed);
        // A blank plane starts empty: the lesson waits for painted points (nothing trains
        // without a training point, nothing is scored without a test point).
        points.extend_from_slice(&settings.painted);
        let width = settings.features.len();
        let inputs = feature_inputs(&settings.features, &points);
        let view = PlaneView::features(&settings.features, ["x₁".into(), "x₂".into()]);
        let data = Data {
            points,
            inputs,
            width,
            head: settings.head(),
            view,
            table: None,
        };
        Ok(Lesson::build(settings, data))
    }

    /// A lesson on `table`, which must be the one the settings name; an all-feature lesson is
    /// drawn on the plane `plane`.
    pub fn with_table(
        settings: LessonSettings,
        table: Table,
        plane: &TablePlane,
    ) -> Result<Lesson, TeachError> {
        settings.check()?;
        let Some(wanted) = &settings.table else {
            return Lesson::new(settings);
        };
        let found_sha256 = table.file.as_ref().map(|file| file.sha256.as_str());
        // A table whose file was not read whole (none the page or the CLI hands over) cannot be
        // checked byte for byte; its name, size and target still are.
        let other_bytes = matches!((&wanted.sha256, found_sha256), (Some(w), Some(f)) if w != f);
        if wanted.name != table.name
            || wanted.target != table.target
            || wanted.rows != table.source_rows
            || other_bytes
        {
            let describe = |name: &str, rows: usize, target: &str, sha256: Option<&str>| {
                let mut text = format!("{name} ({rows} rows, target {target}");
                if other_bytes && let Some(sha256) = sha256 {
                    text.push_str(&format!(", SHA-256 {}…", &sha256[..sha256.len().min(12)]));
                }
                text + ")"
            };
            return Err(TeachError::OtherTable {
                wanted: describe(
                    &wanted.name,
                    wanted.rows,
                    &wanted.target,
                    wanted.sha256.as_deref(),
                ),
                found: describe(&table.name, table.source_rows, &table.target, found_sha256),
            });
        }
        // A table made by `Table::from_prepared` is whole; one that crossed from the page is
        // checked, so that a row is never read past its end.
        if table.values.len() != table.rows() * table.width() {
            return Err(TeachError::Table {
                reason: format!(
                    "{} has {} values for {} rows of {} features",
                    table.name,
                    table.values.len(),
                    table.rows(),
                    table.width()
                ),
            });
        }
        let head = head_of(table.classes.len());
        let labels = table.labels.clone();
        let data = match &wanted.columns {
            Some([x, y]) => {
                let (i, j) = (table.feature(x)?, table.feature(y)?);
                let scale = |k: usize| {
                    let (min, max) = table.range(k);
                    let half = ((max - min) / 2.0).max(1e-12);
                    move |v: f64| (v - (min + max) / 2.0) / half * DATA_EXTENT
                };
                let (sx, sy) = (scale(i), scale(j));
                let points: Vec<Point> = (0..table.rows())
                    .map(|r| {
                        let row = table.row(r);
                        Point {
                            x: [sx(row[i]), sy(row[j])],
                            label: labels[r],
                        }
                    })
                    .collect();
                let width = settings.features.len();
                let inputs = feature_inputs(&settings.features, &points);
                let view = PlaneView::features(&settings.features, [x.clone(), y.clone()]);
                Data {
                    points,
                    inputs,
                    width,
                    head,
                    view,
                    table: None,
                }
            }
            None => {
                let (positions, view) = table_plane(&table, plane)?;
                let points = positions
                    .iter()
                    .zip(&labels)
                    .map(|(&x, &label)| Point { x, label })
                    .collect();
                Data {
                    points,
                    inputs: table.values.clone(),
                    width: table.width(),
                    head,
                    view,
                    table: Some(table),
                }
            }
        };
        Ok(Lesson::build(settings, data))
    }

    /// Shows an all-feature table lesson on another plane, without retraining.
    pub fn set_plane(&mut self, plane: &TablePlane) -> Result<(), TeachError> {
        let Some(table) = &self.table else {
            return Err(TeachError::NoPlaneToChoose);
        };
        let (positions, view) = table_plane(table, plane)?;
        for (point, x) in self.points.iter_mut().zip(positions) {
            point.x = x;
        }
        self.view = view;
        Ok(())
    }

    fn build(settings: LessonSettings, data: Data) -> Lesson {
        let Data {
            points,
            inputs,
            width,
            head,
            view,
            table,
        } = data;
        // One stream for the split, weights, batch order and dropout, after the points' own.
        let mut rng = SplitMix64::new(settings.seed ^ 0x7EAC_4E55_0000_0001);
        let mut shuffled: Vec<usize> = (0..points.len()).collect();
        rng.shuffle(&mut shuffled);
        let n = points.len();
        let train_count = if n >= 2 {
            (n * settings.train_percent as usize / 100).clamp(1, n - 1)
        } else {
            n
        };
        let (train, test) = shuffled.split_at(train_count);
        let network = Network::new(width, &settings.hidden, settings.activation, head, &mut rng);
        let scratch = network.scratch();
        let progress = Progress {
            network,
            rng,
            order: train.to_vec(),
            cursor: 0,
            epoch: 0,
            batches: 0,
        };
        let mut lesson = Lesson {
            train: train.to_vec(),
            test: test.to_vec(),
            settings,
            points,
            inputs,
            width,
            view,
            table,
            progress,
            history: Vec::new(),
            snapshots: Vec::new(),
            snapshot_every: 1,
            scratch,
        };
        lesson.take_snapshot();
        lesson
    }

    /// The plane's axes, the variance a PCA plane explains, a slice's held features, and
    /// each point's opacity (empty: all opaque).
    pub fn plane_description(&self) -> (&[String; 2], Option<f64>, &[Held], &[f32]) {
        (
            &self.view.axes,
            self.view.explained,
            &self.view.held,
            &self.view.fade,
        )
    }

    /// An all-feature or two-column table lesson's table (`None` for a toy).
    pub(super) fn table(&self) -> Option<&Table> {
        self.table.as_ref()
    }

    /// How a plane point becomes the network's input.
    pub(super) fn plane_map(&self) -> &PlaneMap {
        &self.view.map
    }

    /// The table's class names (empty for a toy or a value).
    pub fn class_names(&self) -> Vec<String> {
        self.table
            .as_ref()
            .map(|t| t.classes.clone())
            .unwrap_or_default()
    }

    pub fn settings(&self) -> &LessonSettings {
        &self.settings
    }

    pub fn points(&self) -> &[Point] {
        &self.points
    }

    /// Indices of the training and of the test points.
    pub fn split(&self) -> (&[usize], &[usize]) {
        (&self.train, &self.test)
    }

    pub fn network(&self) -> &Network {
        &self.progress.network
    }

    /// Finished epochs.
    pub fn epoch(&self) -> usize {
        self.progress.epoch
    }

    /// Mini-batch steps taken since the start.
    pub fn batches(&self) -> u64 {
        self.progress.batches
    }

    /// Each finished epoch's scores, in order.
    pub fn history(&self) -> &[Scores] {
        &self.history
    }

    /// The epochs a snapshot was taken at (0 is the untrained network).
    pub fn snapshot_epochs(&self) -> Vec<usize> {
        self.snapshots.iter().map(|s| s.progress.epoch).collect()
    }

    /// One mini-batch. The first of an epoch shuffles the training points; the last finishes
    /// the epoch, scores it and may take a snapshot. Returns whether an epoch finished.
    pub fn step_batch(&mut self) -> bool {
        let rule = self.settings.rule();
        let progress = &mut self.progress;
        if progress.order.is_empty() {
            return false;
        }
        if progress.cursor == 0 {
            progress.rng.shuffle(&mut progress.order);
        }
        let end = (progress.cursor + self.settings.batch_size).min(progress.order.len());
        let width = self.width;
        let batch = progress.order[progress.cursor..end].iter().map(|&i| {
            let point = &self.points[i];
            (&self.inputs[i * width..(i + 1) * width], point.label)
        });
        progress
            .network
            .train_batch(batch, &rule, &mut progress.rng, &mut self.scratch);
        progress.batches += 1;
        progress.cursor = end;
        if progress.cursor < progress.order.len() {
            return false;
        }
        progress.cursor = 0;
        progress.epoch += 1;
        let scores = self.scores();
        self.history.push(scores);
        if self.progress.epoch.is_multiple_of(self.snapshot_every) {
            self.take_snapshot();
        }
        true
    }

    /// Steps until the epoch under way finishes: exactly one more finished epoch.
    pub fn step_epoch(&mut self) {
        if self.progress.order.is_empty() {
            return;
        }
        while !self.step_batch() {}
    }

    fn take_snapshot(&mut self) {
        if self.snapshots.len() >= MAX_SNAPSHOTS {
            // Keep epoch 0 and every other one after it.
            let mut index = 0;
            self.snapshots.retain(|_| {
                index += 1;
                index % 2 == 1
            });
            self.snapshot_every *= 2;
            if !self.progress.epoch.is_multiple_of(self.snapshot_every) {
                return;
            }
        }
        self.snapshots.push(Snapshot {
            progress: self.progress.clone(),
            history: self.history.len(),
        });
    }

    /// Goes back to the snapshot taken at `epoch`: the network, the generator and the history
    /// as they were, so that training on from there replays the same run.
    pub fn restore(&mut self, epoch: usize) -> Result<(), TeachError> {
        let Some(position) = self
            .snapshots
            .iter()
            .position(|s| s.progress.epoch == epoch)
        else {
            return Err(TeachError::NoSnapshot { epoch });
        };
        let snapshot = self.snapshots[position].clone();
        self.progress = snapshot.progress;
        self.history.truncate(snapshot.history);
        self.snapshots.truncate(position + 1);
        Ok(())
    }

    /// A copy of this lesson as it was at the snapshot of `epoch`, to look at.
    pub fn at_snapshot(&self, epoch: usize) -> Result<Lesson, TeachError> {
        let mut copy = self.clone();
        copy.restore(epoch)?;
        Ok(copy)
    }

    /// Scores of the network as it is now (a loss of NaN and no accuracy for a set without
    /// points).
    pub fn scores(&mut self) -> Scores {
        let (train_loss, train_accuracy) = self.score(false);
        let (test_loss, test_accuracy) = self.score(true);
        Scores {
            epoch: self.progress.epoch,
            train_loss,
            test_loss,
            train_accuracy,
            test_accuracy,
        }
    }

    fn score(&mut self, test: bool) -> (f64, Option<f64>) {
        let indices = if test { &self.test } else { &self.train };
        let network = &self.progress.network;
        let width = self.width;
        let mut loss = 0.0;
        let mut right = 0usize;
        for &i in indices {
            let label = self.points[i].label;
            let answer =
                network.forward(&self.inputs[i * width..(i + 1) * width], &mut self.scratch);
            loss += network.loss(answer, label);
            if network.class_of(answer) == Some(label as usize) {
                right += 1;
            }
        }
        if indices.is_empty() {
            return (f64::NAN, None);
        }
        let n = indices.len() as f64;
        let accuracy = (network.head != Head::Value).then(|| right as f64 / n);
        (loss / n, accuracy)
    }

    /// The network's answer over a `density × density` grid of the square `[-EXTENT, EXTENT]²`
    /// (see [`cell_value`]), row by row from the top, each cell at its centre; then each hidden unit's output over a `thumb × thumb` grid, unit after unit,
    /// layer after layer. One buffer, for one transfer to the page.
    pub fn planes(&mut self, density: usize, thumb: usize) -> Vec<f32> {
        let network = &self.progress.network;
        let hidden: usize = network.layers.iter().rev().skip(1).map(|l| l.units).sum();
        let mut out = Vec::with_capacity(density * density + hidden * thumb * thumb);
        let mut input = vec![0.0; self.width];
        let map = &self.view.map;
        let cell = |grid: usize, row: usize, col: usize, input: &mut Vec<f64>| {
            map.input(cell_centre(grid, row, col), input);
        };
        for row in 0..density {
            for col in 0..density {
                cell(density, row, col, &mut input);
                let answer = network.forward(&input, &mut self.scratch);
                out.push(cell_value(network.head, answer));
            }
        }
        let layers = network.layers.len().saturating_sub(1);
        let mut thumbs = vec![Vec::new(); hidden];
        for row in 0..thumb {
            for col in 0..thumb {
                cell(thumb, row, col, &mut input);
                network.forward(&input, &mut self.scratch);
                let units = self.scratch.values[1..=layers].iter().flatten();
                for (grid, &value) in thumbs.iter_mut().zip(units) {
                    grid.push(value as f32);
                }
            }
        }
        out.extend(thumbs.into_iter().flatten());
        out
    }

    /// Per hidden layer, the units whose output is zero on every training point (a ReLU that
    /// no longer learns).
    pub fn dead_units(&mut self) -> Vec<usize> {
        let network = &self.progress.network;
        let layers = network.layers.len().saturating_sub(1);
        if network.activation != Activation::Relu {
            return vec![0; layers];
        }
        let width = self.width;
        let mut alive: Vec<Vec<bool>> = network.layers[..layers]
            .iter()
            .map(|l| vec![false; l.units])
            .collect();
        for &i in &self.train {
            network.forward(&self.inputs[i * width..(i + 1) * width], &mut self.scratch);
            for (flags, values) in alive.iter_mut().zip(&self.scratch.values[1..=layers]) {
                for (flag, &v) in flags.iter_mut().zip(values) {
                    *flag |= v > 0.0;
                }
            }
        }
        alive
            .iter()
            .map(|flags| flags.iter().filter(|&&a| !a).count())
            .collect()
    }

    /// Points the network now classifies wrongly (none for a value).
    pub fn wrong_points(&mut self) -> Vec<usize> {
        let network = &self.progress.network;
        if network.head == Head::Value {
            return Vec::new();
        }
        let width = self.width;
        let mut wrong = Vec::new();
        for (i, point) in self.points.iter().enumerate() {
            let answer =
                network.forward(&self.inputs[i * width..(i + 1) * width], &mut self.scratch);
            if network.class_of(answer) != Some(point.label as usize) {
                wrong.push(i);
            }
        }
        wrong
    }
}

/// Each point's inputs computed from its two coordinates, `features` wide, point after point.
fn feature_inputs(features: &[Feature], points: &[Point]) -> Vec<f64> {
    let mut inputs = Vec::with_capacity(points.len() * features.len());
    for point in points {
        inputs.extend(features.iter().map(|f| f.value(point.x)));
    }
    inputs
}

/// The centre of cell (`row`, `col`) of a `grid × grid` division of the plane
/// `[-EXTENT, EXTENT]²`, rows from the top: where the boundary and every thumbnail are
/// evaluated, and where the page evaluates an input feature for its thumbnail.
pub fn cell_centre(grid: usize, row: usize, col: usize) -> [f64; 2] {
    let step = 2.0 * EXTENT / grid.max(1) as f64;
    [
        -EXTENT + (col as f64 + 0.5) * step,
        EXTENT - (row as f64 + 0.5) * step,
    ]
}

/// One cell of the boundary plane as one number: the probability of class 1 for two classes,
/// the value for regression, and for more classes the likeliest class plus 0.999 × its
/// probability (class 2 at 0.8 is 2.7992), so one `f32` a cell still carries both.
pub fn cell_value(head: Head, answer: &[f64]) -> f32 {
    match head {
        Head::Binary | Head::Value => answer.first().copied().unwrap_or(0.0) as f32,
        Head::Classes(_) => {
            let (class, p) = answer
                .iter()
                .enumerate()
                .fold(
                    (0, f64::MIN),
                    |best, (k, &p)| if p > best.1 { (k, p) } else { best },
                );
            (class as f64 + 0.999 * p.clamp(0.0, 1.0)) as f32
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_clusters_are_learned_with_a_softmax_head() {
        let mut lesson = Lesson::new(LessonSettings {
            toy: Toy::Clusters,
            ..LessonSettings::default()
        })
        .unwrap();
        assert_eq!(lesson.network().head, Head::Classes(3));
        for _ in 0..30 {
            lesson.step_epoch();
        }
        assert!(lesson.history().last().unwrap().test_accuracy.unwrap() > 0.95);
        let planes = lesson.planes(20, 2);
        let classes: std::collections::BTreeSet<u32> =
            planes[..400].iter().map(|v| *v as u32).collect();
        assert_eq!(classes.into_iter().collect::<Vec<_>>(), vec![0, 1, 2]);
    }

    #[test]
    fn the_same_settings_replay_the_same_losses_bit_for_bit() {
        let settings = LessonSettings {
            dropout: 0.2,
            ..LessonSettings::default()
        };
        let mut a = Lesson::new(settings.clone()).unwrap();
        let mut b = Lesson::new(settings).unwrap();
        for _ in 0..5 {
            a.step_epoch();
            b.step_epoch();
        }
        assert_eq!(a.history(), b.history());
        assert_eq!(a.history().len(), 5);
    }

    #[test]
    fn one_epoch_from_mid_epoch_finishes_that_epoch() {
        let mut lesson = Lesson::new(LessonSettings::default()).unwrap();
        lesson.step_batch();
        lesson.step_epoch();
        assert_eq!(lesson.epoch(), 1);
        // 250 training points in batches of 10.
        assert_eq!(lesson.batches(), 25);
        lesson.step_epoch();
        assert_eq!((lesson.epoch(), lesson.batches()), (2, 50));
    }

    #[test]
    fn restoring_a_snapshot_replays_the_run() {
        let mut lesson = Lesson::new(LessonSettings::default()).unwrap();
        for _ in 0..6 {
            lesson.step_epoch();
        }
        let straight = lesson.history().to_vec();
        lesson.restore(3).unwrap();
        assert_eq!(lesson.epoch(), 3);
        assert_eq!(lesson.history(), &straight[..3]);
        for _ in 0..3 {
            lesson.step_epoch();
        }
        assert_eq!(lesson.history(), &straight[..]);
        assert!(lesson.restore(99).is_err());
    }

    #[test]
    fn snapshots_thin_out_and_stay_few() {
        let mut lesson = Lesson::new(LessonSettings {
            points: 20,
            batch_size: 10,
            ..LessonSettings::default()
        })
        .unwrap();
        for _ in 0..500 {
            lesson.step_epoch();
        }
        let epochs = lesson.snapshot_epochs();
        assert!(epochs.len() <= MAX_SNAPSHOTS, "{}", epochs.len());
        assert_eq!(epochs.first(), Some(&0));
        assert!(epochs.windows(2).all(|w| w[0] < w[1]));
        assert!(*epochs.last().unwrap() > 400);
    }

    #[test]
    fn planes_hold_the_boundary_then_every_hidden_unit() {
        let mut lesson = Lesson::new(LessonSettings::default()).unwrap();
        let planes = lesson.planes(10, 4);
        assert_eq!(planes.len(), 100 + (4 + 2) * 16);
        assert!(planes[..100].iter().all(|p| (0.0..=1.0).contains(p)));
    }

    #[test]
    fn painted_points_join_the_toy_or_stand_alone() {
        let dot = |x: f64, label: f64| Point { x: [x, 0.0], label };
        let blank = |painted: Vec<Point>| LessonSettings {
            toy: Toy::Blank,
            painted,
            ..LessonSettings::default()
        };
        let mut empty = Lesson::new(blank(Vec::new())).unwrap();
        empty.step_epoch();
        assert!(!empty.step_batch());
        assert_eq!(empty.epoch(), 0);
        assert!(empty.scores().test_loss.is_nan());
        let mut lesson = Lesson::new(blank(vec![dot(1.0, 1.0)])).unwrap();
        lesson.step_epoch();
        assert_eq!(lesson.epoch(), 1);
        let lesson = Lesson::new(blank(vec![dot(1.0, 1.0), dot(-1.0, 0.0)])).unwrap();
        assert_eq!(lesson.points().len(), 2);
        let (train, test) = lesson.split();
        assert_eq!((train.len(), test.len()), (1, 1));
        let mut with_toy = Lesson::new(LessonSettings {
            painted: vec![dot(0.5, 0.0)],
            ..LessonSettings::default()
        })
        .unwrap();
        assert_eq!(with_toy.points().len(), 501);
        with_toy.step_epoch();
        assert!(
            Lesson::new(LessonSettings {
                toy: Toy::Plane,
                painted: vec![dot(0.5, 0.0)],
                ..LessonSettings::default()
            })
            .is_err()
        );
    }

    #[test]
    fn settings_out_of_range_are_refused_by_name() {
        let error = Lesson::new(LessonSettings {
            hidden: vec![4, 0],
            ..LessonSettings::default()
        })
        .unwrap_err();
        assert!(error.to_string().contains("layers"), "{error}");
    }
}
