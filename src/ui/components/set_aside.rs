//! Models set aside when other data was loaded or another model replaced them: the notice
//! before it happens, and each kept model with "use again" and a download.

use std::rc::Rc;

use yew::prelude::*;

use super::metrics::blob_url;
use crate::format;
use crate::format::file_stem;
use crate::protocol::{Request, Response};
use crate::ui::engine::EngineHandle;
use crate::ui::state::{Action, SetAsideModel, State, Step};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub state: UseReducerHandle<State>,
    pub worker: Option<EngineHandle>,
}

/// Said before another dataset is loaded: the current model will not be lost.
#[function_component(SetAsideWarning)]
pub fn set_aside_warning(props: &Props) -> Html {
    let Some((model, data)) = props.state.current_model() else {
        return html! {};
    };
    html! {
        <p id="set-aside-warning" class="muted">
            { format!("Loading another dataset sets the current model ({data}, {}) aside; it stays listed here to use again or download.",
                model.label()) }
        </p>
    }
}

/// Every set-aside model, newest first.
#[function_component(SetAsideModels)]
pub fn set_aside_models(props: &Props) -> Html {
    let state = &props.state;
    if state.set_aside.is_empty() {
        return html! {};
    }
    html! {
        <section id="set-aside" class="notes" aria-live="polite">
            <ul>
                { for state.set_aside.iter().map(|entry| html! {
                    <SetAsideItem key={entry.id} entry={entry.clone()} state={state.clone()} worker={props.worker.clone()} />
                }) }
            </ul>
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct ItemProps {
    entry: Rc<SetAsideModel>,
    state: UseReducerHandle<State>,
    worker: Option<EngineHandle>,
}

#[function_component(SetAsideItem)]
fn set_aside_item(props: &ItemProps) -> Html {
    let entry = &props.entry;
    let text = entry.model.clone();
    let url = use_memo(entry.id, move |_| blob_url(&text.model, "application/json"));
    let file_name = format!("{}.hearth", file_stem(&entry.data));
    let on_use = {
        let (entry, worker, dispatcher) = (
            entry.clone(),
            props.worker.clone(),
            props.state.dispatcher(),
        );
        // Train shows the current model when there is prepared data; Export always does.
        let shown = if props.state.prep.is_some() {
            Step::Train
        } else {
            Step::Export
        };
        Callback::from(move |_: MouseEvent| {
            let Some(worker) = &worker else { return };
            dispatcher.dispatch(Action::ReuseModel(entry.id));
            let request = Request::UseModel {
                name: format!("the set-aside model of {}", entry.data),
                model: entry.model.model.clone(),
            };
            match worker.send(request, None) {
                Ok(()) => dispatcher.dispatch(Action::ShowStep(shown)),
                Err(message) => {
                    dispatcher.dispatch(Action::Worker(Response::TrainFailed { message }))
                }
            }
        })
    };
    let running = props.state.work_running();
    html! {
        <li class="set-aside-model" data-data={entry.data.clone()}>
            { format!("Previous model ({}) — set aside {}. ", entry.label(), entry.reason) }
            <button class="use-again" onclick={on_use} disabled={running}>{ "Use again" }</button>
            { " " }
            if let Some(url) = url.as_ref() {
                <a class="download-set-aside" href={url.clone()} download={file_name.clone()}>
                    { format!("Download {file_name} ({})", format::bytes(entry.model.model.len() as f64)) }
                </a>
            }
        </li>
    }
}
