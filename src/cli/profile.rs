//! `hearth profile`: read a CSV file and describe each column, as a table or as JSON.

use std::path::PathBuf;

use clap::Args;
use serde::Serialize;

use super::{DialectArgs, target_error};
use crate::data::{self, Profile, Task};
use crate::format;

#[derive(Args)]
pub(super) struct ProfileArgs {
    /// The CSV file (comma, semicolon, tab or pipe separated; detected).
    file: PathBuf,
    /// The column to predict (default: the suggested one).
    #[arg(long)]
    target: Option<String>,
    /// Print one JSON document instead of a table.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    dialect: DialectArgs,
}

/// `hearth profile --json` output: the profile plus the chosen target and task.
#[derive(Serialize)]
struct ProfileReport<'a> {
    #[serde(flatten)]
    profile: &'a Profile,
    target: Option<&'a str>,
    task: Option<Task>,
}

pub(super) fn run(args: &ProfileArgs) -> Result<(), String> {
    let dataset = data::read_csv_path(&args.file, args.dialect.options())
        .map_err(|error| error.to_string())?;
    let profile = data::profile(&dataset);
    let target = match &args.target {
        Some(name) => {
            if !profile.columns.iter().any(|column| &column.name == name) {
                let names: Vec<&str> = profile
                    .columns
                    .iter()
                    .map(|column| column.name.as_str())
                    .collect();
                return Err(format!(
                    "--target {name}: {} has no such column; its columns are {}.",
                    profile.source,
                    names.join(", ")
                ));
            }
            Some(name.as_str())
        }
        None => profile.suggested_target.as_deref(),
    };
    let task = target.and_then(|name| data::suggest_task(&profile, name));
    if let Some(name) = args.target.as_deref()
        && task.is_none()
    {
        return Err(target_error(&profile, name));
    }
    if args.json {
        let report = ProfileReport {
            profile: &profile,
            target,
            task,
        };
        let text = serde_json::to_string_pretty(&report).map_err(|error| error.to_string())?;
        println!("{text}");
    } else {
        print!("{}", render_profile(&profile, target, task));
    }
    Ok(())
}

/// The profile as a plain-text table for a terminal.
fn render_profile(profile: &Profile, target: Option<&str>, task: Option<Task>) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let delimiter = match profile.dialect.delimiter {
        b'\t' => "tab".to_string(),
        other => format!("'{}'", other as char),
    };
    let _ = writeln!(
        out,
        "{}: {} rows x {} columns (delimiter {delimiter}, header {}, decimal {})",
        profile.source,
        profile.rows,
        profile.columns.len(),
        if profile.dialect.has_header {
            "yes"
        } else {
            "no"
        },
        if profile.dialect.decimal_comma {
            "comma"
        } else {
            "point"
        },
    );
    for note in &profile.notes {
        let _ = writeln!(out, "note: {note}");
    }
    let width = profile
        .columns
        .iter()
        .map(|column| column.name.chars().count())
        .max()
        .unwrap_or(6)
        .max(6);
    let _ = writeln!(
        out,
        "{:<width$}  {:<12}  {:>8}  {:>8}  summary",
        "column", "kind", "missing", "distinct"
    );
    for column in &profile.columns {
        let summary = match &column.numeric {
            Some(stats) => format!(
                "min {} median {} max {} mean {} std {}",
                format::number(stats.min),
                format::number(stats.median),
                format::number(stats.max),
                format::number(stats.mean),
                format::number(stats.std)
            ),
            None => column
                .top
                .iter()
                .take(4)
                .map(|category| format!("{} ({})", category.value, category.count))
                .collect::<Vec<_>>()
                .join(", "),
        };
        let _ = writeln!(
            out,
            "{:<width$}  {:<12}  {:>8}  {:>8}  {summary}",
            column.name,
            column.kind.label(),
            column.missing,
            column.distinct
        );
    }
    match (target, task) {
        (Some(target), Some(task)) => {
            let _ = writeln!(out, "target: {target} ({})", task.label());
        }
        _ => {
            let _ = writeln!(out, "target: none suggested; pass --target COLUMN");
        }
    }
    out
}
