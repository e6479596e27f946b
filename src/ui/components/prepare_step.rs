use yew::prelude::*;

use super::decisions::DecisionTable;
use super::prep_settings::PrepSettings;
use crate::prep::Action as Treatment;
use crate::ui::state::{Action, State};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub state: UseReducerHandle<State>,
}

/// Step 2: the preprocessing decided for the chosen target, each decision with its reason and
/// an override; any change re-fits in the worker at once.
#[function_component(PrepareStep)]
pub fn prepare_step(props: &Props) -> Html {
    let state = &props.state;
    let on_config = {
        let dispatcher = state.dispatcher();
        Callback::from(move |config| dispatcher.dispatch(Action::SetPrepConfig(config)))
    };
    if state.profile.is_none() || state.target.is_none() {
        return html! { <main class="step-prepare"><p>{ "Load a dataset and choose a target column in the Data step first." }</p></main> };
    }
    let stale = state.prep_pending || state.prep_error.is_some();
    html! {
        <main class="step-prepare">
            if let Some(error) = &state.prep_error {
                <p id="prep-error" class="error" role="alert">{ error }</p>
            }
            if let Some(prep) = &state.prep {
                <section id="prep" class={classes!("prep", stale.then_some("stale"))}
                    data-features={prep.summary.features.to_string()} data-train={prep.summary.train.to_string()}
                    data-valid={prep.summary.valid.to_string()} data-test={prep.summary.test.to_string()}>
                    <h2>
                        { format!("{} features from {} columns", prep.summary.features,
                            prep.plan.decisions.iter().filter(|decision| !matches!(decision.action, Treatment::Drop)).count()) }
                        <small>{ format!(" — predicting {} ({}); {}", prep.plan.target, prep.plan.task.label(), prep.plan.target_reason) }</small>
                    </h2>
                    <p id="split" class="split">
                        { format!("{} rows: train {} · validation {} · test {}", prep.summary.rows, prep.summary.train, prep.summary.valid, prep.summary.test) }
                        if prep.summary.folds > 0 { { format!(" · {} folds over the training rows", prep.summary.folds) } }
                        if prep.summary.excluded_rows > 0 { { format!(" · {} rows without a target left out", prep.summary.excluded_rows) } }
                    </p>
                    if !prep.summary.notes.is_empty() {
                        <ul class="notes">{ for prep.summary.notes.iter().map(|note| html! { <li>{ note }</li> }) }</ul>
                    }
                    <PrepSettings config={state.prep_config.clone()} task={prep.plan.task} on_change={on_config.clone()} />
                    <DecisionTable plan={prep.plan.clone()} config={state.prep_config.clone()} on_change={on_config} />
                    <details class="features">
                        <summary>{ format!("The {} feature names", prep.feature_names.len()) }</summary>
                        <ol id="feature-names">{ for prep.feature_names.iter().map(|name| html! { <li>{ name }</li> }) }</ol>
                    </details>
                </section>
            } else if state.prep_pending {
                <p class="progress">{ "Fitting the preprocessing…" }</p>
            }
        </main>
    }
}
