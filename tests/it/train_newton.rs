//! Newton's method for the linear model: it lands on the minimum of the trainer's own
//! objective (mean row loss + weight_decay / 2 · ‖W‖²), as autodiff measures its gradient, on
//! every head; squared error in one step; pruned weights stay at zero; and the search's
//! linear family uses it.

use hearth::compute;
use hearth::data::Task;
use hearth::prep::Prepared;
use hearth::search::{ParamValue, Params, names, train_config};
use hearth::train::{
    ModelKind, OptimizerKind, RegressionLoss, TrainConfig, Trainer, TrainingData, Weights,
    loss_and_gradient,
};

use crate::support::{assert_ok, hearth, mlp, ok, prepared, temp_dir, train};

const WEIGHT_DECAY: f64 = 1e-3;

fn newton(loss: RegressionLoss, class_weights: bool) -> TrainConfig {
    TrainConfig {
        model: ModelKind::Linear,
        optimizer: OptimizerKind::Newton,
        weight_decay: WEIGHT_DECAY,
        loss,
        class_weights,
        ..TrainConfig::default()
    }
}

/// A trainer on the CPU over the data's training and validation rows.
fn trainer(prepared: &Prepared, data: &TrainingData, config: &TrainConfig) -> Trainer {
    ok(Trainer::new(
        compute::init_cpu(),
        &prepared.pipeline,
        data.train.clone(),
        data.valid.clone(),
        config,
    ))
}

/// The largest entry of the objective's gradient at `weights` on the training rows: the
/// autodiff gradient of the mean loss plus the penalty's `weight_decay · w` on the weights.
fn objective_gradient(
    prepared: &Prepared,
    data: &TrainingData,
    config: &TrainConfig,
    weights: &Weights,
) -> f64 {
    let (_, gradient) = ok(pollster::block_on(loss_and_gradient(
        &compute::init_cpu(),
        &prepared.pipeline,
        config,
        weights,
        &data.train,
    )));
    let (layer, grad) = (&weights.dense[0], &gradient.dense[0]);
    let weights_part = layer
        .weight
        .iter()
        .zip(&grad.weight)
        .map(|(&w, &g)| (f64::from(g) + config.weight_decay * f64::from(w)).abs());
    let bias_part = grad.bias.iter().map(|&g| f64::from(g).abs());
    weights_part.chain(bias_part).fold(0.0, f64::max)
}

#[test]
fn newton_lands_on_the_minimum_of_every_head() {
    let cases = [
        (
            "diabetes.csv",
            "progression",
            Task::Regression,
            RegressionLoss::Mse,
            false,
        ),
        (
            "diabetes.csv",
            "progression",
            Task::Regression,
            RegressionLoss::Huber { delta: 0.5 },
            false,
        ),
        (
            "penguins.csv",
            "sex",
            Task::BinaryClassification,
            RegressionLoss::Mse,
            false,
        ),
        (
            "penguins.csv",
            "species",
            Task::MulticlassClassification,
            RegressionLoss::Mse,
            true,
        ),
        (
            "iris.csv",
            "species",
            Task::MulticlassClassification,
            RegressionLoss::Mse,
            false,
        ),
    ];
    for (name, target, task, loss, class_weights) in cases {
        let (prepared, data) = prepared(name, target, task);
        let config = newton(loss, class_weights);
        let (trainer, reports) = train(&prepared, &data, &config);
        let weights = ok(pollster::block_on(trainer.best_weights()));
        let start = Weights {
            dense: vec![hearth::train::DenseWeights {
                weight: vec![0.0; weights.dense[0].weight.len()],
                bias: vec![0.0; weights.dense[0].bias.len()],
                ..weights.dense[0].clone()
            }],
            ..weights.clone()
        };
        let before = objective_gradient(&prepared, &data, &config, &start);
        let after = objective_gradient(&prepared, &data, &config, &weights);
        let case = format!("{name} → {target} ({loss:?}, class weights {class_weights})");
        assert!(
            after <= 1e-4 * before.max(1.0),
            "{case}: gradient {after} at the end, {before} at zero"
        );
        let reason = trainer.finished_reason().unwrap_or_default();
        assert!(
            reason.contains("Newton's method converged"),
            "{case}: {reason}"
        );
        if matches!(task, Task::Regression) && loss == RegressionLoss::Mse {
            assert_eq!(
                reports.len(),
                1,
                "{case}: squared error is solved in one step"
            );
        } else {
            assert!(reports.len() <= 20, "{case}: {} epochs", reports.len());
        }
        // Every epoch's objective is lower than the last's (the line search's promise).
        for pair in reports.windows(2) {
            assert!(
                pair[1].train_loss <= pair[0].train_loss + 1e-9,
                "{case}: {reports:?}"
            );
        }
    }
}

#[test]
fn newton_holds_pruned_weights_at_zero() {
    let (prepared, data) = prepared("diabetes.csv", "progression", Task::Regression);
    let config = newton(RegressionLoss::Mse, false);
    let mut trainer = trainer(&prepared, &data, &config);
    let inputs = data.train.features.cols;
    let mask: Vec<f32> = (0..inputs).map(|i| (i % 2) as f32).collect();
    ok(trainer.set_weight_masks(std::slice::from_ref(&mask)));
    while !trainer.done() {
        ok(pollster::block_on(trainer.next_epoch()));
    }
    let weights = ok(pollster::block_on(trainer.best_weights()));
    for (i, (&w, &m)) in weights.dense[0].weight.iter().zip(&mask).enumerate() {
        if m == 0.0 {
            assert_eq!(w, 0.0, "pruned weight {i} moved");
        } else {
            assert!(w != 0.0, "kept weight {i} is zero");
        }
    }
    // The kept weights are the best fit given the pruned ones: their gradient is zero.
    let (_, gradient) = ok(pollster::block_on(loss_and_gradient(
        &compute::init_cpu(),
        &prepared.pipeline,
        &config,
        &weights,
        &data.train,
    )));
    let kept = gradient.dense[0]
        .weight
        .iter()
        .zip(&weights.dense[0].weight)
        .zip(&mask)
        .filter(|(_, m)| **m == 1.0)
        .map(|((&g, &w), _)| (f64::from(g) + WEIGHT_DECAY * f64::from(w)).abs())
        .fold(0.0, f64::max);
    assert!(kept < 1e-4, "kept weights' gradient {kept}");
}

#[test]
fn newton_is_the_linear_models_and_the_searchs_linear_family_uses_it() {
    let config = TrainConfig {
        model: mlp(&[8]),
        optimizer: OptimizerKind::Newton,
        ..TrainConfig::default()
    };
    let error = config.validate().unwrap_err().to_string();
    assert!(
        error.contains("optimizer") && error.contains("linear model"),
        "{error}"
    );

    let mut params = Params::new();
    params.insert(
        names::MODEL.to_string(),
        ParamValue::Text("linear".to_string()),
    );
    params.insert(names::WEIGHT_DECAY.to_string(), ParamValue::Float(0.01));
    let linear = ok(train_config(&params, &TrainConfig::default(), 3));
    assert_eq!(linear.optimizer, OptimizerKind::Newton);
    assert_eq!(linear.weight_decay, 0.01);
    params.insert(
        names::MODEL.to_string(),
        ParamValue::Text("mlp".to_string()),
    );
    let network = ok(train_config(&params, &TrainConfig::default(), 3));
    assert_eq!(network.optimizer, TrainConfig::default().optimizer);
}

#[test]
fn hearth_train_fits_a_linear_model_by_newtons_method() {
    let dir = temp_dir();
    let model = crate::support::path_of(&dir, "linear.hearth");
    let file = crate::support::sample("diabetes.csv");
    let output = hearth(&[
        "train",
        &file,
        "--target",
        "progression",
        "--model",
        "linear",
        "--optimizer",
        "newton",
        "--device",
        "auto",
        "--out",
        &model,
    ]);
    let text = assert_ok(&output);
    assert!(text.contains("Newton's method trains on the CPU"), "{text}");
    assert!(text.contains("converged in 1 epoch;"), "{text}");
    let refused = hearth(&[
        "train",
        &file,
        "--target",
        "progression",
        "--hidden",
        "8",
        "--optimizer",
        "newton",
        "--out",
        &model,
    ]);
    let message = crate::support::assert_one_sentence_error(&refused);
    assert!(
        message.contains("Newton's method fits the linear model"),
        "{message}"
    );
}

/// Cross-validation's folds keep one epoch together (`judge_outside`): an epoch is kept only
/// when the caller says so, and patience no longer stops a fold on its own.
#[test]
fn a_fold_judged_outside_keeps_the_epoch_it_is_told_to() {
    let (prepared, data) = prepared("diabetes.csv", "progression", Task::Regression);
    let config = TrainConfig {
        model: mlp(&[8]),
        epochs: 6,
        patience: 1,
        learning_rate: 0.5,
        ..TrainConfig::default()
    };
    let mut trainer = trainer(&prepared, &data, &config);
    trainer.judge_outside();
    ok(pollster::block_on(trainer.next_epoch()));
    assert!(
        trainer.best().is_none(),
        "nothing is kept before the caller keeps it"
    );
    trainer.keep_latest();
    let kept = ok(pollster::block_on(trainer.predict_valid())).expect("validation rows");
    while !trainer.done() {
        ok(pollster::block_on(trainer.next_epoch()));
    }
    assert_eq!(
        trainer.epoch(),
        6,
        "patience does not stop a fold judged outside"
    );
    let best = trainer.best().expect("the kept epoch");
    assert_eq!((best.epoch, best.best_epoch, best.is_best), (1, 1, true));
    let still = ok(pollster::block_on(trainer.predict_valid())).expect("validation rows");
    assert_eq!(kept, still, "the model is still epoch 1's");
    trainer.keep_latest();
    assert_eq!(trainer.best().map(|best| best.epoch), Some(6));
}
