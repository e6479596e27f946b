use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::form::Field;

use crate::data::ColumnKind;
use crate::prep::{
    Action, ColumnChoice, ColumnSettings, Decision, Encoding, Impute, Plan, PrepConfig, Scale,
};
use crate::ui::help::{Term, titles};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub plan: Plan,
    pub config: PrepConfig,
    pub on_change: Callback<PrepConfig>,
}

/// One row per column: what happens to it and why, with the user's override controls.
#[function_component(DecisionTable)]
pub fn decision_table(props: &Props) -> Html {
    html! {
        <table id="decisions" class="decisions">
            <thead>
                <tr><th>{ "Column" }</th><th>{ "Kind" }</th><th>{ "Treatment" }</th><th>{ "Settings" }</th><th>{ "Why" }</th></tr>
            </thead>
            <tbody>
                { for props.plan.decisions.iter().map(|decision| row(decision, &props.config, &props.on_change)) }
            </tbody>
        </table>
    }
}

fn row(decision: &Decision, config: &PrepConfig, on_change: &Callback<PrepConfig>) -> Html {
    let column = decision.column.clone();
    let current = choice_value(config.columns.get(&column));
    let on_treatment = {
        let (config, on_change, column) = (config.clone(), on_change.clone(), column.clone());
        Callback::from(move |event: Event| {
            let Some(select) = event.target_dyn_into::<HtmlSelectElement>() else {
                return;
            };
            let mut config = config.clone();
            match choice_from_value(&select.value()) {
                Some(choice) => config.columns.insert(column.clone(), choice),
                None => config.columns.remove(&column),
            };
            on_change.emit(config);
        })
    };
    let options = treatments(decision.kind);
    html! {
        <tr data-column={decision.column.clone()} data-action={decision.action.label()}
            class={classes!(decision.overridden.then_some("overridden"), matches!(decision.action, Action::Drop).then_some("dropped"))}>
            <td class="name">{ &decision.column }</td>
            <td>{ decision.kind.label() }</td>
            <td>
                <select class="treatment" onchange={on_treatment} aria-label={format!("Treatment of {}", decision.column)}
                    title={titles(&[Term::OneHot, Term::Frequency])}>
                    <option value="auto" selected={current == "auto"}>
                        { if decision.overridden { "automatic".to_string() } else { format!("automatic: {}", decision.action.label()) } }
                    </option>
                    { for options.iter().map(|(value, label)| html! {
                        <option value={*value} selected={current == *value}>{ *label }</option>
                    }) }
                    if current == "custom" {
                        <option value="custom" selected=true disabled=true>{ "custom settings" }</option>
                    }
                </select>
            </td>
            <td>{ numeric_controls(decision, config, on_change) }</td>
            <td class="reason">{ &decision.reason }</td>
        </tr>
    }
}

/// Treatments offered besides "automatic", by the column's kind.
fn treatments(kind: ColumnKind) -> &'static [(&'static str, &'static str)] {
    match kind {
        ColumnKind::Categorical => &[
            ("one_hot", "one-hot"),
            ("ordinal", "ordinal"),
            ("frequency", "frequency"),
            ("drop", "drop"),
        ],
        ColumnKind::Numeric | ColumnKind::Integer | ColumnKind::Boolean | ColumnKind::DateTime => {
            &[("drop", "drop")]
        }
        ColumnKind::Identifier
        | ColumnKind::Text
        | ColumnKind::Constant
        | ColumnKind::AllMissing => &[("keep", "keep")],
    }
}

fn choice_value(choice: Option<&ColumnChoice>) -> &'static str {
    match choice {
        None => "auto",
        Some(ColumnChoice::Drop) => "drop",
        Some(ColumnChoice::Keep) => "keep",
        Some(ColumnChoice::Set(settings)) => match settings.encoding {
            Some(Encoding::OneHot) => "one_hot",
            Some(Encoding::Ordinal) => "ordinal",
            Some(Encoding::Frequency) => "frequency",
            None => "custom",
        },
    }
}

/// `None` means "automatic": no override.
fn choice_from_value(value: &str) -> Option<ColumnChoice> {
    let encoding = |encoding| {
        Some(ColumnChoice::Set(ColumnSettings {
            encoding: Some(encoding),
            ..Default::default()
        }))
    };
    match value {
        "drop" => Some(ColumnChoice::Drop),
        "keep" => Some(ColumnChoice::Keep),
        "one_hot" => encoding(Encoding::OneHot),
        "ordinal" => encoding(Encoding::Ordinal),
        "frequency" => encoding(Encoding::Frequency),
        _ => None,
    }
}

/// Imputation, missing indicator and scaling for columns that end up numeric.
fn numeric_controls(
    decision: &Decision,
    config: &PrepConfig,
    on_change: &Callback<PrepConfig>,
) -> Html {
    // The user's pending settings win over the last fitted plan, so controls never flip back
    // while the worker re-fits.
    let pending = match config.columns.get(&decision.column) {
        Some(ColumnChoice::Set(settings)) => settings.clone(),
        _ => ColumnSettings::default(),
    };
    let (impute, indicator, scale) = match &decision.action {
        Action::Numeric {
            impute,
            indicator,
            scale,
        }
        | Action::Date {
            impute,
            indicator,
            scale,
            ..
        } => (
            pending.impute.unwrap_or(*impute),
            pending.indicator.unwrap_or(*indicator),
            pending.scale.unwrap_or(*scale),
        ),
        Action::Boolean { indicator } => {
            return indicator_only(
                decision,
                config,
                on_change,
                pending.indicator.unwrap_or(*indicator),
            );
        }
        _ => return html! {},
    };
    // Each control edits the column's settings, keeping the others.
    let edit = |change: fn(&mut ColumnSettings, &str, bool)| {
        let (config, on_change, column) =
            (config.clone(), on_change.clone(), decision.column.clone());
        Callback::from(move |event: Event| {
            let Some((value, checked)) = control_state(&event) else {
                return;
            };
            on_change.emit(with_settings(&config, &column, |settings| {
                change(settings, &value, checked)
            }));
        })
    };
    let on_impute = edit(|settings, value, _| {
        settings.impute = match value {
            "mean" => Some(Impute::Mean),
            "constant" => Some(Impute::Constant(0.0)),
            _ => Some(Impute::Median),
        }
    });
    let on_constant = edit(|settings, value, _| {
        if let Ok(number) = value.trim().parse::<f64>() {
            settings.impute = Some(Impute::Constant(number));
        }
    });
    let on_scale = edit(|settings, value, _| {
        settings.scale = Some(match value {
            "robust" => Scale::Robust,
            "min_max" => Scale::MinMax,
            "none" => Scale::None,
            _ => Scale::Standard,
        })
    });
    let on_indicator = edit(|settings, _, checked| settings.indicator = Some(checked));
    let impute_value = match impute {
        Impute::Median => "median",
        Impute::Mean => "mean",
        Impute::Constant(_) => "constant",
    };
    let scale_value = match scale {
        Scale::Standard => "standard",
        Scale::Robust => "robust",
        Scale::MinMax => "min_max",
        Scale::None => "none",
    };
    html! {
        <span class="numeric-settings">
            <label>{ "missing → " }
                <select class="impute" onchange={on_impute}>
                    { for [("median", "median"), ("mean", "mean"), ("constant", "constant")].iter().map(|(value, label)| html! {
                        <option value={*value} selected={impute_value == *value}>{ *label }</option>
                    }) }
                </select>
            </label>
            if let Impute::Constant(value) = impute {
                <Field class="impute-constant" kind="number" step="any" value={value.to_string()} onchange={on_constant} />
            }
            <label>{ " scale " }
                <select class="scale" onchange={on_scale}>
                    { for [("standard", "standard"), ("robust", "robust"), ("min_max", "min-max"), ("none", "none")].iter().map(|(value, label)| html! {
                        <option value={*value} selected={scale_value == *value}>{ *label }</option>
                    }) }
                </select>
            </label>
            <label><input class="indicator" type="checkbox" checked={indicator} onchange={on_indicator} />{ " missing flag" }</label>
        </span>
    }
}

fn indicator_only(
    decision: &Decision,
    config: &PrepConfig,
    on_change: &Callback<PrepConfig>,
    indicator: bool,
) -> Html {
    let (config, on_change, column) = (config.clone(), on_change.clone(), decision.column.clone());
    let on_indicator = Callback::from(move |event: Event| {
        let Some(input) = event.target_dyn_into::<HtmlInputElement>() else {
            return;
        };
        on_change.emit(with_settings(&config, &column, |settings| {
            settings.indicator = Some(input.checked())
        }));
    });
    html! {
        <label><input class="indicator" type="checkbox" checked={indicator} onchange={on_indicator} />{ " missing flag" }</label>
    }
}

/// The value (and, for a checkbox, the checked state) of the input or select that fired `event`.
fn control_state(event: &Event) -> Option<(String, bool)> {
    if let Some(input) = event.target_dyn_into::<HtmlInputElement>() {
        return Some((input.value(), input.checked()));
    }
    event
        .target_dyn_into::<HtmlSelectElement>()
        .map(|select| (select.value(), false))
}

/// `config` with `column`'s settings edited (starting from its current settings, if any).
fn with_settings(
    config: &PrepConfig,
    column: &str,
    edit: impl FnOnce(&mut ColumnSettings),
) -> PrepConfig {
    let mut config = config.clone();
    let mut settings = match config.columns.get(column) {
        Some(ColumnChoice::Set(settings)) => settings.clone(),
        _ => ColumnSettings::default(),
    };
    edit(&mut settings);
    config
        .columns
        .insert(column.to_string(), ColumnChoice::Set(settings));
    config
}
