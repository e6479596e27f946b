//! The Teach step's engine as the CLI runs it: toy sets are learned, `hearth teach --json` gives
//! exactly the lesson's own losses, a link printed by the CLI replays the same run, and bad
//! flags or links are refused in one sentence naming them.

use hearth::teach::{Classroom, Lesson, LessonSettings, Toy};

use crate::support::{assert_ok, assert_one_sentence_error, hearth};

fn history_of(json: &str) -> Vec<(f64, f64)> {
    let report: serde_json::Value = serde_json::from_str(json).unwrap();
    report["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["train_loss"].as_f64().unwrap(),
                s["test_loss"].as_f64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn every_classification_toy_is_learned_by_a_suitable_network() {
    for (toy, hidden, features, epochs) in [
        (Toy::Circle, vec![4, 2], "x1,x2", 150),
        (Toy::Xor, vec![8, 8], "x1,x2", 100),
        (Toy::Gaussians, vec![2], "x1,x2", 30),
        (Toy::Moons, vec![8, 8], "x1,x2", 200),
        (Toy::Curve, vec![8, 8], "x1,x2,sinx1", 200),
        (
            Toy::Spiral,
            vec![8, 8],
            "x1,x2,x1sq,x2sq,x1x2,sinx1,sinx2",
            300,
        ),
    ] {
        let room = Classroom::from_query(&format!(
            "v=1&toy={}&features={features}&layers={}",
            toy.key(),
            hidden
                .iter()
                .map(|u| u.to_string())
                .collect::<Vec<_>>()
                .join(",")
        ))
        .unwrap();
        let mut lesson = Lesson::new(room.settings).unwrap();
        for _ in 0..epochs {
            lesson.step_epoch();
        }
        let accuracy = lesson.history().last().unwrap().test_accuracy.unwrap();
        assert!(accuracy > 0.9, "{toy:?}: test accuracy {accuracy}");
    }
}

#[test]
fn regression_toys_explain_most_of_their_variance() {
    for toy in [Toy::Plane, Toy::Hills] {
        let mut lesson = Lesson::new(LessonSettings {
            toy,
            hidden: vec![8, 8],
            ..LessonSettings::default()
        })
        .unwrap();
        let points = lesson.points().to_vec();
        let mean = points.iter().map(|p| p.label).sum::<f64>() / points.len() as f64;
        let variance =
            points.iter().map(|p| (p.label - mean).powi(2)).sum::<f64>() / points.len() as f64;
        for _ in 0..200 {
            lesson.step_epoch();
        }
        let test_loss = lesson.history().last().unwrap().test_loss;
        // R² above 0.6 on the test points (not every hill is found in 200 epochs).
        assert!(
            test_loss < 0.4 * variance,
            "{toy:?}: MSE {test_loss} against variance {variance}"
        );
    }
}

#[test]
fn the_cli_prints_the_lessons_own_losses_and_its_link_replays_them() {
    let out = assert_ok(&hearth(&[
        "teach",
        "--toy",
        "moons",
        "--layers",
        "6,3",
        "--activation",
        "relu",
        "--dropout",
        "0.2",
        "--l1",
        "0.001",
        "--seed",
        "9",
        "--epochs",
        "7",
        "--json",
    ]));
    let cli = history_of(&out);
    assert_eq!(cli.len(), 7);
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    let link = report["link"].as_str().unwrap().to_string();
    let room = Classroom::from_query(link.split_once('?').unwrap().1).unwrap();
    let mut lesson = Lesson::new(room.settings).unwrap();
    for _ in 0..7 {
        lesson.step_epoch();
    }
    let own: Vec<(f64, f64)> = lesson
        .history()
        .iter()
        .map(|s| (s.train_loss, s.test_loss))
        .collect();
    assert_eq!(cli, own, "bit for bit");
    let again = assert_ok(&hearth(&[
        "teach",
        "--link",
        &format!("http://x/{link}"),
        "--epochs",
        "7",
        "--json",
    ]));
    assert_eq!(history_of(&again), cli);
    let table = assert_ok(&hearth(&["teach", "--link", &link, "--epochs", "3"]));
    assert!(table.contains("epoch  train loss"), "{table}");
    assert!(table.contains("link: #/teach?v=1&toy=moons"), "{table}");
}

#[test]
fn a_goal_in_the_link_is_checked() {
    let out = assert_ok(&hearth(&[
        "teach",
        "--link",
        "v=1&toy=gaussians&layers=2&goal_acc=0.9&goal_params=20",
        "--epochs",
        "30",
    ]));
    assert!(
        out.contains("goal (test accuracy ≥ 0.9 with ≤ 20 parameters): met"),
        "{out}"
    );
}

#[test]
fn bad_flags_and_links_are_refused_by_name() {
    let error = assert_one_sentence_error(&hearth(&["teach", "--toy", "donut"]));
    assert!(error.contains("--toy donut"), "{error}");
    let error = assert_one_sentence_error(&hearth(&["teach", "--layers", "4,x"]));
    assert!(error.contains("--layers"), "{error}");
    let error = assert_one_sentence_error(&hearth(&["teach", "--link", "v=1&noise=2"]));
    assert!(error.contains("noise"), "{error}");
    let error = assert_one_sentence_error(&hearth(&["teach", "--link", "v=3"]));
    assert!(error.contains("version 3"), "{error}");
}

#[test]
fn a_csv_is_taught_on_its_pca_plane_a_slice_or_two_columns() {
    let penguins = crate::support::sample("penguins.csv");
    let run = |extra: &[&str]| {
        let mut args = vec![
            "teach", "--csv", &penguins, "--target", "species", "--layers", "8", "--epochs", "60",
        ];
        args.extend_from_slice(extra);
        assert_ok(&hearth(&args))
    };
    let last_accuracy = |table: &str| -> f64 {
        let line = table
            .lines()
            .rev()
            .find(|l| l.trim_start().starts_with(char::is_numeric))
            .unwrap();
        line.split_whitespace().last().unwrap().parse().unwrap()
    };
    let pca = run(&[]);
    assert!(pca.contains("penguins.csv → species: 344 points"), "{pca}");
    assert!(pca.contains("plane: PC1 ("), "{pca}");
    assert!(last_accuracy(&pca) > 0.95, "{pca}");
    let slice = run(&["--plane", "slice:bill_length_mm,bill_depth_mm"]);
    assert!(
        slice.contains("plane: bill_length_mm × bill_depth_mm"),
        "{slice}"
    );
    assert!(
        slice.contains("plane=slice,bill_length_mm,bill_depth_mm"),
        "{slice}"
    );
    let two = run(&["--columns", "bill_length_mm,flipper_length_mm"]);
    assert!(two.contains("inputs x1,x2"), "{two}");
    assert!(
        two.contains("columns=bill_length_mm,flipper_length_mm"),
        "{two}"
    );
    assert!(last_accuracy(&two) > 0.85, "{two}");
    // The printed link replays with the same file, and refuses another.
    let link = pca
        .lines()
        .last()
        .unwrap()
        .trim_start_matches("link: ")
        .to_string();
    let again = assert_ok(&hearth(&[
        "teach", "--link", &link, "--csv", &penguins, "--epochs", "60",
    ]));
    assert_eq!(last_accuracy(&again), last_accuracy(&pca));
    let iris = crate::support::sample("iris.csv");
    let error = assert_one_sentence_error(&hearth(&["teach", "--link", &link, "--csv", &iris]));
    assert!(error.contains("not the teacher's file"), "{error}");
    let error = assert_one_sentence_error(&hearth(&["teach", "--link", &link]));
    assert!(error.contains("pass that file with --csv"), "{error}");
    let error = assert_one_sentence_error(&hearth(&[
        "teach",
        "--csv",
        &penguins,
        "--target",
        "species",
        "--columns",
        "bill_length_mm,nose",
    ]));
    assert!(error.contains("no feature `nose`"), "{error}");
}

#[test]
fn a_link_that_carries_its_file_opens_alone_and_a_changed_copy_is_refused() {
    let penguins = crate::support::sample("penguins.csv");
    let args = ["--layers", "8", "--epochs", "30", "--json"];
    let teacher = assert_ok(&hearth(
        &[
            &[
                "teach",
                "--csv",
                &penguins,
                "--target",
                "species",
                "--share-data",
            ][..],
            &args[..],
        ]
        .concat(),
    ));
    let report: serde_json::Value = serde_json::from_str(&teacher).unwrap();
    let link = report["link"].as_str().unwrap().to_string();
    // The digest `sha256sum static/penguins.csv` prints.
    let sha256 = "sha256=f204db2c753b0937caac3cb35258562c14f073e4bbc76be24b4c51ce22767a93";
    assert!(link.contains(sha256), "{link}");
    assert!(link.contains("&data="), "{link}");
    // The link alone replays the lesson: the file comes out of it.
    let student = assert_ok(&hearth(
        &[&["teach", "--link", &link][..], &args[..]].concat(),
    ));
    assert_eq!(history_of(&student), history_of(&teacher));
    // A copy with one value changed has the same name, rows and target, not the same bytes.
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("penguins.csv");
    let text = std::fs::read_to_string(&penguins).unwrap();
    std::fs::write(&copy, text.replacen("39.1", "39.2", 1)).unwrap();
    let copy = copy.to_str().unwrap();
    let error = assert_one_sentence_error(&hearth(&["teach", "--link", &link, "--csv", copy]));
    assert!(error.contains("not the teacher's file"), "{error}");
    assert!(error.contains("SHA-256"), "{error}");
    // Without its file, the link still names the teacher's bytes.
    let (without, _) = link.split_once("&data=").unwrap();
    assert!(without.contains(sha256), "{without}");
    let error = assert_one_sentence_error(&hearth(&["teach", "--link", without]));
    assert!(error.contains("pass that file with --csv"), "{error}");
    let broken = format!("{without}&data=AAAA");
    let error = assert_one_sentence_error(&hearth(&["teach", "--link", &broken]));
    assert!(error.contains("table file cannot be opened"), "{error}");
}

#[test]
fn a_trained_model_is_scored_on_the_lessons_plane_and_points_beside_the_network() {
    let dir = crate::support::temp_dir();
    let penguins = crate::support::sample("penguins.csv");
    let model = crate::support::train_sample(&dir, "penguins.csv", "species", &["--epochs", "20"]);
    let json = assert_ok(&hearth(&[
        "teach", "--csv", &penguins, "--target", "species", "--plane", "pca", "--epochs", "30",
        "--model", &model, "--json",
    ]));
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    let scored = &report["model"];
    let right = scored["right"].as_u64().unwrap() as usize;
    assert_eq!(scored["points"].as_u64(), Some(344));
    assert!(scored["test_right"].as_u64().unwrap() <= scored["test_points"].as_u64().unwrap());
    let agreement = scored["agreement"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&agreement), "{agreement}");

    // The points right are exactly the rows `hearth predict` gets right.
    let predicted = assert_ok(&hearth(&["predict", &model, &penguins]));
    let data = crate::support::bundled("penguins.csv");
    let species = data
        .columns
        .iter()
        .position(|c| c.name == "species")
        .unwrap();
    let truth = crate::support::texts(&data, species);
    let right_by_predict = predicted
        .lines()
        .skip(1)
        .zip(&truth)
        .filter(|(line, truth)| line.split(',').next() == truth.as_deref())
        .count();
    assert_eq!(right, right_by_predict);
    assert!(right as f64 / 344.0 > 0.9, "{right} of 344");

    // The table output names the model and its score; a slice works the same way.
    let text = assert_ok(&hearth(&[
        "teach",
        "--csv",
        &penguins,
        "--target",
        "species",
        "--plane",
        "slice:bill_length_mm,flipper_length_mm",
        "--epochs",
        "5",
        "--model",
        &model,
    ]));
    assert!(
        text.contains(&format!("right on {right} of 344 points")),
        "{text}"
    );

    // A model of another target, or a lesson on two columns, is refused in one sentence.
    let other_dir = crate::support::temp_dir();
    let other =
        crate::support::train_sample(&other_dir, "penguins.csv", "island", &["--epochs", "2"]);
    let error = assert_one_sentence_error(&hearth(&[
        "teach", "--csv", &penguins, "--target", "species", "--epochs", "1", "--model", &other,
    ]));
    assert!(error.contains("predicts island, not species"), "{error}");
    let error = assert_one_sentence_error(&hearth(&[
        "teach",
        "--csv",
        &penguins,
        "--target",
        "species",
        "--epochs",
        "1",
        "--columns",
        "bill_length_mm,flipper_length_mm",
        "--model",
        &model,
    ]));
    assert!(error.contains("not on two --columns"), "{error}");
}
