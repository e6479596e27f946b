//! The Teach step: TensorFlow Playground's lesson in Hearth — a toy data set, a small network
//! shaped by the user, its boundary, units and losses changing batch by batch, snapshots to
//! scrub back to, and the page's address as a classroom link (settings, hidden controls and a
//! goal) that replays the same run. The lesson runs in its own worker.

use std::rc::Rc;

use yew::prelude::*;

use super::form::field_value;
use super::teach_canvas::{Shown, class_colour_name, class_css};
use super::teach_classroom::TeachClassroom;
use super::teach_model::TeachModel;
use super::teach_plane_controls::{TablePlaneControls, default_axes, feature_select};
use super::teach_views::{TeachHistograms, TeachLosses, TeachNetwork, TeachPlane};
use crate::format;
use crate::protocol::{Request, Response};
use crate::teach::{
    Activation, Classroom, EXTENT, Feature, LessonSettings, MAX_LAYERS, MAX_PAINTED, MAX_UNITS,
    Point, TablePlane, Toy,
};
use crate::ui::hooks::{WorkerHandle, use_teach_lesson};
use crate::ui::state::{Action, State};
use crate::ui::teach_state::{Speed, TeachAction};

const LEARNING_RATES: [f64; 11] = [
    0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0,
];
const PENALTIES: [f64; 10] = [0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0];
const DROPOUTS: [f64; 6] = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5];

#[derive(Properties, PartialEq)]
pub struct Props {
    pub state: UseReducerHandle<State>,
    pub teach_worker: Option<WorkerHandle>,
}

fn toy_name(toy: Toy) -> &'static str {
    match toy {
        Toy::Circle => "Circle",
        Toy::Xor => "Exclusive or",
        Toy::Gaussians => "Two Gaussians",
        Toy::Spiral => "Spiral",
        Toy::Moons => "Moons",
        Toy::Curve => "Above a curve",
        Toy::Plane => "Plane (regression)",
        Toy::Hills => "Hills (regression)",
        Toy::Blank => "Blank (paint your own)",
        Toy::Clusters => "Three clusters (3 classes)",
    }
}

#[function_component(TeachStep)]
pub fn teach_step(props: &Props) -> Html {
    let state = &props.state;
    let teach = &state.teach;
    use_teach_lesson(props.teach_worker.clone(), teach);
    let hovered = use_state(|| None::<usize>);
    let shown_choice = use_state(|| None::<usize>);
    let snapshot = use_state(|| None::<usize>);
    // The class a click on the plane paints, while painting.
    let paint = use_state(|| None::<f64>);

    let send = {
        let (worker, dispatcher) = (
            props.teach_worker.clone().filter(|_| teach.worker_ready),
            state.dispatcher(),
        );
        Rc::new(move |request: Request| {
            let Some(worker) = &worker else { return };
            if let Err(message) = worker.send(request, None) {
                dispatcher.dispatch(Action::Worker(Response::TeachFailed { message }));
            }
        })
    };
    // Changes the classroom; changed settings start a new lesson (the hook sends it).
    let edit_room = {
        let (room, dispatcher, snapshot) =
            (teach.room.clone(), state.dispatcher(), snapshot.clone());
        Rc::new(move |change: &dyn Fn(&mut Classroom)| {
            let mut next = room.clone();
            change(&mut next);
            if next.settings.check().is_ok() {
                snapshot.set(None);
                dispatcher.dispatch(Action::Teach(TeachAction::Room(Box::new(next))));
            }
        })
    };
    let edit = {
        let edit_room = edit_room.clone();
        Rc::new(move |change: &dyn Fn(&mut LessonSettings)| {
            edit_room(&|room: &mut Classroom| change(&mut room.settings))
        })
    };
    let settings = &teach.room.settings;
    let hidden = |key: &str| teach.room.hide.iter().any(|h| h == key);
    let ready = teach.worker_ready && teach.frame.is_some();
    let regression = settings.toy.is_regression();

    // The controls bar.
    let on_reset = {
        let (dispatcher, snapshot) = (state.dispatcher(), snapshot.clone());
        Callback::from(move |_: MouseEvent| {
            snapshot.set(None);
            dispatcher.dispatch(Action::Teach(TeachAction::Reset));
        })
    };
    let on_play = {
        let (send, dispatcher, playing, speed, snapshot) = (
            send.clone(),
            state.dispatcher(),
            teach.playing,
            teach.speed,
            snapshot.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            snapshot.set(None);
            if playing {
                send(Request::TeachPause);
            } else {
                send(Request::TeachPlay {
                    epochs_per_second: speed.epochs_per_second(),
                });
            }
            dispatcher.dispatch(Action::Teach(TeachAction::Playing(!playing)));
        })
    };
    let step = |epoch: bool| {
        let (send, snapshot) = (send.clone(), snapshot.clone());
        Callback::from(move |_: MouseEvent| {
            snapshot.set(None);
            send(Request::TeachStep { epoch });
        })
    };
    let on_speed = {
        let (send, dispatcher, playing) = (send.clone(), state.dispatcher(), teach.playing);
        Callback::from(move |event: Event| {
            let value = field_value(&event).unwrap_or_default();
            let Some(speed) = Speed::ALL.into_iter().find(|s| format!("{s:?}") == value) else {
                return;
            };
            dispatcher.dispatch(Action::Teach(TeachAction::SetSpeed(speed)));
            if playing {
                send(Request::TeachPlay {
                    epochs_per_second: speed.epochs_per_second(),
                });
            }
        })
    };
    let frame = teach.frame.clone();
    let epoch = frame.as_ref().map_or(0, |f| f.epoch);
    let now = frame.as_ref().map(|f| f.now);
    let goal = &teach.room.goal;
    let goal_met = frame.as_ref().map(|f| goal.met(&f.now, f.parameters));
    let controls = html! {
        <div class="teach-controls" role="toolbar" aria-label="Training">
            <button id="teach-reset" onclick={on_reset} title="Start again from new weights">{ "↺ Reset" }</button>
            <button id="teach-play" class="primary" onclick={on_play} disabled={!ready}
                aria-pressed={teach.playing.to_string()}>
                { if teach.playing { "❚❚ Pause" } else { "▶ Play" } }
            </button>
            <button id="teach-batch" onclick={step(false)} disabled={!ready || teach.playing}>{ "+1 batch" }</button>
            <button id="teach-epoch" onclick={step(true)} disabled={!ready || teach.playing}>{ "+1 epoch" }</button>
            <label>{ "Speed " }
                <select id="teach-speed" onchange={on_speed}>
                    { for Speed::ALL.iter().map(|s| html! {
                        <option value={format!("{s:?}")} selected={*s == teach.speed}>{ s.label() }</option>
                    }) }
                </select>
            </label>
            <span class="teach-epoch">{ "Epoch " }<strong id="teach-epoch-count">{ epoch }</strong></span>
            {
                match frame.as_ref().and_then(|f| f.epochs_per_second) {
                    Some(rate) if teach.playing => html! { <span id="teach-rate" class="muted">{ format!("{} epochs/s", format::number(rate.round())) }</span> },
                    _ => html! {},
                }
            }
        </div>
    };

    // Data.
    let data = (!hidden("data")).then(|| {
        let on_toy = {
            let (edit, dispatcher) = (edit.clone(), state.dispatcher());
            Callback::from(move |event: Event| {
                let value = field_value(&event).unwrap_or_default();
                if value == "table" {
                    dispatcher.dispatch(Action::Teach(TeachAction::UseTable));
                } else if let Some(toy) = Toy::from_key(&value) {
                    edit(&|s: &mut LessonSettings| {
                        s.toy = toy;
                        s.table = None;
                    });
                }
            })
        };
        let on_table = settings.table.is_some();
        let table_label = match (&settings.table, &state.profile, &state.target) {
            (Some(t), _, _) if !t.name.is_empty() => Some(format!("The loaded data: {} → {}", t.name, t.target)),
            (_, Some(profile), Some(target)) if state.prep.is_some() => {
                Some(format!("The loaded data: {} → {target}", profile.source))
            }
            (Some(_), _, _) => Some("The loaded data".to_string()),
            _ => None,
        };
        let table_note = settings.table.as_ref().filter(|_| teach.table.is_none()).map(|t| {
            let text = if state.prep.is_none() && !t.name.is_empty() {
                format!("This lesson is on {} ({} rows, target {}): load that file in the Data step and choose {} as the target.", t.name, t.rows, t.target, t.target)
            } else if state.prep.is_none() {
                "Load a dataset and choose its target in the Data step first.".to_string()
            } else {
                "Getting the prepared table from the Data step…".to_string()
            };
            html! { <p class="muted" id="teach-table-note">{ text }</p> }
        });
        let number_input = |id: &'static str, label: &'static str, min: &'static str, max: &'static str, step: &'static str, value: String, apply: fn(&mut LessonSettings, f64)| {
            let edit = edit.clone();
            let onchange = Callback::from(move |event: Event| {
                if let Ok(v) = field_value(&event).unwrap_or_default().parse::<f64>() {
                    edit(&|s: &mut LessonSettings| apply(s, v));
                }
            });
            html! {
                <label>{ label }{ " " }
                    <input {id} type="range" {min} {max} {step} value={value.clone()} {onchange} />
                    <output>{ value }</output>
                </label>
            }
        };
        let on_paint = {
            let paint = paint.clone();
            Callback::from(move |event: Event| {
                paint.set(field_value(&event).unwrap_or_default().parse::<f64>().ok());
            })
        };
        let on_clear = {
            let edit = edit.clone();
            Callback::from(move |_: MouseEvent| edit(&|s: &mut LessonSettings| s.painted.clear()))
        };
        let paint_controls = html! {
            <>
                <label>{ "Paint " }
                    <select id="teach-paint" onchange={on_paint} disabled={regression}>
                        <option value="off" selected={paint.is_none()}>{ "off" }</option>
                        { for (0..settings.toy.classes().max(2)).map(|class| {
                            let colour = class_colour_name(class);
                            html! {
                                <option value={class.to_string()} selected={*paint == Some(class as f64)}>{ format!("class {class} ({colour})") }</option>
                            }
                        }) }
                    </select>
                </label>
                {
                    (!settings.painted.is_empty()).then(|| html! {
                        <span>{ format!("{} painted ", settings.painted.len()) }
                            <button id="teach-clear-paint" onclick={on_clear}>{ "Clear" }</button></span>
                    })
                }
                { (paint.is_some() && !regression).then(|| html! { <span class="muted">{ "Click the plane to add a point." }</span> }) }
                {
                    (settings.toy == Toy::Blank && settings.painted.len() < 2).then(|| html! {
                        <span class="muted" id="teach-paint-hint">{ "Choose a class under Paint and click the plane: a few points of each class, then train." }</span>
                    })
                }
            </>
        };
        let on_new_seed = {
            let edit = edit.clone();
            Callback::from(move |_: MouseEvent| {
                edit(&|s: &mut LessonSettings| s.seed = s.seed.wrapping_add(1));
            })
        };
        html! {
            <fieldset class="teach-data">
                <legend>{ "Data" }</legend>
                <label>{ "Data set " }
                    <select id="teach-toy" onchange={on_toy}>
                        { for Toy::ALL.iter().map(|t| html! {
                            <option value={t.key()} selected={!on_table && *t == settings.toy}>{ toy_name(*t) }</option>
                        }) }
                        { for table_label.map(|label| html! { <option value="table" selected={on_table}>{ label }</option> }) }
                    </select>
                </label>
                { for table_note }
                {
                    (settings.toy != Toy::Blank && !on_table).then(|| number_input("teach-points", "Points", "50", "2000", "50", settings.points.to_string(), |s, v| s.points = v as usize))
                }
                { (!on_table).then(|| number_input("teach-noise", "Noise", "0", "0.5", "0.05", settings.noise.to_string(), |s, v| s.noise = v)) }
                { number_input("teach-train", "Training %", "10", "90", "10", settings.train_percent.to_string(), |s, v| s.train_percent = v as u32) }
                { (!on_table).then_some(paint_controls) }
                {
                    (!hidden("seed")).then(|| html! {
                        <span>{ "Seed " }<strong id="teach-seed">{ settings.seed }</strong>{ " " }
                            <button id="teach-new-seed" onclick={on_new_seed}>{ "New points and weights" }</button></span>
                    })
                }
            </fieldset>
        }
    });

    // Inputs.
    let features = (!hidden("features")).then(|| {
        let boxes = Feature::ALL.iter().map(|&feature| {
            let on = settings.features.contains(&feature);
            let edit = edit.clone();
            let onchange = Callback::from(move |_: Event| {
                edit(&|s: &mut LessonSettings| {
                    if s.features.contains(&feature) {
                        s.features.retain(|f| *f != feature);
                    } else {
                        // Keep the Playground's order whatever the clicking order.
                        s.features.push(feature);
                        s.features.sort_by_key(|f| Feature::ALL.iter().position(|g| g == f));
                    }
                })
            });
            html! {
                <label class="teach-feature">
                    <input type="checkbox" id={format!("teach-feature-{}", feature.key())} checked={on} {onchange} />
                    { feature.label() }
                </label>
            }
        });
        let table_inputs = settings.table.as_ref().zip(teach.table.as_ref()).map(|(reference, table)| {
            let on_kind = {
                let edit = edit.clone();
                let first_two = Some(default_axes(table));
                Callback::from(move |event: Event| {
                    let columns = (field_value(&event).unwrap_or_default() == "two").then(|| first_two.clone()).flatten();
                    edit(&|s: &mut LessonSettings| {
                        if let Some(t) = &mut s.table {
                            t.columns = columns.clone();
                        }
                    })
                })
            };
            let column_select = |id: &'static str, axis: usize| {
                let edit = edit.clone();
                let current = reference.columns.as_ref().map(|c| c[axis].clone()).unwrap_or_default();
                let onchange = Callback::from(move |name: String| {
                    edit(&|s: &mut LessonSettings| {
                        if let Some(columns) = s.table.as_mut().and_then(|t| t.columns.as_mut()) {
                            columns[axis] = name.clone();
                        }
                    })
                });
                feature_select(id, axis, &table.features, &current, onchange)
            };
            html! {
                <>
                    <label>{ "Network inputs " }
                        <select id="teach-inputs" onchange={on_kind}>
                            <option value="all" selected={reference.columns.is_none()}>{ format!("every prepared feature ({})", table.width()) }</option>
                            <option value="two" selected={reference.columns.is_some()}>{ "two columns, drawn exactly" }</option>
                        </select>
                    </label>
                    {
                        reference.columns.is_some().then(|| html! {
                            <span class="teach-columns">{ column_select("teach-column-x", 0) }{ " × " }{ column_select("teach-column-y", 1) }</span>
                        })
                    }
                </>
            }
        });
        let toy_features = settings.table.as_ref().is_none_or(|t| t.columns.is_some());
        html! {
            <fieldset class="teach-features"><legend>{ "Inputs" }</legend>
                { for table_inputs }
                { for toy_features.then(|| html! { <div class="teach-feature-boxes">{ for boxes }</div> }) }
            </fieldset>
        }
    });

    // The network's shape and training settings.
    let layers = (!hidden("layers")).then(|| {
        let change_layers = |add: bool| {
            let edit = edit.clone();
            Callback::from(move |_: MouseEvent| {
                edit(&|s: &mut LessonSettings| {
                    if add && s.hidden.len() < MAX_LAYERS {
                        s.hidden.push(s.hidden.last().copied().unwrap_or(4));
                    } else if !add {
                        s.hidden.pop();
                    }
                })
            })
        };
        let per_layer = settings.hidden.iter().enumerate().map(|(l, &units)| {
            let change = |delta: i64| {
                let edit = edit.clone();
                Callback::from(move |_: MouseEvent| {
                    edit(&|s: &mut LessonSettings| {
                        if let Some(u) = s.hidden.get_mut(l) {
                            *u = (*u as i64 + delta).clamp(1, MAX_UNITS as i64) as usize;
                        }
                    })
                })
            };
            html! {
                <span class="teach-layer">
                    { format!("Layer {}: ", l + 1) }
                    <button id={format!("teach-units-{l}-remove")} onclick={change(-1)} aria-label={format!("One unit fewer in layer {}", l + 1)}>{ "−" }</button>
                    <strong>{ units }</strong>
                    <button id={format!("teach-units-{l}-add")} onclick={change(1)} aria-label={format!("One unit more in layer {}", l + 1)}>{ "+" }</button>
                </span>
            }
        });
        html! {
            <div class="teach-layers">
                <span>{ format!("{} hidden layers ", settings.hidden.len()) }</span>
                <button id="teach-layers-remove" onclick={change_layers(false)} disabled={settings.hidden.is_empty()}>{ "− layer" }</button>
                <button id="teach-layers-add" onclick={change_layers(true)} disabled={settings.hidden.len() >= MAX_LAYERS}>{ "+ layer" }</button>
                { for per_layer }
            </div>
        }
    });
    let choice = |id: &'static str,
                  label: &'static str,
                  key: &'static str,
                  options: &[f64],
                  value: f64,
                  apply: fn(&mut LessonSettings, f64)| {
        if hidden(key) {
            return html! {};
        }
        let edit = edit.clone();
        let onchange = Callback::from(move |event: Event| {
            if let Ok(v) = field_value(&event).unwrap_or_default().parse::<f64>() {
                edit(&|s: &mut LessonSettings| apply(s, v));
            }
        });
        html! {
            <label>{ label }{ " " }
                <select {id} {onchange}>
                    { for options.iter().map(|&o| html! { <option value={o.to_string()} selected={o == value}>{ o.to_string() }</option> }) }
                </select>
            </label>
        }
    };
    let activation = (!hidden("activation")).then(|| {
        let edit = edit.clone();
        let onchange = Callback::from(move |event: Event| {
            if let Some(a) = Activation::from_key(&field_value(&event).unwrap_or_default()) {
                edit(&|s: &mut LessonSettings| s.activation = a);
            }
        });
        html! {
            <label>{ "Activation " }
                <select id="teach-activation" {onchange}>
                    { for Activation::ALL.iter().map(|a| html! { <option value={a.key()} selected={*a == settings.activation}>{ a.key() }</option> }) }
                </select>
            </label>
        }
    });
    let batch = (!hidden("batch")).then(|| {
        let edit = edit.clone();
        let onchange = Callback::from(move |event: Event| {
            if let Ok(v) = field_value(&event).unwrap_or_default().parse::<usize>() {
                edit(&|s: &mut LessonSettings| s.batch_size = v);
            }
        });
        html! {
            <label>{ "Batch size " }
                <input id="teach-batch-size" type="range" min="1" max="30" value={settings.batch_size.to_string()} {onchange} />
                <output>{ settings.batch_size }</output>
            </label>
        }
    });
    let training = html! {
        <fieldset class="teach-training">
            <legend>{ "Training" }</legend>
            { activation }
            { choice("teach-lr", "Learning rate", "lr", &LEARNING_RATES, settings.learning_rate, |s, v| s.learning_rate = v) }
            { batch }
            { choice("teach-l1", "L1", "regularization", &PENALTIES, settings.l1, |s, v| s.l1 = v) }
            { choice("teach-l2", "L2", "regularization", &PENALTIES, settings.l2, |s, v| s.l2 = v) }
            { choice("teach-dropout", "Dropout", "dropout", &DROPOUTS, settings.dropout, |s, v| s.dropout = v) }
        </fieldset>
    };

    // The plane, the network and the numbers.
    let shown = match (*hovered, *shown_choice) {
        (Some(unit), _) | (None, Some(unit)) => Shown::Unit(unit),
        _ => Shown::Output,
    };
    let inputs: Rc<Vec<(String, Option<Feature>)>> =
        Rc::new(match (&settings.table, &teach.table) {
            (Some(reference), Some(table)) if reference.columns.is_none() => {
                table.features.iter().map(|f| (f.clone(), None)).collect()
            }
            _ => settings
                .features
                .iter()
                .map(|f| (f.label().to_string(), Some(*f)))
                .collect(),
        });
    let on_hover = {
        let hovered = hovered.clone();
        Callback::from(move |unit: Option<usize>| hovered.set(unit))
    };
    let body = match &frame {
        None => html! { <p class="muted" id="teach-waiting">{ "Starting the lesson…" }</p> },
        Some(frame) => {
            let unit_names: Vec<(usize, String)> = {
                let mut first = 0;
                let mut names = Vec::new();
                for (l, layer) in frame
                    .network
                    .layers
                    .iter()
                    .enumerate()
                    .take(frame.network.layers.len().saturating_sub(1))
                {
                    for u in 0..layer.units {
                        names.push((first + u, format!("Layer {} unit {}", l + 1, u + 1)));
                    }
                    first += layer.units;
                }
                names
            };
            let on_shown = {
                let shown_choice = shown_choice.clone();
                Callback::from(move |event: Event| {
                    shown_choice.set(
                        field_value(&event)
                            .unwrap_or_default()
                            .parse::<usize>()
                            .ok(),
                    );
                })
            };
            let on_paint = paint
                .filter(|_| !regression && !hidden("data"))
                .map(|label| {
                    let edit = edit.clone();
                    Callback::from(move |[x, y]: [f64; 2]| {
                        // Two decimals: the link then holds the point exactly.
                        let round = |v: f64| (v.clamp(-EXTENT, EXTENT) * 100.0).round() / 100.0;
                        let point = Point {
                            x: [round(x), round(y)],
                            label,
                        };
                        edit(&|s: &mut LessonSettings| {
                            if s.painted.len() < MAX_PAINTED {
                                s.painted.push(point);
                            }
                        })
                    })
                });
            let plane_text = {
                let [x, y] = &frame.axes;
                let text = match frame.explained {
                    Some(share) => format!(
                        "Across: {x}; up: {y}. The plane of the first two principal components of the prepared features ({:.0} % of their variance); points fade with their distance from it.",
                        100.0 * share
                    ),
                    None if !frame.held.is_empty() => format!(
                        "Across: {x}; up: {y}. A slice: every other feature held where the sliders say; points fade with their distance from the slice."
                    ),
                    None => format!("Across: {x}; up: {y}."),
                };
                html! { <p class="muted" id="teach-axes">{ text }</p> }
            };
            let legend = teach.points.as_ref().filter(|p| !p.classes.is_empty()).map(|p| {
                html! {
                    <ul class="teach-legend" aria-label="Classes">
                        { for p.classes.iter().enumerate().map(|(k, name)| html! {
                            <li><span class="swatch" style={format!("background: {}", class_css(k))}></span>{ name.clone() }</li>
                        }) }
                    </ul>
                }
            });
            let plane_controls = (settings.table.as_ref().is_some_and(|t| t.columns.is_none()))
                .then(|| teach.table.clone())
                .flatten()
                .map(|table| {
                    let on_plane = {
                        let (send, dispatcher) = (send.clone(), state.dispatcher());
                        Callback::from(move |plane: TablePlane| {
                            dispatcher.dispatch(Action::Teach(TeachAction::Plane(plane.clone())));
                            send(Request::TeachPlane { plane });
                        })
                    };
                    let plane = teach.room.plane.clone().unwrap_or(TablePlane::Pca);
                    html! { <TablePlaneControls {table} {plane} held={frame.held.clone()} {on_plane} /> }
                });
            // The Train step's model beside the network, on a lesson through every feature.
            let model_panel = teach
                .points
                .as_ref()
                .filter(|p| p.plane.is_some())
                .map(|_| {
                    let on_show = {
                        let dispatcher = state.dispatcher();
                        Callback::from(move |shown| {
                            dispatcher.dispatch(Action::Teach(TeachAction::ShowModel(shown)))
                        })
                    };
                    let model = state
                        .current_model()
                        .map(|(model, _)| AttrValue::from(model.label()));
                    html! {
                        <TeachModel overlay={teach.model.clone()} points={teach.points.clone()}
                            network={teach.planes.clone()} {model} {on_show} />
                    }
                });
            let plane_label = match shown {
                Shown::Output if regression => "The network's answer over the plane (blue high, orange low), with the points: training filled, test hollow".to_string(),
                Shown::Output => "The network's decision boundary: blue for class 1, orange for class 0, paler where it is unsure; training points filled, test points hollow, wrong ones ringed".to_string(),
                Shown::Unit(u) => format!("Hidden unit {} over the plane", u + 1),
            };
            let accuracy = |a: Option<f64>| a.map_or("—".to_string(), format::score);
            let dead: usize = frame.dead.iter().sum();
            let hidden_units: usize = frame
                .network
                .layers
                .iter()
                .rev()
                .skip(1)
                .map(|l| l.units)
                .sum();
            let snapshots = frame.snapshots.clone();
            let on_snapshot = {
                let (send, snapshot, snapshots) =
                    (send.clone(), snapshot.clone(), snapshots.clone());
                Callback::from(move |event: Event| {
                    if let Some(&epoch) = field_value(&event)
                        .unwrap_or_default()
                        .parse::<usize>()
                        .ok()
                        .and_then(|i| snapshots.get(i))
                    {
                        snapshot.set(Some(epoch));
                        send(Request::TeachView { epoch });
                    }
                })
            };
            let on_replay = {
                let (send, snapshot) = (send.clone(), snapshot.clone());
                Callback::from(move |_: MouseEvent| {
                    if let Some(epoch) = *snapshot {
                        snapshot.set(None);
                        send(Request::TeachRestore { epoch });
                    }
                })
            };
            let on_now = {
                let (send, snapshot) = (send.clone(), snapshot.clone());
                Callback::from(move |_: MouseEvent| {
                    snapshot.set(None);
                    send(Request::TeachPause);
                })
            };
            let snapshot_index = snapshot
                .and_then(|e| snapshots.iter().position(|&s| s == e))
                .unwrap_or(snapshots.len().saturating_sub(1));
            html! {
                <div class="teach-board">
                    <div class="teach-network-panel">
                        <h3>{ "Network" }</h3>
                        { layers }
                        <TeachNetwork frame={frame.clone()} planes={teach.planes.clone()} inputs={inputs.clone()}
                            highlight={match shown { Shown::Unit(u) => Some(u), Shown::Output => None }} {on_hover} />
                        <p class="muted">
                            { format!("{} parameters. ", frame.parameters) }
                            {
                                if settings.activation == Activation::Relu {
                                    html! { <span id="teach-dead">{ format!("Dead ReLU units (zero on every training point): {dead} of {hidden_units}.") }</span> }
                                } else { html! {} }
                            }
                        </p>
                        <div class="teach-histograms">
                            { for (0..frame.network.layers.len()).map(|layer| html! {
                                <figure>
                                    <TeachHistograms over_time={teach.weights_over_time.clone()} {layer} />
                                    <figcaption>{ if layer + 1 == frame.network.layers.len() { "output weights".to_string() } else { format!("layer {} weights", layer + 1) } }</figcaption>
                                </figure>
                            }) }
                        </div>
                    </div>
                    <div class="teach-output">
                        <h3>{ "Output" }</h3>
                        <TeachPlane frame={frame.clone()} planes={teach.planes.clone()} points={teach.points.clone()}
                            {shown} label={plane_label} {on_paint} />
                        { plane_text }
                        { legend }
                        { plane_controls }
                        <label class="teach-shown">{ "Show in the plane " }
                            <select id="teach-shown" onchange={on_shown}>
                                <option value="output" selected={shown_choice.is_none()}>{ "the network's answer" }</option>
                                { for unit_names.iter().map(|(i, name)| html! {
                                    <option value={i.to_string()} selected={*shown_choice == Some(*i)}>{ name.clone() }</option>
                                }) }
                            </select>
                        </label>
                        <table class="teach-scores">
                            <tr><th></th><th>{ "loss" }</th><th>{ if regression { "" } else { "accuracy" } }</th></tr>
                            <tr><th>{ "training" }</th>
                                <td id="teach-train-loss">{ now.map(|n| format::score(n.train_loss)).unwrap_or_default() }</td>
                                <td>{ accuracy(now.and_then(|n| n.train_accuracy)) }</td></tr>
                            <tr><th>{ "test" }</th>
                                <td id="teach-test-loss">{ now.map(|n| format::score(n.test_loss)).unwrap_or_default() }</td>
                                <td id="teach-test-accuracy">{ accuracy(now.and_then(|n| n.test_accuracy)) }</td></tr>
                        </table>
                        <TeachLosses history={teach.history.clone()} />
                        <div class="teach-snapshots">
                            <label>{ "Snapshots " }
                                <input id="teach-snapshot" type="range" min="0" max={snapshots.len().saturating_sub(1).to_string()}
                                    value={snapshot_index.to_string()} onchange={on_snapshot} disabled={teach.playing}
                                    aria-valuetext={format!("epoch {}", snapshots.get(snapshot_index).copied().unwrap_or(0))} />
                            </label>
                            {
                                match frame.viewing {
                                    Some(e) => html! {
                                        <>
                                            <span id="teach-viewing">{ format!("Showing epoch {e} ") }</span>
                                            <button id="teach-replay" onclick={on_replay}>{ "Train on from here" }</button>
                                            <button id="teach-now" onclick={on_now}>{ "Back to now" }</button>
                                        </>
                                    },
                                    None => html! {},
                                }
                            }
                        </div>
                        { model_panel }
                    </div>
                </div>
            }
        }
    };

    // The goal, and the classroom link.
    let goal_banner = (!goal.is_empty()).then(|| {
        let met = goal_met.unwrap_or(false);
        html! {
            <p id="teach-goal" class={classes!("teach-goal", met.then_some("met"))} role="status">
                { format!("Goal: {} — {}", goal.describe(), if met { "met ✓" } else { "not yet" }) }
            </p>
        }
    });
    let on_classroom = {
        let edit_room = edit_room.clone();
        Callback::from(move |room: Classroom| edit_room(&|r: &mut Classroom| *r = room.clone()))
    };
    let table_file = teach
        .room
        .settings
        .table
        .as_ref()
        .zip(teach.table.as_ref().and_then(|table| table.file.as_ref()))
        .map(|(table, file)| (table.name.clone(), file.packed.as_ref().map(String::len)));
    let on_share_file = {
        let dispatcher = state.dispatcher();
        Callback::from(move |share| {
            dispatcher.dispatch(Action::Teach(TeachAction::ShareFile(share)))
        })
    };
    html! {
        <main class="step-teach">
            {
                match &teach.error {
                    Some(error) => html! { <p class="error" role="alert" id="teach-error">{ error.clone() }</p> },
                    None => html! {},
                }
            }
            { goal_banner }
            { controls }
            <div class="teach-settings">{ data }{ features }{ training }</div>
            { body }
            <TeachClassroom room={teach.room.clone()} on_change={on_classroom} {table_file} {on_share_file} />
        </main>
    }
}
