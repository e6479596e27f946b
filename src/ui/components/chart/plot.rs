//! Line and scatter charts (training curves, residuals, search history and slices), with a log
//! x axis where a parameter is log-scaled.

use std::ops::Range;

use plotters::coord::Shift;
use plotters::coord::combinators::BindKeyPoints;
use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::prelude::*;

use crate::format;

use super::{GREY, Mark, SIZE, Series};

/// What one line/scatter chart draws.
pub(super) struct Plot<'a> {
    pub(super) title: &'a str,
    pub(super) x_label: &'a str,
    pub(super) y_label: &'a str,
    pub(super) series: &'a [Series],
    pub(super) marker_x: Option<f64>,
    pub(super) marker_y: Option<f64>,
    pub(super) log_x: bool,
}

pub(super) fn render(plot: &Plot) -> Result<String, String> {
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
