use web_sys::{File, HtmlSelectElement};
use yew::prelude::*;

use super::file_drop::FileDrop;
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
    let current = props.current.clone().unwrap_or_default();
    let is_sample = SAMPLES.iter().any(|sample| sample.file == current);
    html! {
        <FileDrop id="file-input" label="Choose a CSV…" accept=".csv,.tsv,.txt,.psv,text/csv,text/plain"
            hint="or drop a file here. It is read in this browser tab only." on_file={props.on_file.clone()}>
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
        </FileDrop>
    }
}
