//! `hearth prep`: decide and fit the preprocessing for a target, print each decision with its
//! reason, and write the fitted pipeline (and optionally the transformed training rows).

use std::path::{Path, PathBuf};

use clap::Args;

use super::{DataArgs, DialectArgs, PreparedFile, csv_field, prepare_file};
use crate::data::Profile;
use crate::prep::{Matrix, Plan, PrepConfig, Prepared};

#[derive(Args)]
pub(super) struct PrepArgs {
    #[command(flatten)]
    data: DataArgs,
    /// A JSON file of settings and per-column overrides, e.g.
    /// {"columns": {"island": {"encoding": "ordinal"}, "year": "drop"}}.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Seed of the train/validation/test split (overrides the config's; default 42).
    #[arg(long)]
    seed: Option<u64>,
    /// Where to write the fitted pipeline (JSON).
    #[arg(long)]
    out: PathBuf,
    /// Also write the transformed training rows as CSV, with a header of feature names.
    #[arg(long)]
    emit_features: Option<PathBuf>,
    #[command(flatten)]
    dialect: DialectArgs,
}

/// Runs `hearth prep`.
pub(super) fn run(args: &PrepArgs) -> Result<(), String> {
    let PreparedFile {
        dataset,
        profile,
        config,
        plan,
        prepared,
        ..
    } = prepare_file(
        &args.data.file,
        &args.dialect,
        &args.data.target,
        args.data.task,
        args.config.as_deref().map(|path| ("--config", path)),
        args.seed,
        false,
    )?;
    let json =
        serde_json::to_string_pretty(&prepared.pipeline).map_err(|error| error.to_string())?;
    std::fs::write(&args.out, json + "\n")
        .map_err(|error| format!("Could not write {}: {error}.", args.out.display()))?;
    let mut report = render_prep(&profile, &plan, &prepared, &config);
    {
        use std::fmt::Write;
        let _ = writeln!(report, "wrote {}", args.out.display());
        if let Some(path) = &args.emit_features {
            let matrix = prepared
                .pipeline
                .transform_dataset(&dataset, &prepared.split.train)
                .map_err(|error| error.to_string())?;
            write_features(path, &matrix)
                .map_err(|error| format!("Could not write {}: {error}.", path.display()))?;
            let _ = writeln!(
                report,
                "wrote {}: {} training rows x {} features",
                path.display(),
                matrix.rows,
                matrix.cols
            );
        }
    }
    print!("{report}");
    Ok(())
}

/// Writes a feature matrix as CSV: a header of feature names, then one line per row.
fn write_features(path: &Path, matrix: &Matrix) -> std::io::Result<()> {
    use std::io::Write;
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    let header: Vec<String> = matrix.feature_names.iter().map(|n| csv_field(n)).collect();
    writeln!(out, "{}", header.join(","))?;
    for row in 0..matrix.rows {
        let mut first = true;
        for value in matrix.row(row) {
            if !first {
                out.write_all(b",")?;
            }
            first = false;
            write!(out, "{value}")?;
        }
        out.write_all(b"\n")?;
    }
    out.flush()
}

/// The plan and split as plain text for a terminal.
fn render_prep(profile: &Profile, plan: &Plan, prepared: &Prepared, config: &PrepConfig) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}: {} rows; target {} ({}): {}",
        profile.source,
        profile.rows,
        plan.target,
        plan.task.label(),
        plan.target_reason
    );
    let width = plan
        .decisions
        .iter()
        .map(|decision| decision.column.chars().count())
        .max()
        .unwrap_or(6)
        .max(6);
    let _ = writeln!(out, "{:<width$}  {:<12}  decision", "column", "kind");
    for decision in &plan.decisions {
        let _ = writeln!(
            out,
            "{:<width$}  {:<12}  {}",
            decision.column,
            decision.kind.label(),
            decision.reason
        );
    }
    let summary = &prepared.summary;
    for note in &summary.notes {
        let _ = writeln!(out, "note: {note}");
    }
    if summary.folds > 0 {
        let _ = writeln!(
            out,
            "split (seed {}): {} training rows in {} folds, {} test",
            config.seed, summary.train, summary.folds, summary.test
        );
    } else {
        let _ = writeln!(
            out,
            "split (seed {}): {} train, {} valid, {} test",
            config.seed, summary.train, summary.valid, summary.test
        );
    }
    let _ = writeln!(out, "features: {}", summary.features);
    out
}
