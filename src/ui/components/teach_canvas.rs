//! The Teach step's drawings, on canvases because they are redrawn up to ten times a second
//! while a lesson plays: the plane (a heatmap of the network's answer or of one unit, with the
//! points; the Train step's model on the same plane), the network (each unit's thumbnail, links as wide as their weights), the loss
//! curves and the weight histograms over time. Colours: class 1 and positive values blue,
//! class 0 and negative values orange (the charts' colour-blind-safe pair), white at the
//! boundary or at zero.

use wasm_bindgen::{Clamped, JsCast};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};

use super::chart::{BLUE, ORANGE};
use crate::teach::{
    EXTENT, Feature, Frame, FramePoints, HISTOGRAM_BINS, Head, ModelPlane, Scores, WeightHistogram,
    cell_centre,
};

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
    if t >= 0.0 {
        tint(BLUE, t)
    } else {
        tint(ORANGE, -t)
    }
}

/// Class colours: class 0 orange and class 1 blue (the diverging scale's ends), then the rest
/// of Okabe and Ito's colour-blind-safe set.
const CLASS_COLOURS: [(u8, u8, u8); 7] = [
    ORANGE,
    BLUE,
    (0, 158, 115),
    (213, 94, 0),
    (204, 121, 167),
    (86, 180, 233),
    (240, 228, 66),
];

/// `colour` faded towards white, kept at `weight` in `[0, 1]`.
fn tint(colour: (u8, u8, u8), weight: f64) -> [u8; 3] {
    let weight = if weight.is_finite() {
        weight.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let mix = |c: u8| (255.0 + (f64::from(c) - 255.0) * weight).round() as u8;
    [mix(colour.0), mix(colour.1), mix(colour.2)]
}

fn class_colour(class: usize) -> (u8, u8, u8) {
    CLASS_COLOURS[class % CLASS_COLOURS.len()]
}

/// The colours of [`CLASS_COLOURS`] in words, for the paint choice.
const CLASS_COLOUR_NAMES: [&str; 7] = [
    "orange",
    "blue",
    "green",
    "vermillion",
    "pink",
    "sky blue",
    "yellow",
];

/// Class `class`'s colour in words.
pub fn class_colour_name(class: usize) -> &'static str {
    CLASS_COLOUR_NAMES[class % CLASS_COLOUR_NAMES.len()]
}

/// Class `class`'s colour for CSS (the legend).
pub fn class_css(class: usize) -> String {
    css(tint(class_colour(class), 1.0))
}

/// The colour of one plane cell (see `teach::cell_value`) at `strength`: two classes and
/// values on the diverging scale; more classes in the likeliest class's colour, paler the
/// nearer its probability is to a guess (1/k).
fn answer_colour(head: Head, strength: f64) -> impl Fn(f64) -> [u8; 3] {
    move |v| match head {
        Head::Value => diverging(v * strength),
        Head::Binary => diverging((2.0 * v - 1.0) * strength),
        Head::Classes(k) => {
            let class = v.max(0.0).floor();
            let p = (v - class) / 0.999;
            let guess = 1.0 / k.max(2) as f64;
            tint(
                class_colour(class as usize),
                (p - guess) / (1.0 - guess) * strength,
            )
        }
    }
}

/// A point's colour: its class, or its value on the diverging scale.
fn label_colour(head: Head, label: f64) -> [u8; 3] {
    match head {
        Head::Value => diverging(label),
        _ => tint(class_colour(label.max(0.0) as usize), 1.0),
    }
}

fn css([r, g, b]: [u8; 3]) -> String {
    format!("rgb({r},{g},{b})")
}

/// `values` (a `side × side` grid, row by row from the top) as an image, mapped by `scale`.
fn grid_image(
    values: &[f32],
    side: usize,
    colour: impl Fn(f64) -> [u8; 3],
) -> Option<HtmlCanvasElement> {
    if side == 0 || values.len() < side * side {
        return None;
    }
    let mut rgba = Vec::with_capacity(side * side * 4);
    for &v in &values[..side * side] {
        let [r, g, b] = colour(f64::from(v));
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

/// Draws the plane: the heatmap, then the points (training filled, test hollow, wrong ones
/// ringed in the page's ink colour).
pub fn draw_plane(
    canvas: &HtmlCanvasElement,
    frame: &Frame,
    planes: &[f32],
    points: Option<&FramePoints>,
    shown: Shown,
) -> Option<()> {
    let image = match shown {
        Shown::Output => grid_image(
            planes,
            frame.density,
            answer_colour(frame.network.head, BACKGROUND_STRENGTH),
        ),
        Shown::Unit(unit) => grid_image(unit_grid(frame, planes, unit)?, frame.thumb, |v| {
            diverging(v * BACKGROUND_STRENGTH)
        }),
    }?;
    draw_with_points(canvas, &image, frame.network.head, points, &frame.wrong)
}

/// Draws another model's answer over the lesson's plane (the Train step's), with the
/// lesson's points ringed where that model is wrong.
pub fn draw_model_plane(
    canvas: &HtmlCanvasElement,
    plane: &ModelPlane,
    points: Option<&FramePoints>,
) -> Option<()> {
    let image = grid_image(
        &plane.cells,
        plane.density,
        answer_colour(plane.head, BACKGROUND_STRENGTH),
    )?;
    draw_with_points(canvas, &image, plane.head, points, &plane.wrong)
}

/// Draws `image` over the whole canvas, then the points (training filled, test hollow, the
/// `wrong` ones ringed).
fn draw_with_points(
    canvas: &HtmlCanvasElement,
    image: &HtmlCanvasElement,
    head: Head,
    points: Option<&FramePoints>,
    wrong_points: &[usize],
) -> Option<()> {
    let ctx = context(canvas)?;
    let side = f64::from(canvas.width());
    ctx.set_image_smoothing_enabled(true);
    ctx.draw_image_with_html_canvas_element_and_dw_and_dh(image, 0.0, 0.0, side, side)
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
    for &i in wrong_points {
        if let Some(flag) = wrong.get_mut(i) {
            *flag = true;
        }
    }
    let radius = (side / 130.0).max(2.5);
    // Points of one look (colour, training or test, opacity in twentieths) share one path: a
    // canvas call per point and style would be thousands of calls a frame.
    type Look = ([u8; 3], bool, u8);
    let mut groups: std::collections::BTreeMap<Look, Vec<(f64, f64)>> =
        std::collections::BTreeMap::new();
    let mut rings = Vec::new();
    for (i, point) in points.points.iter().enumerate() {
        let (x, y) = (to_pixel(point.x[0]), side - to_pixel(point.x[1]));
        let alpha = points.fade.get(i).map_or(20, |&f| (f * 20.0).round() as u8);
        let colour = label_colour(head, point.label);
        groups
            .entry((colour, test[i], alpha))
            .or_default()
            .push((x, y));
        if wrong[i] {
            rings.push((x, y));
        }
    }
    let circles = |at: &[(f64, f64)], r: f64| {
        ctx.begin_path();
        for &(x, y) in at {
            ctx.move_to(x + r, y);
            let _ = ctx.arc(x, y, r, 0.0, std::f64::consts::TAU);
        }
    };
    for ((colour, test, alpha), at) in &groups {
        ctx.set_global_alpha(f64::from(*alpha) / 20.0);
        let colour = css(*colour);
        circles(at, radius);
        if *test {
            ctx.set_fill_style_str("#fff");
            ctx.fill();
            ctx.set_line_width(2.0);
            ctx.set_stroke_style_str(&colour);
        } else {
            ctx.set_fill_style_str(&colour);
            ctx.fill();
            ctx.set_line_width(1.0);
            ctx.set_stroke_style_str("#fff");
        }
        ctx.stroke();
    }
    ctx.set_global_alpha(1.0);
    if !rings.is_empty() {
        circles(&rings, radius + 2.0);
        ctx.set_line_width(1.5);
        ctx.set_stroke_style_str("#1d2330");
        ctx.stroke();
    }
    ctx.set_global_alpha(1.0);
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
    let values: Vec<f64> = (0..side * side)
        .map(|i| feature.value(cell_centre(side, i / side, i % side)))
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
    inputs: &[(String, Option<Feature>)],
    highlight: Option<usize>,
) -> Option<NetworkLayout> {
    let ctx = context(canvas)?;
    let (width, height) = (f64::from(canvas.width()), f64::from(canvas.height()));
    ctx.clear_rect(0.0, 0.0, width, height);
    let drawn = drawn_units(frame, planes);
    let columns = drawn.len() + 2;
    let inputs = &inputs[..inputs.len().min(MAX_DRAWN_UNITS)];
    let tallest = drawn
        .iter()
        .map(Vec::len)
        .chain([inputs.len(), 1])
        .max()
        .unwrap_or(1);
    let size = ((height - 10.0) / tallest as f64 * 0.8).clamp(14.0, 40.0);
    let gap = (height - 10.0) / tallest as f64;
    // Room on the left for the inputs' names: a table's features have long ones.
    let left = if inputs.iter().any(|(name, _)| name.chars().count() > 5) {
        110.0
    } else {
        40.0
    };
    let column_x = |c: usize| left + (width - left - 50.0) * c as f64 / (columns - 1) as f64;
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
    // The output: one unit, or one per class (each drawn where its class wins).
    let outputs = match frame.network.head {
        Head::Classes(k) => k,
        Head::Binary | Head::Value => 1,
    };
    positions.push(
        (0..outputs)
            .map(|o| (o, column_x(columns - 1), row_y(o, outputs)))
            .collect(),
    );
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
        let Some((name, feature)) = inputs.get(i) else {
            continue;
        };
        ctx.set_fill_style_str("#f1f3f6");
        ctx.fill_rect(x, y, size, size);
        if let Some(image) =
            feature.and_then(|f| grid_image(&feature_grid(f, frame.thumb), frame.thumb, diverging))
        {
            let _ = ctx.draw_image_with_html_canvas_element_and_dw_and_dh(&image, x, y, size, size);
        }
        ctx.set_line_width(1.0);
        ctx.set_stroke_style_str("#5d6577");
        ctx.stroke_rect(x, y, size, size);
        ctx.set_fill_style_str("#1d2330");
        let short: String = if name.chars().count() > 16 {
            name.chars().take(15).chain(['…']).collect()
        } else {
            name.clone()
        };
        let _ = ctx.fill_text(&short, x - 4.0, y + size / 2.0);
        layout.units.push((0, i, x, y, size));
    }
    let mut first = 0;
    for (l, units) in drawn.iter().enumerate() {
        for &(u, x, y) in &positions[l + 1] {
            let index = first + u;
            if let Some(image) = unit_grid(frame, planes, index)
                .and_then(|grid| grid_image(grid, frame.thumb, diverging))
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
    for &(o, x, y) in positions.last().map_or(&[][..], Vec::as_slice) {
        let answer = answer_colour(frame.network.head, 1.0);
        let image = match frame.network.head {
            Head::Classes(_) => grid_image(planes, frame.density, |v| {
                if v.max(0.0).floor() as usize == o {
                    answer(v)
                } else {
                    [255, 255, 255]
                }
            }),
            Head::Binary | Head::Value => grid_image(planes, frame.density, answer),
        };
        if let Some(image) = image {
            let _ = ctx.draw_image_with_html_canvas_element_and_dw_and_dh(&image, x, y, size, size);
        }
        ctx.set_line_width(1.0);
        ctx.set_stroke_style_str("#5d6577");
        ctx.stroke_rect(x, y, size, size);
        layout.units.push((columns - 1, o, x, y, size));
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
    // At most about two points per pixel column.
    let every = (history.len() / (2 * width.max(1.0) as usize)).max(1);
    for (colour, pick) in [
        ("#a3abba", (|s: &Scores| s.train_loss) as fn(&Scores) -> f64),
        ("#1d2330", |s: &Scores| s.test_loss),
    ] {
        ctx.begin_path();
        let last = history.len() - 1;
        for (i, scores) in history
            .iter()
            .enumerate()
            .filter(|(i, _)| i % every == 0 || *i == last)
        {
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
    // One pixel per (column, bin) in an image scaled up to the canvas: a call per cell would
    // be thousands of canvas calls a frame. A zeros row sits between the two middle bins.
    let columns = over_time.len().max(1);
    let rows = HISTOGRAM_BINS + 1;
    let mut rgba = vec![255u8; columns * rows * 4];
    for (c, (_, histograms)) in over_time.iter().enumerate() {
        let Some(h) = histograms.get(layer) else {
            continue;
        };
        let total = (h.counts.iter().sum::<u32>() + h.zeros).max(1) as f64;
        let mut paint = |row: usize, colour: [u8; 3]| {
            let at = (row * columns + c) * 4;
            if let Some(pixel) = rgba.get_mut(at..at + 3) {
                pixel.copy_from_slice(&colour);
            }
        };
        for (bin, &count) in h.counts.iter().enumerate() {
            let share = (f64::from(count) / total * 4.0).min(1.0);
            let shade = (255.0 * (1.0 - share)).round() as u8;
            // Large weights at the top; the zeros row between the halves.
            let row = if bin >= HISTOGRAM_BINS / 2 {
                HISTOGRAM_BINS - 1 - bin
            } else {
                HISTOGRAM_BINS - bin
            };
            paint(row, [shade, shade, shade]);
        }
        let share = (f64::from(h.zeros) / total).min(1.0);
        paint(HISTOGRAM_BINS / 2, tint((185, 28, 28), share));
    }
    let image =
        ImageData::new_with_u8_clamped_array_and_sh(Clamped(&rgba), columns as u32, rows as u32)
            .ok()?;
    let document = web_sys::window()?.document()?;
    let small: HtmlCanvasElement = document.create_element("canvas").ok()?.dyn_into().ok()?;
    small.set_width(columns as u32);
    small.set_height(rows as u32);
    context(&small)?.put_image_data(&image, 0.0, 0.0).ok()?;
    ctx.set_image_smoothing_enabled(false);
    ctx.draw_image_with_html_canvas_element_and_dw_and_dh(&small, 0.0, 0.0, width, height)
        .ok()?;
    Some(())
}
