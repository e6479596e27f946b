use yew::prelude::*;

use super::components::{DataStep, DeviceBadge, PrepareStep, TrainStep};
use super::hooks::use_worker;
use super::state::{Action, State, Step};
use crate::protocol::{DialectChoice, Request, Response};
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
                    dispatcher.dispatch(Action::Worker(Response::Failed { message }));
                }
            }
        });
    }

    // Re-fit the preprocessing whenever the dataset, the target, the task or a setting changes.
    {
        let worker = worker.clone();
        let dispatcher = state.dispatcher();
        let inputs = (
            state.dataset_generation,
            state.target.clone(),
            state.task,
            state.prep_config.clone(),
        );
        use_effect_with(inputs, move |(generation, target, task, config)| {
            if let (true, Some(worker), Some(target), Some(task)) =
                (*generation > 0, worker, target, task)
            {
                dispatcher.dispatch(Action::Preparing);
                let request = Request::Prepare {
                    target: target.clone(),
                    task: *task,
                    config: config.clone(),
                };
                if let Err(message) = worker.send(request, None) {
                    dispatcher.dispatch(Action::Worker(Response::PrepareFailed { message }));
                }
            }
        });
    }

    let steps = Step::ALL.iter().map(|step| {
        let dispatcher = state.dispatcher();
        let step = *step;
        let onclick = Callback::from(move |_: MouseEvent| dispatcher.dispatch(Action::ShowStep(step)));
        let active = state.step == step;
        html! {
            <button id={format!("step-{step:?}").to_lowercase()} class={classes!("step", active.then_some("active"))}
                aria-current={active.then_some("step")} {onclick}>
                { step.label() }
            </button>
        }
    });

    html! {
        <>
            <header class="topbar">
                <h1>{ "Hearth" }</h1>
                <span class="tagline">{ "AutoML in your browser — your data never leaves this device." }</span>
                <DeviceBadge device={state.device.clone()} />
            </header>
            <nav class="steps">{ for steps }</nav>
            {
                match state.step {
                    Step::Data => html! { <DataStep state={state.clone()} worker={worker} /> },
                    Step::Prepare => html! { <PrepareStep state={state.clone()} /> },
                    Step::Train => html! { <TrainStep state={state.clone()} worker={worker.clone()} /> },
                }
            }
        </>
    }
}
