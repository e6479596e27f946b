//! `hearth search` and `hearth automl` as a user runs them, on the bundled iris data with few
//! epochs: the study file, reproducibility with one worker, parallel workers with pruning,
//! resuming, the best model loading in `hearth predict`, and one-sentence errors.

use hearth::search::{ParamValue, Study, TrialState};
use hearth::train::ModelFile;

use crate::support::{
    assert_ok, assert_one_sentence_error, hearth, path_of, read, sample, temp_dir, write,
};

fn study_at(path: &str) -> Study {
    match Study::from_json(&read(path)) {
        Ok(study) => study,
        Err(error) => panic!("{path}: {error}"),
    }
}

/// What must be reproducible of each trial (not its wall time).
fn trial_facts(study: &Study) -> Vec<String> {
    study
        .trials
        .iter()
        .map(|t| {
            format!(
                "{} {:?} {:?} {} {:?} {:?} {}",
                t.number, t.state, t.params, t.seed, t.values, t.intermediate, t.epochs
            )
        })
        .collect()
}

fn search(args: &[&str]) -> std::process::Output {
    let mut all = vec!["search", "--target", "species", "--epochs", "4"];
    all.extend_from_slice(args);
    hearth(&all)
}

#[test]
fn the_same_seed_with_one_worker_gives_the_same_study() {
    let dir = temp_dir();
    let iris = sample("iris.csv");
    let run = |name: &str, seed: &str| {
        let out = path_of(&dir, name);
        let stdout = assert_ok(&search(&[
            &iris,
            "--trials",
            "12",
            "--seed",
            seed,
            "--workers",
            "1",
            "--out",
            &out,
        ]));
        (study_at(&out), stdout, read(&out))
    };
    let (a, stdout, text) = run("a.json", "5");
    let (b, _, _) = run("b.json", "5");
    let (c, _, _) = run("c.json", "6");
    assert_eq!(a.trials.len(), 12);
    assert_eq!(trial_facts(&a), trial_facts(&b));
    assert_ne!(trial_facts(&a), trial_facts(&c));
    // TPE takes over after 10 random trials; every trial completed its 4 epochs, or converged
    // before them (a linear model fitted by Newton's method).
    let linear = |t: &hearth::search::Trial| t.params["model"] == ParamValue::Text("linear".into());
    assert!(a.trials.iter().all(|t| t.state == TrialState::Complete
        && t.intermediate.len() == t.epochs
        && (t.epochs == 4 || (linear(t) && t.epochs < 4))));
    assert_eq!(
        stdout.lines().filter(|l| l.starts_with("trial ")).count(),
        12,
        "{stdout}"
    );
    assert!(stdout.contains("\nbest: trial "), "{stdout}");
    assert!(stdout.contains("\nimportance: "), "{stdout}");
    // Each trial in the file is an object with its params.
    let json: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    let trials = json["trials"].as_array().cloned().unwrap_or_default();
    assert_eq!(trials.len(), 12);
    assert!(trials.iter().all(|t| t["params"].is_object()
        && (t["params"]["learning_rate"].is_number()
            || t["params"]["tree_learning_rate"].is_number()
            || t["params"]["model"] == "linear")));
    assert_eq!(json["format"], "hearth-study");
}

#[test]
fn the_best_model_loads_in_predict() {
    let dir = temp_dir();
    let out = path_of(&dir, "study.json");
    let model = path_of(&dir, "best.hearth");
    let iris = sample("iris.csv");
    let stdout = assert_ok(&search(&[
        &iris,
        "--trials",
        "4",
        "--seed",
        "1",
        "--sampler",
        "random",
        "--out",
        &out,
        "--model-out",
        &model,
    ]));
    assert!(stdout.contains("wrote "), "{stdout}");
    let study = study_at(&out);
    let file = match ModelFile::from_json(&read(&model)) {
        Ok(file) => file,
        Err(error) => panic!("{error}"),
    };
    let best = match study.best_trial() {
        Some(best) => best,
        None => panic!("no best trial"),
    };
    // The model is the best trial's: its seed, and the validation metrics it reported.
    assert_eq!(file.config.seed, best.seed);
    assert_eq!(file.training.epochs_run, best.epochs);
    assert!(file.test_metrics.is_some());
    let predictions = path_of(&dir, "predictions.csv");
    assert_ok(&hearth(&["predict", &model, &iris, "--out", &predictions]));
    assert_eq!(read(&predictions).lines().count(), 151);
}

#[test]
fn parallel_workers_with_asha_and_a_pareto_front() {
    let dir = temp_dir();
    let out = path_of(&dir, "study.json");
    let iris = sample("iris.csv");
    let stdout = assert_ok(&hearth(&[
        "search",
        &iris,
        "--target",
        "species",
        "--epochs",
        "9",
        "--trials",
        "10",
        "--sampler",
        "random",
        "--pruner",
        "asha",
        "--workers",
        "3",
        "--second-objective",
        "parameters",
        "--out",
        &out,
    ]));
    let study = study_at(&out);
    assert_eq!(study.trials.len(), 10);
    assert!(
        study
            .trials
            .iter()
            .all(|t| matches!(t.state, TrialState::Complete | TrialState::Pruned))
    );
    let complete: Vec<_> = study
        .trials
        .iter()
        .filter(|t| t.state == TrialState::Complete)
        .collect();
    assert!(!complete.is_empty());
    for trial in &complete {
        let values = trial.values.clone().unwrap_or_default();
        assert_eq!(values.len(), 2);
        assert!(values[1] >= 1.0);
    }
    // Pruned trials stopped at a rung (1, 3 or 9 epochs with η = 3).
    for trial in study
        .trials
        .iter()
        .filter(|t| t.state == TrialState::Pruned)
    {
        assert!([1, 3].contains(&trial.epochs), "{}", trial.epochs);
    }
    assert!(stdout.contains("pareto front: trials "), "{stdout}");
    assert!(!study.pareto_front().is_empty());
}

#[test]
fn a_study_resumes_where_it_stopped() {
    let dir = temp_dir();
    let iris = sample("iris.csv");
    let straight = path_of(&dir, "straight.json");
    assert_ok(&search(&[
        &iris,
        "--trials",
        "6",
        "--seed",
        "8",
        "--sampler",
        "random",
        "--out",
        &straight,
    ]));
    let resumed = path_of(&dir, "resumed.json");
    assert_ok(&search(&[
        &iris,
        "--trials",
        "3",
        "--seed",
        "8",
        "--sampler",
        "random",
        "--out",
        &resumed,
    ]));
    let stdout = assert_ok(&search(&[
        &iris, "--trials", "6", "--resume", "--out", &resumed,
    ]));
    assert!(stdout.contains("resuming: 3 trials"), "{stdout}");
    assert_eq!(
        trial_facts(&study_at(&resumed)),
        trial_facts(&study_at(&straight))
    );
}

#[test]
fn a_fixed_grid_is_run_to_its_end() {
    let dir = temp_dir();
    let space = path_of(&dir, "space.json");
    write(
        &space,
        r#"{"model": {"fixed": {"value": "mlp"}}, "depth": {"fixed": {"value": 1}},
            "width": {"fixed": {"value": 8}}, "activation": {"fixed": {"value": "relu"}},
            "dropout": {"fixed": {"value": 0.0}}, "optimizer": {"fixed": {"value": "adam"}},
            "batch_size": {"fixed": {"value": 16}}, "weight_decay": {"fixed": {"value": 0.0001}},
            "learning_rate": {"categorical": {"choices": [0.003, 0.03, 0.3]}}}"#,
    );
    let out = path_of(&dir, "study.json");
    assert_ok(&search(&[
        &sample("iris.csv"),
        "--trials",
        "50",
        "--sampler",
        "grid",
        "--space",
        &space,
        "--out",
        &out,
    ]));
    let study = study_at(&out);
    let mut rates: Vec<f64> = study
        .trials
        .iter()
        .filter_map(|t| t.params.get("learning_rate").and_then(ParamValue::as_f64))
        .collect();
    rates.sort_by(f64::total_cmp);
    assert_eq!(rates, vec![0.003, 0.03, 0.3]);
}

#[test]
fn automl_saves_a_model_that_predicts() {
    let dir = temp_dir();
    let out = path_of(&dir, "auto.hearth");
    let study = path_of(&dir, "auto.json");
    let iris = sample("iris.csv");
    let stdout = assert_ok(&hearth(&[
        "automl",
        &iris,
        "--target",
        "species",
        "--trials",
        "3",
        "--seed",
        "2",
        "--out",
        &out,
        "--study-out",
        &study,
    ]));
    assert!(
        stdout.contains("study: tpe sampler, asha pruner"),
        "{stdout}"
    );
    assert!(
        stdout.contains("validation: 5-fold cross-validation of 126 rows"),
        "{stdout}"
    );
    let study = study_at(&study);
    assert_eq!(study.trials.len(), 3);
    // 150 rows: every trial is scored on 5 cross-validation folds.
    let best = match study.best_trial() {
        Some(best) => best.clone(),
        None => panic!("no complete trial: {stdout}"),
    };
    assert!(
        best.note
            .as_deref()
            .is_some_and(|n| n.contains("mean of 5 folds")),
        "{:?}",
        best.note
    );
    // The saved model is the best trial refitted on every non-test row up to its best epoch.
    assert!(
        stdout.contains(&format!("refitting trial {} on 126 training", best.number)),
        "{stdout}"
    );
    let model = match ModelFile::from_json(&read(&out)) {
        Ok(model) => model,
        Err(error) => panic!("{error}"),
    };
    assert_eq!(Some(model.training.epochs_run), best.best_epoch);
    assert!(
        model
            .training
            .stop_reason
            .as_deref()
            .is_some_and(|r| r.starts_with("refitted up to the trial's best epoch")),
        "{:?}",
        model.training.stop_reason
    );
    assert!(model.test_metrics.is_some());
    // Exported with --data and no --prep-config: automl's own preprocessing (5 folds) is found
    // (calibrating static int8 on its training rows when the model is a network; trees have one
    // form).
    let form = if model.booster().is_some() {
        "none"
    } else {
        "static"
    };
    assert_ok(&hearth(&[
        "export",
        &out,
        "--quantize",
        form,
        "--data",
        &iris,
        "--out",
        &path_of(&dir, "auto.onnx"),
    ]));
    assert_ok(&hearth(&[
        "predict",
        &out,
        &iris,
        "--out",
        &path_of(&dir, "p.csv"),
    ]));
}

#[test]
fn automl_spends_its_time_budget() {
    let dir = temp_dir();
    let study = path_of(&dir, "auto.json");
    let stdout = assert_ok(&hearth(&[
        "automl",
        &sample("iris.csv"),
        "--target",
        "species",
        "--time-budget-s",
        "2",
        "--no-refit",
        "--out",
        &path_of(&dir, "auto.hearth"),
        "--study-out",
        &study,
    ]));
    let study = study_at(&study);
    // No trial limit: it keeps asking for trials until two seconds have passed (a debug
    // build's first trial may already take longer).
    assert!(study.elapsed_ms >= 2000.0, "{}", study.elapsed_ms);
    assert!(!study.trials.is_empty(), "{stdout}");
    assert!(stdout.contains("of 2 s]"), "{stdout}");
    assert!(!stdout.contains("refitting"), "{stdout}");
}

#[test]
fn bad_settings_are_one_sentence_errors() {
    let dir = temp_dir();
    let out = path_of(&dir, "study.json");
    let iris = sample("iris.csv");
    let line = assert_one_sentence_error(&search(&[&iris, "--metric", "rmse", "--out", &out]));
    assert!(line.contains("--metric rmse"), "{line}");
    let space = path_of(&dir, "space.json");
    write(&space, r#"{"lr": {"fixed": {"value": 0.1}}}"#);
    let line = assert_one_sentence_error(&search(&[&iris, "--space", &space, "--out", &out]));
    assert!(
        line.contains("\"lr\"") && line.contains("no such parameter"),
        "{line}"
    );
    write(
        &space,
        r#"{"learning_rate": {"float": {"low": 0, "high": 1, "log": true}}}"#,
    );
    let line = assert_one_sentence_error(&search(&[&iris, "--space", &space, "--out", &out]));
    assert!(line.contains("\"learning_rate\""), "{line}");
    let line = assert_one_sentence_error(&search(&[&iris, "--workers", "0", "--out", &out]));
    assert!(line.contains("--workers"), "{line}");
    write(&out, "{\"format\": \"something else\"}");
    let line = assert_one_sentence_error(&search(&[&iris, "--resume", "--out", &out]));
    assert!(line.contains("not a Hearth study"), "{line}");
}

/// Runs `hearth trial` on iris with `answers` on stdin; its JSON lines.
fn trial(args: &[&str], answers: &str) -> (Vec<serde_json::Value>, std::process::Output) {
    use std::io::Write;
    let mut all = vec!["trial".to_string(), sample("iris.csv")];
    all.extend(["--target", "species", "--epochs", "4"].map(String::from));
    all.extend(args.iter().map(|a| a.to_string()));
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_hearth"))
        .args(&all)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| panic!("hearth trial: {error}"));
    if let Some(mut stdin) = child.stdin.take() {
        // The child may end before reading every answer (pruned, or an error).
        let _ = stdin.write_all(answers.as_bytes());
    }
    let output = child
        .wait_with_output()
        .unwrap_or_else(|error| panic!("hearth trial: {error}"));
    let lines = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|error| panic!("{line}: {error}")))
        .collect();
    (lines, output)
}

#[test]
fn a_trial_reports_each_epoch_and_stops_when_told() {
    let params = r#"{"model": "mlp", "width": 8, "learning_rate": 0.01}"#;
    let (lines, output) = trial(
        &["--params", params, "--metric", "accuracy"],
        "continue\nprune\n",
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let events: Vec<&str> = lines.iter().filter_map(|l| l["event"].as_str()).collect();
    assert_eq!(events, ["epoch", "epoch", "pruned"]);
    assert_eq!(lines[1]["step"], 2);
    assert!(
        lines[0]["value"]
            .as_f64()
            .is_some_and(|v| (0.0..=1.0).contains(&v))
    );

    // Answered "continue" throughout (or not at all), it completes every epoch.
    let (lines, output) = trial(&["--params", params, "--metric", "accuracy"], "");
    assert!(output.status.success());
    let last = &lines[lines.len() - 1];
    assert_eq!(last["event"], "complete", "{last}");
    assert_eq!(lines.len(), 5);
    assert!(
        lines[..4]
            .iter()
            .any(|epoch| epoch["value"] == last["value"])
    );

    // The space is checked: a value outside its domain, a parameter it does not have.
    for (bad, needle) in [
        (
            r#"{"model": "mlp", "width": 100000}"#,
            "width = 100000 is outside its domain",
        ),
        (
            r#"{"model": "linear", "width": 8}"#,
            "width is not a parameter of the search space",
        ),
    ] {
        let (lines, output) = trial(&["--params", bad], "");
        assert!(lines.is_empty());
        let message = assert_one_sentence_error(&output);
        assert!(message.contains(needle), "{message}");
    }

    // --params -: one trial per request line on data prepared once; a bad line fails only
    // its trial.
    let requests = concat!(
        r#"{"params": {"model": "linear"}, "seed": 1}"#,
        "\ncontinue\ncontinue\ncontinue\ncontinue\n",
        "not a request\n",
        r#"{"params": {"model": "mlp", "width": 8}, "seed": 2}"#,
        "\nprune\n",
    );
    let (lines, output) = trial(&["--params", "-"], requests);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let events: Vec<&str> = lines.iter().filter_map(|l| l["event"].as_str()).collect();
    assert_eq!(
        events,
        [
            "epoch", "epoch", "epoch", "epoch", "complete", "failed", "epoch", "pruned"
        ]
    );
    assert!(
        lines[5]["error"]
            .as_str()
            .is_some_and(|e| e.contains("not {"))
    );

    // --describe: the space, the metric and its direction, for the Optuna bridge.
    let (lines, output) = trial(&["--describe", "--metric", "log_loss"], "");
    assert!(output.status.success());
    assert_eq!(lines[0]["direction"], "minimize");
    assert_eq!(lines[0]["metric"], "log_loss");
    assert!(
        lines[0]["space"]["params"]
            .as_array()
            .is_some_and(|p| p.len() > 3)
    );
}
