//! No leakage in preprocessing: every statistic (imputation, scaling, encodings, the regression
//! target's scale) comes from the training rows only, shown by poisoning the other rows.

use hearth::data::{Column, ColumnValues, Dataset, Dialect, MISSING_CODE, Task};
use hearth::prep::{DatePart, PrepConfig, Scale, Step, TargetEncoding, fit};

use crate::support::{assert_row_path_matches_batch, config, feature, prepare, step};

fn text_column(name: &str, values: &[Option<&str>]) -> Column {
    let mut dictionary: Vec<String> = Vec::new();
    let codes = values
        .iter()
        .map(|v| match v {
            None => MISSING_CODE,
            Some(v) => match dictionary.iter().position(|d| d == v) {
                Some(i) => i as u32,
                None => {
                    dictionary.push(v.to_string());
                    dictionary.len() as u32 - 1
                }
            },
        })
        .collect();
    Column {
        name: name.to_string(),
        values: ColumnValues::Text { dictionary, codes },
    }
}

fn numeric_column(name: &str, values: Vec<f64>) -> Column {
    Column {
        name: name.to_string(),
        values: ColumnValues::Numeric(values.into()),
    }
}

fn dataset(columns: Vec<Column>) -> Dataset {
    let rows = columns.first().map_or(0, Column::len);
    Dataset {
        source: "synthetic".to_string(),
        dialect: Dialect {
            delimiter: b',',
            has_header: true,
            decimal_comma: false,
        },
        columns,
        rows,
        preview: Vec::new(),
        notes: Vec::new(),
    }
}

fn sorted_median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

fn amount(row: usize) -> f64 {
    (row % 17) as f64 * 2.5 + row as f64 * 0.1
}

/// Builds a mixed dataset of 80 rows whose valid and test rows can be poisoned.
fn leakage_dataset(poison: &[usize]) -> Dataset {
    let n = 80;
    let poisoned = |row: usize| poison.contains(&row);
    let x: Vec<f64> = (0..n)
        .map(|r| {
            if poisoned(r) {
                1e6 + r as f64
            } else if r % 11 == 0 {
                f64::NAN
            } else {
                ((r * 37) % 23) as f64 + 0.5
            }
        })
        .collect();
    let z: Vec<f64> = (0..n)
        .map(|r| {
            if poisoned(r) {
                -5e5
            } else {
                (r % 7) as f64 * 1.5
            }
        })
        .collect();
    let colours = ["red", "green", "blue"];
    let colour: Vec<Option<&str>> = (0..n)
        .map(|r| {
            if poisoned(r) {
                Some("LEAK")
            } else {
                colours.get(r % 3).copied()
            }
        })
        .collect();
    let codes: Vec<String> = (0..n)
        .map(|r| {
            if poisoned(r) {
                "LEAK".to_string()
            } else {
                format!("k{}", r % 13)
            }
        })
        .collect();
    let code: Vec<Option<&str>> = codes.iter().map(|s| Some(s.as_str())).collect();
    let dates: Vec<String> = (0..n)
        .map(|r| {
            if poisoned(r) {
                "2099-12-31".to_string()
            } else {
                format!("20{:02}-{:02}-{:02}", 10 + r % 5, 1 + r % 12, 1 + r % 28)
            }
        })
        .collect();
    let date: Vec<Option<&str>> = dates.iter().map(|s| Some(s.as_str())).collect();
    let y: Vec<Option<&str>> = (0..n)
        .map(|r| Some(if r % 3 == 0 { "yes_class" } else { "no_class" }))
        .collect();
    let amount: Vec<f64> = (0..n)
        .map(|r| if poisoned(r) { 1e9 } else { amount(r) })
        .collect();
    dataset(vec![
        numeric_column("x", x),
        numeric_column("z", z),
        text_column("colour", &colour),
        text_column("code", &code),
        text_column("date", &date),
        text_column("y", &y),
        numeric_column("amount", amount),
    ])
}

#[test]
fn statistics_come_from_the_training_rows_only() {
    let config = config(
        r#"{"one_hot_max": 5, "rare_min_count": 1,
            "columns": {"z": {"impute": "mean", "scale": "min_max"},
                        "code": {"encoding": "frequency"}}}"#,
    );
    let clean = leakage_dataset(&[]);
    let (plan, prepared) = prepare(&clean, "y", Task::BinaryClassification, &config);
    let split = prepared.split.clone();
    let held_out: Vec<usize> = [&split.valid[..], &split.test[..]].concat();
    assert!(!held_out.is_empty());

    // Poison every validation and test row with extreme values and new categories, and fit
    // the same plan again: the split is the same, and so must be every fitted statistic.
    let poisoned = leakage_dataset(&held_out);
    let refit = match fit(&poisoned, &plan, &config) {
        Ok(p) => p,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(refit.split, split);
    assert_eq!(
        refit.pipeline, prepared.pipeline,
        "a statistic depends on validation or test rows"
    );
    assert_row_path_matches_batch(&refit.pipeline, &poisoned);

    // And explicitly: each statistic equals the training rows' one, not the all-rows one.
    let x = poisoned.column("x").map(|c| c.values.clone());
    let Some(ColumnValues::Numeric(x)) = x else {
        panic!("x is numeric");
    };
    let x = x.to_vec();
    let train_x: Vec<f64> = split
        .train
        .iter()
        .map(|&r| x[r])
        .filter(|v| !v.is_nan())
        .collect();
    let all_x: Vec<f64> = x.iter().copied().filter(|v| !v.is_nan()).collect();
    let Step::Numeric(sx) = step(&refit.pipeline, "x") else {
        panic!("numeric step for x");
    };
    let train_median = sorted_median(train_x.clone()) as f32;
    assert_eq!(sx.impute, train_median);
    assert_ne!(sx.impute, sorted_median(all_x.clone()) as f32);
    // The standard scaler sees the imputed training values.
    let imputed: Vec<f64> = split
        .train
        .iter()
        .map(|&r| {
            if x[r].is_nan() {
                f64::from(train_median)
            } else {
                x[r]
            }
        })
        .collect();
    assert!((f64::from(sx.scaler.center) - mean(&imputed)).abs() < 1e-4);
    assert!(f64::from(sx.scaler.center) < 100.0);

    let Step::Numeric(sz) = step(&refit.pipeline, "z") else {
        panic!("numeric step for z");
    };
    assert_eq!(sz.scaler.kind, Scale::MinMax);
    assert_eq!(sz.scaler.center, 0.0, "min of training z, not -5e5");
    assert_eq!(sz.low, 0.0);

    let Step::OneHot(colour) = step(&refit.pipeline, "colour") else {
        panic!("one-hot colour");
    };
    assert_eq!(colour.categories, ["blue", "green", "red"]);
    let Step::Frequency(code) = step(&refit.pipeline, "code") else {
        panic!("frequency code");
    };
    assert!(!code.categories.iter().any(|c| c == "LEAK"));
    let total: f32 = code.frequencies.iter().sum();
    assert!((total - 1.0).abs() < 1e-5, "shares of the training rows");
    let Step::Date(date) = step(&refit.pipeline, "date") else {
        panic!("date step");
    };
    let year = date.parts.iter().find(|p| p.part == DatePart::Year);
    assert!(year.is_some_and(|p| p.scaler.center < 2015.0 && p.impute < 2015.0));

    // A poisoned category at inference is simply unseen.
    let matrix = match refit.pipeline.transform_dataset(&poisoned, &split.test) {
        Ok(m) => m,
        Err(e) => panic!("{e}"),
    };
    let other = feature(&refit.pipeline, "colour=(other)");
    assert!((0..matrix.rows).all(|r| matrix.row(r).get(other) == Some(&1.0)));
}

#[test]
fn the_regression_target_is_scaled_with_training_rows_only() {
    let clean = leakage_dataset(&[]);
    let config = PrepConfig::default();
    let (plan, prepared) = prepare(&clean, "amount", Task::Regression, &config);
    let split = &prepared.split;
    let held_out: Vec<usize> = [&split.valid[..], &split.test[..]].concat();
    let poisoned = leakage_dataset(&held_out);
    let refit = match fit(&poisoned, &plan, &config) {
        Ok(p) => p,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(&refit.split, split);
    assert_eq!(refit.pipeline, prepared.pipeline);
    let TargetEncoding::Regression { mean: m, .. } = refit.pipeline.target_encoding else {
        panic!("regression");
    };
    let train: Vec<f64> = split.train.iter().map(|&r| amount(r)).collect();
    assert!((f64::from(m) - mean(&train)).abs() < 1e-3);
}
