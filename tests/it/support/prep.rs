//! Preprocessing a dataset as the app does (plan from its profile, then fit), and looking into
//! the fitted pipeline.

use std::collections::BTreeMap;

use hearth::data::{Dataset, Task, profile};
use hearth::prep::{FittedPipeline, Plan, PrepConfig, PrepError, Prepared, Step, fit, plan};

pub fn try_prepare(
    dataset: &Dataset,
    target: &str,
    task: Task,
    config: &PrepConfig,
) -> Result<(Plan, Prepared), PrepError> {
    let plan = plan(&profile(dataset), target, task, config)?;
    let prepared = fit(dataset, &plan, config)?;
    Ok((plan, prepared))
}

pub fn prepare(
    dataset: &Dataset,
    target: &str,
    task: Task,
    config: &PrepConfig,
) -> (Plan, Prepared) {
    super::ok(try_prepare(dataset, target, task, config))
}

pub fn config(json: &str) -> PrepConfig {
    super::ok(PrepConfig::from_json(json))
}

/// The index of the feature named `name`.
pub fn feature(pipeline: &FittedPipeline, name: &str) -> usize {
    match pipeline.feature_names.iter().position(|n| n == name) {
        Some(i) => i,
        None => panic!("no feature {name} in {:?}", pipeline.feature_names),
    }
}

/// The step fitted for `column`.
pub fn step<'a>(pipeline: &'a FittedPipeline, column: &str) -> &'a Step {
    match pipeline.steps.iter().find(|s| s.column == column) {
        Some(s) => &s.step,
        None => panic!("no step for {column}"),
    }
}

/// Every row through `transform_row` (raw strings from `Column::raw`) equals the batch matrix
/// bit for bit, and every cell is finite.
pub fn assert_row_path_matches_batch(pipeline: &FittedPipeline, dataset: &Dataset) {
    let all: Vec<usize> = (0..dataset.rows).collect();
    let matrix = match pipeline.transform_dataset(dataset, &all) {
        Ok(m) => m,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(matrix.rows, dataset.rows);
    assert_eq!(matrix.cols, pipeline.feature_names.len());
    assert_eq!(matrix.values.len(), matrix.rows * matrix.cols);
    assert!(
        matrix.values.iter().all(|v| v.is_finite()),
        "{}: a cell is not finite",
        dataset.source
    );
    for row in 0..dataset.rows {
        let raw: Vec<Option<String>> = dataset.columns.iter().map(|c| c.raw(row)).collect();
        let fields: Vec<Option<&str>> = raw.iter().map(Option::as_deref).collect();
        let single = pipeline.transform_row(&fields);
        let batch = matrix.row(row);
        assert_eq!(single.len(), batch.len());
        for (i, (a, b)) in single.iter().zip(batch).enumerate() {
            assert_eq!(
                a.to_bits(),
                b.to_bits(),
                "{} row {row} feature {}: single {a} batch {b}",
                dataset.source,
                pipeline.feature_names.get(i).map_or("?", String::as_str)
            );
        }
        let named: BTreeMap<String, String> = dataset
            .columns
            .iter()
            .zip(&raw)
            .filter_map(|(c, v)| v.clone().map(|v| (c.name.clone(), v)))
            .collect();
        assert_eq!(pipeline.transform_named(&named), single);
    }
}
