//! Training on wgpu (Mesa lavapipe where the suite runs) gives the CPU device's results up to
//! floating-point rounding. The GPU device is the process's one (`support::gpu`): burn
//! initialises its wgpu runtime once per process.

use hearth::compute::{self, Accelerator};
use hearth::data::{IngestOptions, Task, read_csv_bytes};
use hearth::rng::SplitMix64;
use hearth::train::{Activation, Metrics, ModelFile, ModelKind, TrainConfig, Weights, time_device};

use crate::support::{gpu, mlp, ok, prepared, prepared_from, train_on};

fn close(a: f64, b: f64, tolerance: f64, what: &str) {
    assert!(
        (a - b).abs() <= tolerance * (1.0 + a.abs().max(b.abs())),
        "{what}: CPU {a} vs GPU {b}"
    );
}

fn assert_weights_close(a: &Weights, b: &Weights) {
    assert_eq!(a.architecture, b.architecture);
    for (i, (x, y)) in a.values().zip(b.values()).enumerate() {
        assert!((x - y).abs() <= 1e-3, "weight {i}: CPU {x} vs GPU {y}");
    }
}

/// A CSV of `rows` rows with `features` numeric columns and a class column of `classes`.
fn synthetic_csv(rows: usize, features: usize, classes: usize) -> Vec<u8> {
    let mut rng = SplitMix64::new(5);
    let mut text: Vec<String> = vec![
        (0..features)
            .map(|i| format!("x{i}"))
            .chain(std::iter::once("y".to_string()))
            .collect::<Vec<_>>()
            .join(","),
    ];
    for _ in 0..rows {
        let x: Vec<f64> = (0..features).map(|_| rng.next_f64() * 4.0 - 2.0).collect();
        let class = ((x[0] + x[1 % features]).abs() * classes as f64 / 4.0) as usize % classes;
        let fields: Vec<String> = x
            .iter()
            .map(|v| format!("{v:.4}"))
            .chain(std::iter::once(format!("c{class}")))
            .collect();
        text.push(fields.join(","));
    }
    (text.join("\n") + "\n").into_bytes()
}

#[test]
fn wgpu_trains_like_the_cpu() {
    let (gpu, report) = gpu();
    assert_eq!(
        report.accelerator,
        Accelerator::Gpu,
        "GPU unavailable: {:?}",
        report.gpu_unavailable
    );
    let cpu = compute::init_cpu();

    // An MLP with layer norm and dropout (masks are drawn on the host, so both devices use
    // the same ones) on a multiclass set, and a linear regression.
    let cases = [
        (
            "penguins.csv",
            "species",
            Task::MulticlassClassification,
            ModelKind::Mlp(hearth::train::MlpSettings {
                hidden: vec![16, 8],
                activation: Activation::Gelu,
                dropout: 0.1,
                layer_norm: true,
            }),
        ),
        (
            "diabetes.csv",
            "progression",
            Task::Regression,
            ModelKind::Linear,
        ),
    ];
    for (name, target, task, model) in cases {
        let (prepared, data) = prepared(name, target, task);
        let config = TrainConfig {
            model,
            learning_rate: 0.01,
            batch_size: 32,
            epochs: 3,
            ..TrainConfig::default()
        };
        let (on_cpu, cpu_reports) = train_on(cpu.clone(), &prepared, &data, &config);
        let (on_gpu, gpu_reports) = train_on(gpu.clone(), &prepared, &data, &config);
        assert_eq!(cpu_reports.len(), gpu_reports.len());
        for (c, g) in cpu_reports.iter().zip(&gpu_reports) {
            close(c.train_loss, g.train_loss, 1e-4, "train loss");
            close(c.monitor_value, g.monitor_value, 1e-4, "monitor");
            match (&c.valid_metrics, &g.valid_metrics) {
                (Some(Metrics::Classification(a)), Some(Metrics::Classification(b))) => {
                    close(a.log_loss, b.log_loss, 1e-4, "log loss");
                    close(a.accuracy, b.accuracy, 0.02, "accuracy");
                }
                (Some(Metrics::Regression(a)), Some(Metrics::Regression(b))) => {
                    close(a.rmse, b.rmse, 1e-4, "rmse");
                }
                other => panic!("{other:?}"),
            }
        }
        let cpu_weights = ok(pollster::block_on(on_cpu.best_weights()));
        let gpu_weights = ok(pollster::block_on(on_gpu.best_weights()));
        assert_weights_close(&cpu_weights, &gpu_weights);

        // A model trained on the GPU, saved and loaded, predicts on both devices alike.
        let file = ok(pollster::block_on(ModelFile::from_trainer(
            &on_gpu, None, None,
        )));
        let loaded = ok(ModelFile::from_json(&ok(file.to_json())));
        let Some(test) = &data.test else {
            panic!("no test split")
        };
        let from_gpu = ok(pollster::block_on(on_gpu.predict(&test.features)));
        let loaded_gpu = ok(pollster::block_on(
            loaded.predict_matrix(gpu, &test.features),
        ));
        let loaded_cpu = ok(pollster::block_on(
            loaded.predict_matrix(&cpu, &test.features),
        ));
        assert_eq!(from_gpu, loaded_gpu);
        for (a, b) in loaded_gpu.iter().zip(&loaded_cpu) {
            assert!((a - b).abs() <= 1e-4, "prediction: GPU {a} vs CPU {b}");
        }
    }

    // Step times (debug build; see the report for release numbers): 4-16-3 and 20-64-64-2
    // MLPs at batch 256.
    for (features, hidden, classes) in [(4, vec![16], 3), (20, vec![64, 64], 2)] {
        let dataset = match read_csv_bytes(
            "synthetic.csv",
            &synthetic_csv(600, features, classes),
            IngestOptions::default(),
        ) {
            Ok(d) => d,
            Err(e) => panic!("{e}"),
        };
        let task = if classes == 2 {
            Task::BinaryClassification
        } else {
            Task::MulticlassClassification
        };
        let (prepared, data) = prepared_from(&dataset, "y", task);
        let config = TrainConfig {
            model: mlp(&hidden),
            batch_size: 256,
            ..TrainConfig::default()
        };
        let mut times = Vec::new();
        for (label, device) in [("CPU", &cpu), ("wgpu", gpu)] {
            let ms = ok(pollster::block_on(time_device(
                device,
                &prepared.pipeline,
                &data.train,
                &config,
                10,
            )));
            assert!(ms > 0.0 && ms.is_finite());
            times.push(format!("{label} {ms:.2} ms"));
        }
        // A binary head has one output (the logit of class 1) for the two classes.
        eprintln!(
            "step time, {features}-{}-{classes} MLP, batch 256: {}",
            hidden
                .iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join("-"),
            times.join(", ")
        );
    }
}
