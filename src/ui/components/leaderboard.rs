//! A study's leaderboard: one row per trial, sortable by its columns, each complete
//! trial one click from becoming the model.

use std::rc::Rc;

use yew::prelude::*;

use super::study_text::{state_name, value_format};
use crate::format;
use crate::protocol::{Request, Response};
use crate::search::Trial;
use crate::ui::engine::EngineHandle;
use crate::ui::state::{Action, SearchView, State, Step};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub search: Rc<SearchView>,
    pub worker: Option<EngineHandle>,
    pub dispatcher: UseReducerDispatcher<State>,
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

#[function_component(Leaderboard)]
pub fn leaderboard(props: &Props) -> Html {
    let sort = use_state(|| (SortBy::Score, true));
    let search = &props.search;
    let study = &search.study;
    let objectives = &study.settings.objectives;
    let best = study.best_trial();
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

    html! {
        <table id="leaderboard" class="leaderboard">
            <thead><tr>
                { header("#", SortBy::Number) }{ header("score", SortBy::Score) }
                <th>{ "parameters" }</th>
                { header("epochs", SortBy::Epochs) }{ header("status", SortBy::State) }{ header("duration", SortBy::Duration) }<th></th>
            </tr></thead>
            <tbody>
                if let Some(ensemble) = &study.ensemble {
                    // One more candidate: the blend of the best trials, scored on the same
                    // validation rows as its best single trial.
                    <tr id="ensemble-row" data-trial="ensemble" data-state="ensemble" data-wins={study.ensemble_wins().to_string()}
                        class={classes!("ensemble", study.ensemble_wins().then_some("wins"))}>
                        <td>{ "ensemble" }{ if study.ensemble_wins() { " ★" } else { "" } }</td>
                        <td class="num">{ show(ensemble.value) }</td>
                        <td class="params">{ format!("{} (best single trial on the same rows: {})",
                            ensemble.members.iter().map(|m| format!("trial {} ×{:.2}", m.trial, m.weight)).collect::<Vec<_>>().join(", "),
                            show(ensemble.best_single)) }</td>
                        <td class="num">{ "—" }</td>
                        <td>{ if study.ensemble_wins() { "the model" } else { "not better" } }</td>
                        <td class="num">{ "—" }</td>
                        <td></td>
                    </tr>
                }
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
    }
}
