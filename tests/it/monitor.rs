//! Drift monitoring: the statistics against scipy on fixed fixtures (`tests/monitor/fixtures.py`
//! made them), the training reference every pipeline carries, reports on shifted and unshifted
//! copies of real and generated tables under both of Evidently's rules (tests for a small
//! reference, distances for a large one), and `hearth monitor`'s table, JSON and exit codes.

use serde_json::Value;

use hearth::data::Task;
use hearth::explain::reference_background;
use hearth::monitor::statistics::{
    BinnedCdf, chi_square, jensen_shannon, kolmogorov_survival, ks_p_value, ks_statistic, psi,
    wasserstein_normed,
};
use hearth::monitor::{
    DriftReport, DriftTest, MOST_CHUNKS, MonitorError, drift_over_time, drift_report,
};
use hearth::prep::{FittedPipeline, PrepConfig, ReferenceValues};

use crate::support::{
    assert_ok, bundled, csv, hearth, path_of, prepare, read, sample, temp_dir, train_sample, write,
};

const FIXTURES: &str = include_str!("../monitor/fixtures.json");

fn close(actual: f64, expected: f64, what: &str) {
    assert!(
        (actual - expected).abs() <= 1e-6 * expected.abs().max(1.0),
        "{what}: {actual} against scipy's {expected}"
    );
}

fn floats(value: &Value) -> Vec<f64> {
    value
        .as_array()
        .expect("an array")
        .iter()
        .map(|v| v.as_f64().expect("a number"))
        .collect()
}

fn counts(value: &Value) -> Vec<u64> {
    value
        .as_array()
        .expect("an array")
        .iter()
        .map(|v| v.as_u64().expect("a count"))
        .collect()
}

#[test]
fn statistics_match_scipy() {
    let fixtures: Value = serde_json::from_str(FIXTURES).expect("the fixtures are JSON");
    for case in fixtures["kolmogorov"].as_array().expect("cases") {
        let x = case["x"].as_f64().expect("x");
        close(
            kolmogorov_survival(x),
            case["survival"].as_f64().expect("sf"),
            &format!("kstwobign.sf({x})"),
        );
    }
    for (i, case) in fixtures["ks"].as_array().expect("cases").iter().enumerate() {
        let edges = floats(&case["edges"]);
        let cdf = BinnedCdf::new(&edges, &counts(&case["counts"]));
        let new = floats(&case["new"]);
        let d = ks_statistic(&cdf, &new);
        close(
            d,
            case["statistic"].as_f64().expect("d"),
            &format!("KS {i}"),
        );
        let (n, m) = (
            case["n"].as_u64().expect("n"),
            case["m"].as_u64().expect("m"),
        );
        close(
            ks_p_value(d, n, m),
            case["p_value"].as_f64().expect("p"),
            &format!("KS p-value {i}"),
        );
    }
    for (i, case) in fixtures["chi"]
        .as_array()
        .expect("cases")
        .iter()
        .enumerate()
    {
        let (reference, new) = (counts(&case["reference"]), counts(&case["new"]));
        if let Some(expected) = case["statistic"].as_f64() {
            let (statistic, p) = chi_square(&reference, &new);
            close(statistic, expected, &format!("chi-square {i}"));
            close(
                p,
                case["p_value"].as_f64().expect("p"),
                &format!("chi p {i}"),
            );
        }
        close(
            jensen_shannon(&reference, &new),
            case["jensen_shannon"].as_f64().expect("js"),
            &format!("Jensen-Shannon {i}"),
        );
        close(
            psi(&reference, &new),
            case["psi"].as_f64().expect("psi"),
            &format!("PSI {i}"),
        );
    }
    for (i, case) in fixtures["wasserstein"]
        .as_array()
        .expect("cases")
        .iter()
        .enumerate()
    {
        let edges = floats(&case["edges"]);
        let cdf = BinnedCdf::new(&edges, &counts(&case["counts"]));
        close(
            wasserstein_normed(
                &cdf,
                case["std"].as_f64().expect("std"),
                &floats(&case["new"]),
            ),
            case["normed"].as_f64().expect("normed"),
            &format!("Wasserstein {i}"),
        );
    }
    // A category the reference never saw: an infinite statistic, p = 0, as scipy gives.
    assert_eq!(chi_square(&[10, 0], &[5, 5]), (f64::INFINITY, 0.0));
}

/// A seeded stream in [0, 1): the tables below are the same on every run.
struct Stream(u64);

impl Stream {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The bundled penguins' data lines, resampled with replacement (seeded).
fn resample(lines: &[&str], rows: usize, seed: u64) -> Vec<String> {
    let mut stream = Stream(seed);
    (0..rows)
        .map(|_| lines[(stream.next() * lines.len() as f64) as usize].to_string())
        .collect()
}

/// Penguins whose bills, flippers and weights grew: four of the seven inputs shift.
fn shifted_penguins(lines: &[String]) -> Vec<String> {
    lines
        .iter()
        .map(|line| {
            let mut fields: Vec<String> = line.split(',').map(str::to_string).collect();
            for (index, change) in [(2, 6.0), (3, 2.5), (4, 15.0), (5, 700.0)] {
                if let Ok(x) = fields[index].parse::<f64>() {
                    fields[index] = format!("{}", x + change);
                }
            }
            fields.join(",")
        })
        .collect()
}

fn penguins() -> (String, Vec<String>) {
    let text = read(&sample("penguins.csv"));
    let mut lines = text.lines();
    let header = lines.next().expect("a header").to_string();
    (header, lines.map(str::to_string).collect())
}

fn table(header: &str, lines: &[String]) -> String {
    format!("{header}\n{}\n", lines.join("\n"))
}

fn penguins_pipeline() -> FittedPipeline {
    let (_, prepared) = prepare(
        &bundled("penguins.csv"),
        "species",
        Task::MulticlassClassification,
        &PrepConfig::default(),
    );
    prepared.pipeline
}

#[test]
fn the_pipeline_keeps_each_inputs_training_distribution() {
    let pipeline = penguins_pipeline();
    let names: Vec<&str> = pipeline
        .reference
        .iter()
        .map(|r| r.column.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "island",
            "bill_length_mm",
            "bill_depth_mm",
            "flipper_length_mm",
            "body_mass_g",
            "sex",
            "year"
        ]
    );
    for reference in &pipeline.reference {
        match &reference.values {
            ReferenceValues::Numeric { edges, counts, .. } => {
                assert_eq!(edges.len(), counts.len());
                assert!(edges.windows(2).all(|pair| pair[0] < pair[1]));
                assert_eq!(
                    counts.iter().sum::<u64>() + reference.missing,
                    reference.rows
                );
            }
            ReferenceValues::Categories {
                counts,
                other,
                numeric,
            } => {
                // year has three values: compared as categories, keyed as numbers.
                assert_eq!(*numeric, reference.column == "year");
                let total: u64 = counts.iter().map(|(_, n)| n).sum::<u64>() + other;
                assert_eq!(total + reference.missing, reference.rows);
                assert!(counts.iter().all(|(_, n)| *n >= 5), "{counts:?}");
            }
        }
    }
    // The reference travels inside the pipeline's JSON and reads back equal.
    let json = serde_json::to_string(&pipeline).expect("serialisable");
    let back: FittedPipeline = serde_json::from_str(&json).expect("reads back");
    assert_eq!(back, pipeline);
}

fn report_of(pipeline: &FittedPipeline, csv_text: &str) -> DriftReport {
    drift_report(&pipeline.reference, &csv(csv_text)).expect("a report")
}

#[test]
fn a_shifted_copy_drifts_and_a_resample_does_not_small_reference() {
    let pipeline = penguins_pipeline();
    let (header, lines) = penguins();
    let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
    for seed in [1, 2, 3] {
        let same = resample(&lines, 200, seed);
        let report = report_of(&pipeline, &table(&header, &same));
        assert!(!report.dataset_drift, "seed {seed}: {report:#?}");
        assert!(
            report
                .columns
                .iter()
                .all(|c| matches!(c.test, DriftTest::Ks | DriftTest::ChiSquare))
        );
        // The target is a column the model does not read; nothing is missing.
        assert_eq!(report.extra_columns, ["species"]);
        assert!(report.missing_columns.is_empty());

        let shifted = report_of(&pipeline, &table(&header, &shifted_penguins(&same)));
        assert!(shifted.dataset_drift, "seed {seed}: {shifted:#?}");
        let drifted: Vec<&str> = shifted
            .columns
            .iter()
            .filter(|c| c.drifted)
            .map(|c| c.column.as_str())
            .collect();
        for column in ["bill_length_mm", "flipper_length_mm", "body_mass_g"] {
            assert!(drifted.contains(&column), "{column} in {drifted:?}");
        }
        // Most drifted first; the grown flippers leave the training range.
        let first = &shifted.columns[0];
        assert!(first.drifted && first.score < 1e-6, "{first:?}");
        let flipper = shifted
            .columns
            .iter()
            .find(|c| c.column == "flipper_length_mm")
            .expect("flippers");
        assert!(flipper.outside > 0.1, "{flipper:?}");
    }
}

/// A generated table with more rows than Evidently's test limit: a number, a skewed number, a
/// category and a binary target.
fn generated(rows: usize, seed: u64, shift: bool) -> String {
    let mut stream = Stream(seed);
    let mut text = String::from("x,skewed,colour,label\n");
    for _ in 0..rows {
        let x = stream.next() * 10.0 + if shift { 2.0 } else { 0.0 };
        let skewed = -(1.0 - stream.next()).ln() * if shift { 1.6 } else { 1.0 };
        let pick = stream.next();
        let colour = match (pick, shift) {
            (p, false) if p < 0.5 => "red",
            (p, false) if p < 0.8 => "green",
            (_, false) => "blue",
            (p, true) if p < 0.2 => "red",
            (p, true) if p < 0.5 => "green",
            (_, true) => "blue",
        };
        let label = if x + skewed > 6.0 { "yes" } else { "no" };
        text.push_str(&format!("{x},{skewed},{colour},{label}\n"));
    }
    text
}

#[test]
fn a_shifted_copy_drifts_and_a_resample_does_not_large_reference() {
    let (_, prepared) = prepare(
        &csv(generated(4_000, 11, false)),
        "label",
        Task::BinaryClassification,
        &PrepConfig::default(),
    );
    let pipeline = prepared.pipeline;
    assert!(pipeline.reference[0].rows > 1_000);
    let same = report_of(&pipeline, &generated(2_000, 12, false));
    assert!(!same.dataset_drift, "{same:#?}");
    assert!(same.columns.iter().all(|c| !c.drifted), "{same:#?}");
    assert!(
        same.columns
            .iter()
            .all(|c| matches!(c.test, DriftTest::Wasserstein | DriftTest::JensenShannon))
    );
    assert!(same.columns.iter().all(|c| c.psi < 0.05), "{same:#?}");
    let shifted = report_of(&pipeline, &generated(2_000, 13, true));
    assert!(shifted.dataset_drift, "{shifted:#?}");
    assert!(shifted.columns.iter().all(|c| c.drifted), "{shifted:#?}");
    assert!(shifted.columns.iter().all(|c| c.psi > 0.1), "{shifted:#?}");
}

#[test]
fn schema_changes_are_named() {
    let pipeline = penguins_pipeline();
    // No body mass, sex as numbers, an extra column.
    let mut text =
        String::from("island,bill_length_mm,bill_depth_mm,flipper_length_mm,sex,year,note\n");
    for i in 0..60 {
        text.push_str(&format!(
            "Biscoe,{},{},{},{},2008,x\n",
            40 + i % 9,
            17,
            190 + i % 20,
            i % 2
        ));
    }
    let report = report_of(&pipeline, &text);
    assert_eq!(report.missing_columns, ["body_mass_g"]);
    assert_eq!(report.extra_columns, ["note"]);
    // "0"/"1" are not the training categories: all of sex lands outside them.
    let sex = report
        .columns
        .iter()
        .find(|c| c.column == "sex")
        .expect("sex");
    assert!(sex.drifted && sex.outside == 1.0, "{sex:?}");
    // Words where numbers were: retyped.
    let words = "island,bill_length_mm,bill_depth_mm,flipper_length_mm,body_mass_g,sex,year\n"
        .to_string()
        + &"Dream,long,deep,181,3750,male,2007\n".repeat(20);
    let report = report_of(&pipeline, &words);
    assert_eq!(report.retyped_columns, ["bill_length_mm", "bill_depth_mm"]);
    // A pipeline from before references existed says what to do.
    let mut old = pipeline.clone();
    old.reference.clear();
    let error = drift_report(&old.reference, &csv(&words)).expect_err("no reference");
    assert_eq!(error, MonitorError::NoReference);
    assert!(error.to_string().contains("train it again"), "{error}");
}

#[test]
fn monitor_cli_prints_the_report_and_exits_3_on_drift() {
    let dir = temp_dir();
    let model = train_sample(
        &dir,
        "penguins.csv",
        "species",
        &["--model", "linear", "--epochs", "3"],
    );
    let (header, lines) = penguins();
    let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
    let same = resample(&lines, 200, 5);
    let same_path = path_of(&dir, "same.csv");
    write(&same_path, &table(&header, &same));
    let shifted_path = path_of(&dir, "shifted.csv");
    write(&shifted_path, &table(&header, &shifted_penguins(&same)));

    let quiet = hearth(&["monitor", &model, &same_path]);
    let text = assert_ok(&quiet);
    assert!(text.contains("no dataset drift"), "{text}");
    assert!(
        text.contains("K-S p-value") && text.contains("chi-square p-value"),
        "{text}"
    );

    let drifted = hearth(&["monitor", &model, &shifted_path]);
    assert_eq!(drifted.status.code(), Some(3), "{drifted:?}");
    let text = String::from_utf8_lossy(&drifted.stdout);
    assert!(text.contains("DRIFT"), "{text}");
    // The most drifted column is on the first line of the table.
    let first_row = text
        .lines()
        .skip_while(|line| !line.starts_with("column "))
        .nth(1)
        .expect("a first column");
    assert!(first_row.contains("yes"), "{text}");

    let json = hearth(&["monitor", &model, &shifted_path, "--json"]);
    assert_eq!(json.status.code(), Some(3));
    let report: DriftReport =
        serde_json::from_slice(&json.stdout).expect("--json prints the report");
    assert!(report.dataset_drift && report.columns.len() == 7);
    // The model's answers on the new rows against its answers on the test split, apart.
    let prediction = report.prediction.expect("the model keeps its test answers");
    assert_eq!(prediction.column, "predicted_species");
    assert_eq!(prediction.test, DriftTest::ChiSquare);
    let mut classes: Vec<&str> = prediction.histogram.iter().map(|h| h.0.as_str()).collect();
    classes.sort_unstable();
    assert_eq!(classes, ["Adelie", "Chinstrap", "Gentoo"]);
    assert!(
        text.contains("predicted_species: the model's answers"),
        "{text}"
    );
    let quiet = assert_ok(&hearth(&["monitor", &model, &same_path, "--json"]));
    let report: DriftReport = serde_json::from_str(&quiet).expect("a report");
    assert!(!report.prediction.expect("test answers").drifted);
    // The exported ONNX file carries the same reference in its metadata.
    let onnx = path_of(&dir, "penguins.onnx");
    assert_ok(&hearth(&["export", &model, "--out", &onnx]));
    let from_onnx = hearth(&["monitor", &onnx, &shifted_path, "--json"]);
    assert_eq!(from_onnx.status.code(), Some(3));
    assert_eq!(from_onnx.stdout, json.stdout);

    // A model file from before references: one sentence, exit code 1.
    let mut old: Value = serde_json::from_str(&read(&model)).expect("model JSON");
    old["pipeline"]
        .as_object_mut()
        .expect("a pipeline")
        .remove("reference");
    let old_path = path_of(&dir, "old.hearth");
    write(&old_path, &old.to_string());
    let error =
        crate::support::assert_one_sentence_error(&hearth(&["monitor", &old_path, &same_path]));
    assert!(
        error.contains("old.hearth") && error.contains("train it again"),
        "{error}"
    );
}

#[test]
fn rows_drawn_from_the_reference_follow_it() {
    // What the Use step explains against when no training rows are at hand.
    let pipeline = penguins_pipeline();
    let columns: Vec<String> = pipeline
        .reference
        .iter()
        .map(|r| r.column.clone())
        .collect();
    let rows = reference_background(&pipeline.reference, &columns, 3_000, 7);
    assert_eq!(
        rows,
        reference_background(&pipeline.reference, &columns, 3_000, 7)
    );
    let lines: Vec<String> = rows
        .iter()
        .map(|row| {
            row.iter()
                .map(|field| field.clone().unwrap_or_default())
                .collect::<Vec<_>>()
                .join(",")
        })
        .collect();
    let report = drift_report(&pipeline.reference, &csv(table(&columns.join(","), &lines)))
        .expect("a report");
    assert!(!report.dataset_drift, "{report:#?}");
    for column in &report.columns {
        assert!(!column.drifted, "{column:#?}");
        assert!(column.outside == 0.0, "{column:#?}");
        assert!(
            (column.missing_new - column.missing_reference).abs() < 0.02,
            "{column:#?}"
        );
    }
    // The form's starting row: each number's median, each category's most frequent value.
    let typical: Vec<Option<String>> = pipeline.reference.iter().map(|r| r.typical()).collect();
    assert_eq!(typical[0].as_deref(), Some("Biscoe"));
    assert!(
        matches!(typical[6].as_deref(), Some("2007" | "2008" | "2009")),
        "{typical:?}"
    );
    let body_mass: f64 = typical[4]
        .as_deref()
        .and_then(|t| t.parse().ok())
        .expect("a number");
    assert!((3_500.0..4_500.0).contains(&body_mass), "{body_mass}");
}

#[test]
fn drift_over_time_shows_when_the_data_began_to_drift() {
    let pipeline = penguins_pipeline();
    let (header, lines) = penguins();
    let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
    let before = resample(&lines, 200, 11);
    let after = shifted_penguins(&resample(&lines, 200, 12));
    // 400 dates from 2024-01-01 on (28 days a month, so every date exists), the last 200
    // shifted; written newest first, so the report must order the rows by their dates.
    let day = |d: usize| {
        format!(
            "{}-{:02}-{:02}",
            2024 + d / 336,
            d / 28 % 12 + 1,
            d % 28 + 1
        )
    };
    let mut rows: Vec<String> = before
        .iter()
        .chain(&after)
        .enumerate()
        .map(|(d, line)| format!("{},{line}", day(d)))
        .collect();
    rows.reverse();
    let dataset = csv(table(&format!("date,{header}"), &rows));
    let over_time =
        drift_over_time(&pipeline.reference, &dataset).expect("a date column and enough rows");
    assert_eq!(over_time.column, "date");
    assert_eq!(over_time.chunks.len(), MOST_CHUNKS);
    assert_eq!(over_time.chunks[0].from, "2024-01-01");
    assert!(over_time.chunks.windows(2).all(|w| w[0].to < w[1].from));
    assert!(over_time.chunks.iter().all(|c| c.rows == 40));
    // The first half is the training data resampled, the second half shifted.
    for (i, chunk) in over_time.chunks.iter().enumerate() {
        assert_eq!(chunk.dataset_drift, i >= 5, "chunk {i}: {chunk:?}");
    }
    assert!(
        over_time.chunks[9]
            .drifted
            .contains(&"body_mass_g".to_string())
    );
    // Without a date column there is nothing to order by.
    assert_eq!(
        drift_over_time(&pipeline.reference, &csv(table(&header, &before))),
        None
    );
}
