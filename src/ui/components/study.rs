//! A study as the Search step shows it: its status line, its export link, its charts
//! ([`StudyCharts`]) and its leaderboard ([`Leaderboard`]).

use std::rc::Rc;

use yew::prelude::*;

use super::leaderboard::Leaderboard;
use super::metrics::blob_url;
use super::study_charts::StudyCharts;
use super::study_text::{metric_label, value_format};
use crate::format;
use crate::search::TrialState;
use crate::ui::engine::EngineHandle;
use crate::ui::state::{SearchView, State};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub search: Rc<SearchView>,
    pub worker: Option<EngineHandle>,
    pub dispatcher: UseReducerDispatcher<State>,
}

#[function_component(StudyView)]
pub fn study_view(props: &Props) -> Html {
    let search = &props.search;
    let study = &search.study;
    let objectives = &study.settings.objectives;
    let count = |state: TrialState| study.trials.iter().filter(|t| t.state == state).count();
    let best = study.best_trial();
    let metric_name = metric_label(objectives.primary, &study.trials);
    let show = value_format(objectives.primary, &study.trials);

    let export_url = use_memo(search.study.clone(), |study| {
        study
            .to_json()
            .ok()
            .and_then(|text| blob_url(&text, "application/json"))
    });

    html! {
        <section id="study" data-running={search.running.to_string()} data-trials={study.trials.len().to_string()}
            data-complete={count(TrialState::Complete).to_string()} data-pruned={count(TrialState::Pruned).to_string()}
            data-saved={search.saved.map(|n| n.to_string())}>
            <p id="study-status" class="muted">
                { format!("{} trials: {} complete, {} pruned, {} failed{}{} · {} · {} sampler, {} pruner · work {}",
                    study.trials.len(), count(TrialState::Complete), count(TrialState::Pruned), count(TrialState::Failed),
                    if study.running() > 0 { format!(", {} running", study.running()) } else { String::new() },
                    if search.running { format!(" on {} workers", search.workers) } else { String::new() },
                    best.map(|t| format!("best: trial {} ({metric_name} {})", t.number, t.values.as_ref().and_then(|v| v.first()).map(|v| show(*v)).unwrap_or_default()))
                        .unwrap_or_else(|| "no complete trial yet".into()),
                    study.settings.sampler.name(), study.settings.pruner.name(),
                    format::number(study.work_spent() as f64)) }
                if let Some(saved) = search.saved {
                    { format!(" · {saved} finished trials kept in this browser") }
                }
            </p>
            if let Some(message) = &search.error { <p id="study-error" class="error" role="alert">{ message }</p> }
            if let Some(url) = &*export_url {
                <p><a id="export-study" class="button" href={url.clone()} download="study.json">{ "Export study (JSON)" }</a></p>
            }
            <StudyCharts study={study.clone()} />
            <Leaderboard search={search.clone()} worker={props.worker.clone()} dispatcher={props.dispatcher.clone()} />
        </section>
    }
}
