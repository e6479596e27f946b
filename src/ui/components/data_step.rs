use web_sys::File;
use yew::prelude::*;

use super::columns::ColumnTable;
use super::dialect::DialectControls;
use super::preview::PreviewTable;
use super::progress::ProgressBar;
use super::set_aside::{SetAsideModels, SetAsideWarning};
use super::source::SourcePicker;
use super::target::TargetPicker;
use crate::protocol::{DialectChoice, Request, Response};
use crate::ui::engine::EngineHandle;
use crate::ui::hooks::request_load;
use crate::ui::state::{Action, State};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub state: UseReducerHandle<State>,
    pub worker: Option<EngineHandle>,
}

/// Step 1: load a CSV (sample, chosen or dropped), correct how it was read, see its profile,
/// and choose what to predict.
#[function_component(DataStep)]
pub fn data_step(props: &Props) -> Html {
    let state = &props.state;
    let dispatcher = state.dispatcher();
    let worker = props.worker.clone();

    let request = {
        let dispatcher = dispatcher.clone();
        Callback::from(
            move |(request, file, task): (Request, Option<File>, String)| match &worker {
                Some(worker) => request_load(worker, &dispatcher, request, file, task),
                None => dispatcher.dispatch(Action::Worker(Response::Failed {
                    message: "The background worker has not started yet; try again in a moment."
                        .into(),
                })),
            },
        )
    };
    let on_sample = {
        let request = request.clone();
        Callback::from(move |name: String| {
            let task = format!("Loading {name}");
            request.emit((
                Request::LoadSample {
                    name,
                    dialect: DialectChoice::default(),
                },
                None,
                task,
            ));
        })
    };
    let on_file = {
        let request = request.clone();
        Callback::from(move |file: File| {
            let name = file.name();
            let message = Request::LoadFile {
                name: name.clone(),
                size: file.size(),
                dialect: DialectChoice::default(),
            };
            request.emit((message, Some(file), format!("Reading {name}")));
        })
    };
    let on_dialect = {
        let request = request.clone();
        Callback::from(move |dialect: DialectChoice| {
            request.emit((
                Request::Reparse { dialect },
                None,
                "Reading the file again".to_string(),
            ));
        })
    };
    let on_target = {
        let dispatcher = dispatcher.clone();
        Callback::from(move |column: String| dispatcher.dispatch(Action::SelectTarget(column)))
    };
    let on_task = Callback::from(move |task| dispatcher.dispatch(Action::SelectTask(task)));

    let busy = state.progress.is_some();
    html! {
        <main class="step-data">
            <SourcePicker current={state.profile.as_ref().map(|profile| profile.source.clone())} {on_sample} {on_file} />
            <SetAsideWarning state={state.clone()} worker={props.worker.clone()} />
            <SetAsideModels state={state.clone()} worker={props.worker.clone()} />
            if let Some(progress) = &state.progress {
                <ProgressBar progress={progress.clone()} />
            }
            if let Some(error) = &state.error {
                <p id="error" class="error" role="alert">{ error }</p>
            }
            if let Some(profile) = &state.profile {
                <section id="profile" class={classes!("profile", busy.then_some("stale"))}
                    data-source={profile.source.clone()} data-rows={profile.rows.to_string()}
                    data-columns={profile.columns.len().to_string()}
                    data-millis={state.load_millis.unwrap_or_default().to_string()}
                    data-memory={state.worker_memory_bytes.unwrap_or_default().to_string()}>
                    <h2>
                        { &profile.source }
                        <small>{ format!(" — {} rows × {} columns", profile.rows, profile.columns.len()) }
                            if let Some(millis) = state.load_millis { { format!(", read and profiled in {millis:.0} ms") } }
                        </small>
                    </h2>
                    if !profile.notes.is_empty() {
                        <ul id="notes" class="notes">{ for profile.notes.iter().map(|note| html! { <li>{ note }</li> }) }</ul>
                    }
                    <div class="controls">
                        <DialectControls used={profile.dialect.clone()} choice={state.dialect.clone()} on_change={on_dialect} />
                        <TargetPicker profile={profile.clone()} target={state.target.clone()} task={state.task} {on_target} {on_task} />
                    </div>
                    <ColumnTable profile={profile.clone()} target={state.target.clone()} />
                    <h3>{ "First rows" }</h3>
                    <PreviewTable profile={profile.clone()} />
                </section>
            }
        </main>
    }
}
