//! The search core without training: samplers (TPE against random search on a 4-D function,
//! grid coverage, determinism), pruners on crafted learning curves, budgets, the Pareto front
//! and resuming a study from its JSON.

use hearth::search::{
    AshaSettings, Budget, Decision, Domain, GridSettings, MedianSettings, Metric, Objectives,
    Outcome, ParamValue, Params, PrunerKind, SamplerKind, SearchError, SecondObjective, Space,
    Study, StudySettings, TpeSettings, TrialState, train_config,
};
use hearth::train::{ModelKind, OptimizerKind, TrainConfig};

use crate::support::ok;

fn float(low: f64, high: f64, log: bool) -> Domain {
    Domain::Float { low, high, log }
}

/// A 4-D test function with its minimum 0 at x0 = 1.3, x1 = −2.1, x2 = 0.05, x3 = 7: two
/// linear coordinates, one on a log scale, one whole number.
fn space_4d() -> Space {
    Space::from_domains([
        ("x0".to_string(), float(-5.0, 5.0, false)),
        ("x1".to_string(), float(-5.0, 5.0, false)),
        ("x2".to_string(), float(1e-3, 10.0, true)),
        (
            "x3".to_string(),
            Domain::Int {
                low: 0,
                high: 20,
                log: false,
            },
        ),
    ])
}

fn value(params: &Params, name: &str) -> f64 {
    params
        .get(name)
        .and_then(ParamValue::as_f64)
        .unwrap_or(f64::NAN)
}

fn objective_4d(params: &Params) -> f64 {
    let x0 = value(params, "x0");
    let x1 = value(params, "x1");
    let x2 = value(params, "x2");
    let x3 = value(params, "x3");
    (x0 - 1.3).powi(2)
        + (x1 + 2.1).powi(2)
        + (x2.ln() - 0.05f64.ln()).powi(2)
        + ((x3 - 7.0) / 3.0).powi(2)
}

fn settings(sampler: SamplerKind, space: Space, trials: usize, seed: u64) -> StudySettings {
    StudySettings {
        seed,
        sampler,
        pruner: PrunerKind::None,
        budget: Budget {
            trials: Some(trials),
            ..Budget::default()
        },
        objectives: Objectives {
            primary: Metric::Value,
            second: None,
        },
        space,
        train: TrainConfig::default(),
        rows_per_epoch: 1,
        portfolio: false,
    }
}

/// Runs a study on `f` to its budget, one trial at a time, and returns it.
fn run(settings: StudySettings, f: impl Fn(&Params) -> f64) -> Study {
    let mut study = ok(Study::new(settings));
    while let Some(ticket) = ok(study.ask()) {
        let y = f(&ticket.params);
        ok(study.tell(
            ticket.number,
            Outcome::Complete {
                values: vec![y],
                epochs: 1,
                best_epoch: None,
                valid_metrics: None,
                note: None,
                elapsed_ms: 0.0,
            },
        ));
    }
    study
}

fn best_value(study: &Study) -> f64 {
    study
        .best_trial()
        .and_then(|t| t.values.as_ref())
        .and_then(|v| v.first().copied())
        .unwrap_or(f64::INFINITY)
}

#[test]
fn tpe_beats_random_search_on_average_over_seeds() {
    let seeds = 0..10u64;
    let trials = 60;
    let mean_best = |sampler: &SamplerKind| {
        seeds
            .clone()
            .map(|seed| {
                best_value(&run(
                    settings(sampler.clone(), space_4d(), trials, seed),
                    objective_4d,
                ))
            })
            .sum::<f64>()
            / seeds.clone().count() as f64
    };
    let tpe = mean_best(&SamplerKind::Tpe(TpeSettings::default()));
    let random = mean_best(&SamplerKind::Random);
    // Margin: TPE's mean best value is under half of random search's.
    assert!(tpe < 0.5 * random, "TPE {tpe} vs random {random}");
    let independent = mean_best(&SamplerKind::Tpe(TpeSettings {
        multivariate: Some(false),
        ..TpeSettings::default()
    }));
    assert!(
        independent < 0.5 * random,
        "independent TPE {independent} vs random {random}"
    );
}

#[test]
fn the_same_seed_gives_the_same_trials() {
    for sampler in [
        SamplerKind::Random,
        SamplerKind::Tpe(TpeSettings::default()),
        SamplerKind::Grid(GridSettings::default()),
    ] {
        let a = run(settings(sampler.clone(), space_4d(), 15, 5), objective_4d);
        let b = run(settings(sampler.clone(), space_4d(), 15, 5), objective_4d);
        let c = run(settings(sampler.clone(), space_4d(), 15, 6), objective_4d);
        assert_eq!(a.trials, b.trials, "{}", sampler.name());
        assert_ne!(a.trials, c.trials, "{}", sampler.name());
        let seeds: Vec<u64> = a.trials.iter().map(|t| t.seed).collect();
        let mut distinct = seeds.clone();
        distinct.dedup();
        assert_eq!(distinct.len(), seeds.len());
    }
}

#[test]
fn samples_stay_in_their_domains() {
    for sampler in [
        SamplerKind::Random,
        SamplerKind::Tpe(TpeSettings::default()),
    ] {
        let study = run(settings(sampler, space_4d(), 30, 1), objective_4d);
        for trial in &study.trials {
            ok(study.settings.space.check_point(&trial.params));
            assert!(matches!(trial.params.get("x3"), Some(ParamValue::Int(_))));
        }
    }
}

#[test]
fn grid_visits_every_point_once_then_stops() {
    let space = Space::from_domains([
        ("a".to_string(), float(0.0, 1.0, false)),
        (
            "b".to_string(),
            Domain::Categorical {
                choices: vec![ParamValue::Text("x".into()), ParamValue::Text("y".into())],
            },
        ),
        (
            "c".to_string(),
            Domain::Int {
                low: 1,
                high: 2,
                log: false,
            },
        ),
    ]);
    let study = run(
        settings(SamplerKind::Grid(GridSettings { points: 3 }), space, 100, 4),
        |p| value(p, "a"),
    );
    assert_eq!(study.trials.len(), 3 * 2 * 2);
    let mut seen: Vec<String> = study
        .trials
        .iter()
        .map(|t| format!("{:?}", t.params))
        .collect();
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 12);
    let a_values: Vec<f64> = study.trials.iter().map(|t| value(&t.params, "a")).collect();
    for expected in [0.0, 0.5, 1.0] {
        assert_eq!(a_values.iter().filter(|&&a| a == expected).count(), 4);
    }
}

#[test]
fn conditional_parameters_apply_only_under_their_condition() {
    let space = Space::for_training(100);
    let study = run(
        settings(
            SamplerKind::Grid(GridSettings { points: 2 }),
            space.clone(),
            100_000,
            0,
        ),
        |_| 0.0,
    );
    let linear = study
        .trials
        .iter()
        .filter(|t| t.params.get("model") == Some(&ParamValue::Text("linear".into())))
        .count();
    let trees = study
        .trials
        .iter()
        .filter(|t| t.params.get("model") == Some(&ParamValue::Text("gbdt".into())))
        .count();
    let mlp = study.trials.len() - linear - trees;
    // Linear (fitted by Newton's method): wd 2 × epochs 2; MLP also lr 2 × batch 4 ×
    // optimiser 2 × depth 2 × width 2 × activation 3 × dropout 2; trees: their learning rate,
    // leaves, rows per leaf, L2 and feature share 2 each × epochs 2, and none of the
    // networks' parameters.
    assert_eq!(linear, 2 * 2);
    assert_eq!(mlp, linear * 2 * 4 * 2 * 2 * 2 * 3 * 2);
    assert_eq!(trees, 2 * 2 * 2 * 2 * 2 * 2);
    for trial in &study.trials {
        ok(space.check_point(&trial.params));
        let config = ok(train_config(
            &trial.params,
            &TrainConfig::default(),
            trial.seed,
        ));
        assert_eq!(config.seed, trial.seed);
        assert_eq!(
            trial.params.contains_key("width"),
            matches!(config.model, ModelKind::Mlp(_))
        );
        assert_eq!(
            config.optimizer == OptimizerKind::Newton,
            config.model == ModelKind::Linear
        );
    }
}

#[test]
fn train_config_applies_the_parameters() {
    let mut params = Params::new();
    params.insert("model".into(), ParamValue::Text("mlp".into()));
    params.insert("depth".into(), ParamValue::Int(2));
    params.insert("width".into(), ParamValue::Int(16));
    params.insert("activation".into(), ParamValue::Text("tanh".into()));
    params.insert("dropout".into(), ParamValue::Float(0.25));
    params.insert("learning_rate".into(), ParamValue::Float(0.003));
    params.insert("optimizer".into(), ParamValue::Text("sgd".into()));
    params.insert("batch_size".into(), ParamValue::Int(32));
    params.insert("epochs".into(), ParamValue::Int(12));
    let config = ok(train_config(&params, &TrainConfig::default(), 9));
    assert_eq!(
        config.model,
        ModelKind::Mlp(hearth::train::MlpSettings {
            hidden: vec![16, 16],
            activation: hearth::train::Activation::Tanh,
            dropout: 0.25,
            layer_norm: false
        })
    );
    assert_eq!(config.optimizer, OptimizerKind::Sgd { momentum: 0.9 });
    assert_eq!((config.batch_size, config.epochs, config.seed), (32, 12, 9));
    params.insert("dropout".into(), ParamValue::Float(0.95));
    let error = train_config(&params, &TrainConfig::default(), 9).unwrap_err();
    assert!(error.to_string().contains("\"dropout\""), "{error}");
    params.insert("momentum".into(), ParamValue::Float(0.5));
    let error = train_config(&params, &TrainConfig::default(), 9).unwrap_err();
    assert!(error.to_string().contains("\"momentum\""), "{error}");
}

/// A study of epoch curves: each trial reports its curve until pruned, then is told.
fn curve_study(pruner: PrunerKind) -> Study {
    let mut s = settings(SamplerKind::Random, space_4d(), 100, 0);
    s.pruner = pruner;
    ok(Study::new(s))
}

/// Reports `curve` epoch by epoch; returns the epoch at which the pruner stopped it, if any.
fn feed(study: &mut Study, curve: &[f64]) -> Option<usize> {
    let ticket = ok(study.ask()).unwrap_or_else(|| panic!("budget spent"));
    for (i, &v) in curve.iter().enumerate() {
        if ok(study.report(ticket.number, i + 1, v)) == Decision::Prune {
            ok(study.tell(
                ticket.number,
                Outcome::Pruned {
                    epochs: i + 1,
                    elapsed_ms: 0.0,
                },
            ));
            return Some(i + 1);
        }
    }
    let best = curve.iter().copied().fold(f64::INFINITY, f64::min);
    ok(study.tell(
        ticket.number,
        Outcome::Complete {
            values: vec![best],
            epochs: curve.len(),
            best_epoch: None,
            valid_metrics: None,
            note: None,
            elapsed_ms: 0.0,
        },
    ));
    None
}

#[test]
fn median_pruner_stops_a_trial_worse_than_the_median_at_its_epoch() {
    let mut study = curve_study(PrunerKind::Median(MedianSettings {
        startup_trials: 2,
        warmup_epochs: 0,
        min_trials: 1,
    }));
    // Start-up: never pruned, even when bad.
    assert_eq!(feed(&mut study, &[1.0, 0.8, 0.6]), None);
    assert_eq!(feed(&mut study, &[1.0, 0.6, 0.4]), None);
    // Epoch 1: 0.9 beats the median 1.0; epoch 2: best 0.9 is worse than the median 0.7.
    assert_eq!(feed(&mut study, &[0.9, 0.95, 0.1]), Some(2));
    // Keeping up with the median runs to the end.
    assert_eq!(feed(&mut study, &[0.9, 0.7, 0.5]), None);
    // Past the complete trials' last epoch there is nothing to compare with.
    assert_eq!(feed(&mut study, &[0.5, 0.5, 0.5, 9.0]), None);
    // Not a number: pruned at once.
    assert_eq!(feed(&mut study, &[f64::NAN]), Some(1));
    assert_eq!(study.trials[2].state, TrialState::Pruned);
    assert_eq!(study.trials[2].intermediate, vec![0.9, 0.95]);
}

#[test]
fn asha_promotes_the_best_fraction_at_each_rung() {
    let mut study = curve_study(PrunerKind::Asha(AshaSettings {
        min_epochs: 1,
        reduction_factor: 2,
        min_early_stopping_rate: 0,
    }));
    // Rungs at epochs 1, 2, 4. The first trial at a rung always goes on.
    assert_eq!(feed(&mut study, &[0.5, 0.3, 0.2, 0.1]), None);
    assert_eq!(study.trials[0].rungs, vec![0.5, 0.3, 0.1]);
    // Rung 0 values {0.5, 0.7}: the best 1/2 is 0.5; 0.7 stops.
    assert_eq!(feed(&mut study, &[0.7, 0.1]), Some(1));
    // Rung 0 {0.4, 0.5, 0.7}: 0.4 goes on; rung 1 {0.3, 0.45}: 0.45 stops at epoch 2.
    assert_eq!(feed(&mut study, &[0.4, 0.45, 0.0]), Some(2));
    // Between rungs nothing is decided: 0.2 at rung 0 goes on, epoch 3 is no rung, and
    // 0.25 at rung 1 ({0.25, 0.3, 0.45}: the best 1/2 is 0.25) goes on.
    assert_eq!(feed(&mut study, &[0.2, 0.25, 9.0]), None);
    // Higher-is-better metrics are compared the right way round.
    let mut s = settings(SamplerKind::Random, space_4d(), 10, 0);
    s.pruner = PrunerKind::Asha(AshaSettings {
        min_epochs: 1,
        reduction_factor: 2,
        min_early_stopping_rate: 0,
    });
    s.objectives.primary = Metric::Accuracy;
    let mut accuracy = ok(Study::new(s));
    assert_eq!(feed(&mut accuracy, &[0.9]), None);
    assert_eq!(feed(&mut accuracy, &[0.95]), None);
    assert_eq!(feed(&mut accuracy, &[0.5]), Some(1));
}

#[test]
fn work_budget_counts_rows_times_epochs() {
    let mut s = settings(SamplerKind::Random, space_4d(), 1000, 0);
    s.budget = Budget {
        trials: None,
        work: Some(100),
        wall_clock_s: None,
    };
    s.rows_per_epoch = 10;
    let mut study = ok(Study::new(s));
    let mut started = 0;
    while let Some(ticket) = ok(study.ask()) {
        started += 1;
        for epoch in 1..=3 {
            ok(study.report(ticket.number, epoch, 1.0));
        }
        ok(study.tell(
            ticket.number,
            Outcome::Complete {
                values: vec![1.0],
                epochs: 3,
                best_epoch: None,
                valid_metrics: None,
                note: None,
                elapsed_ms: 0.0,
            },
        ));
    }
    // 30 per trial: after 4 trials (120) the budget is spent.
    assert_eq!(started, 4);
    assert_eq!(study.work_spent(), 120);
}

#[test]
fn a_saved_study_resumes_with_its_running_trials_requeued() {
    let make = || settings(SamplerKind::Tpe(TpeSettings::default()), space_4d(), 16, 11);
    let uninterrupted = run(make(), objective_4d);

    let mut study = ok(Study::new(make()));
    for _ in 0..12 {
        let Some(ticket) = ok(study.ask()) else { break };
        ok(study.tell(
            ticket.number,
            Outcome::Complete {
                values: vec![objective_4d(&ticket.params)],
                epochs: 1,
                best_epoch: None,
                valid_metrics: None,
                note: None,
                elapsed_ms: 0.0,
            },
        ));
    }
    // Trial 12 is running (with an epoch reported) when the study is saved.
    let running = ok(study.ask()).unwrap_or_else(|| panic!("budget spent"));
    ok(study.report(running.number, 1, 5.0));
    let json = ok(study.to_json());
    assert!(json.contains("\"params\""));
    let mut resumed = ok(Study::from_json(&json));
    // What the page says is kept: the finished trials, not the one that was running.
    assert_eq!((study.finished(), resumed.finished()), (12, 12));
    assert_eq!(resumed.trials[12].state, TrialState::Queued);
    assert!(resumed.trials[12].intermediate.is_empty());
    assert_eq!(resumed.trials[..12], study.trials[..12]);
    let again = ok(resumed.ask()).unwrap_or_else(|| panic!("budget spent"));
    assert_eq!(again, running);
    ok(resumed.tell(
        again.number,
        Outcome::Complete {
            values: vec![objective_4d(&again.params)],
            epochs: 1,
            best_epoch: None,
            valid_metrics: None,
            note: None,
            elapsed_ms: 0.0,
        },
    ));
    while let Some(ticket) = ok(resumed.ask()) {
        ok(resumed.tell(
            ticket.number,
            Outcome::Complete {
                values: vec![objective_4d(&ticket.params)],
                epochs: 1,
                best_epoch: None,
                valid_metrics: None,
                note: None,
                elapsed_ms: 0.0,
            },
        ));
    }
    // Interrupted and resumed, the study is the one that ran straight through.
    assert_eq!(resumed.trials, uninterrupted.trials);
}

#[test]
fn pareto_front_keeps_the_non_dominated_trials() {
    let mut s = settings(SamplerKind::Random, space_4d(), 10, 0);
    s.objectives = Objectives {
        primary: Metric::Accuracy,
        second: Some(SecondObjective::Parameters),
    };
    let mut study = ok(Study::new(s));
    // (accuracy ↑, parameters ↓)
    for values in [
        [0.9, 100.0],
        [0.95, 500.0],
        [0.85, 200.0],
        [0.95, 400.0],
        [0.8, 50.0],
    ] {
        let Some(ticket) = ok(study.ask()) else { break };
        ok(study.tell(
            ticket.number,
            Outcome::Complete {
                values: values.to_vec(),
                epochs: 1,
                best_epoch: None,
                valid_metrics: None,
                note: None,
                elapsed_ms: 0.0,
            },
        ));
    }
    let front: Vec<usize> = study.pareto_front().iter().map(|t| t.number).collect();
    assert_eq!(front, vec![0, 3, 4]);
    assert_eq!(study.best_trial().map(|t| t.number), Some(1));
    // A single value where two are expected is refused.
    let ticket = ok(study.ask()).unwrap_or_else(|| panic!("budget spent"));
    let error = study
        .tell(
            ticket.number,
            Outcome::Complete {
                values: vec![0.5],
                epochs: 1,
                best_epoch: None,
                valid_metrics: None,
                note: None,
                elapsed_ms: 0.0,
            },
        )
        .unwrap_err();
    assert!(matches!(error, SearchError::Trial { .. }), "{error}");
}

#[test]
fn importance_finds_the_parameter_that_matters() {
    // Only x0 changes the value.
    let study = run(settings(SamplerKind::Random, space_4d(), 60, 2), |p| {
        value(p, "x0").abs()
    });
    let importance = study.importance();
    assert_eq!(importance.len(), 4);
    assert_eq!(importance[0].name, "x0");
    assert!(importance[0].importance > 0.7, "{importance:?}");
    let sum: f64 = importance.iter().map(|p| p.importance).sum();
    assert!((sum - 1.0).abs() < 1e-9);
}

#[test]
fn bad_settings_and_documents_are_named() {
    let mut bad_space = space_4d();
    bad_space.params[2].domain = float(0.0, 1.0, true);
    let error = Study::new(settings(SamplerKind::Random, bad_space, 5, 0)).unwrap_err();
    assert_eq!(
        error.to_string(),
        "Search parameter \"x2\": a log range must start above 0, not at 0."
    );
    let error = Study::new(settings(SamplerKind::Random, space_4d(), 0, 0)).unwrap_err();
    assert!(error.to_string().contains("\"trials\""), "{error}");
    let error = Space::for_training(10)
        .with_overrides(
            &[("lr".to_string(), float(0.1, 1.0, false))]
                .into_iter()
                .collect(),
        )
        .unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("Search parameter \"lr\": the space has no such parameter"),
        "{error}"
    );
    for text in [
        "",
        "[]",
        "{\"format\": \"hearth-model\"}",
        "{\"format\": \"hearth-study\", \"format_version\": 99}",
    ] {
        let error = Study::from_json(text).unwrap_err();
        assert!(
            matches!(error, SearchError::StudyFile { .. }),
            "{text}: {error}"
        );
        assert!(error.to_string().ends_with('.'), "{error}");
    }
    let mut study = ok(Study::new(settings(SamplerKind::Random, space_4d(), 5, 0)));
    assert!(study.report(3, 1, 0.5).is_err());
    let ticket = ok(study.ask()).unwrap_or_else(|| panic!("budget spent"));
    ok(study.tell(
        ticket.number,
        Outcome::Failed {
            epochs: 0,
            error: "diverged".into(),
            elapsed_ms: 0.0,
        },
    ));
    assert!(study.report(ticket.number, 1, 0.5).is_err());
    assert_eq!(study.best_trial(), None);
}

#[test]
fn a_spent_time_budget_stops_running_trials_once_one_completed() {
    let mut settings = settings(SamplerKind::Random, space_4d(), 10, 1);
    settings.budget = Budget {
        wall_clock_s: Some(1.0),
        ..Budget::default()
    };
    let mut study = ok(Study::new(settings));
    let first = ok(study.ask()).map(|t| t.number);
    let second = ok(study.ask()).map(|t| t.number);
    let (Some(first), Some(second)) = (first, second) else {
        panic!("the study handed out no trial");
    };
    // Out of time but nothing complete yet: the running trials go on, so there is a model.
    study.elapsed_ms = 1500.0;
    assert_eq!(ok(study.report(first, 1, 0.5)), Decision::Continue);
    assert_eq!(ok(study.ask()), None);
    ok(study.tell(
        first,
        Outcome::Complete {
            values: vec![0.5],
            epochs: 1,
            best_epoch: Some(1),
            valid_metrics: None,
            note: None,
            elapsed_ms: 0.0,
        },
    ));
    // Now one has completed: the other stops at its next epoch.
    assert_eq!(ok(study.report(second, 1, 0.4)), Decision::Prune);
    // Within the budget nothing is stopped for time.
    study.elapsed_ms = 500.0;
    assert_eq!(ok(study.report(second, 2, 0.4)), Decision::Continue);
}

#[test]
fn balance_seeking_metrics_search_class_weights() {
    assert!(Metric::BalancedAccuracy.rewards_balance() && Metric::MacroF1.rewards_balance());
    assert!(!Metric::Accuracy.rewards_balance() && !Metric::Monitor.rewards_balance());
    assert!(Space::for_task(500, false).get("class_weights").is_none());
    let space = Space::for_task(500, true);
    assert!(space.get("class_weights").is_some());
    let mut params = Params::new();
    params.insert("class_weights".into(), ParamValue::Text("balanced".into()));
    assert!(ok(train_config(&params, &TrainConfig::default(), 1)).class_weights);
    params.insert("class_weights".into(), ParamValue::Text("none".into()));
    let base = TrainConfig {
        class_weights: true,
        ..TrainConfig::default()
    };
    assert!(!ok(train_config(&params, &base, 1)).class_weights);
    params.insert("class_weights".into(), ParamValue::Text("inverse".into()));
    let error = match train_config(&params, &base, 1) {
        Ok(_) => panic!("an unknown weighting was accepted"),
        Err(error) => error.to_string(),
    };
    assert!(
        error.contains("class_weights") && error.contains("balanced"),
        "{error}"
    );
}

#[test]
fn automl_starts_with_the_portfolio_then_samples() {
    let budget = Budget {
        trials: Some(6),
        ..Budget::default()
    };
    for rows in [300, 5_000, 80_000] {
        let settings =
            StudySettings::automl(rows, 3, budget, Metric::Monitor, TrainConfig::default());
        let portfolio = settings.space.portfolio();
        let families: Vec<_> = portfolio.iter().map(|p| p["model"].label()).collect();
        assert_eq!(families, ["gbdt", "linear", "mlp"], "{rows} rows");
        let mut study = ok(Study::new(settings));
        for (number, point) in portfolio.iter().enumerate() {
            ok(study.settings.space.check_point(point));
            let ticket = ok(study.ask()).expect("the budget allows six trials");
            assert_eq!(&ticket.params, point, "trial {number} on {rows} rows");
            fail(&mut study, ticket.number);
        }
        // The trees' defaults survive the projection; epochs sit at the space's most.
        let trees = &portfolio[0];
        assert_eq!(trees["leaves"], ParamValue::Int(31));
        let Some(Domain::Int { high, .. }) = study.settings.space.get("epochs").map(|s| &s.domain)
        else {
            panic!("the space has whole-number epochs")
        };
        assert_eq!(trees["epochs"], ParamValue::Int(*high));
        // Then the sampler takes over and the document round-trips with the flag.
        let ticket = ok(study.ask()).expect("a fourth trial");
        assert!(!portfolio.contains(&ticket.params));
        let reread = ok(Study::from_json(&ok(study.to_json())));
        assert!(reread.settings.portfolio);
    }
    // A space restricted to the networks skips the trees' point.
    let mut space = Space::for_training(300);
    space.params[0].domain = Domain::Categorical {
        choices: vec![
            ParamValue::Text("linear".into()),
            ParamValue::Text("mlp".into()),
        ],
    };
    let families: Vec<_> = space
        .portfolio()
        .iter()
        .map(|p| p["model"].label())
        .collect();
    assert_eq!(families, ["linear", "mlp"]);
}

fn fail(study: &mut Study, number: usize) {
    ok(study.tell(
        number,
        Outcome::Failed {
            epochs: 0,
            error: "not trained in this test".into(),
            elapsed_ms: 0.0,
        },
    ));
}
