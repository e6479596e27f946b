//! Properties over generated inputs (proptest), where the examples elsewhere pick a few:
//! the fitted pipeline's one-row path equals its batch path on any small table; an exported
//! graph answers any raw row as the host's forward pass does; a study saved and read back is
//! equal and resumes where it stopped.
//!
//! Case counts are small (the suite runs in `scripts/check`); `PROPTEST_CASES=1000 cargo
//! test --test it properties::` runs longer, and proptest writes any failing case it shrinks
//! to `tests/proptest-regressions/properties.txt`, which is committed and replayed first.

use std::sync::OnceLock;

use hearth::compress::{CompressedModel, Quantization};
use hearth::data::{
    ColumnValues, IngestOptions, Task, is_missing_marker, parse_number, read_csv_bytes,
};
use hearth::export::InputKind;
use hearth::infer::{InputRow, OnnxModel};
use hearth::prep::{Matrix, PrepConfig};
use hearth::search::{Budget, Metric, Outcome, Study, StudySettings, TrialTicket};
use hearth::train::{ModelFile, TrainConfig};
use proptest::prelude::*;
use proptest::strategy::ValueTree;

use crate::support::{assert_row_path_matches_batch, mlp, ok, prepared, train, try_prepare};

/// A cell of a generated table: numbers of every size and sign, words with the missing
/// markers, case and space variants, quotes and delimiters among them, or nothing.
fn cell() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => (-1e6f64..1e6).prop_map(|x| format!("{x}")),
        2 => (-3i64..40).prop_map(|x| x.to_string()),
        1 => prop::sample::select(vec!["1e300", "-1e300", "inf", "-inf", "1e-300", "0", "-0", "3,5"])
            .prop_map(str::to_string),
        4 => prop::sample::select(vec![
            "red", "Red", " red", "blue", "green", "yes", "no", "TRUE", "false", "NA", "?", "-",
            "null", "N/A", "\"a, quoted\"", "é", "2024-03-01", "x;y",
        ])
        .prop_map(str::to_string),
        1 => Just(String::new()),
    ]
}

/// A table of 2–5 columns (each drawn from one of three cell families, so that some are
/// numeric, some categorical, some mixed) and 12–60 rows, as CSV text.
fn table() -> impl Strategy<Value = String> {
    (2usize..=5, 12usize..=60).prop_flat_map(|(cols, rows)| {
        let kinds = prop::collection::vec(0u8..3, cols);
        (kinds, Just(rows)).prop_flat_map(move |(kinds, rows)| {
            let column = |kind: u8| -> BoxedStrategy<String> {
                match kind {
                    0 => prop_oneof![9 => (-50.0f64..50.0).prop_map(|x| format!("{x:.3}")), 1 => Just(String::new())].boxed(),
                    1 => prop::sample::select(vec!["a", "b", "c", "d", "A", "NA", ""]).prop_map(str::to_string).boxed(),
                    _ => cell().boxed(),
                }
            };
            let row: Vec<BoxedStrategy<String>> = kinds.iter().map(|&k| column(k)).collect();
            prop::collection::vec(row, rows).prop_map(move |rows| {
                let quote = |text: &str| {
                    if text.contains([',', '"', '\n']) {
                        format!("\"{}\"", text.replace('"', "\"\""))
                    } else {
                        text.to_string()
                    }
                };
                let mut csv = (0..cols).map(|c| format!("c{c}")).collect::<Vec<_>>().join(",");
                csv.push('\n');
                for row in rows {
                    csv.push_str(&row.iter().map(|c| quote(c)).collect::<Vec<_>>().join(","));
                    csv.push('\n');
                }
                csv
            })
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Whatever the table and whichever column is the target, a pipeline that fits turns
    /// every row into the same features one at a time as in one batch.
    #[test]
    fn one_row_path_equals_batch_path(csv in table(), target in 0usize..5, folds in any::<bool>()) {
        let dataset = ok(read_csv_bytes("generated.csv", csv.as_bytes(), IngestOptions::default()));
        let target = &dataset.columns[target % dataset.columns.len()].name;
        let profile = hearth::data::profile(&dataset);
        let task = hearth::data::suggest_task(&profile, target).unwrap_or(Task::Regression);
        let config = if folds {
            ok(PrepConfig::from_json(r#"{"folds": 3, "split": {"train": 0.8, "valid": 0.0, "test": 0.2}}"#))
        } else {
            PrepConfig::default()
        };
        // A table can leave nothing to learn from (an all-missing target): that is an error
        // the page shows, not a property to check.
        if let Ok((_, prepared)) = try_prepare(&dataset, target, task, &config) {
            assert_row_path_matches_batch(&prepared.pipeline, &dataset);
        }
    }
}

/// A small network on penguins (numbers and categories), with its float32 export loaded in
/// tract and the same weights as the host computes them.
struct Exported {
    model: ModelFile,
    compressed: CompressedModel,
    graph: OnnxModel,
}

fn exported() -> &'static Exported {
    static EXPORTED: OnceLock<Exported> = OnceLock::new();
    EXPORTED.get_or_init(|| {
        let (prepared, data) = prepared("penguins.csv", "species", Task::MulticlassClassification);
        let config = TrainConfig {
            model: mlp(&[8]),
            epochs: 4,
            seed: 3,
            ..TrainConfig::default()
        };
        let (trainer, _) = train(&prepared, &data, &config);
        let model = ok(pollster::block_on(ModelFile::from_trainer(
            &trainer, None, None,
        )));
        let compressed = ok(CompressedModel::new(&model, Quantization::None, None));
        let bytes = ok(hearth::export::to_onnx(&model, &compressed));
        let graph = ok(OnnxModel::load("penguins.onnx", &bytes));
        Exported {
            model,
            compressed,
            graph,
        }
    })
}

/// A raw field for one of the graph's inputs, as `(for a number input, for a text input)`:
/// numbers near or far from the training range, infinities and missing markers; known,
/// differently cased, unseen and missing categories; or nothing. (Text where a number belongs is
/// refused with a sentence naming row and column; `tests/it/infer.rs` checks that.)
fn raw_field() -> impl Strategy<Value = (Option<String>, Option<String>)> {
    let number = prop_oneof![
        5 => (-1e4f64..1e4).prop_map(|x| Some(format!("{x}"))),
        2 => prop::sample::select(vec!["NA", "", "inf", "-inf", "1e30", "-1e30", "1e39", "?", "0"])
            .prop_map(|s| Some(s.to_string())),
        1 => Just(None),
    ];
    let text = prop_oneof![
        5 => prop::sample::select(vec![
            "Biscoe", "Dream", "Torgersen", "biscoe", "Atlantis", "MALE", "FEMALE", "male",
            "female", "NA", "", " Dream",
        ])
        .prop_map(|s| Some(s.to_string())),
        1 => Just(None),
    ];
    (number, text)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Any raw rows (numbers out of range, unseen and missing categories, text where a number
    /// belongs): the exported graph's probabilities are the host forward pass's, within float
    /// rounding (a number reaches the graph as float32; BENCHMARKS.md, issue 6).
    #[test]
    fn exported_graph_equals_host_forward_pass(rows in prop::collection::vec(prop::collection::vec(raw_field(), 8), 1..12)) {
        let e = exported();
        let rows: Vec<InputRow> = rows
            .into_iter()
            .map(|fields| {
                e.graph
                    .inputs
                    .iter()
                    .zip(fields)
                    .map(|(input, (number, text))| match input.kind {
                        InputKind::Float => number,
                        InputKind::String => text,
                    })
                    .collect()
            })
            .collect();
        let answers = ok(e.graph.predict(&rows));
        let pipeline = &e.model.pipeline;
        let names: Vec<&str> = e.graph.inputs.iter().map(|i| i.name.as_str()).collect();
        let mut values = Vec::new();
        for row in &rows {
            let named = names
                .iter()
                .zip(row)
                .filter_map(|(n, v)| v.clone().map(|v| (n.to_string(), v)))
                .collect();
            values.extend(pipeline.transform_named(&named));
        }
        let features = Matrix {
            rows: rows.len(),
            cols: pipeline.feature_names.len(),
            values,
            feature_names: pipeline.feature_names.clone(),
        };
        let host = ok(e.compressed.predict(&e.model.head, &features));
        prop_assert_eq!(host.len(), answers.probabilities.len());
        for (i, (h, g)) in host.iter().zip(&answers.probabilities).enumerate() {
            prop_assert!((h - g).abs() <= 1e-4, "row {} class {}: host {} graph {} ({:?})", i / 3, i % 3, h, g, rows[i / 3]);
        }
    }
}

/// One step of a generated study's life: a trial that completes with a value, is pruned after
/// some reports, or fails.
#[derive(Clone, Debug)]
enum Step {
    Complete(f64),
    Pruned(Vec<f64>),
    Failed,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => (-1e3f64..1e3).prop_map(Step::Complete),
        2 => prop::collection::vec(0.0f64..1.0, 1..4).prop_map(Step::Pruned),
        1 => Just(Step::Failed),
    ]
}

/// Runs `steps` on `study` (stopping early when the budget is spent).
fn live(study: &mut Study, steps: &[Step]) {
    for step in steps {
        let Some(TrialTicket { number, .. }) = ok(study.ask()) else {
            return;
        };
        let outcome = match step {
            Step::Complete(value) => Outcome::Complete {
                values: vec![*value],
                epochs: 3,
                best_epoch: Some(2),
                valid_metrics: None,
                note: None,
                elapsed_ms: 12.5,
            },
            Step::Pruned(curve) => {
                for (epoch, value) in curve.iter().enumerate() {
                    ok(study.report(number, epoch + 1, *value));
                }
                Outcome::Pruned {
                    epochs: curve.len(),
                    elapsed_ms: 3.0,
                }
            }
            Step::Failed => Outcome::Failed {
                epochs: 1,
                error: "diverged at epoch 1".into(),
                elapsed_ms: 1.0,
            },
        };
        ok(study.tell(number, outcome));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    /// A study (the AutoML space, TPE, ASHA, a seed) after any history: written and read back
    /// it is equal; a trial that was running when it was saved is handed out again with the
    /// same parameters and seed; and both copies go on to sample the same next trials.
    #[test]
    fn a_study_saved_and_loaded_is_equal_and_resumes(
        seed in any::<u64>(),
        rows in 50usize..5000,
        steps in prop::collection::vec(step(), 0..14),
    ) {
        let settings = StudySettings::automl(
            rows,
            seed,
            Budget { trials: Some(40), ..Budget::default() },
            Metric::Accuracy,
            TrainConfig::default(),
        );
        let mut study = ok(Study::new(settings));
        live(&mut study, &steps);
        let loaded = ok(Study::from_json(&ok(study.to_json())));
        prop_assert_eq!(&loaded, &study);

        let mut original = study.clone();
        let running = ok(original.ask());
        let mut resumed = ok(Study::from_json(&ok(original.to_json())));
        prop_assert_eq!(ok(resumed.ask()), running);
        for _ in 0..3 {
            prop_assert_eq!(ok(resumed.ask()), ok(original.ask()));
        }
    }
}

/// A number as a CSV writes it: short decimals of every scale and size (the compact storage's
/// case, with rescaling as more decimals appear), integers near and past `i32`, and any f64.
fn number_text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => (-3_000_000i64..3_000_000, 0usize..10).prop_map(|(k, s)| {
            format!("{:.*}", s, k as f64 / 10f64.powi(s as i32))
        }),
        1 => prop::sample::select(vec!["-0", "-0.000", "0", "2147483646", "-2147483647", "2147483648", "1e5", "inf", "NA", ""])
            .prop_map(str::to_string),
        1 => any::<f64>().prop_filter("finite", |x| x.is_finite()).prop_map(|x| format!("{x}")),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// A numeric column read from a file holds, bit for bit, the f64 that `parse_number` makes
    /// of each field, whether the column stays compact (4 bytes a value) or not.
    #[test]
    fn a_numeric_column_reads_back_every_parsed_value(fields in prop::collection::vec(number_text(), 1..80)) {
        // A row number in front, so that an empty field is a missing value, not a blank line.
        let lines: Vec<String> = fields.iter().enumerate().map(|(i, f)| format!("{i},{f}")).collect();
        let csv = format!("i,x\n{}\n", lines.join("\n"));
        let dataset = ok(read_csv_bytes("numbers.csv", csv.as_bytes(), IngestOptions::default()));
        let Some(ColumnValues::Numeric(values)) = dataset.column("x").map(|c| &c.values) else {
            return Err(TestCaseError::fail("x is not numeric"));
        };
        let expected: Vec<u64> = fields
            .iter()
            .map(|f| parse_number(f.as_bytes(), false).filter(|_| !is_missing_marker(f.as_bytes())).unwrap_or(f64::NAN))
            .map(|v| if v.is_nan() { u64::MAX } else { v.to_bits() })
            .collect();
        let read: Vec<u64> = values
            .iter()
            .map(|v| if v.is_nan() { u64::MAX } else { v.to_bits() })
            .collect();
        prop_assert_eq!(read, expected);
    }
}

#[test]
fn the_generators_make_tables_the_pipeline_reads() {
    // A guard for the first property: its tables must mostly prepare, or it checks nothing.
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let folds = ok(PrepConfig::from_json(
        r#"{"folds": 3, "split": {"train": 0.8, "valid": 0.0, "test": 0.2}}"#,
    ));
    let (mut holdout, mut folded) = (0, 0);
    for _ in 0..40 {
        let csv = table().new_tree(&mut runner).map(|t| t.current()).unwrap();
        let dataset = ok(read_csv_bytes(
            "generated.csv",
            csv.as_bytes(),
            IngestOptions::default(),
        ));
        let target = &dataset.columns[0].name;
        let profile = hearth::data::profile(&dataset);
        let task = hearth::data::suggest_task(&profile, target).unwrap_or(Task::Regression);
        holdout += usize::from(try_prepare(&dataset, target, task, &PrepConfig::default()).is_ok());
        folded += usize::from(try_prepare(&dataset, target, task, &folds).is_ok());
    }
    assert!(
        holdout >= 20 && folded >= 20,
        "of 40 generated tables {holdout} prepared with a holdout, {folded} with folds"
    );
    // And the penguins export reads at most the 8 fields the row generator fills.
    assert!(exported().graph.inputs.len() <= 8);
}
