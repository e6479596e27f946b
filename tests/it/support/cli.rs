//! Running the `hearth` binary as a user would, with files in temporary places, and checking
//! its one-sentence errors.

use std::io::Write;
use std::process::{Command, Output};

pub fn hearth(args: &[&str]) -> Output {
    match Command::new(env!("CARGO_BIN_EXE_hearth"))
        .args(args)
        .output()
    {
        Ok(output) => output,
        Err(e) => panic!("the hearth binary does not run: {e}"),
    }
}

/// The path of a bundled sample dataset.
pub fn sample(name: &str) -> String {
    format!("{}/static/{name}", env!("CARGO_MANIFEST_DIR"))
}

pub fn temp_file(suffix: &str, bytes: &[u8]) -> tempfile::NamedTempFile {
    let mut file = match tempfile::Builder::new().suffix(suffix).tempfile() {
        Ok(f) => f,
        Err(e) => panic!("temp file: {e}"),
    };
    if let Err(e) = file.write_all(bytes) {
        panic!("write temp file: {e}");
    }
    file
}

pub fn temp_dir() -> tempfile::TempDir {
    match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => panic!("temp dir: {e}"),
    }
}

pub fn path_of(dir: &tempfile::TempDir, name: &str) -> String {
    dir.path().join(name).to_string_lossy().into_owned()
}

pub fn write(path: &str, text: &str) {
    if let Err(e) = std::fs::write(path, text) {
        panic!("{path}: {e}");
    }
}

pub fn read(path: &str) -> String {
    match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => panic!("{path}: {e}"),
    }
}

pub fn read_bytes(path: &str) -> Vec<u8> {
    match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) => panic!("{path}: {e}"),
    }
}

/// Success; returns stdout.
pub fn assert_ok(output: &Output) -> String {
    assert!(
        output.status.success(),
        "hearth ended with {}: {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Exit code 1 and one `error: …` line on stderr (Mesa's own XDG_RUNTIME_DIR warnings aside),
/// no panic. Returns that line.
pub fn assert_one_sentence_error(output: &Output) -> String {
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|l| !l.contains("XDG_RUNTIME_DIR"))
        .collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(lines[0].starts_with("error: "), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    lines[0].to_string()
}

/// Trains a model on a bundled sample with `hearth train` on the CPU (seed 1, `extra` flags
/// such as `--model linear --epochs 3`) and returns the path of its `.hearth` file in `dir`.
pub fn train_sample(dir: &tempfile::TempDir, name: &str, target: &str, extra: &[&str]) -> String {
    let model = path_of(dir, &format!("{name}.hearth"));
    let file = sample(name);
    let mut args = vec![
        "train", &file, "--target", target, "--seed", "1", "--device", "cpu", "--out", &model,
    ];
    args.extend_from_slice(extra);
    assert_ok(&hearth(&args));
    model
}
