//! The Teach step's canvases as components: each redraws in an effect when its frame changes.

use std::rc::Rc;

use web_sys::{HtmlCanvasElement, KeyboardEvent, MouseEvent};
use yew::prelude::*;

use super::teach_canvas::{
    NetworkLayout, Shown, draw_histograms, draw_losses, draw_network, draw_plane,
};
use crate::teach::{EXTENT, Feature, Frame, FramePoints, Scores, WeightHistogram};

#[derive(Properties, PartialEq)]
pub struct PlaneProps {
    pub frame: Rc<Frame>,
    pub planes: Rc<Vec<f32>>,
    pub points: Option<Rc<FramePoints>>,
    pub shown: Shown,
    pub label: AttrValue,
    /// While painting: a click adds a point at these plane coordinates.
    #[prop_or_default]
    pub on_paint: Option<Callback<[f64; 2]>>,
}

/// How far an arrow key moves the painting cursor (with Shift: four times as far).
const CURSOR_STEP: f64 = 0.25;

/// The big plane: the boundary (or one unit) and the points. While painting is on, a click
/// paints a point, and so does Enter or Space at a cursor the arrow keys move.
#[function_component(TeachPlane)]
pub fn teach_plane(props: &PlaneProps) -> Html {
    let canvas = use_node_ref();
    let cursor = use_state(|| [0.0_f64, 0.0]);
    {
        let canvas = canvas.clone();
        let deps = (
            props.frame.clone(),
            props.planes.clone(),
            props.points.clone(),
            props.shown,
        );
        use_effect_with(deps, move |(frame, planes, points, shown)| {
            if let Some(canvas) = canvas.cast::<HtmlCanvasElement>() {
                draw_plane(&canvas, frame, planes, points.as_deref(), *shown);
            }
        });
    }
    let onclick = props.on_paint.clone().map(|on_paint| {
        let canvas = canvas.clone();
        Callback::from(move |event: MouseEvent| {
            let Some(canvas) = canvas.cast::<HtmlCanvasElement>() else {
                return;
            };
            let rect = canvas.get_bounding_client_rect();
            let (width, height) = (rect.width().max(1.0), rect.height().max(1.0));
            let fx = (f64::from(event.client_x()) - rect.left()) / width;
            let fy = (f64::from(event.client_y()) - rect.top()) / height;
            on_paint.emit([(2.0 * fx - 1.0) * EXTENT, (1.0 - 2.0 * fy) * EXTENT]);
        })
    });
    let onkeydown = props.on_paint.clone().map(|on_paint| {
        let cursor = cursor.clone();
        Callback::from(move |event: KeyboardEvent| {
            let step = if event.shift_key() {
                4.0 * CURSOR_STEP
            } else {
                CURSOR_STEP
            };
            let [mut x, mut y] = *cursor;
            match event.key().as_str() {
                "ArrowLeft" => x -= step,
                "ArrowRight" => x += step,
                "ArrowUp" => y += step,
                "ArrowDown" => y -= step,
                "Enter" | " " => on_paint.emit([x, y]),
                _ => return,
            }
            event.prevent_default();
            cursor.set([x.clamp(-EXTENT, EXTENT), y.clamp(-EXTENT, EXTENT)]);
        })
    });
    let painting = props.on_paint.is_some();
    let [x, y] = *cursor;
    let label = if painting {
        format!(
            "{} Painting: arrow keys move the cursor (Shift for bigger steps), Enter or Space adds a point.",
            props.label
        )
    } else {
        props.label.to_string()
    };
    html! {
        <div class="teach-plane-wrap">
            <canvas id="teach-plane" ref={canvas} width="400" height="400" role="img"
                class={classes!(painting.then_some("painting"))}
                tabindex={painting.then_some("0")}
                aria-label={label} {onclick} {onkeydown} />
            if painting {
                <span id="teach-paint-cursor" class="teach-paint-cursor" aria-hidden="true"
                    style={format!("left: {:.2}%; top: {:.2}%", 50.0 * (1.0 + x / EXTENT), 50.0 * (1.0 - y / EXTENT))} />
                <span class="visually-hidden" aria-live="polite" id="teach-paint-at">
                    { format!("Cursor at {x:.2}, {y:.2}") }
                </span>
            }
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct NetworkProps {
    pub frame: Rc<Frame>,
    pub planes: Rc<Vec<f32>>,
    /// The network's inputs: each name, and the toy feature it computes (none for a table's
    /// prepared feature).
    pub inputs: Rc<Vec<(String, Option<Feature>)>>,
    pub highlight: Option<usize>,
    /// Hovering a hidden unit shows it in the plane (its index among all hidden units);
    /// `None` when the pointer leaves.
    pub on_hover: Callback<Option<usize>>,
}

/// The network: thumbnails and links. Hover a unit to see it in the plane.
#[function_component(TeachNetwork)]
pub fn teach_network(props: &NetworkProps) -> Html {
    let canvas = use_node_ref();
    let layout = use_mut_ref(NetworkLayout::default);
    {
        let (canvas, layout) = (canvas.clone(), layout.clone());
        let deps = (
            props.frame.clone(),
            props.planes.clone(),
            props.inputs.clone(),
            props.highlight,
        );
        use_effect_with(deps, move |(frame, planes, inputs, highlight)| {
            if let Some(canvas) = canvas.cast::<HtmlCanvasElement>()
                && let Some(drawn) = draw_network(&canvas, frame, planes, inputs, *highlight)
            {
                *layout.borrow_mut() = drawn;
            }
        });
    }
    let onmousemove = {
        let (canvas, layout, on_hover, frame) = (
            canvas.clone(),
            layout.clone(),
            props.on_hover.clone(),
            props.frame.clone(),
        );
        Callback::from(move |event: MouseEvent| {
            let Some(canvas) = canvas.cast::<HtmlCanvasElement>() else {
                return;
            };
            let rect = canvas.get_bounding_client_rect();
            let scale = f64::from(canvas.width()) / rect.width().max(1.0);
            let x = (f64::from(event.client_x()) - rect.left()) * scale;
            let y = (f64::from(event.client_y()) - rect.top()) * scale;
            let hidden_layers = frame.network.layers.len().saturating_sub(1);
            let hit = layout
                .borrow()
                .units
                .iter()
                .find_map(|&(column, unit, ux, uy, size)| {
                    let inside = x >= ux && x <= ux + size && y >= uy && y <= uy + size;
                    (inside && column >= 1 && column <= hidden_layers).then(|| {
                        let before: usize = frame.network.layers[..column - 1]
                            .iter()
                            .map(|l| l.units)
                            .sum();
                        before + unit
                    })
                });
            on_hover.emit(hit);
        })
    };
    let onmouseleave = {
        let on_hover = props.on_hover.clone();
        Callback::from(move |_: MouseEvent| on_hover.emit(None))
    };
    html! {
        <canvas id="teach-network" ref={canvas} width="520" height="300" role="img"
            aria-label="The network: each hidden unit's output over the plane, and links as wide as their weights (blue positive, orange negative)"
            {onmousemove} {onmouseleave} />
    }
}

#[derive(Properties, PartialEq)]
pub struct LossesProps {
    pub history: Rc<Vec<Scores>>,
}

/// Training and test loss by epoch, and a folded table of every epoch's exact losses (each in
/// its shortest exact form, for anyone comparing runs), built only while it is open: a frame
/// ten times a second must not rebuild thousands of rows nobody looks at.
#[function_component(TeachLosses)]
pub fn teach_losses(props: &LossesProps) -> Html {
    let canvas = use_node_ref();
    let open = use_state(|| false);
    let ontoggle = {
        let open = open.clone();
        Callback::from(move |event: Event| {
            let details: web_sys::HtmlDetailsElement = event.target_unchecked_into();
            open.set(details.open());
        })
    };
    {
        let canvas = canvas.clone();
        use_effect_with(props.history.clone(), move |history| {
            if let Some(canvas) = canvas.cast::<HtmlCanvasElement>() {
                draw_losses(&canvas, history);
            }
        });
    }
    let rows = open.then(|| {
        props.history.iter().map(|s| html! {
            <tr><td>{ s.epoch }</td><td>{ s.train_loss.to_string() }</td><td>{ s.test_loss.to_string() }</td></tr>
        })
    });
    html! {
        <figure class="teach-loss-figure">
            <canvas id="teach-losses" ref={canvas} width="300" height="90" role="img"
                aria-label="Training loss (grey) and test loss (dark) by epoch" />
            <figcaption>{ "Loss by epoch: training (grey), test (dark), from 0 at the bottom" }</figcaption>
            <details id="teach-loss-table" {ontoggle}>
                <summary>{ "Losses by epoch (exact)" }</summary>
                <table>
                    <thead><tr><th>{ "epoch" }</th><th>{ "training loss" }</th><th>{ "test loss" }</th></tr></thead>
                    <tbody>{ for rows.into_iter().flatten() }</tbody>
                </table>
            </details>
        </figure>
    }
}

#[derive(Properties, PartialEq)]
pub struct HistogramsProps {
    pub over_time: Rc<Vec<(usize, Vec<WeightHistogram>)>>,
    pub layer: usize,
}

/// One layer's weight histograms over time.
#[function_component(TeachHistograms)]
pub fn teach_histograms(props: &HistogramsProps) -> Html {
    let canvas = use_node_ref();
    {
        let canvas = canvas.clone();
        use_effect_with(
            (props.over_time.clone(), props.layer),
            move |(over_time, layer)| {
                if let Some(canvas) = canvas.cast::<HtmlCanvasElement>() {
                    draw_histograms(&canvas, over_time, *layer);
                }
            },
        );
    }
    html! {
        <canvas class="teach-histogram" ref={canvas} width="160" height="60" role="img"
            aria-label={format!("Layer {}'s weights over time: -2 at the bottom to 2 at the top, darker where more weights are; red where L1 set weights to zero", props.layer + 1)} />
    }
}
