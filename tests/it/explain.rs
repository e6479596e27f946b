//! Explanations: the sampled Shapley values add up to the prediction exactly, equal the known
//! values where there are closed forms (an additive model, a product of two columns), follow
//! the seed, and `hearth explain` explains a trained model's answer.

use serde_json::Value;

use hearth::explain::{ExplainError, RawRow, shapley};

use crate::support::{
    assert_ok, assert_one_sentence_error, hearth, path_of, sample, temp_dir, train_sample,
};

fn row(values: &[f64]) -> RawRow {
    values.iter().map(|v| Some(v.to_string())).collect()
}

fn number(field: &Option<String>) -> f64 {
    field.as_deref().and_then(|f| f.parse().ok()).unwrap_or(0.0)
}

/// `3·x0 − 2·x1 + 0.5·x2 + x0·x3` (column 4 is not read).
fn model(rows: &[RawRow]) -> Result<Vec<f32>, String> {
    Ok(rows
        .iter()
        .map(|r| {
            let x: Vec<f64> = r.iter().map(number).collect();
            (3.0 * x[0] - 2.0 * x[1] + 0.5 * x[2] + x[0] * x[3]) as f32
        })
        .collect())
}

#[test]
fn contributions_add_up_and_match_closed_forms() {
    let explained = row(&[2.0, 1.0, 4.0, 3.0, 9.0]);
    let inputs = [0, 1, 2, 3];
    // One background row: additive columns give w·(x − z) with no spread; the product x0·x3
    // is split evenly between its two columns, exactly, because a pair's backward walk puts
    // them in the other order.
    let zero = row(&[0.0, 0.0, 0.0, 0.0, 5.0]);
    let explanation = shapley(&explained, &inputs, &[zero], 50, 1, 1, model).expect("explained");
    let value = |i: usize| explanation.contributions[i].value[0];
    assert!((value(1) + 2.0).abs() < 1e-6, "{explanation:?}");
    assert!((value(2) - 2.0).abs() < 1e-6, "{explanation:?}");
    assert!(explanation.contributions[1].standard_error[0] < 1e-9);
    // x0·x3 = 6 from a zero start: Shapley gives 3 to each of the two columns.
    assert!((value(0) - (6.0 + 3.0)).abs() < 1e-6, "{explanation:?}");
    assert!((value(3) - 3.0).abs() < 1e-6, "{explanation:?}");
    assert_eq!(explanation.base, [0.0]);
    assert!((explanation.prediction[0] - 12.0).abs() < 1e-6);
    // Efficiency: base + contributions = prediction, for any background and seed.
    let background: Vec<RawRow> = (0..20)
        .map(|i| {
            row(&[
                i as f64 * 0.3,
                1.0 - i as f64 * 0.1,
                (i % 7) as f64,
                (i % 3) as f64,
                0.0,
            ])
        })
        .collect();
    for seed in 0..4 {
        let e = shapley(&explained, &inputs, &background, 40, seed, 1, model).expect("explained");
        let total: f64 = e.base[0] + e.contributions.iter().map(|c| c.value[0]).sum::<f64>();
        assert!((total - e.prediction[0]).abs() < 1e-4, "seed {seed}: {e:?}");
        assert_eq!(e.samples, 80);
        assert_eq!(e.evaluations, 80 * 5);
        // The same seed gives the same explanation.
        assert_eq!(
            e,
            shapley(&explained, &inputs, &background, 40, seed, 1, model).expect("again")
        );
    }
}

#[test]
fn bad_calls_are_named() {
    let explained = row(&[1.0, 2.0]);
    assert_eq!(
        shapley(&explained, &[0, 1], &[], 10, 0, 1, model),
        Err(ExplainError::NoBackground)
    );
    assert_eq!(
        shapley(&explained, &[], &[row(&[0.0, 0.0])], 10, 0, 1, model),
        Err(ExplainError::NoColumns)
    );
    let short = |_: &[RawRow]| -> Result<Vec<f32>, String> { Ok(vec![0.0]) };
    let error = shapley(&explained, &[0, 1], &[row(&[0.0, 0.0])], 10, 0, 2, short)
        .expect_err("one output for three rows");
    assert_eq!(
        error,
        ExplainError::Outputs {
            got: 1,
            rows: 3,
            width: 2
        }
    );
}

#[test]
fn explain_cli_explains_a_trained_model() {
    let dir = temp_dir();
    let model = train_sample(
        &dir,
        "penguins.csv",
        "species",
        &["--model", "linear", "--epochs", "20"],
    );
    let penguins = sample("penguins.csv");
    let text = assert_ok(&hearth(&[
        "explain", &model, &penguins, "--row", "5", "--pairs", "30",
    ]));
    assert!(text.starts_with("row 5: P(species = "), "{text}");
    assert!(
        text.contains("base value") && text.contains("prediction"),
        "{text}"
    );
    assert!(
        text.contains("bill_length_mm = ") && text.contains("island = "),
        "{text}"
    );
    let json = assert_ok(&hearth(&[
        "explain", &model, &penguins, "--row", "5", "--pairs", "30", "--json",
    ]));
    let e: Value = serde_json::from_str(&json).expect("--json prints the explanation");
    let classes = e["prediction"].as_array().expect("outputs").len();
    assert_eq!(classes, 3);
    for output in 0..classes {
        let total = e["base"][output].as_f64().expect("base")
            + e["contributions"]
                .as_array()
                .expect("contributions")
                .iter()
                .map(|c| c["value"][output].as_f64().expect("value"))
                .sum::<f64>();
        let prediction = e["prediction"][output].as_f64().expect("prediction");
        assert!(
            (total - prediction).abs() < 1e-4,
            "{total} against {prediction}"
        );
    }
    // The exported file explains the same answer the same way (same seed: same background
    // rows and orders), up to float rounding.
    let onnx = path_of(&dir, "penguins.onnx");
    assert_ok(&hearth(&["export", &model, "--out", &onnx]));
    let json = assert_ok(&hearth(&[
        "explain", &onnx, &penguins, "--row", "5", "--pairs", "30", "--json",
    ]));
    let o: Value = serde_json::from_str(&json).expect("--json prints the explanation");
    let numbers = |v: &Value, key: &str| -> Vec<f64> {
        let mut all = Vec::new();
        for c in v["contributions"].as_array().expect("contributions") {
            all.extend(
                c[key]
                    .as_array()
                    .expect(key)
                    .iter()
                    .map(|x| x.as_f64().expect("a number")),
            );
        }
        all
    };
    for (a, b) in numbers(&e, "value").iter().zip(numbers(&o, "value")) {
        assert!((a - b).abs() < 1e-4, "{a} against {b}");
    }
    let error = assert_one_sentence_error(&hearth(&["explain", &model, &penguins, "--row", "999"]));
    assert!(
        error.contains("--row 999") && error.contains("344"),
        "{error}"
    );
}
