//! Shared helpers of the `train_*` test files: the bundled datasets, prepared with the default
//! preprocessing, and small training runs on the CPU device.

#![allow(dead_code)]

use hearth::data::{Dataset, IngestOptions, Task, profile, read_csv_path};
use hearth::prep::{PrepConfig, Prepared, fit, plan};
use hearth::train::{EpochReport, TrainConfig, Trainer, TrainingData};

pub fn bundled(name: &str) -> Dataset {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("static")
        .join(name);
    match read_csv_path(&path, IngestOptions::default()) {
        Ok(d) => d,
        Err(e) => panic!("{e}"),
    }
}

pub fn prepare(dataset: &Dataset, target: &str, task: Task) -> (Prepared, TrainingData) {
    let config = PrepConfig::default();
    let plan = match plan(&profile(dataset), target, task, &config) {
        Ok(p) => p,
        Err(e) => panic!("{e}"),
    };
    let prepared = match fit(dataset, &plan, &config) {
        Ok(p) => p,
        Err(e) => panic!("{e}"),
    };
    let data = match TrainingData::from_prepared(&prepared, dataset) {
        Ok(d) => d,
        Err(e) => panic!("{e}"),
    };
    (prepared, data)
}

/// A bundled dataset, prepared: `(name, target, task)`.
pub fn prepared(name: &str, target: &str, task: Task) -> (Prepared, TrainingData) {
    prepare(&bundled(name), target, task)
}

/// Trains to the end on `device` and returns the trainer and every epoch's report.
pub fn train_on(
    device: burn::tensor::Device,
    prepared: &Prepared,
    data: &TrainingData,
    config: &TrainConfig,
) -> (Trainer, Vec<EpochReport>) {
    let mut trainer = match Trainer::new(
        device,
        &prepared.pipeline,
        data.train.clone(),
        data.valid.clone(),
        config,
    ) {
        Ok(t) => t,
        Err(e) => panic!("{e}"),
    };
    let mut reports = Vec::new();
    while !trainer.done() {
        match pollster::block_on(trainer.next_epoch()) {
            Ok(r) => reports.push(r),
            Err(e) => panic!("{e}"),
        }
    }
    (trainer, reports)
}

/// Trains to the end on the CPU device.
pub fn train(
    prepared: &Prepared,
    data: &TrainingData,
    config: &TrainConfig,
) -> (Trainer, Vec<EpochReport>) {
    train_on(hearth::compute::init_cpu(), prepared, data, config)
}
