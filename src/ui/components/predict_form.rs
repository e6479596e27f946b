//! The Use step's form: one field per column the model reads, built from the training
//! distribution the model file carries — numbers as a box and a slider over the training
//! histogram, categories as a box with the seen values offered, two-valued categories as a
//! toggle — each flagged when its value is outside what training saw.

use std::rc::Rc;

use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::export::InputKind;
use crate::format;
use crate::prep::{ColumnReference, ReferenceValues};
use crate::protocol::ServingModel;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub model: Rc<ServingModel>,
    pub row: Vec<String>,
    /// A field changed: its position and new text.
    pub on_edit: Callback<(usize, String)>,
}

#[function_component(PredictForm)]
pub fn predict_form(props: &Props) -> Html {
    let fields = props.model.inputs.iter().enumerate().map(|(index, input)| {
        let value = props.row.get(index).cloned().unwrap_or_default();
        let reference = props
            .model
            .reference
            .iter()
            .find(|r| r.column == input.name);
        let on_edit = props.on_edit.clone();
        let on_input = Callback::from(move |event: InputEvent| {
            if let Some(input) = event.target_dyn_into::<HtmlInputElement>() {
                on_edit.emit((index, input.value()));
            }
        });
        let id = format!("use-field-{index}");
        let flag = reference.and_then(|r| flag(r, &value));
        let widget = match reference.map(|r| &r.values) {
            Some(ReferenceValues::Numeric {
                min, max, edges, counts, ..
            }) => {
                let step = ((max - min) / 200.0).max(f64::MIN_POSITIVE);
                let slider_value = value.trim().parse::<f64>().ok().unwrap_or(*min);
                html! {
                    <div class="number-field">
                        <input {id} class="use-input" type="text" inputmode="decimal" value={value.clone()}
                            aria-label={input.name.clone()} oninput={on_input.clone()} />
                        <div class="slider">
                            { histogram(edges, counts) }
                            <input type="range" min={min.to_string()} max={max.to_string()} step={step.to_string()}
                                value={slider_value.to_string()} aria-label={format!("{} slider", input.name)}
                                oninput={on_input} />
                        </div>
                        <span class="muted range">{ format!("{} – {}", format::number(*min), format::number(*max)) }</span>
                    </div>
                }
            }
            Some(ReferenceValues::Categories { counts, .. }) if counts.len() == 2 => {
                // Two values (a boolean, as words or as 0/1): a toggle, one button per value.
                let buttons = counts.iter().map(|(key, _)| {
                    let on_edit = props.on_edit.clone();
                    let (key_value, pressed) = (key.clone(), *key == value);
                    let onclick = Callback::from(move |_: MouseEvent| on_edit.emit((index, key_value.clone())));
                    html! { <button type="button" class={classes!("toggle", pressed.then_some("on"))}
                        aria-pressed={pressed.to_string()} {onclick}>{ key }</button> }
                });
                html! { <div {id} class="toggle-field" role="group" aria-label={input.name.clone()}>{ for buttons }</div> }
            }
            Some(ReferenceValues::Categories { counts, .. }) => {
                let list = format!("use-values-{index}");
                html! {
                    <>
                        <input {id} class="use-input" type="text" list={list.clone()} value={value.clone()}
                            aria-label={input.name.clone()} oninput={on_input} />
                        <datalist id={list}>
                            { for counts.iter().map(|(key, _)| html! { <option value={key.clone()} /> }) }
                        </datalist>
                    </>
                }
            }
            None => html! {
                <input {id} class="use-input" type="text" value={value.clone()} aria-label={input.name.clone()}
                    inputmode={(input.kind == InputKind::Float).then_some("decimal")} oninput={on_input} />
            },
        };
        html! {
            <div class="use-field" data-column={input.name.clone()}>
                <label for={format!("use-field-{index}")}>{ &input.name }</label>
                { widget }
                if let Some(flag) = flag {
                    <span class="flag" role="status">{ flag }</span>
                }
            </div>
        }
    });
    html! { <div id="use-form" class="use-form">{ for fields }</div> }
}

/// Why a value is unlike the training data, if it is.
fn flag(reference: &ColumnReference, value: &str) -> Option<String> {
    let text = value.trim();
    if text.is_empty() {
        return None;
    }
    match &reference.values {
        ReferenceValues::Numeric { min, max, .. } => match text.parse::<f64>() {
            Err(_) => Some("not a number, which the model reads here".to_string()),
            Ok(x) if x < *min || x > *max => Some(format!(
                "outside the training range ({} – {})",
                format::number(*min),
                format::number(*max)
            )),
            Ok(_) => None,
        },
        ReferenceValues::Categories {
            counts, numeric, ..
        } => {
            let key = if *numeric {
                text.parse::<f64>()
                    .map_or(text.to_string(), |x| format!("{x}"))
            } else {
                text.to_string()
            };
            (!counts.iter().any(|(k, _)| *k == key)).then(|| {
                "not among the training values (or too rare there to be named)".to_string()
            })
        }
    }
}

/// The training histogram behind a slider: the quantile bins drawn at their real widths, so
/// the bars' areas are the bins' counts.
fn histogram(edges: &[f64], counts: &[u64]) -> Html {
    const WIDTH: f64 = 200.0;
    const HEIGHT: f64 = 28.0;
    let (Some(&low), Some(&high)) = (edges.first(), edges.last()) else {
        return html! {};
    };
    let span = (high - low).max(f64::MIN_POSITIVE);
    // Bin 0 holds the values at the minimum; it is drawn as part of the first interval.
    let bars: Vec<(f64, f64, f64)> = edges
        .windows(2)
        .zip(counts.iter().skip(1))
        .enumerate()
        .map(|(i, (pair, &count))| {
            let count = count
                + if i == 0 {
                    counts.first().copied().unwrap_or(0)
                } else {
                    0
                };
            let width = (pair[1] - pair[0]).max(span / 400.0);
            (pair[0], pair[1], count as f64 / width)
        })
        .collect();
    let tallest = bars
        .iter()
        .map(|b| b.2)
        .fold(0.0f64, f64::max)
        .max(f64::MIN_POSITIVE);
    html! {
        <svg class="slider-histogram" viewBox={format!("0 0 {WIDTH} {HEIGHT}")} preserveAspectRatio="none" aria-hidden="true">
            { for bars.iter().map(|&(a, b, density)| {
                let x = (a - low) / span * WIDTH;
                let w = ((b - a) / span * WIDTH).max(0.5);
                let h = density / tallest * HEIGHT;
                html! { <rect x={format!("{x:.2}")} y={format!("{:.2}", HEIGHT - h)} width={format!("{w:.2}")} height={format!("{h:.2}")} /> }
            }) }
        </svg>
    }
}
