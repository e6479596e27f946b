//! Each model family learns on the bundled datasets and reaches a bar computed here from a
//! simple baseline: closed-form least squares for `diabetes.csv`, plain softmax / logistic
//! regression by full-batch gradient descent (implemented below) for the classification sets,
//! and the majority class.

use hearth::data::Task;
use hearth::prep::{Prepared, Targets};
use hearth::train::{
    Activation, Examples, Metrics, ModelKind, OptimizerKind, RegressionLoss, Schedule, TrainConfig,
    TrainingData, metrics,
};

use crate::support::{mlp, prepared, train};

fn classes_of(examples: &Examples) -> &[u32] {
    match &examples.targets {
        Targets::Classes(c) => c,
        Targets::Values(_) => panic!("expected classes"),
    }
}

fn values_of(examples: &Examples) -> &[f32] {
    match &examples.targets {
        Targets::Values(v) => v,
        Targets::Classes(_) => panic!("expected values"),
    }
}

fn test_set(data: &TrainingData) -> &Examples {
    match &data.test {
        Some(t) => t,
        None => panic!("no test split"),
    }
}

/// Softmax regression by full-batch gradient descent (f64), then its class probabilities on
/// `test`.
fn softmax_baseline(train: &Examples, test: &Examples, classes: usize) -> Vec<f32> {
    let d = train.features.cols;
    let labels = classes_of(train);
    let n = labels.len() as f64;
    let mut w = vec![0.0f64; d * classes];
    let mut b = vec![0.0f64; classes];
    let probs = |w: &[f64], b: &[f64], x: &[f32]| -> Vec<f64> {
        let z: Vec<f64> = (0..classes)
            .map(|k| {
                b[k] + (0..d)
                    .map(|i| f64::from(x[i]) * w[i * classes + k])
                    .sum::<f64>()
            })
            .collect();
        let max = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let e: Vec<f64> = z.iter().map(|v| (v - max).exp()).collect();
        let s: f64 = e.iter().sum();
        e.iter().map(|v| v / s).collect()
    };
    for _ in 0..400 {
        let mut gw = vec![0.0f64; d * classes];
        let mut gb = vec![0.0f64; classes];
        for (r, &label) in labels.iter().enumerate() {
            let x = train.features.row(r);
            let p = probs(&w, &b, x);
            for k in 0..classes {
                let g = p[k] - if k == label as usize { 1.0 } else { 0.0 };
                gb[k] += g / n;
                for i in 0..d {
                    gw[i * classes + k] += g * f64::from(x[i]) / n;
                }
            }
        }
        for (v, g) in w.iter_mut().zip(&gw) {
            *v -= 0.5 * g;
        }
        for (v, g) in b.iter_mut().zip(&gb) {
            *v -= 0.5 * g;
        }
    }
    (0..test.rows())
        .flat_map(|r| probs(&w, &b, test.features.row(r)))
        .map(|p| p as f32)
        .collect()
}

fn majority_accuracy(train: &Examples, test: &Examples, classes: usize) -> f64 {
    let mut counts = vec![0usize; classes];
    for &c in classes_of(train) {
        counts[c as usize] += 1;
    }
    let majority = (0..classes).max_by_key(|&c| counts[c]).unwrap_or(0) as u32;
    let test_labels = classes_of(test);
    test_labels.iter().filter(|&&c| c == majority).count() as f64 / test_labels.len() as f64
}

/// Least squares with an intercept (normal equations, Gaussian elimination with partial
/// pivoting) on the standardised target; predictions on `test`, standardised.
#[allow(clippy::needless_range_loop)]
fn least_squares(train: &Examples, test: &Examples) -> Vec<f32> {
    let d = train.features.cols + 1;
    let y = values_of(train);
    let row = |m: &Examples, r: usize| -> Vec<f64> {
        std::iter::once(1.0)
            .chain(m.features.row(r).iter().map(|&v| f64::from(v)))
            .collect()
    };
    let mut a = vec![vec![0.0f64; d + 1]; d];
    for (r, &target) in y.iter().enumerate() {
        let x = row(train, r);
        for i in 0..d {
            for j in 0..d {
                a[i][j] += x[i] * x[j];
            }
            a[i][d] += x[i] * f64::from(target);
        }
    }
    for (i, line) in a.iter_mut().enumerate() {
        line[i] += 1e-9;
    }
    for col in 0..d {
        let pivot = (col..d)
            .max_by(|&p, &q| a[p][col].abs().total_cmp(&a[q][col].abs()))
            .unwrap_or(col);
        a.swap(col, pivot);
        for r in 0..d {
            if r != col {
                let f = a[r][col] / a[col][col];
                for c in col..=d {
                    a[r][c] -= f * a[col][c];
                }
            }
        }
    }
    let beta: Vec<f64> = (0..d).map(|i| a[i][d] / a[i][i]).collect();
    (0..test.rows())
        .map(|r| {
            row(test, r)
                .iter()
                .zip(&beta)
                .map(|(x, b)| x * b)
                .sum::<f64>() as f32
        })
        .collect()
}

fn classification(metrics: &Metrics) -> &metrics::ClassificationMetrics {
    match metrics {
        Metrics::Classification(m) => m,
        Metrics::Regression(_) => panic!("expected classification metrics"),
    }
}

fn regression(metrics: &Metrics) -> &metrics::RegressionMetrics {
    match metrics {
        Metrics::Regression(m) => m,
        Metrics::Classification(_) => panic!("expected regression metrics"),
    }
}

fn test_metrics(
    prepared: &Prepared,
    data: &TrainingData,
    config: &TrainConfig,
) -> (Metrics, usize) {
    let (trainer, reports) = train(prepared, data, config);
    let metrics = match pollster::block_on(trainer.evaluate(test_set(data))) {
        Ok(m) => m,
        Err(e) => panic!("{e}"),
    };
    (metrics, reports.len())
}

/// Both families on a multiclass dataset against softmax regression and the majority class.
fn multiclass_learns(name: &str) {
    let (prepared, data) = prepared(name, "species", Task::MulticlassClassification);
    let test = test_set(&data);
    let baseline_probs = softmax_baseline(&data.train, test, 3);
    let baseline =
        metrics::classification_metrics(&baseline_probs, 3, classes_of(test), 3).accuracy;
    let majority = majority_accuracy(&data.train, test, 3);
    // One test row of the ~25-50 is 2-4 points: the bar allows two rows below the baseline.
    let bar = (baseline - 2.0 / test.rows() as f64).max(majority + 0.3);
    for model in [ModelKind::Linear, mlp(&[16])] {
        let config = TrainConfig {
            learning_rate: if model == ModelKind::Linear {
                0.03
            } else {
                0.01
            },
            model: model.clone(),
            batch_size: 32,
            epochs: 60,
            patience: 15,
            ..TrainConfig::default()
        };
        let (metrics, epochs) = test_metrics(&prepared, &data, &config);
        let m = classification(&metrics);
        eprintln!(
            "{name} {}: test accuracy {:.4} (baseline {baseline:.4}, majority {majority:.4}) after {epochs} epochs",
            model.label(),
            m.accuracy
        );
        assert!(
            m.accuracy >= bar,
            "{name} {}: {m:?} below {bar}",
            model.label()
        );
        assert!(m.log_loss < 0.5, "{name} {}: {m:?}", model.label());
    }
}

#[test]
fn both_families_learn_iris() {
    multiclass_learns("iris.csv");
}

#[test]
fn both_families_learn_penguins() {
    multiclass_learns("penguins.csv");
}

#[test]
fn both_families_learn_the_sex_of_penguins_with_class_weights() {
    let (prepared, data) = prepared("penguins.csv", "sex", Task::BinaryClassification);
    let test = test_set(&data);
    let baseline_probs = softmax_baseline(&data.train, test, 2);
    let p1: Vec<f32> = baseline_probs.chunks(2).map(|p| p[1]).collect();
    let baseline = metrics::classification_metrics(&p1, 1, classes_of(test), 2);
    let baseline_auc = baseline.roc_auc.unwrap_or(0.5);
    for model in [ModelKind::Linear, mlp(&[16, 8])] {
        let config = TrainConfig {
            learning_rate: if model == ModelKind::Linear {
                0.03
            } else {
                0.01
            },
            model: model.clone(),
            batch_size: 32,
            epochs: 60,
            patience: 15,
            class_weights: true,
            ..TrainConfig::default()
        };
        let (metrics, epochs) = test_metrics(&prepared, &data, &config);
        let m = classification(&metrics);
        eprintln!(
            "sex {}: test accuracy {:.4} auc {:?} (baseline accuracy {:.4} auc {baseline_auc:.4}) after {epochs} epochs",
            model.label(),
            m.accuracy,
            m.roc_auc,
            baseline.accuracy
        );
        assert!(m.roc_auc.unwrap_or(0.0) >= baseline_auc - 0.03, "{m:?}");
        assert!(m.accuracy >= baseline.accuracy - 0.06, "{m:?}");
        assert_eq!(m.confusion.len(), 2);
    }
}

#[test]
fn both_families_approach_least_squares_on_diabetes() {
    let (prepared, data) = prepared("diabetes.csv", "progression", Task::Regression);
    let test = test_set(&data);
    let decode = |v: &[f32]| -> Vec<f64> {
        v.iter()
            .map(|&y| prepared.pipeline.decode_value(y))
            .collect()
    };
    let baseline = metrics::regression_metrics(
        &decode(&least_squares(&data.train, test)),
        &decode(values_of(test)),
    );
    // The linear model trains every epoch (its validation RMSE is noisy on 66 rows, and early
    // stopping would end it before it converges); the MLPs stop early.
    for (model, loss, patience, slack) in [
        (ModelKind::Linear, RegressionLoss::Mse, 0, 1.05),
        (mlp(&[16]), RegressionLoss::Mse, 15, 1.08),
        (mlp(&[16]), RegressionLoss::Huber { delta: 1.0 }, 15, 1.08),
    ] {
        let config = TrainConfig {
            model: model.clone(),
            loss,
            learning_rate: 0.01,
            batch_size: 32,
            epochs: 80,
            patience,
            ..TrainConfig::default()
        };
        let (trainer, reports) = train(&prepared, &data, &config);
        let epochs = reports.len();
        let metrics = match pollster::block_on(trainer.evaluate(test)) {
            Ok(m) => m,
            Err(e) => panic!("{e}"),
        };
        if model == ModelKind::Linear {
            // The last epoch's weights (not the best validation epoch's) have converged to
            // the least-squares solution.
            let weights = match pollster::block_on(trainer.current_weights()) {
                Ok(w) => w,
                Err(e) => panic!("{e}"),
            };
            let layer = &weights.dense[0];
            let predicted: Vec<f32> = (0..test.rows())
                .map(|r| {
                    let x = test.features.row(r);
                    layer.bias[0] + x.iter().zip(&layer.weight).map(|(a, b)| a * b).sum::<f32>()
                })
                .collect();
            let last = metrics::regression_metrics(&decode(&predicted), &decode(values_of(test)));
            eprintln!("diabetes linear, last epoch: test rmse {:.3}", last.rmse);
            assert!(
                last.rmse <= baseline.rmse * 1.01,
                "{last:?} vs {baseline:?}"
            );
        }
        let m = regression(&metrics);
        eprintln!(
            "diabetes {} {loss:?}: test rmse {:.3} r2 {:.4} (least squares rmse {:.3} r2 {:.4}) after {epochs} epochs",
            model.label(),
            m.rmse,
            m.r2,
            baseline.rmse,
            baseline.r2
        );
        assert!(m.rmse <= baseline.rmse * slack, "{m:?} vs {baseline:?}");
        assert!(m.r2 >= baseline.r2 - 0.06, "{m:?} vs {baseline:?}");
    }
}

/// Every optimiser, schedule, activation, layer norm and dropout trains without error and
/// lowers the training loss on iris.
#[test]
fn every_option_trains() {
    let (prepared, data) = prepared("iris.csv", "species", Task::MulticlassClassification);
    let configs = [
        (
            OptimizerKind::Adam,
            Schedule::Constant,
            Activation::Gelu,
            true,
            0.2,
        ),
        (
            OptimizerKind::AdamW,
            Schedule::Cosine,
            Activation::Tanh,
            false,
            0.0,
        ),
        (
            OptimizerKind::Sgd { momentum: 0.9 },
            Schedule::Step {
                every_epochs: 5,
                gamma: 0.5,
            },
            Activation::Relu,
            true,
            0.1,
        ),
        (
            OptimizerKind::Sgd { momentum: 0.0 },
            Schedule::Cosine,
            Activation::Relu,
            false,
            0.0,
        ),
    ];
    for (optimizer, schedule, activation, layer_norm, dropout) in configs {
        let config = TrainConfig {
            model: ModelKind::Mlp(hearth::train::MlpSettings {
                hidden: vec![16, 16],
                activation,
                dropout,
                layer_norm,
            }),
            optimizer,
            schedule,
            learning_rate: if matches!(optimizer, OptimizerKind::Sgd { .. }) {
                0.1
            } else {
                0.01
            },
            warmup_epochs: 2,
            batch_size: 16,
            epochs: 15,
            patience: 0,
            ..TrainConfig::default()
        };
        let (trainer, reports) = train(&prepared, &data, &config);
        assert_eq!(reports.len(), 15);
        let first = reports[0].train_loss;
        let last = reports[14].train_loss;
        assert!(
            last < first * 0.8,
            "{optimizer:?} {schedule:?} {activation:?}: loss {first} → {last}"
        );
        // Warm-up: the first epoch's last step is at 1/2 of the peak rate (7 steps of 14).
        assert!(reports[0].learning_rate < config.learning_rate * 0.6);
        let best = trainer.best().map_or(0.0, |b| {
            b.valid_metrics
                .as_ref()
                .map_or(0.0, |m| classification(m).accuracy)
        });
        assert!(best > 0.6, "{optimizer:?}: best valid accuracy {best}");
    }
}
