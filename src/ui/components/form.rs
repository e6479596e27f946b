//! What the settings forms share: one way to turn a field's change into a new settings value.

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
