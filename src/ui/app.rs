use yew::prelude::*;

use super::components::{DataStep, DeviceBadge};
use super::hooks::use_worker;
use super::state::{Action, State};
use crate::protocol::{DialectChoice, Request};
use crate::samples::SAMPLES;

#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer(State::default);
    let worker = use_worker(state.dispatcher());

    // Open on the first bundled sample as soon as the worker can take requests.
    {
        let worker = worker.clone();
        let dispatcher = state.dispatcher();
        use_effect_with(state.worker_started, move |started| {
            if let (true, Some(worker)) = (*started, worker) {
                let sample = SAMPLES[0];
                let dialect = DialectChoice::default();
                dispatcher.dispatch(Action::Loading {
                    task: format!("Loading {}", sample.file),
                    dialect: dialect.clone(),
                });
                let request = Request::LoadSample {
                    name: sample.file.to_string(),
                    dialect,
                };
                if let Err(message) = worker.send(request, None) {
                    dispatcher.dispatch(Action::Worker(crate::protocol::Response::Failed {
                        message,
                    }));
                }
            }
        });
    }

    html! {
        <>
            <header class="topbar">
                <h1>{ "Hearth" }</h1>
                <span class="tagline">{ "AutoML in your browser — your data never leaves this device." }</span>
                <DeviceBadge device={state.device.clone()} />
            </header>
            <nav class="steps">
                <span class="step active">{ "1 · Data" }</span>
            </nav>
            <DataStep state={state.clone()} worker={worker} />
        </>
    }
}
