//! The Teach step's drawings, on canvases because they are redrawn up to ten times a second
//! while a lesson plays: the plane (a heatmap of the network's answer or of one unit, with the
//! points), the network (each unit's thumbnail, links as wide as their weights), the loss
//! curves and the weight histograms over time. Colours: class 1 and positive values blue,
//! class 0 and negative values orange (the charts' colour-blind-safe pair), white at the
//! boundary or at zero.

use wasm_bindgen::{Clamped, JsCast};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};

use super::chart::{BLUE, ORANGE};
use crate::teach::{EXTENT, Feature, Frame, FramePoints, HISTOGRAM_BINS, Scores, WeightHistogram};

/// How strongly the big plane's background is coloured: paler than the points drawn on it, so
/// that a point of either class stands out on either side of the boundary.
const BACKGROUND_STRENGTH: f64 = 0.6;

/// The 2-D context of `canvas`.
pub fn context(canvas: &HtmlCanvasElement) -> Option<CanvasRenderingContext2d> {
    canvas.get_context("2d").ok()??.dyn_into().ok()
}

/// `t` in `[-1, 1]` on the diverging scale: orange, white at 0, blue.
pub fn diverging(t: f64) -> [u8; 3] {
    let t = if t.is_finite() {
        t.clamp(-1.0, 1.0)
    } else {
        0.0
    };
    let (end, weight) = if t >= 0.0 { (BLUE, t) } else { (ORANGE, -t) };
    let mix = |c: u8| (255.0 + (f64::from(c) - 255.0) * weight).round() as u8;
    [mix(end.0), mix(end.1), mix(end.2)]
}

fn css([r, g, b]: [u8; 3]) -> String {
    format!("rgb({r},{g},{b})")
}

/// `values` (a `side × side` grid, row by row from the top) as an image, mapped by `scale`.
fn grid_image(
    values: &[f32],
    side: usize,
    scale: impl Fn(f64) -> f64,
) -> Option<HtmlCanvasElement> {
    if side == 0 || values.len() < side * side {
        return None;
    }
    let mut rgba = Vec::with_capacity(side * side * 4);
    for &v in &values[..side * side] {
        let [r, g, b] = diverging(scale(f64::from(v)));
        rgba.extend_from_slice(&[r, g, b, 255]);
    }
    let image =
        ImageData::new_with_u8_clamped_array_and_sh(Clamped(&rgba), side as u32, side as u32)
            .ok()?;
    let canvas: HtmlCanvasElement = web_sys::window()?
        .document()?
        .create_element("canvas")
        .ok()?
        .dyn_into()
        .ok()?;
    canvas.set_width(side as u32);
    canvas.set_height(side as u32);
    context(&canvas)?.put_image_data(&image, 0.0, 0.0).ok()?;
    Some(canvas)
}

/// What the plane shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shown {
    /// The network's answer.
    Output,
    /// One hidden unit's output (its index among all hidden units, layer after layer).
    Unit(usize),
}

/// The thumbnail grid of hidden unit `unit` within the planes.
pub fn unit_grid<'p>(frame: &Frame, planes: &'p [f32], unit: usize) -> Option<&'p [f32]> {
    let main = frame.density * frame.density;
    let size = frame.thumb * frame.thumb;
    planes.get(main + unit * size..main + (unit + 1) * size)
}

/// How the network's answer maps to the scale: a probability of class 1 around ½, a value as
/// it is.
fn answer_scale(regression: bool) -> impl Fn(f64) -> f64 {
    move |v| if regression { v } else { 2.0 * v - 1.0 }
}

/// Draws the plane: the heatmap, then the points (training filled, test hollow, wrong ones
/// ringed in the page's ink colour).
pub fn draw_plane(
    canvas: &HtmlCanvasElement,
    frame: &Frame,
    planes: &[f32],
    points: Option<&FramePoints>,
    regression: bool,
    shown: Shown,
) -> Option<()> {
    let ctx = context(canvas)?;
    let side = f64::from(canvas.width());
    let image = match shown {
        Shown::Output => grid_image(planes, frame.density, |v| {
            answer_scale(regression)(v) * BACKGROUND_STRENGTH
        }),
        Shown::Unit(unit) => grid_image(unit_grid(frame, planes, unit)?, frame.thumb, |v| {
            v * BACKGROUND_STRENGTH
        }),
    }?;
    ctx.set_image_smoothing_enabled(true);
    ctx.draw_image_with_html_canvas_element_and_dw_and_dh(&image, 0.0, 0.0, side, side)
        .ok()?;
    let Some(points) = points else {
        return Some(());
    };
    let to_pixel = |v: f64| (v + EXTENT) / (2.0 * EXTENT) * side;
    let mut test = vec![false; points.points.len()];
    for &i in &points.test {
        if let Some(flag) = test.get_mut(i) {
            *flag = true;
        }
    }
    let mut wrong = vec![false; points.points.len()];
    for &i in &frame.wrong {
        if let Some(flag) = wrong.get_mut(i) {
            *flag = true;
        }
    }
    let radius = (side / 130.0).max(2.5);
    for (i, point) in points.points.iter().enumerate() {
        let (x, y) = (to_pixel(point.x[0]), side - to_pixel(point.x[1]));
        let colour = css(diverging(if regression {
            point.label
        } else {
            2.0 * point.label - 1.0
        }));
        ctx.begin_path();
        let _ = ctx.arc(x, y, radius, 0.0, std::f64::consts::TAU);
        if test[i] {
            ctx.set_fill_style_str("#fff");
            ctx.fill();
            ctx.set_line_width(2.0);
            ctx.set_stroke_style_str(&colour);
            ctx.stroke();
        } else {
            ctx.set_fill_style_str(&colour);
            ctx.fill();
            ctx.set_line_width(1.0);
            ctx.set_stroke_style_str("#fff");
            ctx.stroke();
        }
        if wrong[i] {
            ctx.begin_path();
            let _ = ctx.arc(x, y, radius + 2.0, 0.0, std::f64::consts::TAU);
            ctx.set_line_width(1.5);
            ctx.set_stroke_style_str("#1d2330");
            ctx.stroke();
        }
    }
    Some(())
}

/// Where the network drawing put each unit: `(column, row, x, y, size)`; column 0 is the
/// inputs, the last the output.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NetworkLayout {
    pub units: Vec<(usize, usize, f64, f64, f64)>,
}

/// The most units of one layer drawn: a wider layer shows its most varied ones.
pub const MAX_DRAWN_UNITS: usize = 16;

/// The hidden units each layer draws: all of a narrow layer, the `MAX_DRAWN_UNITS` most varied
/// of a wide one (by the spread of their thumbnails), in order.
pub fn drawn_units(frame: &Frame, planes: &[f32]) -> Vec<Vec<usize>> {
    let mut first = 0;
    let hidden = frame.network.layers.len().saturating_sub(1);
    frame.network.layers[..hidden]
        .iter()
        .map(|layer| {
            let mut units: Vec<usize> = (0..layer.units).collect();
            if layer.units > MAX_DRAWN_UNITS {
                let spread = |u: usize| {
                    unit_grid(frame, planes, first + u).map_or(0.0, |g| {
                        let (lo, hi) = g
                            .iter()
                            .fold((f32::MAX, f32::MIN), |(lo, hi), &v| (lo.min(v), hi.max(v)));
                        hi - lo
                    })
                };
                units.sort_by(|&a, &b| spread(b).total_cmp(&spread(a)));
                units.truncate(MAX_DRAWN_UNITS);
                units.sort_unstable();
            }
            first += layer.units;
            units
        })
        .collect()
}

/// An input feature over the plane, scaled to `[-1, 1]` by its largest magnitude there.
fn feature_grid(feature: Feature, side: usize) -> Vec<f32> {
    let step = 2.0 * EXTENT / side as f64;
    let values: Vec<f64> = (0..side * side)
        .map(|i| {
            let (row, col) = (i / side, i % side);
            let x = [
                -EXTENT + (col as f64 + 0.5) * step,
                EXTENT - (row as f64 + 0.5) * step,
            ];
            feature.value(x)
        })
        .collect();
    let top = values
        .iter()
        .fold(0.0_f64, |m, v| m.max(v.abs()))
        .max(1e-12);
    values.iter().map(|v| (v / top) as f32).collect()
}

/// Draws the network: each input over the plane with its name, each hidden unit's thumbnail,
/// the output's, and every link between drawn units (width ∝ |w|, blue positive, orange
/// negative); `highlight` rings one hidden unit. Returns where the units are, for hovering.
pub fn draw_network(
    canvas: &HtmlCanvasElement,
    frame: &Frame,
    planes: &[f32],
    inputs: &[Feature],
    regression: bool,
    highlight: Option<usize>,
) -> Option<NetworkLayout> {
    let ctx = context(canvas)?;
    let (width, height) = (f64::from(canvas.width()), f64::from(canvas.height()));
    ctx.clear_rect(0.0, 0.0, width, height);
    let drawn = drawn_units(frame, planes);
    let columns = drawn.len() + 2;
    let tallest = drawn
        .iter()
        .map(Vec::len)
        .chain([inputs.len(), 1])
        .max()
        .unwrap_or(1);
    let size = ((height - 10.0) / tallest as f64 * 0.8).clamp(14.0, 40.0);
    let gap = (height - 10.0) / tallest as f64;
    let column_x = |c: usize| 40.0 + (width - 90.0) * c as f64 / (columns - 1) as f64;
    let row_y = |row: usize, count: usize| {
        let top = (height - gap * count as f64) / 2.0;
        top + gap * row as f64 + (gap - size) / 2.0
    };
    let mut layout = NetworkLayout::default();
    // Positions: inputs, hidden (drawn units only), output.
    let mut positions: Vec<Vec<(usize, f64, f64)>> = Vec::new();
    positions.push(
        (0..inputs.len())
            .map(|i| (i, column_x(0), row_y(i, inputs.len())))
            .collect(),
    );
    for (l, units) in drawn.iter().enumerate() {
        positions.push(
            units
                .iter()
                .enumerate()
                .map(|(row, &u)| (u, column_x(l + 1), row_y(row, units.len())))
                .collect(),
        );
    }
    positions.push(vec![(0, column_x(columns - 1), row_y(0, 1))]);
    // Links under the units.
    for (l, layer) in frame.network.layers.iter().enumerate() {
        let (Some(from), Some(to)) = (positions.get(l), positions.get(l + 1)) else {
            continue;
        };
        for &(u, x1, y1) in to {
            for &(i, x0, y0) in from {
                let w = layer.weight(u, i);
                if w == 0.0 {
                    continue;
                }
                ctx.begin_path();
                ctx.move_to(x0 + size, y0 + size / 2.0);
                ctx.line_to(x1, y1 + size / 2.0);
                ctx.set_line_width((w.abs() * 2.0).clamp(0.4, 8.0));
                ctx.set_stroke_style_str(&css(diverging(if w > 0.0 { 0.8 } else { -0.8 })));
                ctx.stroke();
            }
        }
    }
    // Units.
    ctx.set_font("12px system-ui, sans-serif");
    ctx.set_text_align("right");
    ctx.set_text_baseline("middle");
    for &(i, x, y) in &positions[0] {
        let Some(&feature) = inputs.get(i) else {
            continue;
        };
        if let Some(image) = grid_image(&feature_grid(feature, frame.thumb), frame.thumb, |v| v) {
            let _ = ctx.draw_image_with_html_canvas_element_and_dw_and_dh(&image, x, y, size, size);
        }
        ctx.set_line_width(1.0);
        ctx.set_stroke_style_str("#5d6577");
        ctx.stroke_rect(x, y, size, size);
        ctx.set_fill_style_str("#1d2330");
        let _ = ctx.fill_text(feature.label(), x - 4.0, y + size / 2.0);
        layout.units.push((0, i, x, y, size));
    }
    let mut first = 0;
    for (l, units) in drawn.iter().enumerate() {
        for &(u, x, y) in &positions[l + 1] {
            let index = first + u;
            if let Some(image) = unit_grid(frame, planes, index)
                .and_then(|grid| grid_image(grid, frame.thumb, |v| v))
            {
                let _ =
                    ctx.draw_image_with_html_canvas_element_and_dw_and_dh(&image, x, y, size, size);
            }
            ctx.set_line_width(if highlight == Some(index) { 3.0 } else { 1.0 });
            ctx.set_stroke_style_str(if highlight == Some(index) {
                "#1d4ed8"
            } else {
                "#5d6577"
            });
            ctx.stroke_rect(x, y, size, size);
            layout.units.push((l + 1, u, x, y, size));
        }
        first += frame
            .network
            .layers
            .get(l)
            .map_or(units.len(), |layer| layer.units);
    }
    if let Some(&(_, x, y)) = positions.last().and_then(|p| p.first())
        && let Some(image) = grid_image(planes, frame.density, answer_scale(regression))
    {
        let _ = ctx.draw_image_with_html_canvas_element_and_dw_and_dh(&image, x, y, size, size);
        ctx.set_line_width(1.0);
        ctx.set_stroke_style_str("#5d6577");
        ctx.stroke_rect(x, y, size, size);
        layout.units.push((columns - 1, 0, x, y, size));
    }
    Some(layout)
}

/// Draws the training (grey) and test (ink) loss of every epoch so far.
pub fn draw_losses(canvas: &HtmlCanvasElement, history: &[Scores]) -> Option<()> {
    let ctx = context(canvas)?;
    let (width, height) = (f64::from(canvas.width()), f64::from(canvas.height()));
    ctx.clear_rect(0.0, 0.0, width, height);
    if history.is_empty() {
        return Some(());
    }
    let top = history
        .iter()
        .flat_map(|s| [s.train_loss, s.test_loss])
        .filter(|v| v.is_finite())
        .fold(0.0_f64, f64::max)
        .max(1e-9);
    let n = history.len().max(2) - 1;
    for (colour, pick) in [
        ("#a3abba", (|s: &Scores| s.train_loss) as fn(&Scores) -> f64),
        ("#1d2330", |s: &Scores| s.test_loss),
    ] {
        ctx.begin_path();
        for (i, scores) in history.iter().enumerate() {
            let x = width * i as f64 / n as f64;
            let y = height - 2.0 - (height - 4.0) * (pick(scores) / top).clamp(0.0, 1.0);
            if i == 0 {
                ctx.move_to(x, y);
            } else {
                ctx.line_to(x, y);
            }
        }
        ctx.set_line_width(1.5);
        ctx.set_stroke_style_str(colour);
        ctx.stroke();
    }
    Some(())
}

/// Draws one layer's weight histograms over time: a column per recorded epoch, a row per bin
/// (large weights at the top), darker where more weights fall; the row in the middle is
/// drawn red where L1 has set weights to exactly zero.
pub fn draw_histograms(
    canvas: &HtmlCanvasElement,
    over_time: &[(usize, Vec<WeightHistogram>)],
    layer: usize,
) -> Option<()> {
    let ctx = context(canvas)?;
    let (width, height) = (f64::from(canvas.width()), f64::from(canvas.height()));
    ctx.set_fill_style_str("#fff");
    ctx.fill_rect(0.0, 0.0, width, height);
    let columns = over_time.len().max(1) as f64;
    let rows = HISTOGRAM_BINS as f64;
    for (c, (_, histograms)) in over_time.iter().enumerate() {
        let Some(h) = histograms.get(layer) else {
            continue;
        };
        let total = (h.counts.iter().sum::<u32>() + h.zeros).max(1) as f64;
        let x = width * c as f64 / columns;
        let w = (width / columns).ceil();
        for (bin, &count) in h.counts.iter().enumerate() {
            if count == 0 {
                continue;
            }
            let share = (f64::from(count) / total * 4.0).min(1.0);
            let shade = (255.0 * (1.0 - share)).round() as u8;
            ctx.set_fill_style_str(&css([shade, shade, shade]));
            let y = height - height * (bin + 1) as f64 / rows;
            ctx.fill_rect(x, y, w, (height / rows).ceil());
        }
        if h.zeros > 0 {
            let share = (f64::from(h.zeros) / total).min(1.0);
            ctx.set_fill_style_str(&format!("rgba(185,28,28,{share:.3})"));
            ctx.fill_rect(x, height / 2.0 - 1.5, w, 3.0);
        }
    }
    Some(())
}
