use web_sys::{DragEvent, File, HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::samples::SAMPLES;

#[derive(Properties, PartialEq)]
pub struct Props {
    /// The loaded dataset's name, to show which sample is selected.
    pub current: Option<String>,
    pub on_sample: Callback<String>,
    pub on_file: Callback<File>,
}

/// Pick a bundled sample, choose a file, or drop one.
#[function_component(SourcePicker)]
pub fn source_picker(props: &Props) -> Html {
    let dragging = use_state(|| false);

    let on_sample = {
        let on_sample = props.on_sample.clone();
        Callback::from(move |event: Event| {
            if let Some(select) = event.target_dyn_into::<HtmlSelectElement>() {
                let value = select.value();
                if !value.is_empty() {
                    on_sample.emit(value);
                }
            }
        })
    };
    let on_choose = {
        let on_file = props.on_file.clone();
        Callback::from(move |event: Event| {
            if let Some(input) = event.target_dyn_into::<HtmlInputElement>() {
                if let Some(file) = input.files().and_then(|files| files.get(0)) {
                    on_file.emit(file);
                }
                // Choosing the same file again after a fix should load it again.
                input.set_value("");
            }
        })
    };
    let on_drag_over = {
        let dragging = dragging.clone();
        Callback::from(move |event: DragEvent| {
            event.prevent_default();
            dragging.set(true);
        })
    };
    let on_drag_leave = {
        let dragging = dragging.clone();
        Callback::from(move |_: DragEvent| dragging.set(false))
    };
    let on_drop = {
        let dragging = dragging.clone();
        let on_file = props.on_file.clone();
        Callback::from(move |event: DragEvent| {
            event.prevent_default();
            dragging.set(false);
            let file = event
                .data_transfer()
                .and_then(|transfer| transfer.files())
                .and_then(|files| files.get(0));
            if let Some(file) = file {
                on_file.emit(file);
            }
        })
    };

    let current = props.current.clone().unwrap_or_default();
    let is_sample = SAMPLES.iter().any(|sample| sample.file == current);
    html! {
        <section
            class={classes!("source", (*dragging).then_some("dragging"))}
            ondragover={on_drag_over}
            ondragleave={on_drag_leave}
            ondrop={on_drop}
        >
            <label>
                { "Sample dataset " }
                <select id="sample-select" onchange={on_sample}>
                    if !is_sample {
                        <option value="" selected=true>{ "— your file —" }</option>
                    }
                    { for SAMPLES.iter().map(|sample| html! {
                        <option value={sample.file} selected={sample.file == current}>{ sample.title }</option>
                    }) }
                </select>
            </label>
            <span class="or">{ "or" }</span>
            // The input lies transparent over its label: a click anywhere on the label and Enter
            // or Space on the focused input both open the chooser; the label shows the focus.
            <label class="file-button">
                { "Choose a CSV…" }
                <input id="file-input" type="file" accept=".csv,.tsv,.txt,.psv,text/csv,text/plain" onchange={on_choose} />
            </label>
            <span class="hint">{ "or drop a file here. It is read in this browser tab only." }</span>
        </section>
    }
}
