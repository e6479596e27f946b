//! The Teach step's choice of plane for a lesson on every feature of a table: the plane of the
//! first two principal components, or a slice through two features with a slider per held
//! feature. Changing it redraws the lesson without retraining it.

use std::rc::Rc;

use yew::prelude::*;

use super::form::field_value;
use crate::format;
use crate::teach::{Held, Table, TablePlane};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub table: Rc<Table>,
    pub plane: TablePlane,
    /// The slice's held features (from the lesson's frame).
    pub held: Vec<Held>,
    pub on_plane: Callback<TablePlane>,
}

/// A slice's first axes: the first two features with more than two values (not one-hot
/// flags), else the first two.
pub fn default_axes(table: &Table) -> [String; 2] {
    let varied: Vec<&String> = table
        .features
        .iter()
        .enumerate()
        .filter(|(k, _)| {
            let mut values: Vec<u64> = (0..table.rows())
                .filter_map(|r| table.row(r).get(*k).map(|v| v.to_bits()))
                .collect();
            values.sort_unstable();
            values.dedup();
            values.len() > 2
        })
        .map(|(_, f)| f)
        .collect();
    let pick = |i: usize| {
        varied
            .get(i)
            .copied()
            .or(table.features.get(i))
            .cloned()
            .unwrap_or_default()
    };
    [pick(0), pick(1)]
}

/// A select of a table's features for axis `axis` (0 across, 1 up), emitting the chosen name.
pub fn feature_select(
    id: &'static str,
    axis: usize,
    features: &[String],
    current: &str,
    onchange: Callback<String>,
) -> Html {
    let onchange = Callback::from(move |event: Event| {
        if let Some(name) = field_value(&event) {
            onchange.emit(name);
        }
    });
    html! {
        <select {id} {onchange} aria-label={if axis == 0 { "Across" } else { "Up" }}>
            { for features.iter().map(|f| html! { <option value={f.clone()} selected={f == current}>{ f.clone() }</option> }) }
        </select>
    }
}

#[function_component(TablePlaneControls)]
pub fn table_plane_controls(props: &Props) -> Html {
    let table = &props.table;
    let set_plane = props.on_plane.clone();
    let (slice_x, slice_y, at) = match &props.plane {
        TablePlane::Slice { x, y, at } => (x.clone(), y.clone(), at.clone()),
        TablePlane::Pca => {
            let [x, y] = default_axes(table);
            (x, y, Vec::new())
        }
    };
    let on_kind = {
        let (set_plane, x, y) = (set_plane.clone(), slice_x.clone(), slice_y.clone());
        Callback::from(move |event: Event| {
            let kind = field_value(&event).unwrap_or_default();
            set_plane.emit(if kind == "pca" {
                TablePlane::Pca
            } else {
                TablePlane::Slice {
                    x: x.clone(),
                    y: y.clone(),
                    at: Vec::new(),
                }
            })
        })
    };
    let axis_select = |id: &'static str, axis: usize| {
        let (set_plane, x, y, at) = (
            set_plane.clone(),
            slice_x.clone(),
            slice_y.clone(),
            at.clone(),
        );
        let current = if axis == 0 { &slice_x } else { &slice_y };
        let onchange = Callback::from(move |name: String| {
            let (x, y) = if axis == 0 {
                (name, y.clone())
            } else {
                (x.clone(), name)
            };
            set_plane.emit(TablePlane::Slice {
                x,
                y,
                at: at.clone(),
            });
        });
        feature_select(id, axis, &table.features, current, onchange)
    };
    let sliders = props.held.iter().enumerate().map(|(k, held)| {
        let (set_plane, x, y, at, name) = (
            set_plane.clone(),
            slice_x.clone(),
            slice_y.clone(),
            at.clone(),
            held.name.clone(),
        );
        let onchange = Callback::from(move |event: Event| {
            let text = field_value(&event).unwrap_or_default();
            let Ok(value) = text.parse::<f64>() else {
                return;
            };
            let mut at = at.clone();
            at.retain(|(n, _)| *n != name);
            at.push((name.clone(), value));
            set_plane.emit(TablePlane::Slice {
                x: x.clone(),
                y: y.clone(),
                at,
            });
        });
        let step = ((held.max - held.min) / 100.0).max(1e-6);
        html! {
            <label>
                <span>{ held.name.clone() }</span>
                <input id={format!("teach-held-{k}")} type="range" min={held.min.to_string()} max={held.max.to_string()}
                    step={step.to_string()} value={held.value.to_string()} {onchange} />
                <output>{ format::number(held.value) }</output>
            </label>
        }
    });
    let slice = matches!(props.plane, TablePlane::Slice { .. });
    html! {
        <div class="teach-plane-controls">
            <label>{ "Plane " }
                <select id="teach-plane-kind" onchange={on_kind}>
                    <option value="pca" selected={!slice}>{ "principal components (PCA)" }</option>
                    <option value="slice" selected={slice}>{ "a slice through two features" }</option>
                </select>
            </label>
            {
                slice.then(|| html! {
                    <>
                        <span>{ axis_select("teach-slice-x", 0) }{ " × " }{ axis_select("teach-slice-y", 1) }</span>
                        <details class="teach-held-panel" open=true>
                            <summary>{ "Where the other features are held" }</summary>
                            <div class="teach-held">{ for sliders }</div>
                        </details>
                    </>
                })
            }
        </div>
    }
}
