//! The prepared examples handed from the page's data worker to its compute worker in blocks
//! (`train::handover`): put together, they are exactly what the compute worker would have
//! made from the table itself, and a handover that lost, repeated or mangled a block is refused.

use hearth::data::Task;
use hearth::prep::PrepConfig;
use hearth::train::handover::{Assembly, BLOCK_ROWS, Block, Handover};
use hearth::train::{Part, TrainingData};

use super::support::{bundled, ok, prepare};

/// Hands `name`'s preparation over in blocks of `rows_per_block` rows and checks the result
/// against the examples made directly.
fn round_trip(name: &str, target: &str, task: Task, config: &PrepConfig, rows_per_block: usize) {
    let dataset = bundled(name);
    let (_, prepared) = prepare(&dataset, target, task, config);
    let handover = Handover::new(&prepared, &dataset);
    let mut assembly = ok(Assembly::new(handover.shape()));
    let mut blocks = 0;
    for block in handover.blocks(rows_per_block) {
        let (block, values) = ok(block);
        assert!(block.rows <= rows_per_block);
        ok(assembly.add(block, &values));
        blocks += 1;
    }
    let rows: usize = handover.shape().parts.iter().map(|part| part.rows).sum();
    assert!(
        blocks >= rows.div_ceil(rows_per_block),
        "{blocks} blocks for {rows} rows"
    );
    let (pipeline, data) = ok(assembly.finish());
    assert_eq!(pipeline, prepared.pipeline);
    assert_eq!(
        data,
        ok(TrainingData::from_prepared(&prepared, &dataset)),
        "{name}"
    );
}

#[test]
fn blocks_put_together_are_the_examples_made_from_the_table() {
    let holdout = PrepConfig::default();
    round_trip(
        "iris.csv",
        "species",
        Task::MulticlassClassification,
        &holdout,
        7,
    );
    round_trip(
        "penguins.csv",
        "species",
        Task::MulticlassClassification,
        &holdout,
        50,
    );
    round_trip(
        "diabetes.csv",
        "progression",
        Task::Regression,
        &holdout,
        64,
    );
    round_trip(
        "iris.csv",
        "species",
        Task::MulticlassClassification,
        &holdout,
        BLOCK_ROWS,
    );
    // Cross-validation: every fold's pair is handed over too.
    let folds = PrepConfig {
        folds: Some(4),
        ..PrepConfig::default()
    };
    round_trip(
        "penguins.csv",
        "sex",
        Task::BinaryClassification,
        &folds,
        33,
    );
    let dataset = bundled("penguins.csv");
    let (_, prepared) = prepare(&dataset, "sex", Task::BinaryClassification, &folds);
    let parts: Vec<Part> = Handover::new(&prepared, &dataset)
        .shape()
        .parts
        .iter()
        .map(|part| part.part)
        .collect();
    assert!(parts.contains(&Part::FoldTrain(3)) && parts.contains(&Part::FoldValid(3)));
}

#[test]
fn a_lost_repeated_or_mangled_block_is_refused() {
    let dataset = bundled("iris.csv");
    let (_, prepared) = prepare(
        &dataset,
        "species",
        Task::MulticlassClassification,
        &PrepConfig::default(),
    );
    let handover = Handover::new(&prepared, &dataset);
    let blocks: Vec<(Block, Vec<f32>)> = handover.blocks(10).map(ok).collect();
    let refused = |problem: &str, error: hearth::train::TrainError| {
        assert!(error.to_string().contains(problem), "{error}");
    };

    // The second block before the first.
    let mut assembly = ok(Assembly::new(handover.shape()));
    let (block, values) = &blocks[1];
    refused("out of order", assembly.add(*block, values).unwrap_err());

    // A block twice: the second copy is out of order.
    let mut assembly = ok(Assembly::new(handover.shape()));
    let (block, values) = &blocks[0];
    ok(assembly.add(*block, values));
    refused("out of order", assembly.add(*block, values).unwrap_err());

    // The last block lost.
    let mut assembly = ok(Assembly::new(handover.shape()));
    for (block, values) in &blocks[..blocks.len() - 1] {
        ok(assembly.add(*block, values));
    }
    refused("of its", assembly.finish().unwrap_err());

    // A block one value short, and one naming a part that is not there.
    let mut assembly = ok(Assembly::new(handover.shape()));
    let (block, values) = &blocks[0];
    refused(
        "does not fit",
        assembly.add(*block, &values[1..]).unwrap_err(),
    );
    let elsewhere = Block { part: 99, ..*block };
    refused(
        "part it does not have",
        assembly.add(elsewhere, values).unwrap_err(),
    );

    // A shape whose width disagrees with its preprocessing.
    let mut shape = handover.shape();
    shape.cols += 1;
    refused("width", Assembly::new(shape).err().unwrap());
}
