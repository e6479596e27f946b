//! `/metrics` in Prometheus' text format (prometheus-client): requests and rows by model and
//! status, latency and batch-size histograms, requests in flight, and live drift — each input
//! column of a sliding window of served rows against the training reference the model file
//! carries (the statistics `hearth monitor` reports), and the window's answers against the
//! model's answers on its test split.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::sync::atomic::AtomicU64;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::data::{Column, ColumnValues, Dataset, Dialect, MISSING_CODE};
use crate::infer::{Answers, InputRow, OnnxModel};
use crate::monitor::{drift_report, prediction_drift};
use crate::prep::Prediction;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    pub model: String,
    pub endpoint: String,
    pub status: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ModelLabels {
    pub model: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RowLabels {
    pub model: String,
    pub status: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct EndpointLabels {
    pub model: String,
    pub endpoint: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ColumnLabels {
    pub model: String,
    pub column: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ClassLabels {
    pub model: String,
    pub class: String,
}

type FloatGauge = Gauge<f64, AtomicU64>;

/// Every metric the server exports.
pub struct Metrics {
    registry: Registry,
    pub requests: Family<RequestLabels, Counter>,
    pub rows: Family<RowLabels, Counter>,
    pub latency: Family<EndpointLabels, Histogram>,
    pub batch_rows: Family<ModelLabels, Histogram>,
    pub in_flight: Gauge,
    drift_score: Family<ColumnLabels, FloatGauge>,
    drift_detected: Family<ColumnLabels, Gauge>,
    drift_share: Family<ModelLabels, FloatGauge>,
    window_rows: Family<ModelLabels, Gauge>,
    prediction_drift_score: Family<ModelLabels, FloatGauge>,
    prediction_drift_detected: Family<ModelLabels, Gauge>,
    prediction_share: Family<ClassLabels, FloatGauge>,
    prediction_mean: Family<ModelLabels, FloatGauge>,
}

impl Default for Metrics {
    fn default() -> Metrics {
        Metrics::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::default();
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "hearth_requests",
            "Requests answered, by model, endpoint and HTTP status",
            requests.clone(),
        );
        let rows = Family::<RowLabels, Counter>::default();
        registry.register(
            "hearth_rows",
            "Rows of the requests that were read whole, by model and status (ok: answered; error: the model failed on them)",
            rows.clone(),
        );
        let latency = Family::<EndpointLabels, Histogram>::new_with_constructor(|| {
            Histogram::new(exponential_buckets(0.000_25, 2.0, 16))
        });
        registry.register(
            "hearth_request_duration_seconds",
            "Time from a request's arrival to its answer, in seconds",
            latency.clone(),
        );
        let batch_rows = Family::<ModelLabels, Histogram>::new_with_constructor(|| {
            Histogram::new(exponential_buckets(1.0, 2.0, 14))
        });
        registry.register(
            "hearth_batch_rows",
            "Rows in each run of the model (requests merged by dynamic batching)",
            batch_rows.clone(),
        );
        let in_flight = Gauge::default();
        registry.register(
            "hearth_in_flight_requests",
            "Requests being answered now",
            in_flight.clone(),
        );
        let drift_score = Family::<ColumnLabels, FloatGauge>::default();
        registry.register(
            "hearth_drift_score",
            "Each input column of the window of served rows against training: the test's p-value (small reference) or the distance (large), as hearth monitor reports",
            drift_score.clone(),
        );
        let drift_detected = Family::<ColumnLabels, Gauge>::default();
        registry.register(
            "hearth_drift_detected",
            "1 when the column drifted by hearth monitor's rule, else 0",
            drift_detected.clone(),
        );
        let drift_share = Family::<ModelLabels, FloatGauge>::default();
        registry.register(
            "hearth_drift_share",
            "Share of the input columns that drifted in the window",
            drift_share.clone(),
        );
        let window_rows = Family::<ModelLabels, Gauge>::default();
        registry.register(
            "hearth_drift_window_rows",
            "Served rows in the sliding window drift is measured on",
            window_rows.clone(),
        );
        let prediction_drift_score = Family::<ModelLabels, FloatGauge>::default();
        registry.register(
            "hearth_prediction_drift_score",
            "The window's answers against the model's answers on its test split (p-value or distance)",
            prediction_drift_score.clone(),
        );
        let prediction_drift_detected = Family::<ModelLabels, Gauge>::default();
        registry.register(
            "hearth_prediction_drift_detected",
            "1 when the answers drifted, else 0",
            prediction_drift_detected.clone(),
        );
        let prediction_share = Family::<ClassLabels, FloatGauge>::default();
        registry.register(
            "hearth_prediction_share",
            "Share of the window's answers that are each class",
            prediction_share.clone(),
        );
        let prediction_mean = Family::<ModelLabels, FloatGauge>::default();
        registry.register(
            "hearth_prediction_mean",
            "Mean of the window's answers (regression), in the target's units",
            prediction_mean.clone(),
        );
        Metrics {
            registry,
            requests,
            rows,
            latency,
            batch_rows,
            in_flight,
            drift_score,
            drift_detected,
            drift_share,
            window_rows,
            prediction_drift_score,
            prediction_drift_detected,
            prediction_share,
            prediction_mean,
        }
    }

    /// The text exposition, with the drift gauges brought up to date from each model's window.
    pub fn render<'a>(
        &self,
        models: impl IntoIterator<Item = (&'a str, &'a OnnxModel, &'a Window)>,
    ) -> String {
        for (name, model, window) in models {
            self.update_drift(name, model, window);
        }
        let mut text = String::new();
        // Writing to a String cannot fail.
        let _ = encode(&mut text, &self.registry);
        text
    }

    fn update_drift(&self, name: &str, model: &OnnxModel, window: &Window) {
        let (dataset, predictions) = match window.rows.lock() {
            Ok(rows) => (
                window_dataset(model, &rows),
                rows.iter().map(|(_, p)| p.clone()).collect::<Vec<_>>(),
            ),
            Err(_) => return,
        };
        let labels = ModelLabels {
            model: name.to_string(),
        };
        self.window_rows
            .get_or_create(&labels)
            .set(dataset.rows as i64);
        if dataset.rows == 0 {
            return;
        }
        if let Ok(report) = drift_report(&model.reference, &dataset) {
            self.drift_share
                .get_or_create(&labels)
                .set(report.drifted_share);
            for column in &report.columns {
                let labels = ColumnLabels {
                    model: name.to_string(),
                    column: column.column.clone(),
                };
                self.drift_score.get_or_create(&labels).set(column.score);
                self.drift_detected
                    .get_or_create(&labels)
                    .set(i64::from(column.drifted));
            }
        }
        if let Some(reference) = &model.answers_reference {
            let drift = prediction_drift(reference, &predictions);
            self.prediction_drift_score
                .get_or_create(&labels)
                .set(drift.score);
            self.prediction_drift_detected
                .get_or_create(&labels)
                .set(i64::from(drift.drifted));
        }
        if model.classifies() {
            for class in &model.class_names {
                let count = predictions
                    .iter()
                    .filter(|p| matches!(p, Prediction::Class { name, .. } if name == class))
                    .count();
                self.prediction_share
                    .get_or_create(&ClassLabels {
                        model: name.to_string(),
                        class: class.clone(),
                    })
                    .set(count as f64 / predictions.len() as f64);
            }
        } else {
            let sum: f64 = predictions
                .iter()
                .map(|p| match p {
                    Prediction::Value { value } => *value,
                    Prediction::Class { .. } => 0.0,
                })
                .sum();
            self.prediction_mean
                .get_or_create(&labels)
                .set(sum / predictions.len() as f64);
        }
    }
}

/// The last served rows of one model and its answers to them.
pub struct Window {
    capacity: usize,
    rows: Mutex<VecDeque<(InputRow, Prediction)>>,
}

impl Window {
    pub fn new(capacity: usize) -> Window {
        Window {
            capacity,
            rows: Mutex::new(VecDeque::with_capacity(capacity.min(1 << 16))),
        }
    }

    /// How many rows it holds at most.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Adds answered rows (the last of a request's, with the answers to all of them), dropping
    /// the oldest beyond the capacity.
    pub fn record(&self, model: &OnnxModel, rows: &[InputRow], answers: &Answers) {
        if self.capacity == 0 {
            return;
        }
        let predictions = answers.predictions(&model.class_names);
        let answered = predictions.len().saturating_sub(rows.len());
        let Ok(mut window) = self.rows.lock() else {
            return;
        };
        let skip = rows.len().saturating_sub(self.capacity);
        let pairs = rows.iter().zip(predictions.into_iter().skip(answered));
        for (row, prediction) in pairs.skip(skip) {
            if window.len() == self.capacity {
                window.pop_front();
            }
            window.push_back((row.clone(), prediction));
        }
    }
}

/// The window's rows as a dataset of text columns named by the model's inputs (numbers are
/// read from their text, as from a CSV file), for the monitor's statistics.
fn window_dataset(model: &OnnxModel, rows: &VecDeque<(InputRow, Prediction)>) -> Dataset {
    let columns = model
        .inputs
        .iter()
        .enumerate()
        .map(|(k, input)| {
            let mut dictionary: Vec<String> = Vec::new();
            let mut index = std::collections::HashMap::new();
            let codes = rows
                .iter()
                .map(|(row, _)| match row.get(k).cloned().flatten() {
                    None => MISSING_CODE,
                    Some(text) => *index.entry(text.clone()).or_insert_with(|| {
                        dictionary.push(text);
                        (dictionary.len() - 1) as u32
                    }),
                })
                .collect();
            Column {
                name: input.name.clone(),
                values: ColumnValues::Text { dictionary, codes },
            }
        })
        .collect();
    Dataset {
        source: "the served rows".into(),
        dialect: Dialect {
            delimiter: b',',
            has_header: true,
            decimal_comma: false,
        },
        columns,
        rows: rows.len(),
        preview: Vec::new(),
        notes: Vec::new(),
    }
}
