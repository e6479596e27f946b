//! What the settings forms share: one way to turn a field's change into a new settings value,
//! and a text box that keeps what is typed in it until it is committed.

use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

/// The value of the field `event` came from: an input's text (a checkbox's as "true" or
/// "false"), a select's or a text area's; `None` for any other element.
pub fn field_value(event: &Event) -> Option<String> {
    if let Some(input) = event.target_dyn_into::<HtmlInputElement>() {
        Some(if input.type_() == "checkbox" {
            input.checked().to_string()
        } else {
            input.value()
        })
    } else if let Some(select) = event.target_dyn_into::<HtmlSelectElement>() {
        Some(select.value())
    } else {
        event
            .target_dyn_into::<HtmlTextAreaElement>()
            .map(|area| area.value())
    }
}

/// Applies a field's text to the settings, or says in one sentence why it cannot.
pub type Apply<T> = fn(&mut T, &str) -> Result<(), String>;

/// A change handler for one field: reads the input (a checkbox as "true"/"false"), select or
/// text area, applies it to a copy of `current` and emits the copy; a refusal goes to `error`
/// instead, and the settings stay as they were.
pub fn on_field<T: Clone + 'static>(
    current: &T,
    on_change: &Callback<T>,
    error: &UseStateHandle<Option<String>>,
    apply: Apply<T>,
) -> Callback<Event> {
    let (current, on_change, error) = (current.clone(), on_change.clone(), error.clone());
    Callback::from(move |event: Event| {
        let Some(value) = field_value(&event) else {
            return;
        };
        let mut next = current.clone();
        match apply(&mut next, value.trim()) {
            Ok(()) => {
                error.set(None);
                on_change.emit(next);
            }
            Err(message) => error.set(Some(message)),
        }
    })
}

#[derive(Properties, PartialEq)]
pub struct FieldProps {
    #[prop_or_default]
    pub id: Option<AttrValue>,
    #[prop_or_default]
    pub class: Classes,
    /// The input's type ("number", "text"); a text area has none.
    #[prop_or(AttrValue::Static("text"))]
    pub kind: AttrValue,
    /// The state's value.
    pub value: AttrValue,
    /// Commits the box's text (`change`: on Enter or on leaving the box).
    pub onchange: Callback<Event>,
    #[prop_or_default]
    pub min: Option<AttrValue>,
    #[prop_or_default]
    pub max: Option<AttrValue>,
    #[prop_or_default]
    pub step: Option<AttrValue>,
    #[prop_or_default]
    pub placeholder: Option<AttrValue>,
    #[prop_or_default]
    pub title: Option<AttrValue>,
    /// Rows of a text area; `None` draws a one-line box.
    #[prop_or_default]
    pub rows: Option<u32>,
    #[prop_or_default]
    pub cols: Option<u32>,
}

/// A box (or a text area) whose text is written by the page only when the state's value
/// changes, not on every redraw.
///
/// Yew treats `value` as controlled: each redraw writes the state's value into the box when
/// the two differ. The settings forms commit on `change`, so that a half-typed number is not
/// refused and a preparation is not refitted on every key; with a controlled box, anything
/// that redrew the step before the person left it (a worker starting, a handover, a progress
/// report) put the old value back and the typing was lost. The end-to-end tests met it as a
/// search that ran the default 20 trials after 3 was typed (1 run in 15).
#[function_component(Field)]
pub fn field(props: &FieldProps) -> Html {
    let node = use_node_ref();
    {
        let node = node.clone();
        use_effect_with(props.value.clone(), move |value| {
            // Writing the text a box already holds leaves its caret alone (HTML's value setter).
            if let Some(input) = node.cast::<HtmlInputElement>() {
                input.set_value(value);
            } else if let Some(area) = node.cast::<HtmlTextAreaElement>() {
                area.set_value(value);
            }
        });
    }
    let p = props;
    match p.rows {
        Some(rows) => html! {
            <textarea ref={node} id={p.id.clone()} class={p.class.clone()} rows={rows.to_string()}
                cols={p.cols.map(|cols| cols.to_string())} spellcheck="false"
                placeholder={p.placeholder.clone()} title={p.title.clone()} onchange={p.onchange.clone()} />
        },
        None => html! {
            <input ref={node} id={p.id.clone()} class={p.class.clone()} type={p.kind.clone()}
                min={p.min.clone()} max={p.max.clone()} step={p.step.clone()}
                placeholder={p.placeholder.clone()} title={p.title.clone()} onchange={p.onchange.clone()} />
        },
    }
}
