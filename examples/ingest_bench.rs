//! Times `read_csv_path` + `profile` on one file (native), e.g. one written by `gen_csv`.
//!
//! Usage: `cargo run --release --no-default-features --example ingest_bench -- FILE.csv`

use std::time::Instant;

use hearth::data::{IngestOptions, profile, read_csv_path};

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: ingest_bench FILE.csv");
        std::process::exit(2);
    };
    let path = std::path::PathBuf::from(path);
    let megabytes = std::fs::metadata(&path)
        .map(|m| m.len() as f64 / 1e6)
        .unwrap_or(0.0);
    let start = Instant::now();
    let dataset = match read_csv_path(&path, IngestOptions::default()) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let read = start.elapsed().as_secs_f64();
    let start = Instant::now();
    let p = profile(&dataset);
    let profiled = start.elapsed().as_secs_f64();
    let kinds: Vec<&str> = p.columns.iter().map(|c| c.kind.label()).collect();
    println!(
        "{} rows x {} columns; kinds: {kinds:?}",
        p.rows,
        p.columns.len()
    );
    println!(
        "{megabytes:.1} MB: read {read:.3} s ({:.0} MB/s), profile {profiled:.3} s, total {:.3} s ({:.0} MB/s)",
        megabytes / read,
        read + profiled,
        megabytes / (read + profiled)
    );
}
