use yew::prelude::*;

use crate::data::Histogram;
use crate::format;

const WIDTH: f64 = 120.0;
const HEIGHT: f64 = 32.0;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub histogram: Histogram,
}

/// A column's distribution as a tiny bar chart, sized to sit in a table row.
#[function_component(MiniHistogram)]
pub fn mini_histogram(props: &Props) -> Html {
    let counts = &props.histogram.counts;
    let tallest = counts.iter().copied().max().unwrap_or(0).max(1) as f64;
    let bar_width = WIDTH / counts.len().max(1) as f64;
    let label = format!(
        "Histogram from {} to {}",
        format::number(props.histogram.min),
        format::number(props.histogram.max)
    );
    html! {
        <svg class="histogram" width={WIDTH.to_string()} height={HEIGHT.to_string()} role="img" aria-label={label.clone()}>
            <title>{ label }</title>
            { for counts.iter().enumerate().map(|(bin, count)| {
                let height = (*count as f64 / tallest * HEIGHT).max(if *count > 0 { 1.0 } else { 0.0 });
                html! {
                    <rect
                        x={format!("{:.2}", bin as f64 * bar_width)}
                        y={format!("{:.2}", HEIGHT - height)}
                        width={format!("{:.2}", (bar_width - 1.0).max(0.5))}
                        height={format!("{height:.2}")}
                    >
                        <title>{ count.to_string() }</title>
                    </rect>
                }
            }) }
        </svg>
    }
}
