//! A file chooser that also takes a file dropped anywhere on it (the Data step's CSV, the Use
//! step's ONNX file, batch and monitoring CSVs).

use web_sys::{DragEvent, File, HtmlInputElement};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    /// The file input's id (the e2e tests set files on it).
    pub id: AttrValue,
    pub label: AttrValue,
    pub accept: AttrValue,
    #[prop_or_default]
    pub disabled: bool,
    /// What follows the button.
    #[prop_or(AttrValue::Static("or drop it here; it is read in this tab only."))]
    pub hint: AttrValue,
    pub on_file: Callback<File>,
    /// Shown before the button (the Data step's sample picker).
    #[prop_or_default]
    pub children: Html,
}

#[function_component(FileDrop)]
pub fn file_drop(props: &Props) -> Html {
    let dragging = use_state(|| false);
    let on_choose = {
        let on_file = props.on_file.clone();
        Callback::from(move |event: Event| {
            if let Some(input) = event.target_dyn_into::<HtmlInputElement>() {
                if let Some(file) = input.files().and_then(|files| files.get(0)) {
                    on_file.emit(file);
                }
                // The same file chosen again (after fixing it) is read again.
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
        let (dragging, on_file, disabled) =
            (dragging.clone(), props.on_file.clone(), props.disabled);
        Callback::from(move |event: DragEvent| {
            event.prevent_default();
            dragging.set(false);
            let file = event
                .data_transfer()
                .and_then(|transfer| transfer.files())
                .and_then(|files| files.get(0));
            if let (Some(file), false) = (file, disabled) {
                on_file.emit(file);
            }
        })
    };
    // The input lies transparent over its label: a click anywhere on the label and Enter or
    // Space on the focused input both open the chooser; the label shows the focus.
    html! {
        <section class={classes!("source", "file-drop", (*dragging).then_some("dragging"))}
            ondragover={on_drag_over} ondragleave={on_drag_leave} ondrop={on_drop}>
            { props.children.clone() }
            <label class="file-button">
                { props.label.clone() }
                <input id={props.id.clone()} type="file" accept={props.accept.clone()}
                    disabled={props.disabled} onchange={on_choose} />
            </label>
            <span class="hint">{ props.hint.clone() }</span>
        </section>
    }
}
