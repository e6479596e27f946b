//! The Use step's drift report: the verdict, schema changes, and per column (most drifted
//! first) the test, its score against its threshold, PSI, missing rates, values outside
//! training, and the training and new histograms overlaid.

use std::rc::Rc;

use yew::prelude::*;

use super::chart::{Chart, Series, VERMILION};
use crate::format;
use crate::monitor::{ColumnDrift, DATASET_SHARE, DriftOverTime, DriftReport};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub report: Rc<DriftReport>,
}

#[function_component(DriftView)]
pub fn drift_view(props: &Props) -> Html {
    let report = &props.report;
    let drifted = report.columns.iter().filter(|c| c.drifted).count();
    let verdict = if report.dataset_drift {
        format!(
            "Drift: {drifted} of {} columns drifted ({:.0}%, at least {:.0}% counts as dataset drift).",
            report.columns.len() + report.missing_columns.len(),
            report.drifted_share * 100.0,
            DATASET_SHARE * 100.0
        )
    } else {
        format!(
            "No dataset drift: {drifted} of {} columns drifted ({:.0}%; dataset drift starts at {:.0}%).",
            report.columns.len() + report.missing_columns.len(),
            report.drifted_share * 100.0,
            DATASET_SHARE * 100.0
        )
    };
    let list = |title: &str, columns: &[String]| {
        (!columns.is_empty())
            .then(|| html! { <li>{ format!("{title}: {}", columns.join(", ")) }</li> })
    };
    html! {
        <section id="drift-report" class="drift-report" data-dataset-drift={report.dataset_drift.to_string()}>
            <p id="drift-verdict" class={classes!("verdict", report.dataset_drift.then_some("drift"))} role="status">{ verdict }</p>
            <p class="muted">{ format!("{} rows of {} against {} training rows.", format::number(report.rows as f64), report.source, format::number(report.reference_rows as f64)) }</p>
            <ul id="drift-schema">
                { for list("Missing columns (counted as drifted)", &report.missing_columns) }
                { for list("Columns the model does not read", &report.extra_columns) }
                { for list("Columns no longer read as numbers", &report.retyped_columns) }
            </ul>
            <div class="table-scroll">
                <table class="drift-table">
                    <thead><tr>
                        <th scope="col">{ "column" }</th><th scope="col">{ "test" }</th><th scope="col">{ "score" }</th>
                        <th scope="col">{ "drift" }</th><th scope="col">{ "PSI" }</th><th scope="col">{ "missing (train → new)" }</th>
                        <th scope="col">{ "outside training" }</th><th scope="col">{ "training vs new" }</th>
                    </tr></thead>
                    <tbody>{ for report.columns.iter().map(column_row) }</tbody>
                </table>
            </div>
            if let Some(prediction) = &report.prediction {
                <h4>{ "Prediction drift" }</h4>
                <p id="prediction-drift" class="muted" data-drifted={prediction.drifted.to_string()}>{ format!(
                    "The model's answers on these rows against its answers on the test split: {}. Not counted in the verdict above.",
                    if prediction.drifted { "drifted" } else { "no drift" }) }</p>
                <div class="table-scroll"><table class="drift-table"><tbody>{ column_row(prediction) }</tbody></table></div>
            }
            if let Some(over_time) = &report.over_time { { over_time_view(over_time) } }
            <p class="muted">{ "Evidently's default rules: with at most 1,000 training rows a column drifts when its K-S (numbers) or chi-square (categories) p-value is below 0.05; with more, when the normalised Wasserstein distance or the Jensen-Shannon distance reaches 0.1. PSI is shown beside, not used for the verdict." }</p>
        </section>
    }
}

fn column_row(column: &ColumnDrift) -> Html {
    let comparison = if column.test.low_drifts() { "<" } else { "≥" };
    html! {
        <tr class={classes!(column.drifted.then_some("drifted"))} data-column={column.column.clone()} data-drifted={column.drifted.to_string()}>
            <th scope="row">{ &column.column }</th>
            <td>{ column.test.name() }</td>
            <td class="num">{ format!("{} ({comparison} {} drifts)", format::score(column.score), format::number(column.threshold)) }</td>
            <td>{ if column.drifted { "drifted" } else { "—" } }</td>
            <td class="num">{ format::score(column.psi) }</td>
            <td class="num">{ format!("{:.1}% → {:.1}%", column.missing_reference * 100.0, column.missing_new * 100.0) }</td>
            <td class="num">{ format!("{:.1}%", column.outside * 100.0) }</td>
            <td>{ overlay(column) }</td>
        </tr>
    }
}

/// The training (filled) and new (outlined) shares per bin or category, side by side.
fn overlay(column: &ColumnDrift) -> Html {
    const WIDTH: f64 = 160.0;
    const HEIGHT: f64 = 32.0;
    let bins = column.histogram.len().max(1) as f64;
    let tallest = column
        .histogram
        .iter()
        .map(|(_, a, b)| a.max(*b))
        .fold(0.0f64, f64::max)
        .max(f64::MIN_POSITIVE);
    let width = WIDTH / bins;
    html! {
        <svg class="drift-overlay" width={WIDTH.to_string()} height={HEIGHT.to_string()} role="img"
            aria-label={format!("{}: training and new distributions over {} bins", column.column, column.histogram.len())}>
            { for column.histogram.iter().enumerate().map(|(i, (label, reference, new))| {
                let x = i as f64 * width;
                let h_ref = reference / tallest * HEIGHT;
                let h_new = new / tallest * HEIGHT;
                html! {
                    <g>
                        <title>{ format!("{label}: training {:.1}%, new {:.1}%", reference * 100.0, new * 100.0) }</title>
                        <rect class="reference" x={format!("{x:.2}")} y={format!("{:.2}", HEIGHT - h_ref)} width={format!("{:.2}", (width - 0.5).max(0.5))} height={format!("{h_ref:.2}")} />
                        <rect class="new" x={format!("{x:.2}")} y={format!("{:.2}", HEIGHT - h_new)} width={format!("{:.2}", (width - 0.5).max(0.5))} height={format!("{h_new:.2}")} />
                    </g>
                }
            }) }
        </svg>
    }
}

/// The share of drifted columns chunk by chunk along the date column, as a chart and a table.
fn over_time_view(over_time: &DriftOverTime) -> Html {
    let points: Vec<(f64, f64)> = over_time
        .chunks
        .iter()
        .enumerate()
        .map(|(i, chunk)| ((i + 1) as f64, chunk.drifted_share * 100.0))
        .collect();
    let series = Rc::new(vec![Series::line("drifted columns", VERMILION, points)]);
    html! {
        <div id="drift-over-time" data-chunks={over_time.chunks.len().to_string()}>
            <h4>{ format!("Over time, by {}", over_time.column) }</h4>
            <p class="muted">{ format!("The rows sorted by {} and cut into {} chunks of equal rows, each compared with the training data like a file of its own.", over_time.column, over_time.chunks.len()) }</p>
            <Chart id="drift-time-chart" title="Drifted columns per chunk (%)" x_label="chunk, oldest first"
                y_label="drifted columns (%)" {series} marker_y={DATASET_SHARE * 100.0} />
            <div class="table-scroll">
                <table class="drift-table">
                    <thead><tr><th scope="col">{ "chunk" }</th><th scope="col">{ "dates" }</th><th scope="col">{ "rows" }</th>
                        <th scope="col">{ "drifted" }</th><th scope="col">{ "columns" }</th></tr></thead>
                    <tbody>{ for over_time.chunks.iter().enumerate().map(|(i, chunk)| html! {
                        <tr class={classes!(chunk.dataset_drift.then_some("drifted"))} data-drift={chunk.dataset_drift.to_string()}>
                            <th scope="row">{ i + 1 }</th>
                            <td>{ format!("{} – {}", chunk.from, chunk.to) }</td>
                            <td class="num">{ chunk.rows }</td>
                            <td class="num">{ format!("{:.0}%", chunk.drifted_share * 100.0) }</td>
                            <td>{ chunk.drifted.join(", ") }</td>
                        </tr>
                    }) }</tbody>
                </table>
            </div>
        </div>
    }
}
