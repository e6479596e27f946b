//! Step 4: hyperparameter search. The study runs on the page's thread ([`SearchDriver`]) and its
//! trials in a pool of workers; this step sets it up, shows the leaderboard and the plots, and
//! lets any complete trial become the model.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use wasm_bindgen_futures::{JsFuture, spawn_local};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::chart::{
    BLUE, BarChart, Chart, GREY, ORANGE, ParallelAxis, ParallelChart, ParallelLine, Series,
    VERMILION,
};
use super::form::{Apply, on_field};
use super::metrics::blob_url;
use crate::format;
use crate::protocol::{Request, Response};
use crate::search::{Domain, Metric, ParamValue, SecondObjective, Space, Study, Trial, TrialState};
use crate::ui::help::{self, Term};
use crate::ui::hooks::WorkerHandle;
use crate::ui::search::{DataRequests, SearchDriver};
use crate::ui::search_form::{SearchForm, default_workers};
use crate::ui::state::{Action, DataSource, SearchView, State, Step};

/// The Auto button's study: TPE with ASHA pruning over the default space.
const AUTO_TRIALS: usize = 20;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub state: UseReducerHandle<State>,
    pub worker: Option<WorkerHandle>,
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
            let Some(data) = data.clone() else {
                error.set(Some("Load a dataset first.".into()));
                return;
            };
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
            let started = form.settings(&base, training_rows).and_then(|settings| {
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
        let (base, error, launch) = (state.train_config.clone(), error.clone(), launch.clone());
        Callback::from(move |_: MouseEvent| {
            let form = SearchForm {
                trials: AUTO_TRIALS.to_string(),
                ..SearchForm::default()
            };
            match form
                .settings(&base, training_rows)
                .and_then(|settings| Study::new(settings).map_err(|e| e.to_string()))
            {
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
                        })));
                    }
                    Err(message) => error.set(Some(message)),
                }
            });
        })
    };

    html! {
        <main class="step-search">
            <SearchSettings form={state.search_form.clone()} disabled={running} {training_rows}
                on_change={{ let d = state.dispatcher(); Callback::from(move |f| d.dispatch(Action::SetSearchForm(f))) }} />
            <div class="train-buttons">
                <button id="search-button" class="primary" onclick={on_start} disabled={running}>{ "Find the best model" }</button>
                <button id="auto-button" onclick={on_auto} disabled={running}
                    title={format!("TPE with ASHA pruning, {AUTO_TRIALS} trials over the default space; the best becomes the model")}>{ "Auto" }</button>
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

#[derive(Properties, PartialEq)]
struct SettingsProps {
    form: SearchForm,
    disabled: bool,
    training_rows: usize,
    on_change: Callback<SearchForm>,
}

#[function_component(SearchSettings)]
fn search_settings(props: &SettingsProps) -> Html {
    let form = &props.form;
    let field_error = use_state(|| None::<String>);
    let edit =
        |apply: Apply<SearchForm>| on_field(&props.form, &props.on_change, &field_error, apply);
    let option = |value: &'static str, label: &'static str, current: &str| {
        html! {
            <option {value} selected={current == value}>{ label }</option>
        }
    };
    let defaults = Space::for_training(props.training_rows);
    html! {
        <fieldset id="search-settings" class="train-settings" disabled={props.disabled}>
            <legend>{ "Study" }</legend>
            <div class="settings-row">
                <label title={help::titles(&[Term::Tpe])}>{ "Sampler " }<select id="sampler-select" onchange={edit(|f, v| { f.sampler = v.to_string(); Ok(()) })}>
                    { option("tpe", "TPE", &form.sampler) }{ option("random", "random", &form.sampler) }{ option("grid", "grid", &form.sampler) }
                </select></label>
                <label title={help::titles(&[Term::Asha, Term::Median])}>{ "Pruner " }<select id="pruner-select" onchange={edit(|f, v| { f.pruner = v.to_string(); Ok(()) })}>
                    { option("asha", "ASHA", &form.pruner) }{ option("median", "median", &form.pruner) }{ option("none", "none", &form.pruner) }
                </select></label>
                <label>{ "Trials " }<input id="trials-input" type="number" min="1" value={form.trials.clone()} onchange={edit(|f, v| { f.trials = v.to_string(); Ok(()) })} /></label>
                <label title="Training rows × epochs summed over trials; reproducible">{ "Work budget " }
                    <input id="work-input" type="number" min="1" placeholder="none" value={form.work.clone()} onchange={edit(|f, v| { f.work = v.to_string(); Ok(()) })} /></label>
                <label title="Depends on the machine: not reproducible">{ "Wall clock (s, not reproducible) " }
                    <input id="wall-input" type="number" min="1" placeholder="none" value={form.wall_clock_s.clone()} onchange={edit(|f, v| { f.wall_clock_s = v.to_string(); Ok(()) })} /></label>
            </div>
            <div class="settings-row">
                <label>{ "Workers " }<input id="workers-input" type="number" min="1" max="32" value={form.workers.clone()} onchange={edit(|f, v| { f.workers = v.to_string(); Ok(()) })} /></label>
                <label>{ "Seed " }<input id="search-seed-input" type="number" min="0" value={form.seed.clone()} onchange={edit(|f, v| { f.seed = v.to_string(); Ok(()) })} /></label>
                <label>{ "Second objective " }<select id="second-select" onchange={edit(|f, v| { f.second = v.to_string(); Ok(()) })}>
                    { option("none", "none", &form.second) }{ option("parameters", "parameter count", &form.second) }
                    { option("latency", "inference latency (not reproducible)", &form.second) }
                </select></label>
            </div>
            <details>
                <summary>{ "Search space" }</summary>
                <table class="space">
                    <thead><tr><th>{ "parameter" }</th><th>{ "default for this data" }</th><th>{ "when" }</th></tr></thead>
                    <tbody>
                        { for defaults.params.iter().map(|spec| html! {
                            <tr><td>{ &spec.name }</td>
                                <td><code>{ serde_json::to_string(&spec.domain).unwrap_or_default() }</code></td>
                                <td>{ spec.when.as_ref().map(|w| format!("{} is {}", w.param, w.one_of.iter().map(ParamValue::label).collect::<Vec<_>>().join(" or "))).unwrap_or_default() }</td></tr>
                        }) }
                    </tbody>
                </table>
                <label for="space-input">{ "Changes (JSON: parameter → domain; fix one with {\"fixed\": {\"value\": …}}):" }</label>
                <textarea id="space-input" rows="5" cols="80" spellcheck="false" value={form.space.clone()}
                    placeholder={"{\"learning_rate\": {\"float\": {\"low\": 0.001, \"high\": 0.1, \"log\": true}}, \"model\": {\"fixed\": {\"value\": \"mlp\"}}}"}
                    onchange={edit(|f, v| { f.space = v.to_string(); Ok(()) })} />
            </details>
        </fieldset>
    }
}

#[derive(Properties, PartialEq)]
struct StudyProps {
    search: Rc<SearchView>,
    worker: Option<WorkerHandle>,
    dispatcher: UseReducerDispatcher<State>,
}

/// Which column the leaderboard is sorted by.
#[derive(Clone, Copy, PartialEq, Eq)]
enum SortBy {
    Number,
    Score,
    Epochs,
    Duration,
    State,
}

#[function_component(StudyView)]
fn study_view(props: &StudyProps) -> Html {
    let sort = use_state(|| (SortBy::Score, true));
    let slice_param = use_state(|| None::<String>);
    let search = &props.search;
    let study = &search.study;
    let objectives = &study.settings.objectives;
    let count = |state: TrialState| study.trials.iter().filter(|t| t.state == state).count();
    let best = study.best_trial();
    let metric_name = metric_label(objectives.primary, &study.trials);
    let show = value_format(objectives.primary, &study.trials);

    let mut trials: Vec<&Trial> = study.trials.iter().collect();
    let (by, ascending) = *sort;
    trials.sort_by(|a, b| {
        let order = match by {
            SortBy::Number => a.number.cmp(&b.number),
            SortBy::Score => {
                let score = |t: &Trial| t.primary_score(objectives).unwrap_or(f64::INFINITY);
                score(a).total_cmp(&score(b))
            }
            SortBy::Epochs => a.epochs.cmp(&b.epochs),
            SortBy::Duration => a.elapsed_ms.total_cmp(&b.elapsed_ms),
            SortBy::State => state_name(a.state).cmp(state_name(b.state)),
        };
        if ascending { order } else { order.reverse() }
    });
    // Each sortable header holds a button, so that sorting works from the keyboard too, and
    // says its order with aria-sort for screen readers (the arrow is only for the eye).
    let header = |label: &'static str, key: SortBy| {
        let (mark, order) = match *sort {
            (current, true) if current == key => (" ▲", "ascending"),
            (current, false) if current == key => (" ▼", "descending"),
            _ => ("", "none"),
        };
        let sort = sort.clone();
        let onclick = Callback::from(move |_: MouseEvent| {
            let (current, ascending) = *sort;
            sort.set((key, if current == key { !ascending } else { true }));
        });
        html! {
            <th class="sortable" data-sort={label} aria-sort={order}>
                <button type="button" class="sort" {onclick}>{ label }<span aria-hidden="true">{ mark }</span></button>
            </th>
        }
    };
    let use_trial = |number: usize| {
        let (model, worker, dispatcher) = (
            search.models.get(&number).cloned(),
            props.worker.clone(),
            props.dispatcher.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            let (Some(model), Some(worker)) = (&model, &worker) else {
                return;
            };
            let request = Request::UseModel {
                name: format!("trial {number}"),
                model: model.as_str().to_string(),
            };
            match worker.send(request, None) {
                Ok(()) => dispatcher.dispatch(Action::ShowStep(Step::Train)),
                Err(message) => {
                    dispatcher.dispatch(Action::Worker(Response::TrainFailed { message }))
                }
            }
        })
    };
    let export_url = use_memo(search.study.clone(), |study| {
        study
            .to_json()
            .ok()
            .and_then(|text| blob_url(&text, "application/json"))
    });
    let slice = slice_param
        .as_ref()
        .cloned()
        .or_else(|| study.importance().first().map(|p| p.name.clone()))
        .or_else(|| study.settings.space.params.first().map(|p| p.name.clone()));
    let on_slice = {
        let slice_param = slice_param.clone();
        Callback::from(move |event: Event| {
            if let Some(select) = event.target_dyn_into::<HtmlSelectElement>() {
                slice_param.set(Some(select.value()));
            }
        })
    };

    html! {
        <section id="study" data-running={search.running.to_string()} data-trials={study.trials.len().to_string()}
            data-complete={count(TrialState::Complete).to_string()} data-pruned={count(TrialState::Pruned).to_string()}>
            <p id="study-status" class="muted">
                { format!("{} trials: {} complete, {} pruned, {} failed{}{} · {} · {} sampler, {} pruner · work {}",
                    study.trials.len(), count(TrialState::Complete), count(TrialState::Pruned), count(TrialState::Failed),
                    if study.running() > 0 { format!(", {} running", study.running()) } else { String::new() },
                    if search.running { format!(" on {} workers", search.workers) } else { String::new() },
                    best.map(|t| format!("best: trial {} ({metric_name} {})", t.number, t.values.as_ref().and_then(|v| v.first()).map(|v| show(*v)).unwrap_or_default()))
                        .unwrap_or_else(|| "no complete trial yet".into()),
                    study.settings.sampler.name(), study.settings.pruner.name(),
                    format::number(study.work_spent() as f64)) }
            </p>
            if let Some(message) = &search.error { <p id="study-error" class="error" role="alert">{ message }</p> }
            if let Some(url) = &*export_url {
                <p><a id="export-study" class="button" href={url.clone()} download="study.json">{ "Export study (JSON)" }</a></p>
            }
            <div class="charts">
                { history_chart(study, &metric_name) }
                { importance_chart(study) }
                { pareto_chart(study, &metric_name) }
            </div>
            { parallel_chart(study, &metric_name) }
            if let Some(param) = &slice {
                <div class="slice">
                    <label>{ "Slice by " }<select id="slice-select" onchange={on_slice}>
                        { for study.settings.space.params.iter().map(|p| html! {
                            <option value={p.name.clone()} selected={&p.name == param}>{ &p.name }</option>
                        }) }
                    </select></label>
                    { slice_chart(study, param, &metric_name) }
                </div>
            }
            <table id="leaderboard" class="leaderboard">
                <thead><tr>
                    { header("#", SortBy::Number) }{ header("score", SortBy::Score) }
                    <th>{ "parameters" }</th>
                    { header("epochs", SortBy::Epochs) }{ header("status", SortBy::State) }{ header("duration", SortBy::Duration) }<th></th>
                </tr></thead>
                <tbody>
                    { for trials.iter().map(|trial| {
                        // The primary value as every step writes that metric; a second objective (size, latency) is a plain number.
                        let value = trial.values.as_ref().map(|values| values.iter().enumerate().map(|(i, v)| if i == 0 { show(*v) } else { format::number(*v) }).collect::<Vec<_>>().join(" · "));
                        let usable = search.models.contains_key(&trial.number) && props.worker.is_some();
                        let is_best = best.is_some_and(|b| b.number == trial.number);
                        html! {
                            <tr data-trial={trial.number.to_string()} data-state={state_name(trial.state)} class={classes!(is_best.then_some("best"))}>
                                <td>{ trial.number }{ if is_best { " ★" } else { "" } }</td>
                                <td class="num">{ value.unwrap_or_else(|| trial.intermediate.last().map(|v| format!("({})", show(*v))).unwrap_or_default()) }</td>
                                <td class="params">{ trial.params.iter().map(|(k, v)| format!("{k}={}", v.label())).collect::<Vec<_>>().join(", ") }</td>
                                <td class="num">{ trial.epochs }</td>
                                <td title={trial.note.clone().unwrap_or_default()}>{ state_name(trial.state) }</td>
                                <td class="num">{ format!("{:.1} s", trial.elapsed_ms / 1000.0) }</td>
                                <td>if usable { <button class="use-trial" onclick={use_trial(trial.number)}>{ "Use as the model" }</button> }</td>
                            </tr>
                        }
                    }) }
                </tbody>
            </table>
        </section>
    }
}

fn state_name(state: TrialState) -> &'static str {
    match state {
        TrialState::Queued => "queued",
        TrialState::Running => "running",
        TrialState::Complete => "complete",
        TrialState::Pruned => "pruned",
        TrialState::Failed => "failed",
    }
}

/// The primary metric in words: "monitor" is the validation log loss or RMSE.
fn metric_label(metric: Metric, trials: &[Trial]) -> String {
    match metric {
        Metric::Monitor => {
            let regression = trials
                .iter()
                .any(|t| matches!(t.valid_metrics, Some(crate::train::Metrics::Regression(_))));
            if regression {
                "valid RMSE"
            } else {
                "valid log loss"
            }
            .to_string()
        }
        other => format!("valid {}", other.name().replace('_', " ")),
    }
}

fn complete(study: &Study) -> impl Iterator<Item = (&Trial, f64)> {
    study.trials.iter().filter_map(|t| {
        (t.state == TrialState::Complete)
            .then(|| t.values.as_ref().and_then(|v| v.first().copied()))
            .flatten()
            .map(|v| (t, v))
    })
}

fn history_chart(study: &Study, metric: &str) -> Html {
    let objectives = &study.settings.objectives;
    let points: Vec<(f64, f64)> = complete(study).map(|(t, v)| (t.number as f64, v)).collect();
    if points.is_empty() {
        return html! {};
    }
    let mut sorted: Vec<&Trial> = study.trials.iter().collect();
    sorted.sort_by_key(|t| t.number);
    let mut best: Option<(f64, f64)> = None;
    let mut best_line = Vec::new();
    for trial in sorted {
        if let (Some(score), Some(value)) = (
            trial.primary_score(objectives),
            trial.values.as_ref().and_then(|v| v.first()),
        ) && best.is_none_or(|(s, _)| score < s)
        {
            best = Some((score, *value));
        }
        if let Some((_, value)) = best {
            best_line.push((trial.number as f64, value));
        }
    }
    let series = Rc::new(vec![
        Series::points("trial", BLUE, points),
        Series::line("best so far", VERMILION, best_line),
    ]);
    html! { <Chart id="history-chart" title="Optimisation history" x_label="trial" y_label={metric.to_string()} {series} /> }
}

fn importance_chart(study: &Study) -> Html {
    let importance = study.importance();
    if importance.is_empty() {
        return html! {};
    }
    let bars = Rc::new(
        importance
            .into_iter()
            .map(|p| (p.name, p.importance))
            .collect(),
    );
    html! { <BarChart id="importance-chart" title="Hyperparameter importance" {bars} /> }
}

fn pareto_chart(study: &Study, metric: &str) -> Html {
    let Some(second) = study.settings.objectives.second else {
        return html! {};
    };
    let all: Vec<(f64, f64)> = complete(study)
        .filter_map(|(t, v)| t.values.as_ref().and_then(|vs| vs.get(1)).map(|w| (v, *w)))
        .collect();
    if all.is_empty() {
        return html! {};
    }
    let mut front: Vec<(f64, f64)> = study
        .pareto_front()
        .iter()
        .filter_map(|t| {
            let values = t.values.as_ref()?;
            Some((*values.first()?, *values.get(1)?))
        })
        .collect();
    front.sort_by(|a, b| a.0.total_cmp(&b.0));
    let series = Rc::new(vec![
        Series::points("trials", GREY, all),
        Series::line("Pareto front", ORANGE, front.clone()),
        Series::points("on the front", VERMILION, front),
    ]);
    let y_label = match second {
        SecondObjective::Parameters => "parameters",
        SecondObjective::LatencyMs => "ms per 1,000 rows",
    };
    html! { <Chart id="pareto-chart" title="Pareto front" x_label={metric.to_string()} {y_label} {series} /> }
}

/// How the primary metric's values are written, as the Train and Export steps write that
/// metric: scores (accuracy, F1, AUC, log loss, R²) as fractions with four decimals, errors in
/// the target's units (RMSE, MAE) with four significant digits.
fn value_format(metric: Metric, trials: &[Trial]) -> fn(f64) -> String {
    let regression = trials
        .iter()
        .any(|t| matches!(t.valid_metrics, Some(crate::train::Metrics::Regression(_))));
    match metric {
        Metric::Rmse | Metric::Mae | Metric::Value => format::number,
        Metric::Monitor if regression => format::number,
        _ => format::score,
    }
}

/// A numeric domain's ends and whether it is searched on a log scale.
fn numeric_range(domain: &Domain) -> Option<(f64, f64, bool)> {
    match *domain {
        Domain::Float { low, high, log } => Some((low, high, log)),
        Domain::Int { low, high, log } => Some((low as f64, high as f64, log)),
        _ => None,
    }
}

/// A parameter value's position on its axis, 0..1 (log ranges on a log scale).
fn position(domain: &Domain, value: &ParamValue) -> Option<f64> {
    let scale = |v: f64, low: f64, high: f64, log: bool| {
        if high <= low {
            return 0.5;
        }
        if log && low > 0.0 && v > 0.0 {
            (v.ln() - low.ln()) / (high.ln() - low.ln())
        } else {
            (v - low) / (high - low)
        }
    };
    match domain {
        Domain::Categorical { choices } => {
            let index = choices.iter().position(|c| c == value)?;
            Some(if choices.len() > 1 {
                index as f64 / (choices.len() - 1) as f64
            } else {
                0.5
            })
        }
        other => match numeric_range(other) {
            Some((low, high, log)) => Some(scale(value.as_f64()?, low, high, log)),
            None => Some(0.5),
        },
    }
}

/// The labels on a parameter's axis: both ends and the middle of a numeric range (the
/// geometric middle on a log scale), every choice of a short list, the ends of a long one.
fn axis_ticks(domain: &Domain) -> Vec<(f64, String)> {
    match domain {
        Domain::Categorical { choices } => {
            let last = choices.len().saturating_sub(1);
            choices
                .iter()
                .enumerate()
                .filter(|(i, _)| choices.len() <= 6 || *i == 0 || *i == last)
                .map(|(i, choice)| {
                    let at = if last > 0 {
                        i as f64 / last as f64
                    } else {
                        0.5
                    };
                    (at, choice.label())
                })
                .collect()
        }
        Domain::Fixed { value } => vec![(0.5, value.label())],
        other => match numeric_range(other) {
            Some((low, high, _)) if high <= low => vec![(0.5, format::number(low))],
            Some((low, high, log)) => {
                let log = log && low > 0.0;
                let middle = if log {
                    round_middle((low * high).sqrt(), low, high)
                } else {
                    (low + high) / 2.0
                };
                let at = position(domain, &ParamValue::Float(middle)).unwrap_or(0.5);
                vec![
                    (0.0, format::number(low)),
                    (at, format::number(middle)),
                    (1.0, format::number(high)),
                ]
            }
            None => Vec::new(),
        },
    }
}

/// A log axis's middle label: the geometric middle itself when it is a whole number (32 between
/// 8 and 128), else the nearest of 1, 2 or 5 times a power of ten inside the range (0.005
/// rather than 0.005477), so that the label is a number one can read at a glance.
fn round_middle(middle: f64, low: f64, high: f64) -> f64 {
    if middle >= 1.0 && (middle - middle.round()).abs() < 1e-9 {
        return middle.round();
    }
    let power = 10f64.powf(middle.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * power)
        .filter(|v| *v > low && *v < high)
        .min_by(|a, b| (a / middle).ln().abs().total_cmp(&(b / middle).ln().abs()))
        .unwrap_or(middle)
}

fn parallel_chart(study: &Study, metric: &str) -> Html {
    let scored: Vec<(&Trial, f64)> = complete(study).collect();
    if scored.len() < 2 {
        return html! {};
    }
    let space = &study.settings.space;
    let objectives = &study.settings.objectives;
    let show = value_format(objectives.primary, &study.trials);
    let (low, high) = scored
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), (_, v)| {
            (lo.min(*v), hi.max(*v))
        });
    let mut by_score: Vec<(usize, f64)> = scored
        .iter()
        .map(|(t, _)| {
            (
                t.number,
                t.primary_score(objectives).unwrap_or(f64::INFINITY),
            )
        })
        .collect();
    by_score.sort_by(|a, b| a.1.total_cmp(&b.1));
    let rank = |number: usize| by_score.iter().position(|(n, _)| *n == number).unwrap_or(0) as f64;
    let lines = scored
        .iter()
        .map(|(trial, value)| {
            let mut positions: Vec<Option<f64>> = Vec::with_capacity(space.params.len() + 1);
            let mut values: Vec<String> = Vec::with_capacity(space.params.len() + 1);
            for spec in &space.params {
                let param = trial.params.get(&spec.name);
                positions.push(param.and_then(|v| position(&spec.domain, v)));
                values.push(param.map(ParamValue::label).unwrap_or_else(|| "—".into()));
            }
            positions.push(Some(if high > low {
                (value - low) / (high - low)
            } else {
                0.5
            }));
            values.push(show(*value));
            ParallelLine {
                name: format!("trial {}", trial.number),
                positions,
                values,
                rank: rank(trial.number),
            }
        })
        .collect();
    let mut axes: Vec<ParallelAxis> = space
        .params
        .iter()
        .map(|p| ParallelAxis {
            name: p.name.clone(),
            log: numeric_range(&p.domain).is_some_and(|(_, _, log)| log),
            ticks: axis_ticks(&p.domain),
        })
        .collect();
    axes.push(ParallelAxis {
        name: metric.to_string(),
        log: false,
        ticks: if high > low {
            vec![(0.0, show(low)), (1.0, show(high))]
        } else {
            vec![(0.5, show(low))]
        },
    });
    html! { <ParallelChart id="parallel-chart" title="Parallel coordinates (faded: worse)" axes={Rc::new(axes)} lines={Rc::new(lines)} /> }
}

fn slice_chart(study: &Study, param: &str, metric: &str) -> Html {
    let spec = study.settings.space.get(param);
    let points: Vec<(f64, f64)> = complete(study)
        .filter_map(|(t, v)| {
            let value = t.params.get(param)?;
            let x = match (value.as_f64(), spec.map(|s| &s.domain)) {
                (Some(x), _) => x,
                (None, Some(Domain::Categorical { choices })) => {
                    choices.iter().position(|c| c == value)? as f64
                }
                _ => return None,
            };
            Some((x, v))
        })
        .collect();
    // A parameter searched on a log scale is read on one: its trials spread over the decades.
    let log_x = spec
        .and_then(|s| numeric_range(&s.domain))
        .is_some_and(|(low, _, log)| log && low > 0.0);
    let x_label = match spec.map(|s| &s.domain) {
        // Only choices that are not numbers are drawn at their index.
        Some(Domain::Categorical { choices }) if choices.iter().any(|c| c.as_f64().is_none()) => {
            format!(
                "{param} ({})",
                choices
                    .iter()
                    .enumerate()
                    .map(|(i, c)| format!("{i}={}", c.label()))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
        _ if log_x => format!("{param} (log scale)"),
        _ => param.to_string(),
    };
    let series = Rc::new(vec![Series::points("trial", BLUE, points)]);
    html! { <Chart id="slice-chart" title={format!("Slice: {param}")} {x_label} y_label={metric.to_string()} {series} {log_x} /> }
}
