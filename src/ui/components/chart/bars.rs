//! Horizontal bar charts (hyperparameter importance).

use std::rc::Rc;

use plotters::prelude::*;
use yew::prelude::*;

use crate::format;

use super::{BLUE, ChartData, DataTable, SIZE, image};

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
