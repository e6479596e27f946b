//! Step 4: hyperparameter search. The study runs on the page's thread ([`SearchDriver`]) and its
//! trials in a pool of workers; this step sets it up ([`SearchSettings`]), starts, stops,
//! resumes and imports it, and shows it ([`StudyView`]), from which any complete trial can
//! become the model.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use wasm_bindgen_futures::{JsFuture, spawn_local};
use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::search_settings::SearchSettings;
use super::study::StudyView;
use crate::format;
use crate::prep::{AUTOML_CV_ROWS, PrepConfig};
use crate::protocol::Request;
use crate::search::{AUTOML_SECONDS, Study, StudySettings};
use crate::ui::engine::EngineHandle;
use crate::ui::search::{DataRequests, SearchDriver};
use crate::ui::search_form::default_workers;
use crate::ui::state::{Action, DataSource, SearchView, State};

/// The Auto button's search seed (the form's default).
const AUTO_SEED: u64 = 42;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub state: UseReducerHandle<State>,
    pub worker: Option<EngineHandle>,
    pub driver: Rc<RefCell<Option<SearchDriver>>>,
}

#[function_component(SearchStep)]
pub fn search_step(props: &Props) -> Html {
    let state = &props.state;
    let error = use_state(|| None::<String>);
    let (Some(prep), Some(target), Some(task)) = (&state.prep, &state.target, state.task) else {
        return html! { <main class="step-search"><p>{ "Prepare the data first (step 2)." }</p></main> };
    };
    let training_rows = prep.summary.train;
    let rows = prep.summary.rows;
    let data = state.source.as_ref().map(|source| {
        let (load, file) = match source {
            DataSource::Sample(name) => (
                Request::LoadSample {
                    name: name.clone(),
                    dialect: state.dialect.clone(),
                },
                None,
            ),
            DataSource::File(file) => (
                Request::LoadFile {
                    name: file.name(),
                    size: file.size(),
                    dialect: state.dialect.clone(),
                },
                Some(file.clone()),
            ),
        };
        DataRequests {
            load,
            file,
            prepare: Request::Prepare {
                target: target.clone(),
                task,
                config: state.prep_config.clone(),
            },
            source: source.name(),
            target: target.clone(),
        }
    });
    let running = state.search.as_ref().is_some_and(|search| search.running);

    let launch = {
        let (driver, dispatcher, error, data) = (
            props.driver.clone(),
            state.dispatcher(),
            error.clone(),
            data.clone(),
        );
        move |study: Study, models: BTreeMap<usize, Rc<String>>, workers: usize, auto: bool| {
            let Some(mut data) = data.clone() else {
                error.set(Some("Load a dataset first.".into()));
                return;
            };
            // Auto scores small tables by cross-validation in the pool's workers, as `hearth
            // automl` does (the same test rows; the page's own split stays as prepared).
            if auto
                && let Request::Prepare { config, .. } = &mut data.prepare
                && config.folds.is_none()
            {
                config.folds = PrepConfig::automl(rows).folds;
            }
            if let Some(previous) = driver.borrow_mut().take() {
                previous.stop();
            }
            match SearchDriver::start(study, models, data, workers, auto, dispatcher.clone()) {
                Ok(started) => {
                    error.set(None);
                    *driver.borrow_mut() = Some(started);
                }
                Err(message) => error.set(Some(message)),
            }
        }
    };
    let on_start = {
        let (form, base, error, launch) = (
            state.search_form.clone(),
            state.train_config.clone(),
            error.clone(),
            launch.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            let started = form
                .settings(&base, training_rows, task)
                .and_then(|settings| {
                    let workers = form.workers()?;
                    let study = Study::new(settings).map_err(|e| e.to_string())?;
                    Ok((study, workers))
                });
            match started {
                Ok((study, workers)) => launch(study, BTreeMap::new(), workers, false),
                Err(message) => error.set(Some(message)),
            }
        })
    };
    let on_auto = {
        let (form, base, error, launch) = (
            state.search_form.clone(),
            state.train_config.clone(),
            error.clone(),
            launch.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            let study = form.auto_budget().and_then(|budget| {
                let settings = StudySettings::automl(
                    training_rows,
                    AUTO_SEED,
                    budget,
                    form.metric(task)?,
                    base.clone(),
                );
                Study::new(settings).map_err(|e| e.to_string())
            });
            match study {
                Ok(study) => launch(study, BTreeMap::new(), default_workers(), true),
                Err(message) => error.set(Some(message)),
            }
        })
    };
    let on_stop = {
        let driver = props.driver.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(driver) = driver.borrow_mut().take() {
                driver.stop();
            }
        })
    };
    let resumable = state
        .search
        .as_ref()
        .filter(|search| !search.running && !search.study.budget_spent() && search.error.is_none());
    let resume_blocked = resumable.and_then(|search| {
        let current = state.source.as_ref().map(DataSource::name);
        (current.as_deref() != Some(search.source.as_str()) || target != &search.target).then(
            || {
                format!(
                    "To resume, load {} and choose the target {} (step 1).",
                    search.source, search.target
                )
            },
        )
    });
    let on_resume = {
        let (search, form, launch, error) = (
            state.search.clone(),
            state.search_form.clone(),
            launch.clone(),
            error.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            let Some(search) = &search else { return };
            match form.workers() {
                Ok(workers) => launch(
                    (*search.study).clone(),
                    (*search.models).clone(),
                    workers,
                    search.auto,
                ),
                Err(message) => error.set(Some(message)),
            }
        })
    };
    let on_import = {
        let (dispatcher, error, source, target) = (
            state.dispatcher(),
            error.clone(),
            state
                .source
                .as_ref()
                .map(DataSource::name)
                .unwrap_or_default(),
            target.clone(),
        );
        Callback::from(move |event: Event| {
            let Some(input) = event.target_dyn_into::<HtmlInputElement>() else {
                return;
            };
            let Some(file) = input.files().and_then(|files| files.get(0)) else {
                return;
            };
            input.set_value("");
            let (dispatcher, error, source, target) = (
                dispatcher.clone(),
                error.clone(),
                source.clone(),
                target.clone(),
            );
            spawn_local(async move {
                let name = file.name();
                let text = JsFuture::from(file.text())
                    .await
                    .ok()
                    .and_then(|t| t.as_string());
                let study = text
                    .ok_or_else(|| format!("{name} could not be read."))
                    .and_then(|text| Study::from_json(&text).map_err(|e| format!("{name}: {e}")));
                match study {
                    Ok(study) => {
                        error.set(None);
                        dispatcher.dispatch(Action::Search(Rc::new(SearchView {
                            study: Rc::new(study),
                            models: Rc::new(BTreeMap::new()),
                            running: false,
                            workers: 0,
                            source,
                            target,
                            auto: false,
                            error: None,
                            saved: None,
                        })));
                    }
                    Err(message) => error.set(Some(message)),
                }
            });
        })
    };

    html! {
        <main class="step-search">
            <SearchSettings form={state.search_form.clone()} disabled={running} {training_rows} {task}
                on_change={{ let d = state.dispatcher(); Callback::from(move |f| d.dispatch(Action::SetSearchForm(f))) }} />
            <div class="train-buttons">
                <button id="search-button" class="primary" onclick={on_start} disabled={running}>{ "Find the best model" }</button>
                <button id="auto-button" onclick={on_auto} disabled={running}
                    title={format!("AutoML: TPE with ASHA pruning over the default space for the wall-clock or work budget above ({AUTOML_SECONDS} s when both are empty; 5-fold cross-validation up to {} rows); the best trial is then refitted on the training and validation rows and becomes the model", format::number(AUTOML_CV_ROWS as f64))}>{ "Auto" }</button>
                <button id="search-stop" onclick={on_stop} disabled={!running}>{ "Stop" }</button>
                if resumable.is_some() {
                    <button id="search-resume" onclick={on_resume} disabled={resume_blocked.is_some()}>{ "Resume" }</button>
                }
                // Transparent over its label rather than `hidden`, so that the keyboard reaches it.
                <label class={classes!("button", "file-button", running.then_some("disabled"))}>{ "Import study…" }
                    <input id="study-file-input" type="file" accept=".json,application/json" disabled={running} onchange={on_import} />
                </label>
            </div>
            if let Some(message) = resume_blocked { <p class="muted">{ message }</p> }
            if let Some(message) = &*error { <p id="search-error" class="error" role="alert">{ message }</p> }
            if let Some(search) = &state.search {
                <StudyView search={search.clone()} worker={props.worker.clone()}
                    dispatcher={state.dispatcher()} />
            }
        </main>
    }
}
