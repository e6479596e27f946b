//! The Train step's model beside the lesson's network: on a lesson through every feature of
//! the table (PCA or a slice), the model Hearth trained is drawn on the same plane with the
//! same points, scored on them, and compared cell by cell with the network — what a class's
//! small network learned next to what the full model did. The compute worker answers
//! (hooks.rs asks it again when the plane, the lesson or the model changes).

use std::rc::Rc;

use web_sys::HtmlCanvasElement;
use yew::prelude::*;

use super::teach_canvas::draw_model_plane;
use crate::teach::{FramePoints, ModelPlane, agreement};
use crate::ui::teach_state::ModelOverlay;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub overlay: ModelOverlay,
    pub points: Option<Rc<FramePoints>>,
    /// The network's planes (its boundary first, `density²` cells), to compare with.
    pub network: Rc<Vec<f32>>,
    /// The Train step's model, when there is one: how the page names it.
    pub model: Option<AttrValue>,
    pub on_show: Callback<bool>,
}

#[function_component(TeachModel)]
pub fn teach_model(props: &Props) -> Html {
    let overlay = &props.overlay;
    let Some(model) = &props.model else {
        return html! {
            <section class="teach-model" aria-labelledby="teach-model-title">
                <h3 id="teach-model-title">{ "The Train step's model" }</h3>
                <p class="muted" id="teach-model-none">
                    { "Train a model in the Train step (or open a .hearth file there) to draw it on this plane beside the network." }
                </p>
            </section>
        };
    };
    let onchange = {
        let (on_show, shown) = (props.on_show.clone(), overlay.shown);
        Callback::from(move |_: Event| on_show.emit(!shown))
    };
    let body = match (overlay.shown, &overlay.answer) {
        (false, _) => html! {},
        (true, None) => {
            html! { <p class="muted" id="teach-model-waiting">{ "Asking the model…" }</p> }
        }
        (true, Some(Err(message))) => html! {
            <p class="error" role="alert" id="teach-model-error">{ message.clone() }</p>
        },
        (true, Some(Ok(plane))) => {
            let cells = plane.density * plane.density;
            let same = props
                .network
                .get(..cells)
                .and_then(|network| agreement(plane.head, &plane.cells, network));
            let score = match plane.right {
                Some((right, test_right)) => format!(
                    "Right on {right} of {} points, {test_right} of the {} test points (it may have trained on some of them).",
                    plane.points, plane.test_points
                ),
                None => "Its answer over the plane, on the network's colour scale.".to_string(),
            };
            let agree = same.map(|share| {
                format!(
                    " Its class is the network's on {:.0} % of this plane.",
                    100.0 * share
                )
            });
            html! {
                <>
                    <ModelCanvas plane={plane.clone()} points={props.points.clone()} />
                    <p id="teach-model-score">{ score }{ agree.unwrap_or_default() }</p>
                </>
            }
        }
    };
    html! {
        <section class="teach-model" aria-labelledby="teach-model-title">
            <h3 id="teach-model-title">{ "The Train step's model" }</h3>
            <label>
                <input type="checkbox" id="teach-show-model" checked={overlay.shown} {onchange} />
                { format!(" Draw {model} on this plane") }
            </label>
            { body }
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct CanvasProps {
    plane: Rc<ModelPlane>,
    points: Option<Rc<FramePoints>>,
}

#[function_component(ModelCanvas)]
fn model_canvas(props: &CanvasProps) -> Html {
    let canvas = use_node_ref();
    {
        let canvas = canvas.clone();
        use_effect_with(
            (props.plane.clone(), props.points.clone()),
            move |(plane, points)| {
                if let Some(canvas) = canvas.cast::<HtmlCanvasElement>() {
                    draw_model_plane(&canvas, plane, points.as_deref());
                }
            },
        );
    }
    html! {
        <canvas id="teach-model-plane" ref={canvas} width="400" height="400" role="img"
            aria-label="The Train step's model over the same plane: the same colours and points, wrong points ringed" />
    }
}
