//! The page's root: the state, the worker, the effects (named hooks in [`super::hooks`]) and
//! the view (the step bar and the shown step).

use std::rc::Rc;

use yew::prelude::*;

use super::components::{
    DataStep, DeviceBadge, ExportStep, PrepareStep, SearchStep, TeachStep, TrainStep, UseStep,
};
use super::help::{self, Glossary};
use super::hooks::{
    use_auto_search_result, use_compute_worker, use_engine, use_first_sample, use_gpu_adapter,
    use_leave_guard, use_model_plane, use_offline_cache, use_refit_on_change, use_step_route,
    use_stop_detached_run, use_teach_link, use_teach_link_file, use_teach_table, use_teach_worker,
    use_use_worker,
};
use super::keep::{use_keep_batch, use_keep_model, use_restore_work};
use super::search::SearchDriver;
use super::state::{Action, State, Step};

#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer(State::default);
    let worker = use_engine(state.dispatcher());
    // burn is downloaded only for the steps that train, search or export.
    use_gpu_adapter(state.dispatcher());
    use_compute_worker(
        worker.clone(),
        state.step,
        state.train_device,
        state.gpu_adapter.clone(),
        state.work_running(),
    );
    let use_worker = use_use_worker(state.step == Step::Use, state.dispatcher());
    let teach_worker = use_teach_worker(state.step == Step::Teach, state.dispatcher());
    // The running search outlives the Search step's component: it is held here.
    let search_driver = use_mut_ref(|| None::<SearchDriver>);
    // Each step has a URL (Back, Forward, reload); leaving while work runs asks first.
    use_step_route(state.step, state.dispatcher());
    use_leave_guard(state.work_running());
    use_offline_cache(state.profile.is_some());
    use_teach_link(state.step == Step::Teach, &state.teach.room);
    use_teach_table(
        worker.clone(),
        state.step == Step::Teach,
        state.prep.is_some() && !state.prep_pending,
        &state.teach,
        state.dispatcher(),
    );
    use_model_plane(
        worker.clone(),
        &state.teach,
        state
            .current_model()
            .filter(|_| state.step == Step::Teach)
            .map(|(model, _)| Rc::as_ptr(&model) as usize),
        state.dispatcher(),
    );

    // What the app does on its own when its state changes (effects run in this order).
    use_restore_work(state.dispatcher());
    use_keep_model(state.current_model(), state.dispatcher());
    use_keep_batch(
        state.serving.batch.clone(),
        state.serving.model.clone(),
        state.dispatcher(),
    );
    use_auto_search_result(worker.clone(), state.search.clone(), state.dispatcher());
    use_teach_link_file(
        worker.clone(),
        state.worker_started,
        &state.teach,
        state.dispatcher(),
    );
    use_first_sample(
        worker.clone(),
        state.worker_started,
        state.teach.link_file_pending || state.pending_source.is_some() || state.source.is_some(),
        state.dispatcher(),
    );
    use_stop_detached_run(
        worker.clone(),
        state.detached_run.is_some(),
        state.dispatcher(),
    );
    use_refit_on_change(worker.clone(), &state, state.dispatcher());

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
                <DeviceBadge device={state.device.clone()} started={state.compute_started} />
            </header>
            <nav class="steps" aria-label="Steps">{ for steps }</nav>
            <p id="step-help" class="muted step-help">{ help::step_intro(state.step) }</p>
            if let Some(note) = &state.storage_note {
                <p id="storage-note" class="storage-note" role="status">{ note }</p>
            }
            {
                match state.step {
                    Step::Data => html! { <DataStep state={state.clone()} worker={worker} /> },
                    Step::Prepare => html! { <PrepareStep state={state.clone()} /> },
                    Step::Train => html! { <TrainStep state={state.clone()} worker={worker.clone()} /> },
                    Step::Search => html! { <SearchStep state={state.clone()} worker={worker.clone()} driver={search_driver.clone()} /> },
                    Step::Export => html! { <ExportStep state={state.clone()} worker={worker.clone()} /> },
                    Step::Use => html! { <UseStep state={state.clone()} worker={worker.clone()} {use_worker} /> },
                    Step::Teach => html! { <TeachStep state={state.clone()} {teach_worker} /> },
                }
            }
            <Glossary />
        </>
    }
}
