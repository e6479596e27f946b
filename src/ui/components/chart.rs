//! Charts drawn with plotters as SVG text and inserted into the page: one renderer for every
//! curve and scatter the steps show (training curves, residuals, search plots). Each chart is an
//! image with an accessible name; its legend is HTML beside the plot, so it can never cover a
//! curve; and a folded table holds its numbers, for screen readers and for anyone who wants them.

use std::ops::Range;
use std::rc::Rc;

use plotters::coord::Shift;
use plotters::coord::combinators::BindKeyPoints;
use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use yew::prelude::*;

use crate::format;

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

const SIZE: (u32, u32) = (560, 300);

/// What one line/scatter chart draws.
struct Plot<'a> {
    title: &'a str,
    x_label: &'a str,
    y_label: &'a str,
    series: &'a [Series],
    marker_x: Option<f64>,
    marker_y: Option<f64>,
    log_x: bool,
}

fn render(plot: &Plot) -> Result<String, String> {
    let (x_range, y_range) = bounds(plot.series, plot.marker_x, plot.marker_y, plot.log_x);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        if plot.log_x {
            let ticks = log_ticks(x_range.start, x_range.end);
            let x_spec = x_range.clone().log_scale().with_key_points(ticks);
            draw_plot(&root, plot, x_spec, x_range, y_range)?;
        } else {
            draw_plot(&root, plot, x_range.clone(), x_range, y_range)?;
        }
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}

/// Draws the axes, rules and series on `root` with `x_spec` as the x coordinate (linear or
/// logarithmic over `x_range`).
fn draw_plot<XS>(
    root: &DrawingArea<SVGBackend<'_>, Shift>,
    plot: &Plot,
    x_spec: XS,
    x_range: Range<f64>,
    y_range: Range<f64>,
) -> Result<(), String>
where
    XS: AsRangedCoord<Value = f64>,
    XS::CoordDescType: ValueFormatter<f64>,
{
    let mut chart = ChartBuilder::on(root)
        .caption(plot.title, ("sans-serif", 15))
        .margin(10)
        .x_label_area_size(36)
        .y_label_area_size(56)
        .build_cartesian_2d(x_spec, y_range.clone())
        .map_err(|e| e.to_string())?;
    chart
        .configure_mesh()
        .x_desc(plot.x_label)
        .y_desc(plot.y_label)
        .x_labels(8)
        .y_labels(6)
        .x_label_formatter(&|x| format::number(*x))
        .y_label_formatter(&|y| format::number(*y))
        .light_line_style(RGBColor(236, 236, 236))
        .draw()
        .map_err(|e| e.to_string())?;
    let rule = ShapeStyle::from(&RGBColor(GREY.0, GREY.1, GREY.2)).stroke_width(1);
    if let Some(x) = plot.marker_x {
        chart
            .draw_series(LineSeries::new(
                [(x, y_range.start), (x, y_range.end)],
                rule,
            ))
            .map_err(|e| e.to_string())?;
    }
    if let Some(y) = plot.marker_y {
        chart
            .draw_series(LineSeries::new(
                [(x_range.start, y), (x_range.end, y)],
                rule,
            ))
            .map_err(|e| e.to_string())?;
    }
    let log_x = plot.log_x;
    for s in plot.series {
        let color = RGBColor(s.color.0, s.color.1, s.color.2);
        let finite = s
            .points
            .iter()
            .copied()
            .filter(move |&(x, y)| drawable(x, y, log_x));
        match s.mark {
            Mark::Line => chart
                .draw_series(LineSeries::new(finite, color.stroke_width(2)))
                .map_err(|e| e.to_string())?,
            Mark::Points => chart
                .draw_series(finite.map(|p| Circle::new(p, 3, color.mix(0.6).filled())))
                .map_err(|e| e.to_string())?,
        };
    }
    Ok(())
}

/// Where a log axis is labelled: 1, 2 and 5 times the powers of ten inside `lo..hi` (only the
/// powers of ten over many decades), or, when that leaves fewer than two, both ends and their
/// geometric middle. Plotters' own log ticks are only powers of ten, so a range inside one
/// decade (4 to 32, say) would have no label at all.
fn log_ticks(lo: f64, hi: f64) -> Vec<f64> {
    if !(lo.is_finite() && hi.is_finite() && lo > 0.0 && hi > lo) {
        return Vec::new();
    }
    let decades = (hi / lo).log10();
    let multiples: &[f64] = if decades > 3.0 {
        &[1.0]
    } else if decades > 1.5 {
        &[1.0, 3.0]
    } else {
        &[1.0, 2.0, 5.0]
    };
    let mut ticks = Vec::new();
    let first = lo.log10().floor() as i32;
    let last = hi.log10().ceil() as i32;
    for exponent in first..=last {
        let power = 10f64.powi(exponent);
        ticks.extend(
            multiples
                .iter()
                .map(|m| m * power)
                .filter(|v| (lo..=hi).contains(v)),
        );
    }
    if ticks.len() < 2 {
        return vec![lo, (lo * hi).sqrt(), hi];
    }
    // At most about ten labels: every other power of ten over very many decades.
    let every = ticks.len().div_ceil(10);
    ticks.into_iter().step_by(every).collect()
}

/// Whether a point can be placed: finite, and positive on a log axis.
fn drawable(x: f64, y: f64, log_x: bool) -> bool {
    x.is_finite() && y.is_finite() && (!log_x || x > 0.0)
}

/// The ranges that hold every drawable point and rule, padded by 5% (a flat series gets ±1); on
/// a log axis the padding is 5% of the decades, and a flat x gets a factor of 2 each way.
fn bounds(
    series: &[Series],
    marker_x: Option<f64>,
    marker_y: Option<f64>,
    log_x: bool,
) -> (Range<f64>, Range<f64>) {
    let points = series
        .iter()
        .flat_map(|s| s.points.iter().copied())
        .filter(|&(x, y)| drawable(x, y, log_x));
    let xs = points.clone().map(|p| p.0).chain(marker_x);
    let ys = points.map(|p| p.1).chain(marker_y);
    let x_range = if log_x {
        padded_log(xs.filter(|x| *x > 0.0))
    } else {
        padded(xs)
    };
    (x_range, padded(ys))
}

fn extent(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    (lo.is_finite() && hi.is_finite()).then_some((lo, hi))
}

fn padded(values: impl Iterator<Item = f64>) -> Range<f64> {
    let Some((lo, hi)) = extent(values) else {
        return 0.0..1.0;
    };
    if hi - lo < 1e-12 {
        return (lo - 1.0)..(hi + 1.0);
    }
    let pad = (hi - lo) * 0.05;
    (lo - pad)..(hi + pad)
}

fn padded_log(values: impl Iterator<Item = f64>) -> Range<f64> {
    let Some((lo, hi)) = extent(values) else {
        return 0.1..10.0;
    };
    if hi / lo < 1.0 + 1e-9 {
        return (lo / 2.0)..(hi * 2.0);
    }
    let pad = (hi / lo).powf(0.05);
    (lo / pad)..(hi * pad)
}

/// One vertical axis of a parallel-coordinates chart.
#[derive(Clone, Debug, PartialEq)]
pub struct ParallelAxis {
    /// The parameter (or objective) name.
    pub name: String,
    /// Values on this axis are placed by their logarithm.
    pub log: bool,
    /// `(position 0..1, label)`: at least the axis's two ends, so that a line's height can be
    /// read as a value.
    pub ticks: Vec<(f64, String)>,
}

/// One trial's polyline.
#[derive(Clone, Debug, PartialEq)]
pub struct ParallelLine {
    /// Its name in the data table, e.g. "trial 3".
    pub name: String,
    /// Its position on every axis, 0..1 (`None`: the parameter does not apply).
    pub positions: Vec<Option<f64>>,
    /// Its value on every axis as text, for the data table.
    pub values: Vec<String>,
    /// Its rank among the trials (0 = best), for the colour.
    pub rank: f64,
}

#[derive(Properties, PartialEq)]
pub struct ParallelProps {
    pub id: AttrValue,
    pub title: AttrValue,
    /// One axis per parameter, then the objective last.
    pub axes: Rc<Vec<ParallelAxis>>,
    pub lines: Rc<Vec<ParallelLine>>,
}

/// Parallel coordinates: one vertical axis per parameter with its range written at its ends,
/// one polyline per trial, the better trials darker; parameters a trial did not have break its
/// line.
#[function_component(ParallelChart)]
pub fn parallel_chart(props: &ParallelProps) -> Html {
    let inputs = (props.title.clone(), props.axes.clone(), props.lines.clone());
    let svg = use_memo(inputs.clone(), |(title, axes, lines)| {
        render_parallel(title, axes, lines).unwrap_or_else(|error| {
            format!("<p class=\"error\">The chart could not be drawn: {error}</p>")
        })
    });
    let data = use_memo(inputs, |(_, axes, lines)| {
        let mut columns = vec!["trial".to_string()];
        columns.extend(axes.iter().map(|a| a.name.clone()));
        let rows = lines
            .iter()
            .map(|line| {
                let mut row = vec![line.name.clone()];
                row.extend(line.values.iter().cloned());
                row
            })
            .collect();
        ChartData { columns, rows }
    });
    let label = format!(
        "{}: {} trials across {} axes ({}). The data table follows.",
        props.title,
        props.lines.len(),
        props.axes.len(),
        props
            .axes
            .iter()
            .map(|a| a.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    html! {
        <figure id={props.id.clone()} class="chart wide" data-lines={props.lines.len().to_string()}>
            { image(label, &svg) }
            <DataTable title={props.title.clone()} {data} />
        </figure>
    }
}

/// An axis name as drawn under it.
fn axis_title(axis: &ParallelAxis) -> String {
    if axis.log {
        format!("{} (log)", axis.name)
    } else {
        axis.name.clone()
    }
}

fn render_parallel(
    title: &str,
    axes: &[ParallelAxis],
    lines: &[ParallelLine],
) -> Result<String, String> {
    let last = axes.len().saturating_sub(1).max(1) as f64;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (SIZE.0 * 2, SIZE.1)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        // Everything is drawn inside the plot: the axis names below the axes (y < 0), each
        // axis's scale to its right, and room right of the last axis for that scale.
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 15))
            .margin(14)
            .build_cartesian_2d(-0.05..last + 0.3, -0.2..1.06)
            .map_err(|e| e.to_string())?;
        let grey = RGBColor(GREY.0, GREY.1, GREY.2);
        let axis_style = ShapeStyle::from(&grey).stroke_width(1);
        let worst = lines
            .iter()
            .map(|line| line.rank)
            .fold(0.0, f64::max)
            .max(1.0);
        // Worst first, so the best lines are drawn on top.
        let mut ordered: Vec<&ParallelLine> = lines.iter().collect();
        ordered.sort_by(|a, b| b.rank.total_cmp(&a.rank));
        for line in ordered {
            let shade = line.rank / worst;
            let color = RGBColor(
                (BLUE.0 as f64 + (220.0 - BLUE.0 as f64) * shade) as u8,
                (BLUE.1 as f64 + (220.0 - BLUE.1 as f64) * shade) as u8,
                (BLUE.2 as f64 + (220.0 - BLUE.2 as f64) * shade) as u8,
            );
            let mut segment: Vec<(f64, f64)> = Vec::new();
            for (index, position) in line.positions.iter().enumerate() {
                match position {
                    Some(y) if y.is_finite() => segment.push((index as f64, *y)),
                    _ => {
                        if segment.len() > 1 {
                            chart
                                .draw_series(LineSeries::new(
                                    segment.drain(..),
                                    color.stroke_width(2),
                                ))
                                .map_err(|e| e.to_string())?;
                        }
                        segment.clear();
                    }
                }
            }
            if segment.len() > 1 {
                chart
                    .draw_series(LineSeries::new(segment, color.stroke_width(2)))
                    .map_err(|e| e.to_string())?;
            }
        }
        // Axes and their scales last, on top of the lines, so that the numbers stay readable.
        let label_style = TextStyle::from(("sans-serif", 11).into_font())
            .color(&BLACK)
            .pos(Pos::new(HPos::Left, VPos::Center));
        let name_style = TextStyle::from(("sans-serif", 12).into_font())
            .color(&BLACK)
            .pos(Pos::new(HPos::Center, VPos::Top));
        for (index, axis) in axes.iter().enumerate() {
            let x = index as f64;
            chart
                .draw_series(LineSeries::new([(x, 0.0), (x, 1.0)], axis_style))
                .map_err(|e| e.to_string())?;
            chart
                .draw_series(std::iter::once(
                    // Neighbouring names on two rows, so that long names do not run together.
                    EmptyElement::at((x, 0.0))
                        + Text::new(
                            axis_title(axis),
                            (0, if index % 2 == 0 { 8 } else { 24 }),
                            name_style.clone(),
                        ),
                ))
                .map_err(|e| e.to_string())?;
            chart
                .draw_series(axis.ticks.iter().map(|(position, text)| {
                    EmptyElement::at((x, *position))
                        + PathElement::new(vec![(-3, 0), (3, 0)], grey)
                        + Text::new(text.clone(), (5, 0), label_style.clone())
                }))
                .map_err(|e| e.to_string())?;
        }
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}

#[derive(Properties, PartialEq)]
pub struct BarProps {
    pub id: AttrValue,
    pub title: AttrValue,
    pub bars: Rc<Vec<(String, f64)>>,
}

/// Horizontal bars, largest first as given, with the value at the end of each bar.
#[function_component(BarChart)]
pub fn bar_chart(props: &BarProps) -> Html {
    let inputs = (props.title.clone(), props.bars.clone());
    let svg = use_memo(inputs, |(title, bars)| {
        render_bars(title, bars).unwrap_or_else(|error| {
            format!("<p class=\"error\">The chart could not be drawn: {error}</p>")
        })
    });
    let data = use_memo(props.bars.clone(), |bars| ChartData {
        columns: vec!["name".to_string(), "value".to_string()],
        rows: bars
            .iter()
            .map(|(name, value)| vec![name.clone(), format::number(*value)])
            .collect(),
    });
    let label = format!(
        "{}: {} bars, largest first. The data table follows.",
        props.title,
        props.bars.len()
    );
    html! {
        <figure id={props.id.clone()} class="chart" data-bars={props.bars.len().to_string()}>
            { image(label, &svg) }
            <DataTable title={props.title.clone()} {data} />
        </figure>
    }
}

fn render_bars(title: &str, bars: &[(String, f64)]) -> Result<String, String> {
    let count = bars.len().max(1);
    let top = bars.iter().map(|(_, v)| *v).fold(0.0, f64::max).max(1e-9);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let names: Vec<String> = bars.iter().map(|(name, _)| name.clone()).collect();
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 15))
            .margin(10)
            .x_label_area_size(30)
            .y_label_area_size(110)
            .build_cartesian_2d(0.0..top * 1.15, 0.0..count as f64)
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(count * 2 + 1)
            .y_label_formatter(&|y| {
                let slot = y - 0.5;
                let index = slot.round();
                if (slot - index).abs() < 1e-6 && index >= 0.0 {
                    // Drawn bottom-up: the first bar is at the top.
                    names
                        .get(count.saturating_sub(1 + index as usize))
                        .cloned()
                        .unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .light_line_style(RGBColor(236, 236, 236))
            .draw()
            .map_err(|e| e.to_string())?;
        let color = RGBColor(BLUE.0, BLUE.1, BLUE.2);
        chart
            .draw_series(bars.iter().enumerate().map(|(index, (_, value))| {
                let y = (count - 1 - index) as f64;
                Rectangle::new([(0.0, y + 0.15), (*value, y + 0.85)], color.filled())
            }))
            .map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}
