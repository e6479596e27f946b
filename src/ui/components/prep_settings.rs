use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::form::Field;

use crate::data::Task;
use crate::prep::{PrepConfig, TargetTransform};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub config: PrepConfig,
    pub task: Task,
    pub on_change: Callback<PrepConfig>,
}

/// Settings that apply to the whole preprocessing: seed, split, folds, encoding thresholds.
#[function_component(PrepSettings)]
pub fn prep_settings(props: &Props) -> Html {
    let config = &props.config;
    // A number field that updates one setting when the user commits a valid value; invalid
    // input is left for the engine to refuse with a sentence naming the setting.
    let number = |id: &'static str,
                  label: &'static str,
                  value: String,
                  step: &'static str,
                  apply: fn(&mut PrepConfig, f64)| {
        let (config, on_change) = (props.config.clone(), props.on_change.clone());
        let onchange = Callback::from(move |event: Event| {
            let Some(input) = event.target_dyn_into::<HtmlInputElement>() else {
                return;
            };
            if let Ok(number) = input.value().trim().parse::<f64>() {
                let mut config = config.clone();
                apply(&mut config, number);
                on_change.emit(config);
            }
        });
        html! {
            <label>{ label }{ " " }<Field {id} kind="number" {step} value={value} {onchange} /></label>
        }
    };
    let percent = |fraction: f64| format!("{}", (fraction * 100.0).round());
    let on_folds = {
        let (config, on_change) = (props.config.clone(), props.on_change.clone());
        Callback::from(move |event: Event| {
            let Some(select) = event.target_dyn_into::<HtmlSelectElement>() else {
                return;
            };
            let mut config = config.clone();
            config.folds = select
                .value()
                .parse::<usize>()
                .ok()
                .filter(|folds| *folds >= 2);
            on_change.emit(config);
        })
    };
    let on_standardize = {
        let (config, on_change) = (props.config.clone(), props.on_change.clone());
        Callback::from(move |event: Event| {
            let Some(input) = event.target_dyn_into::<HtmlInputElement>() else {
                return;
            };
            let mut config = config.clone();
            config.standardize_target = input.checked();
            on_change.emit(config);
        })
    };
    let on_target_scale = {
        let (config, on_change) = (props.config.clone(), props.on_change.clone());
        Callback::from(move |event: Event| {
            let Some(select) = event.target_dyn_into::<HtmlSelectElement>() else {
                return;
            };
            let mut config = config.clone();
            config.target_transform = match select.value().as_str() {
                "log" => TargetTransform::Log,
                "none" => TargetTransform::None,
                _ => TargetTransform::Auto,
            };
            on_change.emit(config);
        })
    };
    let scale = config.target_transform;
    let folds = config.folds.unwrap_or(0);
    html! {
        <fieldset id="prep-settings" class="prep-settings">
            <legend>{ "Settings" }</legend>
            { number("seed-input", "Seed", config.seed.to_string(), "1", |config, value| {
                // Seeds stay below 2^53 so they survive the trip through JavaScript numbers.
                config.seed = value.clamp(0.0, 9_007_199_254_740_991.0) as u64;
            }) }
            { number("train-input", "Train %", percent(config.split.train), "1", |config, value| config.split.train = value / 100.0) }
            { number("valid-input", "Validation %", percent(config.split.valid), "1", |config, value| config.split.valid = value / 100.0) }
            { number("test-input", "Test %", percent(config.split.test), "1", |config, value| config.split.test = value / 100.0) }
            <label>
                { "Cross-validation " }
                <select id="folds-select" onchange={on_folds}>
                    { for [0usize, 3, 5, 10].iter().map(|k| html! {
                        <option value={k.to_string()} selected={folds == *k}>
                            { if *k == 0 { "none (one validation split)".to_string() } else { format!("{k} folds") } }
                        </option>
                    }) }
                </select>
            </label>
            { number("one-hot-input", "One-hot up to", config.one_hot_max.to_string(), "1", |config, value| config.one_hot_max = value.max(0.0) as usize) }
            <span class="help-wrap" title="The privacy minimum k: a category or class seen fewer times than this in the training rows is never written into the model or its ONNX file (it joins \"(other)\"). 1 keeps every value.">
                { number("rare-input", "Rare below", config.rare_min_count.to_string(), "1", |config, value| config.rare_min_count = value.max(0.0) as usize) }
            </span>
            if props.task == Task::Regression {
                <label><input id="standardize-check" type="checkbox" checked={config.standardize_target} onchange={on_standardize} />{ " Standardise the target" }</label>
                <label title="Learn log(1 + target) instead of the target: for prices, counts and durations, whose errors grow with the value. Auto does so when the training targets are never negative and right-skewed; the default is the target as it is, since the metrics (RMSE, MAE, R²) are on its own scale. Predictions, metrics and the ONNX file stay in the target's units.">
                    { "Target scale " }
                    <select id="target-scale-select" onchange={on_target_scale}>
                        <option value="auto" selected={scale == TargetTransform::Auto}>{ "auto" }</option>
                        <option value="log" selected={scale == TargetTransform::Log}>{ "log(1 + y)" }</option>
                        <option value="none" selected={scale == TargetTransform::None}>{ "as is" }</option>
                    </select>
                </label>
            }
        </fieldset>
    }
}
