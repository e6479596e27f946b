//! The Search step's form: sampler, pruner, budgets, workers, seed, second objective and the
//! search space's changes. It draws and edits the [`SearchForm`] the state holds; reading that
//! form into study settings is the form type's job, not this view's.

use yew::prelude::*;

use super::form::{Apply, Field, on_field};
use crate::data::Task;
use crate::search::{Metric, ParamValue, Space};
use crate::ui::help::{self, Term};
use crate::ui::search_form::SearchForm;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub form: SearchForm,
    pub disabled: bool,
    pub training_rows: usize,
    pub task: Task,
    pub on_change: Callback<SearchForm>,
}

#[function_component(SearchSettings)]
pub fn search_settings(props: &Props) -> Html {
    let form = &props.form;
    let field_error = use_state(|| None::<String>);
    let edit =
        |apply: Apply<SearchForm>| on_field(&props.form, &props.on_change, &field_error, apply);
    let option = |value: &'static str, label: &'static str, current: &str| {
        html! {
            <option {value} selected={current == value}>{ label }</option>
        }
    };
    let balance = form
        .metric(props.task)
        .is_ok_and(|metric| metric.rewards_balance());
    let defaults = Space::for_task(props.training_rows, balance);
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
                <label>{ "Trials " }<Field id="trials-input" kind="number" min="1" value={form.trials.clone()} onchange={edit(|f, v| { f.trials = v.to_string(); Ok(()) })} /></label>
                <label title="Training rows × epochs summed over trials; reproducible">{ "Work budget " }
                    <Field id="work-input" kind="number" min="1" placeholder="none" value={form.work.clone()} onchange={edit(|f, v| { f.work = v.to_string(); Ok(()) })} /></label>
                <label title="Depends on the machine: not reproducible">{ "Wall clock (s, not reproducible) " }
                    <Field id="wall-input" kind="number" min="1" placeholder="none" value={form.wall_clock_s.clone()} onchange={edit(|f, v| { f.wall_clock_s = v.to_string(); Ok(()) })} /></label>
            </div>
            <div class="settings-row">
                <label>{ "Workers " }<Field id="workers-input" kind="number" min="1" max="32" value={form.workers.clone()} onchange={edit(|f, v| { f.workers = v.to_string(); Ok(()) })} /></label>
                <label>{ "Seed " }<Field id="search-seed-input" kind="number" min="0" value={form.seed.clone()} onchange={edit(|f, v| { f.seed = v.to_string(); Ok(()) })} /></label>
                <label title="What the search optimises: monitor is the validation loss (classification) or RMSE (regression), which early stopping also watches">{ "Metric " }<select id="metric-select" onchange={edit(|f, v| { f.metric = v.to_string(); Ok(()) })}>
                    { for Metric::for_task(props.task != Task::Regression).iter().map(|m| option(m.name(), m.name(), &form.metric)) }
                </select></label>
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
                <Field id="space-input" rows={5} cols={80} value={form.space.clone()}
                    placeholder={"{\"learning_rate\": {\"float\": {\"low\": 0.001, \"high\": 0.1, \"log\": true}}, \"model\": {\"fixed\": {\"value\": \"mlp\"}}}"}
                    onchange={edit(|f, v| { f.space = v.to_string(); Ok(()) })} />
            </details>
        </fieldset>
    }
}
