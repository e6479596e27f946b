//! The training settings form: every field of [`TrainConfig`] the task uses, and the device.

use web_sys::HtmlSelectElement;
use yew::prelude::*;

use super::form::{Apply, Field, on_field};
use crate::data::Task;
use crate::train::gbdt::GbdtSettings;
use crate::train::{
    Activation, DevicePreference, MlpSettings, ModelKind, OptimizerKind, ROUNDS_PER_EPOCH,
    RegressionLoss, Schedule, TrainConfig,
};
use crate::ui::help::{Term, titles};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub config: TrainConfig,
    pub device: DevicePreference,
    pub task: Option<Task>,
    pub disabled: bool,
    pub on_config: Callback<TrainConfig>,
    pub on_device: Callback<DevicePreference>,
}

#[function_component(TrainSettings)]
pub fn train_settings(props: &Props) -> Html {
    let field_error = use_state(|| None::<String>);
    let config = &props.config;
    let edit =
        |apply: Apply<TrainConfig>| on_field(&props.config, &props.on_config, &field_error, apply);
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
    let option = |value: &'static str, label: &'static str, selected: bool| html! { <option {value} {selected}>{ label }</option> };
    let number = |id: &'static str,
                  label: &'static str,
                  value: String,
                  step: &'static str,
                  apply: Apply<TrainConfig>| {
        html! {
            <label>{ label }{ " " }<Field id={id} kind="number" min="0" step={step} value={value} onchange={edit(apply)} /></label>
        }
    };
    let classification = matches!(
        props.task,
        Some(Task::BinaryClassification | Task::MulticlassClassification)
    );
    let regression = props.task == Some(Task::Regression);

    let mlp = match &config.model {
        ModelKind::Mlp(MlpSettings {
            hidden,
            activation,
            dropout,
            layer_norm,
        }) => {
            let hidden: Vec<String> = hidden.iter().map(ToString::to_string).collect();
            html! {
                <>
                    <label>{ "Hidden layers " }<Field id="hidden-input" kind="text" value={hidden.join(",")}
                        title="Units per hidden layer, comma-separated (1 to 4 layers)" onchange={edit(set_hidden)} /></label>
                    <label>{ "Activation " }<select id="activation-select" onchange={edit(set_activation)}>
                        { option("relu", "ReLU", *activation == Activation::Relu) }
                        { option("gelu", "GELU", *activation == Activation::Gelu) }
                        { option("tanh", "tanh", *activation == Activation::Tanh) }
                    </select></label>
                    { number("dropout-input", "Dropout", dropout.to_string(), "0.05", set_dropout) }
                    <label><input id="layer-norm-input" type="checkbox" checked={*layer_norm} onchange={edit(set_layer_norm)} />{ " layer norm" }</label>
                </>
            }
        }
        ModelKind::Gbdt(trees) => html! {
            <>
                { number("tree-lr-input", "Tree learning rate", trees.learning_rate.to_string(), "any", set_tree_learning_rate) }
                { number("leaves-input", "Leaves", trees.max_leaves.to_string(), "1", set_leaves) }
                { number("min-leaf-rows-input", "Rows per leaf", trees.min_leaf_rows.to_string(), "1", set_min_leaf_rows) }
                { number("l2-input", "L2", trees.l2.to_string(), "any", set_l2) }
                { number("feature-subsample-input", "Feature share", trees.feature_subsample.to_string(), "0.05", set_feature_subsample) }
                <label><input id="categorical-input" type="checkbox" checked={trees.categorical}
                    title="Split a categorical column's one-hot features as one feature, into two sets of categories" onchange={edit(set_categorical)} />{ " category sets" }</label>
            </>
        },
        ModelKind::Linear => html! {},
    };
    let network = config.model.is_network();
    // Trees, and Newton's method (every row at once, no learning rate), train on the CPU.
    let on_host = config.host_training();
    let (schedule, step_fields) = match config.schedule {
        Schedule::Constant => ("constant", html! {}),
        Schedule::Cosine => ("cosine", html! {}),
        Schedule::Step {
            every_epochs,
            gamma,
        } => (
            "step",
            html! {
                <>
                    { number("step-every-input", "every (epochs)", every_epochs.to_string(), "1", set_step_every) }
                    { number("step-gamma-input", "× factor", gamma.to_string(), "any", set_step_gamma) }
                </>
            },
        ),
    };
    let momentum = match config.optimizer {
        OptimizerKind::Sgd { momentum } => number(
            "momentum-input",
            "Momentum",
            momentum.to_string(),
            "0.05",
            set_momentum,
        ),
        _ => html! {},
    };
    let loss = if regression && network {
        let (huber, delta) = match config.loss {
            RegressionLoss::Mse => (false, html! {}),
            RegressionLoss::Huber { delta } => (
                true,
                number(
                    "huber-delta-input",
                    "δ",
                    delta.to_string(),
                    "any",
                    set_huber_delta,
                ),
            ),
        };
        html! {
            <>
                <label>{ "Loss " }<select id="loss-select" onchange={edit(set_loss)}>
                    { option("mse", "MSE", !huber) }{ option("huber", "Huber", huber) }
                </select></label>
                { delta }
            </>
        }
    } else {
        html! {}
    };

    html! {
        <fieldset id="train-settings" class="train-settings" disabled={props.disabled}>
            <legend>{ "Model and training" }</legend>
            <div class="settings-row">
                <label>{ "Model " }<select id="model-select" onchange={edit(set_model)}>
                    { option("mlp", "MLP", matches!(config.model, ModelKind::Mlp(_))) }
                    { option("linear", if regression { "linear regression" } else { "logistic regression" }, config.model == ModelKind::Linear) }
                    { option("gbdt", "gradient-boosted trees", !network) }
                </select></label>
                { mlp }
                { loss }
            </div>
            if network {
            <div class="settings-row">
                <label>{ "Optimiser " }<select id="optimizer-select" onchange={edit(set_optimizer)}>
                    { option("adamw", "AdamW", config.optimizer == OptimizerKind::AdamW) }
                    { option("adam", "Adam", config.optimizer == OptimizerKind::Adam) }
                    { option("sgd", "SGD + momentum", matches!(config.optimizer, OptimizerKind::Sgd { .. })) }
                    if config.model == ModelKind::Linear {
                        { option("newton", "Newton (exact fit)", config.optimizer == OptimizerKind::Newton) }
                    }
                </select></label>
                { momentum }
                if on_host.is_none() {
                    { number("lr-input", "Learning rate", config.learning_rate.to_string(), "any", set_learning_rate) }
                }
                { number("weight-decay-input", "Weight decay", config.weight_decay.to_string(), "any", set_weight_decay) }
                if on_host.is_none() {
                    <label>{ "Schedule " }<select id="schedule-select" onchange={edit(set_schedule)}>
                        { option("cosine", "cosine", schedule == "cosine") }
                        { option("constant", "constant", schedule == "constant") }
                        { option("step", "step", schedule == "step") }
                    </select></label>
                    { step_fields }
                    { number("warmup-input", "Warm-up epochs", config.warmup_epochs.to_string(), "1", set_warmup) }
                }
            </div>
            }
            <div class="settings-row">
                <span title={if network { String::new() } else { format!("An epoch of trees is {ROUNDS_PER_EPOCH} boosting rounds.") }}>
                    { number("epochs-input", if network { "Epochs" } else { "Epochs (×10 rounds)" }, config.epochs.to_string(), "1", set_epochs) }
                </span>
                if on_host.is_none() {
                    { number("batch-input", "Batch", config.batch_size.to_string(), "1", set_batch) }
                }
                <span class="help-wrap" title={titles(&[Term::Patience])}>
                    { number("patience-input", "Patience", config.patience.to_string(), "1", set_patience) }
                </span>
                if classification {
                    <label><input id="class-weights-input" type="checkbox" checked={config.class_weights} onchange={edit(set_class_weights)} />{ " class weights" }</label>
                }
                { number("seed-input", "Seed", config.seed.to_string(), "1", set_seed) }
                if let Some(reason) = on_host {
                    <span id="trees-device" class="muted">{ format!("Device: CPU ({reason})") }</span>
                } else {
                    <label>{ "Device " }<select id="device-select" onchange={on_device}>
                        { option("auto", "auto (fastest by timing)", props.device == DevicePreference::Auto) }
                        { option("gpu", "WebGPU", props.device == DevicePreference::Gpu) }
                        { option("cpu", "CPU", props.device == DevicePreference::Cpu) }
                    </select></label>
                }
            </div>
            if let Some(message) = &*field_error {
                <p id="train-field-error" class="error" role="alert">{ message }</p>
            }
        </fieldset>
    }
}

fn parse<T: std::str::FromStr>(setting: &str, value: &str) -> Result<T, String> {
    value
        .parse()
        .map_err(|_| format!("{setting}: “{value}” is not a valid number."))
}

fn set_model(config: &mut TrainConfig, value: &str) -> Result<(), String> {
    config.model = match value {
        "linear" => ModelKind::Linear,
        "gbdt" => ModelKind::Gbdt(GbdtSettings::default()),
        _ => ModelKind::default(),
    };
    if !config.model.is_network() {
        // Trees fit squared error only.
        config.loss = RegressionLoss::Mse;
    }
    if config.optimizer == OptimizerKind::Newton && matches!(config.model, ModelKind::Mlp(_)) {
        // Newton's method is the linear model's.
        config.optimizer = OptimizerKind::AdamW;
    }
    Ok(())
}

/// Applies `edit` to the tree settings (when the model is trees) after parsing `value`.
fn edit_trees<T: std::str::FromStr>(
    config: &mut TrainConfig,
    setting: &str,
    value: &str,
    edit: impl FnOnce(&mut GbdtSettings, T),
) -> Result<(), String> {
    let value = parse(setting, value)?;
    if let ModelKind::Gbdt(trees) = &mut config.model {
        edit(trees, value);
    }
    Ok(())
}

fn set_tree_learning_rate(config: &mut TrainConfig, value: &str) -> Result<(), String> {
    edit_trees(config, "Tree learning rate", value, |t, v| {
        t.learning_rate = v
    })
}

fn set_leaves(config: &mut TrainConfig, value: &str) -> Result<(), String> {
    edit_trees(config, "Leaves", value, |t, v| t.max_leaves = v)
}

fn set_min_leaf_rows(config: &mut TrainConfig, value: &str) -> Result<(), String> {
    edit_trees(config, "Rows per leaf", value, |t, v| t.min_leaf_rows = v)
}

fn set_l2(config: &mut TrainConfig, value: &str) -> Result<(), String> {
    edit_trees(config, "L2", value, |t, v| t.l2 = v)
}

fn set_feature_subsample(config: &mut TrainConfig, value: &str) -> Result<(), String> {
    edit_trees(config, "Feature share", value, |t, v| {
        t.feature_subsample = v
    })
}

fn set_hidden(config: &mut TrainConfig, value: &str) -> Result<(), String> {
    let hidden = value
        .split(',')
        .map(|part| part.trim().parse::<usize>())
        .collect::<Result<Vec<usize>, _>>()
        .map_err(|_| {
            format!(
                "Hidden layers: “{value}” should be unit counts separated by commas, e.g. 64,32."
            )
        })?;
    if let ModelKind::Mlp(MlpSettings { hidden: layers, .. }) = &mut config.model {
        *layers = hidden;
    }
    Ok(())
}

fn set_activation(config: &mut TrainConfig, value: &str) -> Result<(), String> {
    if let ModelKind::Mlp(MlpSettings { activation, .. }) = &mut config.model {
        *activation = match value {
            "gelu" => Activation::Gelu,
            "tanh" => Activation::Tanh,
            _ => Activation::Relu,
        };
    }
    Ok(())
}

fn set_dropout(config: &mut TrainConfig, value: &str) -> Result<(), String> {
    let value = parse("Dropout", value)?;
    if let ModelKind::Mlp(MlpSettings { dropout, .. }) = &mut config.model {
        *dropout = value;
    }
    Ok(())
}

fn set_categorical(config: &mut TrainConfig, value: &str) -> Result<(), String> {
    if let ModelKind::Gbdt(trees) = &mut config.model {
        trees.categorical = value == "true";
    }
    Ok(())
}

fn set_layer_norm(config: &mut TrainConfig, value: &str) -> Result<(), String> {
    if let ModelKind::Mlp(MlpSettings { layer_norm, .. }) = &mut config.model {
        *layer_norm = value == "true";
    }
    Ok(())
}

fn set_loss(config: &mut TrainConfig, value: &str) -> Result<(), String> {
    config.loss = match value {
        "huber" => RegressionLoss::Huber { delta: 1.0 },
        _ => RegressionLoss::Mse,
    };
    Ok(())
}

fn set_huber_delta(config: &mut TrainConfig, value: &str) -> Result<(), String> {
    config.loss = RegressionLoss::Huber {
        delta: parse("Huber δ", value)?,
    };
    Ok(())
}

fn set_optimizer(config: &mut TrainConfig, value: &str) -> Result<(), String> {
    config.optimizer = match value {
        "adam" => OptimizerKind::Adam,
        "sgd" => OptimizerKind::Sgd { momentum: 0.9 },
        "newton" => OptimizerKind::Newton,
        _ => OptimizerKind::AdamW,
    };
    Ok(())
}

fn set_momentum(config: &mut TrainConfig, value: &str) -> Result<(), String> {
    config.optimizer = OptimizerKind::Sgd {
        momentum: parse("Momentum", value)?,
    };
    Ok(())
}

fn set_learning_rate(config: &mut TrainConfig, value: &str) -> Result<(), String> {
    config.learning_rate = parse("Learning rate", value)?;
    Ok(())
}

fn set_weight_decay(config: &mut TrainConfig, value: &str) -> Result<(), String> {
    config.weight_decay = parse("Weight decay", value)?;
    Ok(())
}

fn set_schedule(config: &mut TrainConfig, value: &str) -> Result<(), String> {
    config.schedule = match value {
        "constant" => Schedule::Constant,
        "step" => Schedule::Step {
            every_epochs: 30,
            gamma: 0.1,
        },
        _ => Schedule::Cosine,
    };
    Ok(())
}

fn set_step_every(config: &mut TrainConfig, value: &str) -> Result<(), String> {
    if let Schedule::Step { every_epochs, .. } = &mut config.schedule {
        *every_epochs = parse("Step schedule: every", value)?;
    }
    Ok(())
}

fn set_step_gamma(config: &mut TrainConfig, value: &str) -> Result<(), String> {
    if let Schedule::Step { gamma, .. } = &mut config.schedule {
        *gamma = parse("Step schedule: factor", value)?;
    }
    Ok(())
}

fn set_warmup(config: &mut TrainConfig, value: &str) -> Result<(), String> {
    config.warmup_epochs = parse("Warm-up epochs", value)?;
    Ok(())
}

fn set_epochs(config: &mut TrainConfig, value: &str) -> Result<(), String> {
    config.epochs = parse("Epochs", value)?;
    Ok(())
}

fn set_batch(config: &mut TrainConfig, value: &str) -> Result<(), String> {
    config.batch_size = parse("Batch", value)?;
    Ok(())
}

fn set_patience(config: &mut TrainConfig, value: &str) -> Result<(), String> {
    config.patience = parse("Patience", value)?;
    Ok(())
}

fn set_class_weights(config: &mut TrainConfig, value: &str) -> Result<(), String> {
    config.class_weights = value == "true";
    Ok(())
}

fn set_seed(config: &mut TrainConfig, value: &str) -> Result<(), String> {
    config.seed = parse("Seed", value)?;
    Ok(())
}
