//! Compression: exact sparsity, masks that survive fine-tuning, quantization error bounds and
//! the comparison report.

use hearth::compress::{
    self, AffineParams, Calibration, CompressError, CompressedNetwork, DenseStorage,
    EvaluationRows, Granularity, Int8Matrix, PruneMask, PruneScope, PruneSettings, Pruner,
    Quantization, WEIGHT_LIMIT, magnitude_prune,
};
use hearth::data::Task;
use hearth::train::{Architecture, ModelFile, TrainConfig, Trainer, Weights};

use crate::support::{mlp, ok, prepared, train};

fn random_weights() -> Weights {
    Weights::init(&Architecture::new(&mlp(&[17, 9]), 13, 3), 4)
}

#[test]
fn pruning_removes_exactly_the_requested_share_of_the_smallest_weights() {
    let weights = random_weights();
    let total: usize = weights.dense.iter().map(|d| d.weight.len()).sum();
    for sparsity in [0.0, 0.1, 0.37, 0.5, 0.9, 0.99] {
        let (pruned, mask) = ok(magnitude_prune(
            &weights,
            sparsity,
            PruneScope::Global,
            None,
        ));
        let expected = (sparsity * total as f64).round() as usize;
        assert_eq!(mask.pruned(), expected, "{sparsity}");
        let zeros = pruned
            .dense
            .iter()
            .flat_map(|d| &d.weight)
            .filter(|w| **w == 0.0)
            .count();
        assert_eq!(zeros, expected);
        // Every removed weight is at most as large as every kept one.
        let removed_max = weights
            .dense
            .iter()
            .zip(&mask.kept)
            .flat_map(|(d, k)| d.weight.iter().zip(k).filter(|(_, k)| !**k))
            .fold(0.0f32, |m, (w, _)| m.max(w.abs()));
        let kept_min = weights
            .dense
            .iter()
            .zip(&mask.kept)
            .flat_map(|(d, k)| d.weight.iter().zip(k).filter(|(_, k)| **k))
            .fold(f32::INFINITY, |m, (w, _)| m.min(w.abs()));
        assert!(removed_max <= kept_min, "{sparsity}");
        // Biases are never pruned.
        for (a, b) in pruned.dense.iter().zip(&weights.dense) {
            assert_eq!(a.bias, b.bias);
        }
    }
    let (_, mask) = ok(magnitude_prune(&weights, 0.6, PruneScope::PerLayer, None));
    for (layer, kept) in weights.dense.iter().zip(&mask.kept) {
        let removed = kept.iter().filter(|k| !**k).count();
        assert_eq!(removed, (0.6 * layer.weight.len() as f64).round() as usize);
    }
}

#[test]
fn gradual_pruning_only_adds_to_the_mask() {
    let weights = random_weights();
    let settings = PruneSettings {
        sparsity: 0.8,
        stages: 4,
        ..PruneSettings::default()
    };
    let mut mask: Option<PruneMask> = None;
    let mut current = weights;
    let mut last = 0.0;
    for stage in 1..=4 {
        let target = settings.sparsity_at(stage);
        assert!(target > last);
        let (pruned, next) = ok(magnitude_prune(
            &current,
            target,
            PruneScope::Global,
            mask.as_ref(),
        ));
        if let Some(previous) = &mask {
            for (a, b) in previous
                .kept
                .iter()
                .flatten()
                .zip(next.kept.iter().flatten())
            {
                assert!(*a || !*b, "a removed weight came back");
            }
        }
        current = pruned;
        mask = Some(next);
        last = target;
    }
    assert_eq!(last, 0.8);
}

#[test]
fn bad_settings_name_the_setting() {
    let weights = random_weights();
    let error = magnitude_prune(&weights, 1.0, PruneScope::Global, None).err();
    assert_eq!(error, Some(CompressError::Sparsity { sparsity: 1.0 }));
    let message = PruneSettings {
        stages: 0,
        ..PruneSettings::default()
    }
    .validate()
    .err()
    .map(|e| e.to_string())
    .unwrap_or_default();
    assert!(message.contains("\"stages\""), "{message}");
    let message = Quantization::StaticInt8 {
        granularity: Granularity::PerChannel,
        calibration: Calibration::Percentile { percentile: 20.0 },
    }
    .validate()
    .err()
    .map(|e| e.to_string())
    .unwrap_or_default();
    assert!(message.contains("\"percentile\""), "{message}");
    let static_int8 = Quantization::StaticInt8 {
        granularity: Granularity::PerChannel,
        calibration: Calibration::MinMax,
    };
    assert_eq!(
        CompressedNetwork::new(&random_weights(), static_int8, None).err(),
        Some(CompressError::NoCalibration)
    );
}

#[test]
fn quantization_errors_stay_within_half_a_step() {
    let weights = random_weights();
    for granularity in [Granularity::PerChannel, Granularity::PerTensor] {
        for layer in &weights.dense {
            let matrix = Int8Matrix::quantize(layer, granularity);
            assert_eq!(
                matrix.scales.len(),
                match granularity {
                    Granularity::PerChannel => layer.outputs,
                    Granularity::PerTensor => 1,
                }
            );
            let dequantized = matrix.dequantized();
            for (index, (w, d)) in layer.weight.iter().zip(&dequantized).enumerate() {
                let scale = matrix.scale(index % layer.outputs);
                assert!((w - d).abs() <= scale / 2.0 * 1.0001, "{w} {d} {scale}");
            }
            assert!(
                matrix
                    .values
                    .iter()
                    .all(|v| v.unsigned_abs() <= WEIGHT_LIMIT as u8)
            );
            // The largest weight of each channel uses the full range.
            assert!(
                matrix
                    .values
                    .iter()
                    .any(|v| v.unsigned_abs() == WEIGHT_LIMIT as u8)
            );
        }
    }
    let fp16 = ok(CompressedNetwork::new(
        &weights,
        Quantization::Float16,
        None,
    ));
    for (a, b) in fp16.effective.values().zip(weights.values()) {
        assert!((a - b).abs() <= b.abs() * 2f32.powi(-11) + 1e-7, "{a} {b}");
    }
    assert!(matches!(fp16.storage[0], DenseStorage::Float16 { .. }));
    let params = AffineParams::from_range(-1.5, 4.0);
    assert_eq!(params.dequantize(params.zero_point), 0.0);
    for k in 0..=100 {
        let x = -1.5 + 5.5 * k as f32 / 100.0;
        let error = (params.dequantize(params.quantize(x)) - x).abs();
        assert!(error <= params.scale / 2.0 * 1.0001, "{x} {error}");
    }
    // Ranges always contain zero, so zero is exact.
    let positive = AffineParams::from_range(2.0, 3.0);
    assert_eq!(positive.zero_point, 0);
    assert_eq!(positive.dequantize(positive.quantize(0.0)), 0.0);
}

fn penguins_model(hidden: Vec<usize>) -> (ModelFile, hearth::train::TrainingData) {
    let (prepared, data) = prepared("penguins.csv", "species", Task::MulticlassClassification);
    let config = TrainConfig {
        model: mlp(&hidden),
        epochs: 20,
        batch_size: 32,
        learning_rate: 0.01,
        seed: 3,
        ..TrainConfig::default()
    };
    let (trainer, _) = train(&prepared, &data, &config);
    let test = data
        .test
        .as_ref()
        .map(|t| ok(pollster::block_on(trainer.test(t))));
    let model = ok(pollster::block_on(ModelFile::from_trainer(
        &trainer, test, None,
    )));
    (model, data)
}

#[test]
fn fine_tuning_keeps_pruned_weights_at_zero() {
    let (model, data) = penguins_model(vec![24, 12]);
    // The trainer hook directly: pruned weights stay zero, the others move.
    let (pruned, mask) = ok(magnitude_prune(
        model.weights().unwrap(),
        0.7,
        PruneScope::Global,
        None,
    ));
    let config = TrainConfig {
        epochs: 3,
        ..model.config.clone()
    };
    let mut trainer = ok(Trainer::with_weights(
        hearth::compute::init_cpu(),
        &model.pipeline,
        data.train.clone(),
        data.valid.clone(),
        &config,
        &pruned,
    ));
    ok(trainer.set_weight_masks(&mask.factors()));
    while !trainer.done() {
        ok(pollster::block_on(trainer.next_epoch()));
    }
    let after = ok(pollster::block_on(trainer.current_weights()));
    let mut moved = 0;
    for ((layer, before), kept) in after.dense.iter().zip(&pruned.dense).zip(&mask.kept) {
        for ((w, b), k) in layer.weight.iter().zip(&before.weight).zip(kept) {
            if !k {
                assert_eq!(*w, 0.0, "a pruned weight moved");
            } else if w != b {
                moved += 1;
            }
        }
    }
    assert!(moved > 0, "fine-tuning changed nothing");
    assert!(trainer.set_weight_masks(&[vec![1.0; 3]]).is_err());

    // The gradual pruner: exact final sparsity, a curve point per stage.
    let settings = PruneSettings {
        sparsity: 0.75,
        scope: PruneScope::PerLayer,
        stages: 3,
        fine_tune_epochs: 2,
        ..PruneSettings::default()
    };
    let mut pruner = ok(Pruner::new(
        hearth::compute::init_cpu(),
        &model,
        data.train.clone(),
        data.valid.clone(),
        &settings,
    ));
    let mut stages = Vec::new();
    while !pruner.done() {
        stages.push(ok(pollster::block_on(pruner.next_stage())));
    }
    assert_eq!(stages.len(), 3);
    assert!(stages.windows(2).all(|w| w[0].sparsity < w[1].sparsity));
    assert!(
        stages
            .iter()
            .all(|s| s.epochs == 2 && s.valid_metrics.is_some())
    );
    let final_weights = pruner.model().weights().unwrap();
    for (layer, kept) in final_weights.dense.iter().zip(&pruner.mask().kept) {
        let zeros = layer.weight.iter().filter(|w| **w == 0.0).count();
        assert_eq!(zeros, (0.75 * layer.weight.len() as f64).round() as usize);
        assert!(layer.weight.iter().zip(kept).all(|(w, k)| *k || *w == 0.0));
    }
    assert_eq!(pruner.curve().len(), 3);
    assert!(pruner.curve().iter().all(|p| p.fine_tuned));
}

#[test]
fn the_report_compares_every_variant_with_float32() {
    // ≥ 10k parameters: 13·128 + 128 + 128·64 + 64 + 64·3 + 3.
    let (model, data) = penguins_model(vec![128, 64]);
    assert!(model.weights().unwrap().architecture.parameters() >= 10_000);
    let variants = [
        Quantization::None,
        Quantization::Float16,
        Quantization::DynamicInt8 {
            granularity: Granularity::PerChannel,
        },
        Quantization::StaticInt8 {
            granularity: Granularity::PerChannel,
            calibration: Calibration::MinMax,
        },
    ];
    let report = ok(hearth::export::compare(
        &model,
        &variants,
        Some(&data.train.features),
        EvaluationRows {
            valid: data.valid.as_deref(),
            test: data.test.as_deref(),
        },
    ))
    .report;
    assert_eq!(report.variants.len(), 4);
    assert_eq!(
        report.parameters,
        model.weights().unwrap().architecture.parameters()
    );
    let fp32 = &report.variants[0];
    assert_eq!(fp32.size_ratio, 1.0);
    assert_eq!(fp32.max_output_difference, 0.0);
    assert_eq!(fp32.argmax_agreement, Some(1.0));
    // The float32 row reproduces burn's test metrics.
    assert_eq!(
        fp32.test_metrics.as_ref().map(|m| compress::headline(m).1),
        model.test_metrics.as_ref().map(|m| compress::headline(m).1)
    );
    let rows = data.valid.as_deref().map_or(0, |v| v.rows())
        + data.test.as_deref().map_or(0, |t| t.rows());
    for variant in &report.variants {
        assert_eq!(variant.rows_compared, rows);
        assert!(variant.valid_metrics.is_some() && variant.test_metrics.is_some());
        assert!(variant.mean_output_difference <= variant.max_output_difference);
        assert!(
            variant.argmax_agreement.is_some_and(|a| a >= 0.99),
            "{variant:?}"
        );
    }
    let fp16 = &report.variants[1];
    assert!(
        fp16.size_ratio < 0.6 && fp16.max_output_difference < 1e-2,
        "{fp16:?}"
    );
    // int8 stores each dense weight in one byte instead of four: the file shrinks by at least
    // 70 % of the float32 weights' bytes. (The whole file's ratio also carries the fixed
    // preprocessing graph, about 9 KB here, so it is 0.4 at 10k parameters.)
    let dense_bytes: usize = model
        .weights()
        .unwrap()
        .dense
        .iter()
        .map(|d| 4 * d.weight.len())
        .sum();
    for int8 in &report.variants[2..] {
        assert!(
            (fp32.onnx_bytes - int8.onnx_bytes) as f64 >= 0.70 * dense_bytes as f64,
            "{int8:?}"
        );
        assert!(int8.size_ratio < 0.45, "{int8:?}");
        assert!(int8.max_output_difference < 0.15, "{int8:?}");
    }
    let curve = ok(compress::sparsity_curve(
        &model,
        &compress::CURVE_LEVELS,
        PruneScope::Global,
        data.valid.as_deref().map_or(&data.train, |v| v),
    ));
    assert_eq!(curve.len(), compress::CURVE_LEVELS.len());
    assert_eq!(curve[0].valid_metrics, model.valid_metrics);
    // The report is plain serde data for the page.
    let json = ok(serde_json::to_string(&report));
    let back = ok(serde_json::from_str::<compress::CompressionReport>(&json));
    assert_eq!(back.variants.len(), report.variants.len());
    assert_eq!(back.variants[2].onnx_bytes, report.variants[2].onnx_bytes);
}
