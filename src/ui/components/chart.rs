//! Charts drawn with plotters as SVG text and inserted into the page: one renderer for every
//! curve and scatter the steps show (training curves, residuals, search plots).

use std::rc::Rc;

use plotters::prelude::*;
use yew::prelude::*;

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
    );
    let (marker_x, marker_y) = (props.marker_x, props.marker_y);
    let svg = use_memo(inputs, move |(title, x_label, y_label, series, _, _)| {
        render(title, x_label, y_label, series, marker_x, marker_y).unwrap_or_else(|error| {
            format!("<p class=\"error\">The chart could not be drawn: {error}</p>")
        })
    });
    let points: usize = props.series.iter().map(|s| s.points.len()).sum();
    html! {
        <figure id={props.id.clone()} class="chart" data-points={points.to_string()}
            aria-label={props.title.clone()}>
            { Html::from_html_unchecked(AttrValue::from((*svg).clone())) }
        </figure>
    }
}

const SIZE: (u32, u32) = (560, 300);

fn render(
    title: &str,
    x_label: &str,
    y_label: &str,
    series: &[Series],
    marker_x: Option<f64>,
    marker_y: Option<f64>,
) -> Result<String, String> {
    let (x_range, y_range) = bounds(series, marker_x, marker_y);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 15))
            .margin(10)
            .x_label_area_size(36)
            .y_label_area_size(56)
            .build_cartesian_2d(x_range.clone(), y_range.clone())
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .x_desc(x_label)
            .y_desc(y_label)
            .x_labels(8)
            .y_labels(6)
            .light_line_style(RGBColor(236, 236, 236))
            .draw()
            .map_err(|e| e.to_string())?;
        let rule = ShapeStyle::from(&RGBColor(GREY.0, GREY.1, GREY.2)).stroke_width(1);
        if let Some(x) = marker_x {
            chart
                .draw_series(LineSeries::new(
                    [(x, y_range.start), (x, y_range.end)],
                    rule,
                ))
                .map_err(|e| e.to_string())?;
        }
        if let Some(y) = marker_y {
            chart
                .draw_series(LineSeries::new(
                    [(x_range.start, y), (x_range.end, y)],
                    rule,
                ))
                .map_err(|e| e.to_string())?;
        }
        for s in series {
            let color = RGBColor(s.color.0, s.color.1, s.color.2);
            let finite = s
                .points
                .iter()
                .copied()
                .filter(|(x, y)| x.is_finite() && y.is_finite());
            let drawn = match s.mark {
                Mark::Line => chart
                    .draw_series(LineSeries::new(finite, color.stroke_width(2)))
                    .map_err(|e| e.to_string())?,
                Mark::Points => chart
                    .draw_series(finite.map(|p| Circle::new(p, 3, color.mix(0.6).filled())))
                    .map_err(|e| e.to_string())?,
            };
            drawn.label(s.name.clone()).legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 16, y)], color.stroke_width(3))
            });
        }
        if series.len() > 1 {
            chart
                .configure_series_labels()
                .position(SeriesLabelPosition::UpperRight)
                .background_style(WHITE.mix(0.85))
                .border_style(RGBColor(200, 200, 200))
                .draw()
                .map_err(|e| e.to_string())?;
        }
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}

/// The ranges that hold every finite point and rule, padded by 5% (a flat series gets ±1).
fn bounds(
    series: &[Series],
    marker_x: Option<f64>,
    marker_y: Option<f64>,
) -> (std::ops::Range<f64>, std::ops::Range<f64>) {
    let points = series
        .iter()
        .flat_map(|s| s.points.iter().copied())
        .filter(|(x, y)| x.is_finite() && y.is_finite());
    let xs = points.clone().map(|p| p.0).chain(marker_x);
    let ys = points.map(|p| p.1).chain(marker_y);
    (padded(xs), padded(ys))
}

fn padded(values: impl Iterator<Item = f64>) -> std::ops::Range<f64> {
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    if !lo.is_finite() || !hi.is_finite() {
        return 0.0..1.0;
    }
    if hi - lo < 1e-12 {
        return (lo - 1.0)..(hi + 1.0);
    }
    let pad = (hi - lo) * 0.05;
    (lo - pad)..(hi + pad)
}

#[derive(Properties, PartialEq)]
pub struct ParallelProps {
    pub id: AttrValue,
    pub title: AttrValue,
    /// One axis per parameter, then the objective last.
    pub axes: Rc<Vec<String>>,
    /// Each trial's position on every axis, scaled to 0..1 (`None`: the parameter does not
    /// apply), and its rank among the trials (0 = best) for the colour.
    pub lines: Rc<Vec<(Vec<Option<f64>>, f64)>>,
}

/// Parallel coordinates: one vertical axis per parameter, one polyline per trial, the better
/// trials darker; parameters a trial did not have break its line.
#[function_component(ParallelChart)]
pub fn parallel_chart(props: &ParallelProps) -> Html {
    let inputs = (props.title.clone(), props.axes.clone(), props.lines.clone());
    let svg = use_memo(inputs, |(title, axes, lines)| {
        render_parallel(title, axes, lines).unwrap_or_else(|error| {
            format!("<p class=\"error\">The chart could not be drawn: {error}</p>")
        })
    });
    html! {
        <figure id={props.id.clone()} class="chart wide" data-lines={props.lines.len().to_string()}
            aria-label={props.title.clone()}>
            { Html::from_html_unchecked(AttrValue::from((*svg).clone())) }
        </figure>
    }
}

fn render_parallel(
    title: &str,
    axes: &[String],
    lines: &[(Vec<Option<f64>>, f64)],
) -> Result<String, String> {
    let last = axes.len().saturating_sub(1).max(1) as f64;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (SIZE.0 * 2, SIZE.1)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let axis_names = axes.to_vec();
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 15))
            .margin(14)
            .x_label_area_size(30)
            .y_label_area_size(10)
            .build_cartesian_2d(-0.05..last + 0.05, 0.0..1.0)
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .disable_y_axis()
            .x_labels(axes.len().max(2))
            .x_label_formatter(&|x| {
                let index = x.round();
                if (x - index).abs() < 1e-6 && index >= 0.0 {
                    axis_names.get(index as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .draw()
            .map_err(|e| e.to_string())?;
        let axis_style = ShapeStyle::from(&RGBColor(GREY.0, GREY.1, GREY.2)).stroke_width(1);
        for index in 0..axes.len() {
            let x = index as f64;
            chart
                .draw_series(LineSeries::new([(x, 0.0), (x, 1.0)], axis_style))
                .map_err(|e| e.to_string())?;
        }
        let worst = lines
            .iter()
            .map(|(_, rank)| *rank)
            .fold(0.0, f64::max)
            .max(1.0);
        // Worst first, so the best lines are drawn on top.
        let mut ordered: Vec<&(Vec<Option<f64>>, f64)> = lines.iter().collect();
        ordered.sort_by(|a, b| b.1.total_cmp(&a.1));
        for (positions, rank) in ordered {
            let shade = rank / worst;
            let color = RGBColor(
                (BLUE.0 as f64 + (220.0 - BLUE.0 as f64) * shade) as u8,
                (BLUE.1 as f64 + (220.0 - BLUE.1 as f64) * shade) as u8,
                (BLUE.2 as f64 + (220.0 - BLUE.2 as f64) * shade) as u8,
            );
            let mut segment: Vec<(f64, f64)> = Vec::new();
            for (index, position) in positions.iter().enumerate() {
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
    html! {
        <figure id={props.id.clone()} class="chart" data-bars={props.bars.len().to_string()}
            aria-label={props.title.clone()}>
            { Html::from_html_unchecked(AttrValue::from((*svg).clone())) }
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
