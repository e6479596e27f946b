//! The gradient-boosted trees part of the graph: features `[N, F]` → raw scores
//! `[N, outputs]` (the head turns them into probabilities or values).
//!
//! Layout (issue 12's evaluation validated it in onnxruntime and tract): one ONNX-ML
//! `TreeEnsembleClassifier` used only to sum trees, then standard operators. It has
//! `W = max(outputs, 3)` class labels (so neither runtime takes its binary special case), each
//! leaf adds its value to column `tree_outputs[t]`, `post_transform` is `NONE` and there are no
//! `base_values` (tract and onnxruntime disagree on them); a `Slice` keeps the first `outputs`
//! columns and an `Add` puts the base scores on. Splits are `BRANCH_LT` with the true branch
//! left, the rule [`Tree::value`](crate::train::gbdt::Tree::value) walks; the thresholds are the
//! trees' f32 values unchanged, and NaN goes right (`nodes_missing_value_tracks_true` 0) as
//! `x < t` does.
//!
//! Splits on sets of categories read derived features (see
//! [`Booster`](crate::train::gbdt::Booster)): one `MatMul` of the features with a 0/1 matrix
//! (column `i` marks the one-hot columns of set `i`) makes them all, a `Concat` puts them after
//! the features, and the ensemble reads the wider matrix. The sums are of 0s and 1s, exact in
//! f32, as the host's walk adds them. `TreeEnsembleClassifier` (the ai.onnx.ml opset-3
//! operator both runtimes run) has no set-membership branch; the newer `TreeEnsemble`
//! (opset 5) has.

use super::super::contract::ExportError;
use super::super::graph::{
    Builder, ML_DOMAIN, attr_floats, attr_int, attr_ints, attr_string, attr_strings,
};
use crate::train::gbdt::{Booster, GbdtError};

/// The raw scores `[N, booster.outputs()]` of the features `[N, F]` named `features`, whose
/// columns are the booster's features in order; returns the name of the scores.
#[cfg(all(test, not(target_arch = "wasm32")))]
pub(crate) fn tree_graph(
    b: &mut Builder,
    booster: &Booster,
    features: &str,
) -> Result<String, ExportError> {
    let order: Vec<usize> = (0..booster.features).collect();
    tree_graph_ordered(b, booster, features, &order)
}

/// [`tree_graph`] on features whose column `i` is the booster's feature `order[i]` (as
/// `preprocess` lays them out; `order` must be a permutation of the booster's features): the
/// splits read the right columns with no extra operator.
pub(crate) fn tree_graph_ordered(
    b: &mut Builder,
    booster: &Booster,
    features: &str,
    order: &[usize],
) -> Result<String, ExportError> {
    booster.check().map_err(|error| ExportError::Model {
        reason: match error {
            GbdtError::Model { problem } => format!("its trees do not hold together: {problem}"),
            other => other.to_string(),
        },
    })?;
    if booster.features == 0 {
        return Err(ExportError::Model {
            reason: "its trees read no features".to_string(),
        });
    }
    // column[f]: the graph column holding feature f.
    let mut column = vec![usize::MAX; booster.features];
    for (i, &f) in order.iter().enumerate() {
        if let Some(slot) = column.get_mut(f) {
            *slot = i;
        }
    }
    if order.len() != booster.features || column.contains(&usize::MAX) {
        return Err(ExportError::Model {
            reason: "its trees do not take the preprocessing's features".to_string(),
        });
    }
    let width_in = booster.features;
    let column_of = |feature: u32| {
        let feature = feature as usize;
        match column.get(feature) {
            Some(&c) => c as i64,
            // A derived feature, after the features.
            None => feature as i64,
        }
    };
    let k = booster.outputs();
    let base = b.floats("tree_base", &[1, k], &booster.base);
    let zero = b.int64s("zero", &[1], &[0]);
    let width = b.int64s("outputs", &[1], &[k as i64]);
    if booster.trees.is_empty() {
        // No trees (an ensemble of none is not valid): the base, broadcast to [N, K].
        let shape = b.op("Shape", &[features], vec![]);
        let one = b.int64s("one", &[1], &[1]);
        let rows = b.op("Slice", &[&shape, &zero, &one, &zero], vec![]);
        let dims = b.op("Concat", &[&rows, &width], vec![attr_int("axis", 0)]);
        return Ok(b.op("Expand", &[&base, &dims], vec![]));
    }

    let nodes: usize = booster.trees.iter().map(|tree| tree.nodes.len()).sum();
    let mut tree_ids = Vec::with_capacity(nodes);
    let mut node_ids = Vec::with_capacity(nodes);
    let mut feature_ids = Vec::with_capacity(nodes);
    let mut modes = Vec::with_capacity(nodes);
    let mut values = Vec::with_capacity(nodes);
    let mut true_ids = Vec::with_capacity(nodes);
    let mut false_ids = Vec::with_capacity(nodes);
    let (mut leaf_trees, mut leaf_nodes, mut leaf_outputs, mut leaf_weights) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (t, (tree, &output)) in booster.trees.iter().zip(&booster.tree_outputs).enumerate() {
        for (j, node) in tree.nodes.iter().enumerate() {
            tree_ids.push(t as i64);
            node_ids.push(j as i64);
            if node.leaf {
                feature_ids.push(0);
                modes.push("LEAF");
                values.push(0.0);
                true_ids.push(0);
                false_ids.push(0);
                leaf_trees.push(t as i64);
                leaf_nodes.push(j as i64);
                leaf_outputs.push(i64::from(output));
                leaf_weights.push(node.value);
            } else {
                feature_ids.push(column_of(node.feature));
                modes.push("BRANCH_LT");
                values.push(node.threshold);
                true_ids.push(i64::from(node.left));
                false_ids.push(i64::from(node.right));
            }
        }
    }
    let wide = if booster.category_sets.is_empty() {
        features.to_string()
    } else {
        let sets = booster.category_sets.len();
        let mut marks = vec![0.0f32; width_in * sets];
        for (i, columns) in booster.category_sets.iter().enumerate() {
            for &c in columns {
                if let Some(&at) = column.get(c as usize)
                    && let Some(mark) = marks.get_mut(at * sets + i)
                {
                    *mark = 1.0;
                }
            }
        }
        let marks = b.floats("category_sets", &[width_in, sets], &marks);
        let derived = b.op("MatMul", &[features, &marks], vec![]);
        b.op("Concat", &[features, &derived], vec![attr_int("axis", 1)])
    };
    let labels = (0..k.max(3) as i64).collect();
    let outputs = b.op_outputs(
        "TreeEnsembleClassifier",
        ML_DOMAIN,
        &[&wide],
        2,
        vec![
            attr_ints("classlabels_int64s", labels),
            attr_ints("nodes_treeids", tree_ids),
            attr_ints("nodes_nodeids", node_ids),
            attr_ints("nodes_featureids", feature_ids),
            attr_strings("nodes_modes", modes),
            attr_floats("nodes_values", values),
            attr_ints("nodes_truenodeids", true_ids),
            attr_ints("nodes_falsenodeids", false_ids),
            attr_ints("nodes_missing_value_tracks_true", vec![0; nodes]),
            attr_ints("class_treeids", leaf_trees),
            attr_ints("class_nodeids", leaf_nodes),
            attr_ints("class_ids", leaf_outputs),
            attr_floats("class_weights", leaf_weights),
            attr_string("post_transform", "NONE"),
        ],
    );
    let scores = outputs.get(1).cloned().unwrap_or_default();
    let axis = b.int64s("one", &[1], &[1]);
    let sums = b.op("Slice", &[&scores, &zero, &width, &axis], vec![]);
    Ok(b.op("Add", &[&sums, &base], vec![]))
}

// tract (the second runtime) is a native-only dev-dependency.
#[cfg(test)]
#[cfg(not(target_arch = "wasm32"))]
mod tests {
    use prost::Message;
    use tract_onnx::prelude::*;

    use super::super::super::graph::{Builder, ML_DOMAIN, value_info};
    use super::super::super::proto::{GraphProto, ModelProto, OperatorSetIdProto, data_type};
    use super::*;
    use crate::prep::Targets;
    use crate::rng::SplitMix64;
    use crate::train::gbdt::{GbdtSettings, GbdtTrainer, Objective};

    /// A graph of only the trees: input `x` [N, F] → output `raw` [N, K].
    fn model(booster: &Booster) -> Vec<u8> {
        model_ordered(booster, &(0..booster.features).collect::<Vec<_>>())
    }

    /// The same, with the input's column `i` holding feature `order[i]`.
    fn model_ordered(booster: &Booster, order: &[usize]) -> Vec<u8> {
        let mut b = Builder::new(["x", "raw"]);
        let raw = tree_graph_ordered(&mut b, booster, "x", order).unwrap();
        b.op_named("Identity", "", &[&raw], "raw", vec![]);
        let mut opset_import = vec![OperatorSetIdProto {
            domain: String::new(),
            version: 13,
        }];
        if b.uses_ml {
            opset_import.push(OperatorSetIdProto {
                domain: ML_DOMAIN.to_string(),
                version: 1,
            });
        }
        ModelProto {
            ir_version: 7,
            opset_import,
            producer_name: "hearth".to_string(),
            producer_version: String::new(),
            domain: String::new(),
            model_version: 1,
            doc_string: String::new(),
            graph: Some(GraphProto {
                node: b.nodes,
                name: "trees".to_string(),
                initializer: b.initializers,
                doc_string: String::new(),
                input: vec![value_info(
                    "x",
                    data_type::FLOAT,
                    &[None, Some(booster.features)],
                )],
                output: vec![value_info(
                    "raw",
                    data_type::FLOAT,
                    &[None, Some(booster.outputs())],
                )],
            }),
            metadata_props: Vec::new(),
        }
        .encode_to_vec()
    }

    fn run_tract(bytes: &[u8], x: &[f32], rows: usize, cols: usize) -> Vec<f32> {
        let mut model = tract_onnx::onnx()
            .model_for_read(&mut std::io::Cursor::new(bytes))
            .unwrap();
        model
            .set_input_fact(0, f32::fact([rows, cols]).into())
            .unwrap();
        let plan = model.into_optimized().unwrap().into_runnable().unwrap();
        let input = tensor1(x).into_shape(&[rows, cols]).unwrap();
        let outputs = plan.run(tvec![input.into()]).unwrap();
        outputs[0]
            .to_plain_array_view::<f32>()
            .unwrap()
            .iter()
            .copied()
            .collect()
    }

    /// Rows of `cols` features with a known structure, targets of each kind, and some rows
    /// with values never seen in training (on and between the thresholds).
    fn data(rows: usize, cols: usize, seed: u64) -> (Vec<f32>, Vec<f32>) {
        let mut rng = SplitMix64::new(seed);
        let x: Vec<f32> = (0..rows * cols)
            .map(|i| {
                let v = (rng.next_f64() * 4.0 - 2.0) as f32;
                // Some integer-valued columns, to have ties and exact thresholds.
                if i % cols == 1 { v.round() } else { v }
            })
            .collect();
        let y: Vec<f32> = x
            .chunks(cols)
            .map(|r| r[0] * r[0] + if r[1] > 0.0 { 1.0 } else { -1.0 } + 0.3 * r[2])
            .collect();
        (x, y)
    }

    fn trained(objective: Objective, settings: &GbdtSettings) -> (Booster, Vec<f32>, usize) {
        let (rows, cols) = (600, 5);
        let (x, y) = data(rows, cols, 3);
        let targets = match objective {
            Objective::Squared => Targets::Values(y),
            Objective::Logistic => {
                Targets::Classes(y.iter().map(|&v| u32::from(v > 1.0)).collect())
            }
            Objective::Softmax { classes } => Targets::Classes(
                y.iter()
                    .map(|&v| ((v + 2.0).max(0.0) as u32).min(classes as u32 - 1))
                    .collect(),
            ),
        };
        let mut trainer =
            GbdtTrainer::new(&x, rows, cols, targets, objective, settings, None, &[], 7).unwrap();
        trainer.boost(30).unwrap();
        (trainer.into_booster(), x, cols)
    }

    fn assert_agrees(booster: &Booster, x: &[f32], cols: usize) {
        let rows = x.len() / cols;
        let bytes = model(booster);
        if let Ok(dir) = std::env::var("HEARTH_TREES_ONNX_DIR") {
            // For checking the same file in onnx.checker and onnxruntime by hand.
            let name = format!(
                "{dir}/trees_{}_{}_{}.onnx",
                booster.objective.name().replace(' ', "_"),
                booster.rounds(),
                bytes.len()
            );
            std::fs::write(&name, &bytes).unwrap();
            std::fs::write(
                format!("{name}.json"),
                serde_json::json!({"x": x, "cols": cols, "raw": booster.raw_scores(x, rows, cols)})
                    .to_string(),
            )
            .unwrap();
        }
        let expected = booster.raw_scores(x, rows, cols);
        let got = run_tract(&bytes, x, rows, cols);
        assert_eq!(got.len(), expected.len());
        let worst = got
            .iter()
            .zip(&expected)
            .map(|(a, b)| (a - b).abs() / b.abs().max(1.0))
            .fold(0.0f32, f32::max);
        assert!(worst <= 1e-5, "tract differs by {worst}");
    }

    /// The training rows, plus rows exactly on every threshold and just either side of it.
    fn probe_rows(booster: &Booster, x: &[f32], cols: usize) -> Vec<f32> {
        let mut probe = x.to_vec();
        let base: Vec<f32> = x.get(..cols).unwrap().to_vec();
        for tree in booster.trees.iter().take(5) {
            for node in tree.nodes.iter().filter(|n| !n.leaf) {
                for v in [
                    node.threshold,
                    node.threshold.next_down(),
                    node.threshold.next_up(),
                ] {
                    let mut row = base.clone();
                    row[node.feature as usize] = v;
                    probe.extend(row);
                }
            }
        }
        probe
    }

    #[test]
    fn tract_gives_the_boosters_raw_scores() {
        for objective in [
            Objective::Logistic,
            Objective::Softmax { classes: 4 },
            Objective::Squared,
        ] {
            let (booster, x, cols) = trained(objective, &GbdtSettings::default());
            assert!(booster.trees.iter().any(|t| t.depth() > 2));
            assert_agrees(&booster, &probe_rows(&booster, &x, cols), cols);
        }
    }

    #[test]
    fn stumps_single_leaves_and_no_trees_export() {
        let stumps = GbdtSettings {
            max_leaves: 2,
            ..GbdtSettings::default()
        };
        let (mut booster, x, cols) = trained(Objective::Softmax { classes: 3 }, &stumps);
        assert_agrees(&booster, &x, cols);
        // A tree that is one leaf.
        booster.trees[0].nodes.truncate(1);
        booster.trees[0].nodes[0] = crate::train::gbdt::Node {
            feature: 0,
            threshold: 0.0,
            left: 0,
            right: 0,
            value: 0.25,
            leaf: true,
        };
        assert_agrees(&booster, &x, cols);
        booster.truncate(0);
        assert_agrees(&booster, &x, cols);
    }

    #[test]
    fn a_permuted_feature_layout_reads_the_right_columns() {
        let (booster, x, cols) =
            trained(Objective::Softmax { classes: 4 }, &GbdtSettings::default());
        let order = [3, 0, 4, 1, 2];
        let permuted: Vec<f32> = x
            .chunks(cols)
            .flat_map(|row| order.iter().map(|&f| row[f]))
            .collect();
        let rows = x.len() / cols;
        let got = run_tract(&model_ordered(&booster, &order), &permuted, rows, cols);
        let expected = booster.raw_scores(&x, rows, cols);
        for (a, b) in got.iter().zip(&expected) {
            assert!((a - b).abs() <= 1e-5 * b.abs().max(1.0), "{a} vs {b}");
        }
        let mut b = Builder::new(["x"]);
        assert!(tree_graph_ordered(&mut b, &booster, "x", &[0, 1, 2, 3]).is_err());
        assert!(tree_graph_ordered(&mut b, &booster, "x", &[0, 1, 2, 3, 3]).is_err());
    }

    #[test]
    fn category_set_splits_read_their_derived_features_in_any_layout() {
        // Two numbers, then one-hot columns of 9 categories; the target follows a set of
        // categories, so the trees split on sets.
        let (rows, categories) = (800, 9);
        let cols = 2 + categories;
        let mut rng = SplitMix64::new(11);
        let mut x = Vec::with_capacity(rows * cols);
        let mut y = Vec::with_capacity(rows);
        for _ in 0..rows {
            let a = (rng.next_f64() * 4.0 - 2.0) as f32;
            let b = (rng.next_f64() * 4.0 - 2.0) as f32;
            let category = rng.below(categories as u64) as usize;
            x.extend([a, b]);
            x.extend((0..categories).map(|c| f32::from(u8::from(c == category))));
            y.push(
                a + if [1, 4, 5, 8].contains(&category) {
                    2.0
                } else {
                    -1.0
                },
            );
        }
        let mut trainer = GbdtTrainer::new(
            &x,
            rows,
            cols,
            Targets::Values(y),
            Objective::Squared,
            &GbdtSettings::default(),
            None,
            std::slice::from_ref(&(2..cols)),
            3,
        )
        .unwrap();
        trainer.boost(20).unwrap();
        let booster = trainer.into_booster();
        assert!(!booster.category_sets.is_empty());
        assert_agrees(&booster, &x, cols);
        let order: Vec<usize> = (0..cols).rev().collect();
        let permuted: Vec<f32> = x
            .chunks(cols)
            .flat_map(|row| order.iter().map(|&f| row[f]))
            .collect();
        let got = run_tract(&model_ordered(&booster, &order), &permuted, rows, cols);
        let expected = booster.raw_scores(&x, rows, cols);
        for (a, b) in got.iter().zip(&expected) {
            assert!((a - b).abs() <= 1e-5 * b.abs().max(1.0), "{a} vs {b}");
        }
    }

    #[test]
    fn a_broken_booster_is_an_error() {
        let (mut booster, _, _) = trained(Objective::Logistic, &GbdtSettings::default());
        booster.trees[0].nodes[0].left = 0;
        let mut b = Builder::new(["x"]);
        let error = tree_graph(&mut b, &booster, "x").unwrap_err();
        assert!(error.to_string().contains("tree 0"), "{error}");
    }
}
