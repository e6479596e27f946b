//! The `hearth` binary as a user runs it: output, exit codes, and one-sentence errors.

use crate::support::{hearth, sample, temp_file};

#[test]
fn profile_json_has_an_entry_per_column_with_name_kind_and_missing() {
    let output = hearth(&["profile", &sample("penguins.csv"), "--json"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("one JSON document");
    let columns = report["columns"].as_array().expect("columns array");
    assert_eq!(columns.len(), 8);
    let bill = columns
        .iter()
        .find(|c| c["name"] == "bill_length_mm")
        .expect("bill_length_mm");
    assert_eq!(bill["kind"], "numeric");
    assert_eq!(bill["missing"], 2);
    assert_eq!(report["rows"], 344);
    assert_eq!(report["target"], "species");
    assert_eq!(report["task"], "multiclass_classification");
}

#[test]
fn profile_table_names_the_target_and_task() {
    let output = hearth(&["profile", &sample("diabetes.csv"), "--target", "bmi"]);
    assert!(output.status.success());
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.starts_with("diabetes.csv: 442 rows x 11 columns"),
        "{text}"
    );
    assert!(text.contains("target: bmi (regression)"), "{text}");
}

#[test]
fn dialect_corrections_apply() {
    let file = temp_file(".csv", b"1;2,5\n3;4,5\n5;6\n");
    let output = hearth(&[
        "profile",
        file.path().to_str().unwrap(),
        "--json",
        "--header",
        "false",
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["rows"], 3);
    assert_eq!(report["dialect"]["decimal_comma"], true);
    assert_eq!(report["columns"][1]["numeric"]["max"], 6.0);
}

#[test]
fn bad_input_exits_1_with_one_sentence_naming_the_line() {
    let file = temp_file(".csv", b"a,b,c\n1,2,3\n4,5\n");
    let output = hearth(&["profile", file.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("line 3"), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn binary_and_missing_files_are_errors_not_panics() {
    let file = temp_file(".csv", &[0x7f, b'E', b'L', b'F', 0, 0, 1, 2, 0, 0xff, 0xfe]);
    for path in [file.path().to_str().unwrap(), "/nonexistent/nope.csv"] {
        let output = hearth(&["profile", path]);
        assert_eq!(output.status.code(), Some(1), "{path}");
        assert!(!String::from_utf8_lossy(&output.stderr).contains("panicked"));
    }
}

#[test]
fn an_unknown_or_unusable_target_is_refused_with_the_reason() {
    let output = hearth(&["profile", &sample("iris.csv"), "--target", "petal"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("--target petal") && stderr.contains("species"),
        "{stderr}"
    );

    let file = temp_file(".csv", b"id,x\n1,a\n1,b\n");
    let output = hearth(&["profile", file.path().to_str().unwrap(), "--target", "id"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr).trim(),
        "error: --target id: this column cannot be predicted: every row has the same value (\"1\")."
    );
}

#[cfg(feature = "compute")]
#[test]
fn the_cpu_device_computes_the_probe() {
    let output = hearth(&["device", "--device", "cpu"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("device: CPU") && text.contains("(correct)"),
        "{text}"
    );
}
