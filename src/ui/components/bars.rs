use yew::prelude::*;

use crate::data::ColumnProfile;
use crate::format;
use crate::ui::hooks::use_drawn_after;

const WIDTH: f64 = 120.0;
const HEIGHT: f64 = 32.0;

#[derive(Properties, PartialEq)]
pub struct Props {
    /// Bar heights, left to right.
    pub counts: Vec<usize>,
    /// One tooltip per bar.
    pub labels: Vec<String>,
    /// What the chart shows, for screen readers.
    pub caption: String,
    /// The bars are drawn this long after the chart's frame (see [`use_drawn_after`]): a table
    /// of charts staggers them so that no one task draws them all.
    #[prop_or_default]
    pub delay_ms: i32,
}

/// A tiny bar chart sized to sit in a table row: a numeric column's histogram or a categorical
/// column's most frequent values.
#[function_component(MiniBars)]
pub fn mini_bars(props: &Props) -> Html {
    let tallest = props.counts.iter().copied().max().unwrap_or(0).max(1) as f64;
    let bar_width = WIDTH / props.counts.len().max(1) as f64;
    let drawn = use_drawn_after((props.counts.clone(), props.labels.clone()), props.delay_ms);
    let bars = if drawn { props.counts.as_slice() } else { &[] };
    html! {
        <svg class="bars" width={WIDTH.to_string()} height={HEIGHT.to_string()} role="img" aria-label={props.caption.clone()}
            data-drawn={drawn.to_string()}>
            <title>{ &props.caption }</title>
            { for bars.iter().zip(&props.labels).enumerate().map(|(index, (count, label))| {
                let height = (*count as f64 / tallest * HEIGHT).max(if *count > 0 { 1.0 } else { 0.0 });
                html! {
                    <rect
                        x={format!("{:.2}", index as f64 * bar_width)}
                        y={format!("{:.2}", HEIGHT - height)}
                        width={format!("{:.2}", (bar_width - 1.0).max(0.5))}
                        height={format!("{height:.2}")}
                    >
                        <title>{ label }</title>
                    </rect>
                }
            }) }
        </svg>
    }
}

/// The chart for a column: its histogram when it has one, else its top categories; its bars
/// drawn `delay_ms` after the row.
pub fn column_chart(column: &ColumnProfile, delay_ms: i32) -> Html {
    if let Some(histogram) = &column.histogram {
        let bins = histogram.counts.len().max(1) as f64;
        let width = (histogram.max - histogram.min) / bins;
        let labels: Vec<String> = histogram
            .counts
            .iter()
            .enumerate()
            .map(|(bin, count)| {
                let low = histogram.min + width * bin as f64;
                format!(
                    "{} – {}: {count}",
                    format::number(low),
                    format::number(low + width)
                )
            })
            .collect();
        let caption = format!(
            "Histogram from {} to {}",
            format::number(histogram.min),
            format::number(histogram.max)
        );
        return html! { <MiniBars counts={histogram.counts.clone()} {labels} {caption} {delay_ms} /> };
    }
    if column.top.len() < 2 {
        return html! {};
    }
    let counts: Vec<usize> = column.top.iter().map(|category| category.count).collect();
    let labels: Vec<String> = column
        .top
        .iter()
        .map(|category| format!("{}: {}", category.value, category.count))
        .collect();
    let caption = format!("The {} most frequent values", column.top.len());
    html! { <MiniBars {counts} {labels} {caption} {delay_ms} /> }
}
