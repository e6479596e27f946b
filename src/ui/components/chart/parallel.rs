//! Parallel coordinates: one axis per parameter, one line per trial.

use std::rc::Rc;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use yew::prelude::*;

use super::{BLUE, ChartData, DataTable, GREY, SIZE, image};

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
