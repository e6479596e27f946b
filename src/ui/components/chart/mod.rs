//! Charts drawn with plotters as SVG text and inserted into the page: one renderer for every
//! curve and scatter the steps show (training curves, residuals, search plots). Each chart is an
//! image with an accessible name; its legend is HTML beside the plot, so it can never cover a
//! curve; and a folded table holds its numbers, for screen readers and for anyone who wants them.
//!
//! `plot` draws line and scatter charts, `parallel` parallel coordinates, `bars` bar charts;
//! this module holds what they share: series, colours, the legend, the accessible image and
//! the data table.

use std::rc::Rc;

use yew::prelude::*;

use crate::format;

mod bars;
mod parallel;
mod plot;

pub use bars::BarChart;
pub use parallel::{ParallelAxis, ParallelChart, ParallelLine};
use plot::{Plot, render};

/// The size of one chart in SVG units (parallel coordinates are twice as wide).
const SIZE: (u32, u32) = (560, 300);

/// How a series is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mark {
    Line,
    Points,
}

/// One named set of points.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    pub name: String,
    pub points: Vec<(f64, f64)>,
    pub color: (u8, u8, u8),
    pub mark: Mark,
}

impl Series {
    pub fn line(name: impl Into<String>, color: (u8, u8, u8), points: Vec<(f64, f64)>) -> Series {
        Series {
            name: name.into(),
            points,
            color,
            mark: Mark::Line,
        }
    }

    pub fn points(name: impl Into<String>, color: (u8, u8, u8), points: Vec<(f64, f64)>) -> Series {
        Series {
            name: name.into(),
            points,
            color,
            mark: Mark::Points,
        }
    }
}

/// Series colours, distinguishable for the common forms of colour blindness (Okabe–Ito).
pub const BLUE: (u8, u8, u8) = (0, 114, 178);
pub const ORANGE: (u8, u8, u8) = (230, 159, 0);
pub const VERMILION: (u8, u8, u8) = (213, 94, 0);
pub const GREY: (u8, u8, u8) = (120, 120, 120);

/// A chart's numbers as a table: what a screen reader reads instead of the picture.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct ChartData {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl ChartData {
    /// One row per point: series (when there are several), x, y.
    fn of_series(x_label: &str, y_label: &str, series: &[Series]) -> ChartData {
        let named = series.len() > 1;
        let mut columns = Vec::with_capacity(3);
        if named {
            columns.push("series".to_string());
        }
        columns.push(x_label.to_string());
        columns.push(y_label.to_string());
        let rows = series
            .iter()
            .flat_map(|s| {
                s.points.iter().map(move |&(x, y)| {
                    let mut row = Vec::with_capacity(3);
                    if named {
                        row.push(s.name.clone());
                    }
                    row.push(format::number(x));
                    row.push(format::number(y));
                    row
                })
            })
            .collect();
        ChartData { columns, rows }
    }
}

#[derive(Properties, PartialEq)]
struct DataTableProps {
    title: AttrValue,
    data: Rc<ChartData>,
}

/// The chart's data, folded away under its picture. The rows are built only once it is opened:
/// a residual plot has thousands of points that nobody may ever read.
#[function_component(DataTable)]
fn data_table(props: &DataTableProps) -> Html {
    let open = use_state(|| false);
    let ontoggle = {
        let open = open.clone();
        Callback::from(move |event: Event| {
            // `open` read by name: no web-sys feature just for <details>.
            let shown = event
                .target()
                .and_then(|target| js_sys::Reflect::get(&target, &"open".into()).ok())
                .and_then(|value| value.as_bool());
            if let Some(shown) = shown {
                open.set(shown);
            }
        })
    };
    let data = &props.data;
    html! {
        <details class="chart-data" {ontoggle} data-rows={data.rows.len().to_string()}>
            <summary>{ format!("Data table ({} rows)", data.rows.len()) }</summary>
            if *open {
                <table class="epochs">
                    <caption>{ format!("{}: data", props.title) }</caption>
                    <thead><tr>{ for data.columns.iter().map(|c| html! { <th scope="col">{ c }</th> }) }</tr></thead>
                    <tbody>
                        { for data.rows.iter().map(|row| html! {
                            <tr>{ for row.iter().map(|cell| html! { <td>{ cell }</td> }) }</tr>
                        }) }
                    </tbody>
                </table>
            }
        </details>
    }
}

/// The names and marks of a chart's series, as HTML under the plot (never on top of it).
fn legend(series: &[Series]) -> Html {
    if series.len() < 2 {
        return html! {};
    }
    html! {
        <ul class="chart-legend">
            { for series.iter().map(|s| {
                let (r, g, b) = s.color;
                let mark = match s.mark { Mark::Line => "swatch line", Mark::Points => "swatch point" };
                html! {
                    <li><span class={mark} aria-hidden="true" style={format!("background-color: rgb({r}, {g}, {b})")}></span>{ &s.name }</li>
                }
            }) }
        </ul>
    }
}

/// The SVG as an image with an accessible name (its children are not read one by one).
fn image(label: String, svg: &str) -> Html {
    html! {
        <div class="chart-image" role="img" aria-label={label}>
            { Html::from_html_unchecked(AttrValue::from(svg.to_string())) }
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct ChartProps {
    pub id: AttrValue,
    pub title: AttrValue,
    pub x_label: AttrValue,
    pub y_label: AttrValue,
    pub series: Rc<Vec<Series>>,
    /// A vertical rule, e.g. at the best epoch.
    #[prop_or_default]
    pub marker_x: Option<f64>,
    /// A horizontal rule, e.g. zero residual.
    #[prop_or_default]
    pub marker_y: Option<f64>,
    /// A logarithmic x axis (for parameters searched on a log scale); points at x ≤ 0 are left
    /// out of the picture (not of the table).
    #[prop_or_default]
    pub log_x: bool,
}

/// A line/scatter chart. The SVG is re-drawn only when its inputs change.
#[function_component(Chart)]
pub fn chart(props: &ChartProps) -> Html {
    let inputs = (
        props.title.clone(),
        props.x_label.clone(),
        props.y_label.clone(),
        props.series.clone(),
        props.marker_x.map(f64::to_bits),
        props.marker_y.map(f64::to_bits),
        props.log_x,
    );
    let (marker_x, marker_y) = (props.marker_x, props.marker_y);
    let svg = use_memo(
        inputs.clone(),
        move |(title, x_label, y_label, series, _, _, log_x)| {
            let plot = Plot {
                title,
                x_label,
                y_label,
                series,
                marker_x,
                marker_y,
                log_x: *log_x,
            };
            render(&plot).unwrap_or_else(|error| {
                format!("<p class=\"error\">The chart could not be drawn: {error}</p>")
            })
        },
    );
    let data = use_memo(inputs, |(_, x_label, y_label, series, _, _, _)| {
        ChartData::of_series(x_label, y_label, series)
    });
    let points: usize = props.series.iter().map(|s| s.points.len()).sum();
    let names: Vec<&str> = props.series.iter().map(|s| s.name.as_str()).collect();
    let label = format!(
        "{}: {} against {}{}; {points} points{}. The data table follows.",
        props.title,
        props.y_label,
        props.x_label,
        if props.log_x { " (log scale)" } else { "" },
        if names.len() > 1 {
            format!(" in {} series ({})", names.len(), names.join(", "))
        } else {
            String::new()
        }
    );
    html! {
        <figure id={props.id.clone()} class="chart" data-points={points.to_string()}>
            { image(label, &svg) }
            { legend(&props.series) }
            <DataTable title={props.title.clone()} {data} />
        </figure>
    }
}
