//! Hearth's gradient-boosted trees (`hearth::train::gbdt`): they learn what they should
//! (structure, XOR), round by round, deterministically from the seed, and every bad input is
//! an error sentence rather than a panic. The ONNX form is checked against tract in
//! `src/export/onnx/trees.rs` (its builder is crate-private).

use hearth::prep::Targets;
use hearth::rng::SplitMix64;
use hearth::train::gbdt::{Booster, GbdtError, GbdtSettings, GbdtTrainer, Node, Objective, Tree};

/// `rows × cols` uniform features in [−1, 1) from `seed`.
fn features(rows: usize, cols: usize, seed: u64) -> Vec<f32> {
    let mut rng = SplitMix64::new(seed);
    (0..rows * cols)
        .map(|_| (rng.next_f64() * 2.0 - 1.0) as f32)
        .collect()
}

fn train(
    x: &[f32],
    cols: usize,
    targets: Targets,
    objective: Objective,
    settings: &GbdtSettings,
    seed: u64,
    rounds: usize,
) -> GbdtTrainer {
    let rows = x.len() / cols;
    let mut trainer =
        match GbdtTrainer::new(x, rows, cols, targets, objective, settings, None, &[], seed) {
            Ok(t) => t,
            Err(e) => panic!("{e}"),
        };
    trainer.boost(rounds).unwrap();
    trainer
}

/// A nonlinear regression target: y = sin(3 x0) + x1² + 0.5·[x2 > 0] + noise.
fn regression(x: &[f32], cols: usize, seed: u64) -> Vec<f32> {
    let mut rng = SplitMix64::new(seed);
    x.chunks(cols)
        .map(|r| {
            (3.0 * r[0]).sin()
                + r[1] * r[1]
                + if r[2] > 0.0 { 0.5 } else { 0.0 }
                + (rng.next_f64() as f32 - 0.5) * 0.1
        })
        .collect()
}

fn r2(pred: &[f32], y: &[f32]) -> f64 {
    let mean = y.iter().map(|&v| f64::from(v)).sum::<f64>() / y.len() as f64;
    let total: f64 = y.iter().map(|&v| (f64::from(v) - mean).powi(2)).sum();
    let resid: f64 = pred
        .iter()
        .zip(y)
        .map(|(&p, &v)| (f64::from(p) - f64::from(v)).powi(2))
        .sum();
    1.0 - resid / total
}

fn accuracy(predicted: &[u32], y: &[u32]) -> f64 {
    predicted.iter().zip(y).filter(|(a, b)| a == b).count() as f64 / y.len() as f64
}

/// The most probable class of each row of K probabilities.
fn argmax(p: &[f32], k: usize) -> Vec<u32> {
    p.chunks(k)
        .map(|row| {
            row.iter()
                .enumerate()
                .fold(
                    (0, f32::MIN),
                    |best, (i, &v)| {
                        if v > best.1 { (i, v) } else { best }
                    },
                )
                .0 as u32
        })
        .collect()
}

fn json(booster: &Booster) -> String {
    serde_json::to_string(booster).unwrap()
}

#[test]
fn regression_beats_the_mean_on_held_out_rows() {
    let cols = 5;
    let x = features(3000, cols, 1);
    let y = regression(&x, cols, 2);
    let (x_train, x_test) = x.split_at(2000 * cols);
    let (y_train, y_test) = y.split_at(2000);
    let trainer = train(
        x_train,
        cols,
        Targets::Values(y_train.to_vec()),
        Objective::Squared,
        &GbdtSettings::default(),
        0,
        200,
    );
    let booster = trainer.booster();
    assert_eq!(booster.outputs(), 1);
    assert_eq!(booster.rounds(), 200);
    let pred = booster.predict(x_test, 1000, cols);
    let score = r2(&pred, y_test);
    assert!(score > 0.9, "R² {score}");
    // The base is the training mean: a constant model scores about 0.
    let constant = vec![booster.base[0]; 1000];
    assert!(r2(&constant, y_test).abs() < 0.05);
}

#[test]
fn classification_beats_the_majority_and_fits_a_linear_boundary() {
    let cols = 4;
    let x = features(3000, cols, 3);
    // Three classes from two nonlinear scores.
    let y: Vec<u32> = x
        .chunks(cols)
        .map(|r| {
            if r[0] * r[0] + r[1] * r[1] < 0.4 {
                0
            } else if r[2] > 0.2 {
                1
            } else {
                2
            }
        })
        .collect();
    let (x_train, x_test) = x.split_at(2000 * cols);
    let (y_train, y_test) = y.split_at(2000);
    let trainer = train(
        x_train,
        cols,
        Targets::Classes(y_train.to_vec()),
        Objective::Softmax { classes: 3 },
        &GbdtSettings::default(),
        0,
        100,
    );
    let booster = trainer.booster();
    assert_eq!(booster.trees.len(), 300);
    let p = booster.predict(x_test, 1000, cols);
    for row in p.chunks(3) {
        assert!((row.iter().sum::<f32>() - 1.0).abs() < 1e-5);
    }
    let acc = accuracy(&argmax(&p, 3), y_test);
    let majority = (0..3)
        .map(|c| y_test.iter().filter(|&&v| v == c).count())
        .max()
        .unwrap() as f64
        / 1000.0;
    assert!(acc > 0.95 && acc > majority + 0.3, "{acc} vs {majority}");

    // Binary, linearly separable (x0 + x1 > 0): trees approximate the line closely.
    let y: Vec<u32> = x
        .chunks(cols)
        .map(|r| u32::from(r[0] + r[1] > 0.0))
        .collect();
    let (y_train, y_test) = y.split_at(2000);
    let trainer = train(
        x_train,
        cols,
        Targets::Classes(y_train.to_vec()),
        Objective::Logistic,
        &GbdtSettings::default(),
        0,
        100,
    );
    let p1 = trainer.booster().predict(x_test, 1000, cols);
    assert_eq!(p1.len(), 1000, "logistic gives one probability per row");
    let predicted: Vec<u32> = p1.iter().map(|&p| u32::from(p > 0.5)).collect();
    let acc = accuracy(&predicted, y_test);
    assert!(acc > 0.95, "{acc}");
}

#[test]
fn xor_is_learned() {
    let cols = 2;
    let x = features(2000, cols, 5);
    let y: Vec<u32> = x
        .chunks(cols)
        .map(|r| u32::from((r[0] > 0.0) != (r[1] > 0.0)))
        .collect();
    let (x_train, x_test) = x.split_at(1500 * cols);
    let (y_train, y_test) = y.split_at(1500);
    let trainer = train(
        x_train,
        cols,
        Targets::Classes(y_train.to_vec()),
        Objective::Logistic,
        &GbdtSettings::default(),
        0,
        50,
    );
    let p1 = trainer.booster().predict(x_test, 500, cols);
    let predicted: Vec<u32> = p1.iter().map(|&p| u32::from(p > 0.5)).collect();
    let acc = accuracy(&predicted, y_test);
    // A linear model cannot beat about 0.5 here.
    assert!(acc > 0.95, "{acc}");
    assert!(trainer.train_loss() < 0.2, "{}", trainer.train_loss());
}

#[test]
fn the_seed_decides_everything() {
    let cols = 6;
    let x = features(1500, cols, 7);
    let y = regression(&x, cols, 8);
    let subsampled = GbdtSettings {
        row_subsample: 0.7,
        feature_subsample: 0.5,
        ..GbdtSettings::default()
    };
    let run = |settings: &GbdtSettings, seed| {
        json(
            train(
                &x,
                cols,
                Targets::Values(y.clone()),
                Objective::Squared,
                settings,
                seed,
                20,
            )
            .booster(),
        )
    };
    assert_eq!(run(&subsampled, 1), run(&subsampled, 1));
    assert_ne!(run(&subsampled, 1), run(&subsampled, 2));
    // Without subsampling nothing is drawn: the seed changes nothing.
    let full = GbdtSettings::default();
    assert_eq!(run(&full, 1), run(&full, 2));
    // Boosting in blocks is boosting in one go.
    let mut blocks = GbdtTrainer::new(
        &x,
        1500,
        cols,
        Targets::Values(y.clone()),
        Objective::Squared,
        &subsampled,
        None,
        &[],
        1,
    )
    .unwrap();
    for _ in 0..4 {
        blocks.boost(5).unwrap();
    }
    assert_eq!(json(blocks.booster()), run(&subsampled, 1));
}

#[test]
fn training_loss_falls_round_by_round() {
    let cols = 4;
    let x = features(1000, cols, 9);
    let y_values = regression(&x, cols, 10);
    let y_classes: Vec<u32> = y_values
        .iter()
        .map(|&v| (v.clamp(-1.0, 2.49) + 1.0) as u32)
        .collect();
    let y_binary: Vec<u32> = y_classes.iter().map(|&c| u32::from(c >= 2)).collect();
    for (targets, objective) in [
        (Targets::Values(y_values), Objective::Squared),
        (Targets::Classes(y_binary), Objective::Logistic),
        (
            Targets::Classes(y_classes),
            Objective::Softmax { classes: 4 },
        ),
    ] {
        let name = format!("{objective:?}");
        let mut trainer = GbdtTrainer::new(
            &x,
            1000,
            cols,
            targets,
            objective,
            &GbdtSettings::default(),
            None,
            &[],
            0,
        )
        .unwrap();
        let mut losses = vec![trainer.train_loss()];
        for _ in 0..30 {
            trainer.boost(1).unwrap();
            losses.push(trainer.train_loss());
        }
        for pair in losses.windows(2) {
            assert!(pair[1] < pair[0], "{name}: {losses:?}");
        }
        assert!(losses[30] < 0.5 * losses[0], "{name}: {losses:?}");
    }
}

#[test]
fn truncating_is_training_fewer_rounds() {
    let cols = 3;
    let x = features(800, cols, 11);
    let y: Vec<u32> = x
        .chunks(cols)
        .map(|r| ((r[0] + 1.0) * 1.5) as u32)
        .collect();
    let settings = GbdtSettings {
        row_subsample: 0.8,
        ..GbdtSettings::default()
    };
    let targets = Targets::Classes(y);
    let objective = Objective::Softmax { classes: 3 };
    let long = train(
        &x,
        cols,
        targets.clone(),
        objective.clone(),
        &settings,
        4,
        25,
    );
    let short = train(&x, cols, targets, objective, &settings, 4, 10);
    let mut truncated = long.booster().clone();
    truncated.truncate(10);
    assert_eq!(truncated.rounds(), 10);
    assert_eq!(truncated.trees.len(), 30);
    assert_eq!(json(&truncated), json(short.booster()));
    // Keeping more rounds than there are changes nothing.
    let mut all = long.booster().clone();
    all.truncate(100);
    assert_eq!(all, *long.booster());
}

#[test]
fn raw_scores_are_the_sum_of_a_hand_walk_of_the_trees() {
    let cols = 5;
    let x = features(500, cols, 12);
    let y: Vec<u32> = x
        .chunks(cols)
        .map(|r| u32::from(r[0] > 0.0) + u32::from(r[3] > 0.3))
        .collect();
    let trainer = train(
        &x,
        cols,
        Targets::Classes(y),
        Objective::Softmax { classes: 3 },
        &GbdtSettings::default(),
        0,
        15,
    );
    let booster = trainer.booster();
    let walk = |tree: &Tree, row: &[f32]| -> f32 {
        let mut node = &tree.nodes[0];
        while !node.leaf {
            let next = if row[node.feature as usize] < node.threshold {
                node.left
            } else {
                node.right
            };
            node = &tree.nodes[next as usize];
        }
        node.value
    };
    let raw = booster.raw_scores(&x, 500, cols);
    assert_eq!(raw.len(), 1500);
    for (r, row) in x.chunks(cols).enumerate() {
        for k in 0..3 {
            let mut sum = f64::from(booster.base[k]);
            for (tree, &output) in booster.trees.iter().zip(&booster.tree_outputs) {
                if output as usize == k {
                    sum += f64::from(walk(tree, row));
                }
            }
            assert_eq!(raw[r * 3 + k], sum as f32, "row {r} output {k}");
        }
    }
    // Softmax predictions are the softmax of the raw scores.
    let p = booster.predict(&x, 500, cols);
    let row = &raw[..3];
    let max = row.iter().copied().fold(f32::MIN, f32::max);
    let exps: Vec<f64> = row.iter().map(|&s| f64::from(s - max).exp()).collect();
    let total: f64 = exps.iter().sum();
    for k in 0..3 {
        assert!((f64::from(p[k]) - exps[k] / total).abs() < 1e-6);
    }
    // Adding rounds one block at a time gives the same scores.
    let mut scores: Vec<f64> = (0..500)
        .flat_map(|_| booster.base.iter().map(|&b| f64::from(b)))
        .collect();
    booster.add_rounds(&x, 500, cols, 0..7, &mut scores);
    booster.add_rounds(&x, 500, cols, 7..15, &mut scores);
    let blocked: Vec<f32> = scores.iter().map(|&s| s as f32).collect();
    assert_eq!(blocked, raw);
    // A shape that does not fit gives nothing rather than a panic.
    assert!(booster.raw_scores(&x, 499, cols).is_empty());
    assert!(booster.predict(&x, 500, cols + 1).is_empty());
}

#[test]
fn trees_keep_their_limits_and_thresholds_split_training_rows_exactly() {
    let cols = 3;
    let mut x = features(2000, cols, 13);
    // A column of few values, so thresholds fall between ties.
    for row in x.chunks_mut(cols) {
        row[2] = (row[2] * 3.0).round();
    }
    let y = regression(&x, cols, 14);
    let settings = GbdtSettings {
        max_leaves: 12,
        max_depth: 4,
        min_leaf_rows: 30,
        ..GbdtSettings::default()
    };
    let trainer = train(
        &x,
        cols,
        Targets::Values(y),
        Objective::Squared,
        &settings,
        0,
        20,
    );
    for tree in &trainer.booster().trees {
        let leaves = tree.nodes.iter().filter(|n| n.leaf).count();
        assert!((2..=12).contains(&leaves), "{leaves}");
        assert!(tree.depth() <= 4);
        assert_eq!(tree.check(cols), Ok(()));
        // Count the training rows reaching each leaf by walking raw values.
        let mut counts = vec![0usize; tree.nodes.len()];
        for row in x.chunks(cols) {
            let mut id = 0;
            while !tree.nodes[id].leaf {
                let node = &tree.nodes[id];
                id = if row[node.feature as usize] < node.threshold {
                    node.left as usize
                } else {
                    node.right as usize
                };
            }
            counts[id] += 1;
        }
        for (id, node) in tree.nodes.iter().enumerate() {
            if node.leaf {
                assert!(counts[id] >= 30, "leaf {id} has {} rows", counts[id]);
            }
        }
    }
}

#[test]
fn weights_and_one_class_targets_are_handled() {
    let cols = 2;
    let x = features(400, cols, 15);
    // Rows of weight 0 do not count: class 1 everywhere they are.
    let y: Vec<u32> = (0..400).map(|r| u32::from(r % 2 == 0)).collect();
    let weights: Vec<f32> = (0..400)
        .map(|r| if r % 2 == 0 { 0.0 } else { 1.0 })
        .collect();
    let mut trainer = GbdtTrainer::new(
        &x,
        400,
        cols,
        Targets::Classes(y),
        Objective::Logistic,
        &GbdtSettings::default(),
        Some(&weights),
        &[],
        0,
    )
    .unwrap();
    trainer.boost(10).unwrap();
    let p1 = trainer.booster().predict(&x, 400, cols);
    assert!(p1.iter().all(|&p| p < 0.01), "{:?}", &p1[..4]);
    // One class only: a finite base score and finite predictions.
    let trainer = train(
        &x,
        cols,
        Targets::Classes(vec![1; 400]),
        Objective::Logistic,
        &GbdtSettings::default(),
        0,
        5,
    );
    assert!(trainer.booster().base[0].is_finite() && trainer.booster().base[0] > 10.0);
    assert!(trainer.train_loss().is_finite());
    // A class absent from the training rows: low but finite.
    let trainer = train(
        &x,
        cols,
        Targets::Classes((0..400).map(|r| r % 2).collect()),
        Objective::Softmax { classes: 3 },
        &GbdtSettings::default(),
        0,
        5,
    );
    let booster = trainer.booster();
    assert!(booster.base.iter().all(|b| b.is_finite()));
    assert!(booster.base[2] < -10.0);
    assert_eq!(booster.check(), Ok(()));
}

#[test]
fn bad_inputs_are_one_sentence_errors() {
    let x = features(50, 2, 16);
    let values = || Targets::Values(vec![0.5; 50]);
    let ok = GbdtSettings::default();
    let new = |x: &[f32],
               rows: usize,
               cols: usize,
               targets: Targets,
               objective: Objective,
               settings: &GbdtSettings,
               weights: Option<&[f32]>| {
        match GbdtTrainer::new(x, rows, cols, targets, objective, settings, weights, &[], 0) {
            Ok(_) => panic!("expected an error"),
            Err(error) => {
                let text = error.to_string();
                assert!(text.ends_with('.') && !text.contains('\n'), "{text}");
                assert_eq!(text.matches(". ").count(), 0, "one sentence: {text}");
                error
            }
        }
    };
    let data = |e: GbdtError| matches!(e, GbdtError::Data { .. });
    let setting = |e: GbdtError, name: &str| match e {
        GbdtError::Setting { setting, .. } => setting == name,
        _ => false,
    };
    assert!(data(new(
        &[],
        0,
        2,
        Targets::Values(vec![]),
        Objective::Squared,
        &ok,
        None
    )));
    assert!(data(new(
        &x,
        50,
        0,
        values(),
        Objective::Squared,
        &ok,
        None
    )));
    assert!(data(new(
        &x,
        49,
        2,
        values(),
        Objective::Squared,
        &ok,
        None
    )));
    assert!(data(new(
        &x,
        50,
        2,
        Targets::Values(vec![0.5; 49]),
        Objective::Squared,
        &ok,
        None
    )));
    let mut nan = x.clone();
    nan[7] = f32::NAN;
    let error = new(&nan, 50, 2, values(), Objective::Squared, &ok, None);
    assert!(error.to_string().contains("column 1 of row 3"), "{error}");
    let mut infinite = vec![0.5; 50];
    infinite[3] = f32::INFINITY;
    assert!(data(new(
        &x,
        50,
        2,
        Targets::Values(infinite),
        Objective::Squared,
        &ok,
        None
    )));
    let classes = |c: u32| Targets::Classes((0..50).map(|r| if r == 9 { c } else { 0 }).collect());
    let error = new(
        &x,
        50,
        2,
        classes(3),
        Objective::Softmax { classes: 3 },
        &ok,
        None,
    );
    assert!(error.to_string().contains("row 9 has class 3"), "{error}");
    assert!(data(new(
        &x,
        50,
        2,
        classes(2),
        Objective::Logistic,
        &ok,
        None
    )));
    assert!(data(new(
        &x,
        50,
        2,
        classes(0),
        Objective::Softmax { classes: 1 },
        &ok,
        None
    )));
    assert!(data(new(
        &x,
        50,
        2,
        classes(0),
        Objective::Squared,
        &ok,
        None
    )));
    assert!(data(new(
        &x,
        50,
        2,
        values(),
        Objective::Logistic,
        &ok,
        None
    )));
    assert!(data(new(
        &x,
        50,
        2,
        values(),
        Objective::Squared,
        &ok,
        Some(&[1.0; 49])
    )));
    assert!(data(new(
        &x,
        50,
        2,
        values(),
        Objective::Squared,
        &ok,
        Some(&[0.0; 50])
    )));
    let mut negative = vec![1.0; 50];
    negative[0] = -1.0;
    assert!(data(new(
        &x,
        50,
        2,
        values(),
        Objective::Squared,
        &ok,
        Some(&negative)
    )));

    for (settings, name) in [
        (
            GbdtSettings {
                learning_rate: 0.0,
                ..ok.clone()
            },
            "learning_rate",
        ),
        (
            GbdtSettings {
                learning_rate: f64::NAN,
                ..ok.clone()
            },
            "learning_rate",
        ),
        (
            GbdtSettings {
                max_bins: 256,
                ..ok.clone()
            },
            "max_bins",
        ),
        (
            GbdtSettings {
                max_bins: 1,
                ..ok.clone()
            },
            "max_bins",
        ),
        (
            GbdtSettings {
                max_leaves: 1,
                ..ok.clone()
            },
            "max_leaves",
        ),
        (
            GbdtSettings {
                min_leaf_rows: 0,
                ..ok.clone()
            },
            "min_leaf_rows",
        ),
        (
            GbdtSettings {
                l2: -1.0,
                ..ok.clone()
            },
            "l2",
        ),
        (
            GbdtSettings {
                row_subsample: 0.0,
                ..ok.clone()
            },
            "row_subsample",
        ),
        (
            GbdtSettings {
                feature_subsample: 1.5,
                ..ok.clone()
            },
            "feature_subsample",
        ),
        (
            GbdtSettings {
                min_leaf_hessian: f64::INFINITY,
                ..ok.clone()
            },
            "min_leaf_hessian",
        ),
        (
            GbdtSettings {
                min_split_gain: -0.1,
                ..ok.clone()
            },
            "min_split_gain",
        ),
    ] {
        let error = new(&x, 50, 2, values(), Objective::Squared, &settings, None);
        assert!(error.to_string().contains(name), "{error}");
        assert!(setting(error, name));
    }
}

#[test]
fn tiny_and_constant_data_train_without_panicking() {
    // One row, constant features, fewer rows than a leaf needs: a booster of single leaves.
    for (rows, cols) in [(1, 1), (2, 3), (25, 2)] {
        let x = vec![1.5f32; rows * cols];
        let mut trainer = GbdtTrainer::new(
            &x,
            rows,
            cols,
            Targets::Values((0..rows).map(|r| r as f32).collect()),
            Objective::Squared,
            &GbdtSettings::default(),
            None,
            &[],
            0,
        )
        .unwrap();
        trainer.boost(3).unwrap();
        let booster = trainer.booster();
        assert!(booster.trees.iter().all(|t| t.nodes.len() == 1));
        assert_eq!(booster.raw_scores(&x, rows, cols).len(), rows);
    }
    // Subsampling down to one row and one feature still trains.
    let x = features(30, 3, 17);
    let settings = GbdtSettings {
        row_subsample: 0.01,
        feature_subsample: 0.01,
        min_leaf_rows: 1,
        ..GbdtSettings::default()
    };
    let trainer = train(
        &x,
        3,
        Targets::Classes((0..30).map(|r| r % 2).collect()),
        Objective::Logistic,
        &settings,
        3,
        5,
    );
    assert_eq!(trainer.booster().rounds(), 5);
}

#[test]
fn settings_and_models_read_back_from_json() {
    let settings: GbdtSettings =
        serde_json::from_str(r#"{"max_leaves": 15, "row_subsample": 0.5}"#).unwrap();
    assert_eq!(settings.max_leaves, 15);
    assert_eq!(settings.learning_rate, 0.1);
    assert!(serde_json::from_str::<GbdtSettings>(r#"{"max_leafs": 15}"#).is_err());
    assert_eq!(
        serde_json::to_string(&Objective::Softmax { classes: 3 }).unwrap(),
        r#"{"softmax":{"classes":3}}"#
    );
    let x = features(300, 2, 18);
    let trainer = train(
        &x,
        2,
        Targets::Classes((0..300).map(|r| r % 2).collect()),
        Objective::Logistic,
        &GbdtSettings::default(),
        0,
        3,
    );
    let text = json(trainer.booster());
    let back: Booster = serde_json::from_str(&text).unwrap();
    assert_eq!(back, *trainer.booster());
    // A model whose tree points backwards is refused by `check`, and its walk still ends.
    let mut broken = back.clone();
    broken.trees[0] = Tree {
        nodes: vec![Node {
            feature: 0,
            threshold: 0.0,
            left: 0,
            right: 0,
            value: 0.0,
            leaf: false,
        }],
    };
    let error = broken.check().unwrap_err();
    assert!(error.to_string().contains("tree 0"), "{error}");
    assert_eq!(broken.raw_scores(&x, 300, 2).len(), 300);
}

/// One number, then the one-hot columns of `categories` categories (the last one "no
/// category": all zeros, as a one-hot step never writes but a caller might); the target is 1
/// for the categories in `ones`, flipped for 5% of rows.
fn one_hot_table(
    rows: usize,
    categories: usize,
    ones: &[usize],
    seed: u64,
) -> (Vec<f32>, Vec<u32>) {
    let mut rng = SplitMix64::new(seed);
    let cols = 1 + categories;
    let mut x = Vec::with_capacity(rows * cols);
    let mut y = Vec::with_capacity(rows);
    for _ in 0..rows {
        let category = rng.below(categories as u64 + 1) as usize;
        x.push((rng.next_f64() * 2.0 - 1.0) as f32);
        x.extend((0..categories).map(|c| f32::from(u8::from(c == category))));
        let label = u32::from(ones.contains(&category));
        y.push(if rng.next_f64() < 0.05 {
            1 - label
        } else {
            label
        });
    }
    (x, y)
}

#[test]
// The one-hot groups are lists of ranges, and one group is a list of one range.
#[allow(clippy::single_range_in_vec_init)]
fn a_set_of_categories_is_one_split() {
    let (rows, categories) = (3000, 12);
    let cols = 1 + categories;
    let ones = [0, 3, 4, 7, 9, 10];
    let (x, y) = one_hot_table(rows, categories, &ones, 31);
    let stumps = |categorical| GbdtSettings {
        max_leaves: 2,
        categorical,
        ..GbdtSettings::default()
    };
    let trainer = |settings: &GbdtSettings, rounds: usize| {
        let mut trainer = GbdtTrainer::new(
            &x,
            rows,
            cols,
            Targets::Classes(y.clone()),
            Objective::Logistic,
            settings,
            None,
            &[1..cols],
            0,
        )
        .unwrap();
        trainer.boost(rounds).unwrap();
        trainer
    };
    let trained = |settings: &GbdtSettings| trainer(settings, 1).into_booster();
    let accuracy_of = |booster: &Booster| {
        let p = booster.predict(&x, rows, cols);
        let predicted: Vec<u32> = p.iter().map(|&p| u32::from(p > 0.5)).collect();
        accuracy(&predicted, &y)
    };
    // One stump on the set separates the two groups (95% of labels are clean); one stump on
    // one one-hot column cannot.
    let sets = trained(&stumps(true));
    assert_eq!(sets.category_sets.len(), 1);
    let mut chosen = sets.category_sets[0].clone();
    chosen.sort_unstable();
    let ones_columns: Vec<u32> = ones.iter().map(|&c| 1 + c as u32).collect();
    let others: Vec<u32> = (1..cols as u32)
        .filter(|c| !ones_columns.contains(c))
        .collect();
    assert!(chosen == ones_columns || chosen == others, "{chosen:?}");
    assert!(accuracy_of(&sets) > 0.9, "{}", accuracy_of(&sets));
    let columns = trained(&stumps(false));
    assert!(columns.category_sets.is_empty());
    assert!(accuracy_of(&columns) < 0.75, "{}", accuracy_of(&columns));

    // Full models: the host's walk of the derived features gives the training scores the
    // trainer kept (its loss is the loss of the booster's own predictions), and the model
    // reads back from JSON.
    let trainer = trainer(
        &GbdtSettings {
            row_subsample: 0.7,
            ..GbdtSettings::default()
        },
        10,
    );
    let booster = trainer.booster().clone();
    booster.check().unwrap();
    let p = booster.predict(&x, rows, cols);
    let log_loss = p
        .iter()
        .zip(&y)
        .map(|(&p, &c)| -f64::from(if c == 1 { p } else { 1.0 - p }).max(1e-15).ln())
        .sum::<f64>()
        / rows as f64;
    assert!(
        (log_loss - trainer.train_loss()).abs() < 1e-5,
        "{log_loss} vs {}",
        trainer.train_loss()
    );
    let back: Booster = serde_json::from_str(&json(&booster)).unwrap();
    assert_eq!(back, booster);
    // Cutting rounds keeps exactly the derived features the kept trees read.
    let mut first = booster.clone();
    first.truncate(1);
    let read = |b: &Booster| {
        let mut read: Vec<u32> = b
            .trees
            .iter()
            .flat_map(|t| &t.nodes)
            .filter(|n| !n.leaf && n.feature as usize >= cols)
            .map(|n| n.feature)
            .collect();
        read.sort_unstable();
        read.dedup();
        read
    };
    assert_eq!(
        read(&first),
        (cols as u32..(cols + first.category_sets.len()) as u32).collect::<Vec<_>>()
    );
    assert!(first.category_sets.len() < booster.category_sets.len());
    first.check().unwrap();
    let mut broken = booster.clone();
    broken.category_sets[0].push(cols as u32);
    assert!(
        broken
            .check()
            .unwrap_err()
            .to_string()
            .contains("category set 0")
    );
}

#[test]
// The one-hot groups are lists of ranges, and one group is a list of one range.
#[allow(clippy::single_range_in_vec_init)]
fn one_hot_groups_that_are_not_one_hot_are_refused() {
    let (x, y) = one_hot_table(200, 4, &[1], 3);
    let cols = 5;
    let new = |x: &[f32], groups: &[std::ops::Range<usize>]| {
        GbdtTrainer::new(
            x,
            200,
            cols,
            Targets::Classes(y.clone()),
            Objective::Logistic,
            &GbdtSettings::default(),
            None,
            groups,
            0,
        )
        .map(|_| ())
    };
    assert!(new(&x, &[1..5]).is_ok());
    // A group of one column is kept as a number; turning categories off ignores the groups.
    assert!(new(&x, &[1..2]).is_ok());
    for groups in [vec![0..5], vec![1..6], vec![2..4, 1..3], vec![3..3]] {
        let error = new(&x, &groups).unwrap_err().to_string();
        assert!(
            error.contains("feature columns") || error.contains("one-hot group"),
            "{error}"
        );
    }
    let mut two_hot = x.clone();
    two_hot[1] = 1.0;
    two_hot[2] = 1.0;
    let error = new(&two_hot, &[1..5]).unwrap_err().to_string();
    assert!(error.contains("row 0 is not one-hot"), "{error}");
}
