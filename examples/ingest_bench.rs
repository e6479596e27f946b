//! Times `read_csv_path` + `profile` on one file (native), e.g. one written by `gen_csv`.
//!
//! Usage: `cargo run --release --no-default-features --example ingest_bench -- FILE.csv [RUNS]`
//! (reports each run and the best; several runs help on a busy machine).

use std::time::Instant;

use hearth::data::{IngestOptions, profile, read_csv_path};

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: ingest_bench FILE.csv [RUNS]");
        std::process::exit(2);
    };
    let runs: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(1).max(1);
    let path = std::path::PathBuf::from(path);
    let megabytes = std::fs::metadata(&path)
        .map(|m| m.len() as f64 / 1e6)
        .unwrap_or(0.0);
    let (mut best_read, mut best_profile) = (f64::INFINITY, f64::INFINITY);
    for run in 0..runs {
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
        if run == 0 {
            let kinds: Vec<&str> = p.columns.iter().map(|c| c.kind.label()).collect();
            println!(
                "{} rows x {} columns; kinds: {kinds:?}",
                p.rows,
                p.columns.len()
            );
        }
        println!(
            "{megabytes:.1} MB: read {read:.3} s ({:.0} MB/s), profile {profiled:.3} s, total {:.3} s ({:.0} MB/s)",
            megabytes / read,
            read + profiled,
            megabytes / (read + profiled)
        );
        best_read = best_read.min(read);
        best_profile = best_profile.min(profiled);
    }
    if runs > 1 {
        println!(
            "best: read {best_read:.3} s ({:.0} MB/s), profile {best_profile:.3} s, read + profile {:.3} s ({:.0} MB/s)",
            megabytes / best_read,
            best_read + best_profile,
            megabytes / (best_read + best_profile)
        );
    }
}
