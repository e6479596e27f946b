use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::metrics::{MetricsTable, ModelDownload};
use crate::format;
use crate::protocol::Request;
use crate::train::{DevicePreference, EpochReport, ModelKind, OptimizerKind, TrainConfig};
use crate::ui::hooks::WorkerHandle;
use crate::ui::state::{Action, State};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub state: UseReducerHandle<State>,
    pub worker: Option<WorkerHandle>,
}

/// Step 3: train a model on the prepared data in the worker, epoch by epoch, with a Stop that
/// keeps the best model so far; then its metrics and the `.hearth` file.
#[function_component(TrainStep)]
pub fn train_step(props: &Props) -> Html {
    let state = &props.state;
    if state.prep.is_none() {
        return html! { <main class="step-train"><p>{ "Prepare the data first (step 2)." }</p></main> };
    }
    let send = {
        let (dispatcher, worker) = (state.dispatcher(), props.worker.clone());
        move |request: Request| {
            if let Some(worker) = &worker
                && let Err(message) = worker.send(request, None)
            {
                dispatcher.dispatch(Action::Worker(crate::protocol::Response::TrainFailed {
                    message,
                }));
            }
        }
    };
    let on_train = {
        let (dispatcher, send) = (state.dispatcher(), send.clone());
        let (config, device) = (state.train_config.clone(), state.train_device);
        Callback::from(move |_: MouseEvent| {
            dispatcher.dispatch(Action::TrainingRequested);
            send(Request::Train {
                config: config.clone(),
                device,
            });
        })
    };
    let on_stop = {
        let dispatcher = state.dispatcher();
        Callback::from(move |_: MouseEvent| {
            dispatcher.dispatch(Action::StopRequested);
            send(Request::StopTraining);
        })
    };
    let running = state
        .training
        .as_ref()
        .is_some_and(|training| training.running);
    html! {
        <main class="step-train">
            <TrainSettings config={state.train_config.clone()} device={state.train_device} disabled={running}
                on_config={{ let d = state.dispatcher(); Callback::from(move |c| d.dispatch(Action::SetTrainConfig(c))) }}
                on_device={{ let d = state.dispatcher(); Callback::from(move |c| d.dispatch(Action::SetTrainDevice(c))) }} />
            <div class="train-buttons">
                <button id="train-button" class="primary" onclick={on_train} disabled={running}>{ "Train" }</button>
                <button id="stop-button" onclick={on_stop} disabled={!running}>{ "Stop (keep the best so far)" }</button>
            </div>
            if let Some(error) = &state.train_error {
                <p id="train-error" class="error" role="alert">{ error }</p>
            }
            if let Some(training) = &state.training {
                <section id="training" data-running={training.running.to_string()} data-epochs={training.epochs.len().to_string()}>
                    if let Some(selection) = &training.selection {
                        <p id="train-device" class="muted" data-device={selection.accelerator.label()}>
                            { format!("Training on {}: {}", selection.accelerator.label(), selection.reason) }
                        </p>
                    }
                    if training.running {
                        { progress(training.epochs.last(), training.total_epochs, training.stopping) }
                    }
                    { epoch_table(&training.epochs) }
                    if let Some(result) = &training.result {
                        <h3>{ format!("Best epoch {} of {}", result.summary.best_epoch, result.summary.epochs_run) }
                            if let Some(reason) = &result.summary.stop_reason { <small>{ format!(" — {reason}") }</small> }
                        </h3>
                        <div class="metrics-pair">
                            if let Some(metrics) = &result.valid_metrics { <MetricsTable id="valid-metrics" title="Validation" metrics={metrics.clone()} /> }
                            if let Some(metrics) = &result.test_metrics { <MetricsTable id="test-metrics" title="Test" metrics={metrics.clone()} /> }
                        </div>
                        <ModelDownload model={result.model.clone()} name={state.profile.as_ref().map(|p| p.source.trim_end_matches(".csv").to_string()).unwrap_or_default()} />
                    }
                </section>
            }
        </main>
    }
}

fn progress(last: Option<&EpochReport>, total: usize, stopping: bool) -> Html {
    let Some(last) = last else {
        return html! { <p class="progress">{ "Starting: timing the devices and compiling kernels…" }</p> };
    };
    let remaining = total.saturating_sub(last.epoch) as f64 * last.elapsed_ms / 1000.0;
    html! {
        <div id="train-progress" class="progress">
            <span>{ format!("Epoch {} of {} · {} samples/s · about {:.0} s left{}", last.epoch, total,
                format::number(last.samples_per_sec.round()), remaining, if stopping { " · stopping after this epoch" } else { "" }) }</span>
            <progress max={total.to_string()} value={last.epoch.to_string()} />
        </div>
    }
}

fn epoch_table(epochs: &[EpochReport]) -> Html {
    if epochs.is_empty() {
        return html! {};
    }
    html! {
        <table id="epochs" class="epochs">
            <thead><tr><th>{ "Epoch" }</th><th>{ "Train loss" }</th><th>{ "Valid loss" }</th><th>{ "Valid metric" }</th><th>{ "Time" }</th></tr></thead>
            <tbody>
                { for epochs.iter().rev().map(|epoch| html! {
                    <tr data-epoch={epoch.epoch.to_string()} data-train-loss={epoch.train_loss.to_string()} class={classes!(epoch.is_best.then_some("best"))}>
                        <td>{ epoch.epoch }{ if epoch.is_best { " ★" } else { "" } }</td>
                        <td class="num">{ format::number(epoch.train_loss) }</td>
                        <td class="num">{ epoch.valid_loss.map(format::number).unwrap_or_default() }</td>
                        <td>{ epoch.valid_metrics.as_ref().map(|m| m.summary()).unwrap_or_default() }</td>
                        <td class="num">{ format!("{:.0} ms", epoch.elapsed_ms) }</td>
                    </tr>
                }) }
            </tbody>
        </table>
    }
}

#[derive(Properties, PartialEq)]
struct SettingsProps {
    config: TrainConfig,
    device: DevicePreference,
    disabled: bool,
    on_config: Callback<TrainConfig>,
    on_device: Callback<DevicePreference>,
}

/// The main training settings; the rest keep their defaults (the CLI's `--config` reaches all).
#[function_component(TrainSettings)]
fn train_settings(props: &SettingsProps) -> Html {
    let config = &props.config;
    let edit = |apply: fn(&mut TrainConfig, &str)| {
        let (config, on_config) = (props.config.clone(), props.on_config.clone());
        Callback::from(move |event: Event| {
            let value = event
                .target_dyn_into::<HtmlInputElement>()
                .map(|input| input.value())
                .or_else(|| {
                    event
                        .target_dyn_into::<HtmlSelectElement>()
                        .map(|select| select.value())
                });
            if let Some(value) = value {
                let mut config = config.clone();
                apply(&mut config, value.trim());
                on_config.emit(config);
            }
        })
    };
    let on_model = edit(|config, value| {
        config.model = match value {
            "linear" => ModelKind::Linear,
            _ => TrainConfig::default().model,
        }
    });
    let on_hidden = edit(|config, value| {
        let hidden: Result<Vec<usize>, _> = value
            .split(',')
            .map(|part| part.trim().parse::<usize>())
            .collect();
        if let (ModelKind::Mlp { hidden: layers, .. }, Ok(hidden)) = (&mut config.model, hidden) {
            *layers = hidden;
        }
    });
    let on_epochs = edit(|config, value| config.epochs = value.parse().unwrap_or(config.epochs));
    let on_lr =
        edit(|config, value| config.learning_rate = value.parse().unwrap_or(config.learning_rate));
    let on_batch =
        edit(|config, value| config.batch_size = value.parse().unwrap_or(config.batch_size));
    let on_optimizer = edit(|config, value| {
        config.optimizer = match value {
            "adam" => OptimizerKind::Adam,
            "sgd" => OptimizerKind::Sgd { momentum: 0.9 },
            _ => OptimizerKind::AdamW,
        }
    });
    let on_device = {
        let on_device = props.on_device.clone();
        Callback::from(move |event: Event| {
            if let Some(select) = event.target_dyn_into::<HtmlSelectElement>() {
                on_device.emit(match select.value().as_str() {
                    "cpu" => DevicePreference::Cpu,
                    "gpu" => DevicePreference::Gpu,
                    _ => DevicePreference::Auto,
                });
            }
        })
    };
    let (is_mlp, hidden) = match &config.model {
        ModelKind::Mlp { hidden, .. } => (
            true,
            hidden
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(","),
        ),
        ModelKind::Linear => (false, String::new()),
    };
    let optimizer = match config.optimizer {
        OptimizerKind::Adam => "adam",
        OptimizerKind::AdamW => "adamw",
        OptimizerKind::Sgd { .. } => "sgd",
    };
    let option = |value: &'static str, label: &'static str, selected: bool| html! { <option {value} {selected}>{ label }</option> };
    html! {
        <fieldset id="train-settings" class="train-settings" disabled={props.disabled}>
            <legend>{ "Model and training" }</legend>
            <label>{ "Model " }<select id="model-select" onchange={on_model}>
                { option("mlp", "MLP", is_mlp) }{ option("linear", "linear / logistic", !is_mlp) }
            </select></label>
            if is_mlp {
                <label>{ "Hidden layers " }<input id="hidden-input" type="text" value={hidden} onchange={on_hidden} /></label>
            }
            <label>{ "Epochs " }<input id="epochs-input" type="number" min="1" value={config.epochs.to_string()} onchange={on_epochs} /></label>
            <label>{ "Learning rate " }<input id="lr-input" type="number" step="any" value={config.learning_rate.to_string()} onchange={on_lr} /></label>
            <label>{ "Batch " }<input id="batch-input" type="number" min="1" value={config.batch_size.to_string()} onchange={on_batch} /></label>
            <label>{ "Optimiser " }<select id="optimizer-select" onchange={on_optimizer}>
                { option("adamw", "AdamW", optimizer == "adamw") }{ option("adam", "Adam", optimizer == "adam") }{ option("sgd", "SGD + momentum", optimizer == "sgd") }
            </select></label>
            <label>{ "Device " }<select id="device-select" onchange={on_device}>
                { option("auto", "auto (fastest by timing)", props.device == DevicePreference::Auto) }
                { option("gpu", "WebGPU", props.device == DevicePreference::Gpu) }
                { option("cpu", "CPU", props.device == DevicePreference::Cpu) }
            </select></label>
        </fieldset>
    }
}
