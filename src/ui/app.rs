use std::collections::BTreeMap;
use std::rc::Rc;

use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use super::components::{DataStep, DeviceBadge, ExportStep, PrepareStep, SearchStep, TrainStep};
use super::help::{self, Glossary};
use super::hooks::{use_leave_guard, use_step_route, use_worker};
use super::search::SearchDriver;
use super::state::SearchView;
use super::state::{Action, DataSource, State, Step};
use super::storage;
use crate::protocol::{DialectChoice, Request, Response};
use crate::samples::SAMPLES;
use crate::search::Study;

#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer(State::default);
    let worker = use_worker(state.dispatcher());
    // The running search outlives the Search step's component: it is held here.
    let search_driver = use_mut_ref(|| None::<SearchDriver>);
    // Each step has a URL (Back, Forward, reload); leaving while work runs asks first.
    use_step_route(state.step, state.dispatcher());
    use_leave_guard(state.work_running());

    // Show the study saved by an earlier visit (it can be resumed on the same data).
    {
        let dispatcher = state.dispatcher();
        use_effect_with((), move |_| {
            spawn_local(async move {
                let Ok(Some(saved)) = storage::load().await else {
                    return;
                };
                let Ok(study) = Study::from_json(&saved.study) else {
                    return;
                };
                let models = saved
                    .models
                    .into_iter()
                    .map(|(number, model)| (number, Rc::new(model)))
                    .collect::<BTreeMap<_, _>>();
                dispatcher.dispatch(Action::Search(Rc::new(SearchView {
                    study: Rc::new(study),
                    models: Rc::new(models),
                    running: false,
                    workers: 0,
                    source: saved.source,
                    target: saved.target,
                    auto: false,
                    error: None,
                })));
            });
        });
    }

    // The Auto button's search: when it ends, its best trial becomes the model.
    {
        let (worker, dispatcher, search) =
            (worker.clone(), state.dispatcher(), state.search.clone());
        let finished_auto = search
            .as_ref()
            .is_some_and(|search| search.auto && !search.running);
        use_effect_with(finished_auto, move |finished| {
            if let (true, Some(search), Some(worker)) = (*finished, search, worker) {
                let best = search
                    .study
                    .best_trial()
                    .and_then(|trial| search.models.get(&trial.number).map(|m| (trial.number, m)));
                if let Some((number, model)) = best {
                    let request = Request::UseModel {
                        name: format!("trial {number} (Auto)"),
                        model: model.as_str().to_string(),
                    };
                    if worker.send(request, None).is_ok() {
                        dispatcher.dispatch(Action::ShowStep(Step::Train));
                    }
                }
                let mut done = (*search).clone();
                done.auto = false;
                dispatcher.dispatch(Action::Search(Rc::new(done)));
            }
        });
    }

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
                    source: Some(DataSource::Sample(sample.file.to_string())),
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

    // A run whose data changed under it no longer applies to what the page shows: stop it, so
    // that its best model arrives (and is set aside) now rather than after every epoch.
    {
        let (worker, dispatcher) = (worker.clone(), state.dispatcher());
        use_effect_with(state.detached_run.is_some(), move |detached| {
            if let (true, Some(worker)) = (*detached, worker)
                && let Err(message) = worker.send(Request::StopTraining, None)
            {
                dispatcher.dispatch(Action::Worker(Response::TrainFailed { message }));
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
            <nav class="steps" aria-label="Steps">{ for steps }</nav>
            <p id="step-help" class="muted step-help">{ help::step_intro(state.step) }</p>
            {
                match state.step {
                    Step::Data => html! { <DataStep state={state.clone()} worker={worker} /> },
                    Step::Prepare => html! { <PrepareStep state={state.clone()} /> },
                    Step::Train => html! { <TrainStep state={state.clone()} worker={worker.clone()} /> },
                    Step::Search => html! { <SearchStep state={state.clone()} worker={worker.clone()} driver={search_driver.clone()} /> },
                    Step::Export => html! { <ExportStep state={state.clone()} worker={worker.clone()} /> },
                }
            }
            <Glossary />
        </>
    }
}
