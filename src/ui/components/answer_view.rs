//! The Use step's answer: class probabilities as bars or the value ± the validation RMSE, and
//! its explanation as a waterfall from the base value to the answer.

use std::rc::Rc;

use yew::prelude::*;

use crate::explain::Explanation;
use crate::format;
use crate::protocol::{RowAnswer, ServingModel};

#[derive(Properties, PartialEq)]
pub struct AnswerProps {
    pub model: Rc<ServingModel>,
    pub answer: RowAnswer,
    /// Milliseconds from the edit to the answer on the page.
    pub latency_ms: Option<f64>,
}

#[function_component(AnswerView)]
pub fn answer_view(props: &AnswerProps) -> Html {
    let model = &props.model;
    let answer = &props.answer;
    let timing = format!(
        "the model answered in {:.1} ms{}",
        answer.millis,
        props
            .latency_ms
            .map(|ms| format!(", {ms:.0} ms from the edit to this answer"))
            .unwrap_or_default()
    );
    let body = if model.class_names.is_empty() {
        let value = answer
            .value
            .map_or("—".to_string(), |v| format::number(f64::from(v)));
        html! {
            <p class="answer-value"><strong id="use-value">{ value }</strong>
                if let Some(rmse) = model.valid_rmse {
                    <span class="muted">{ format!(" ± {} (validation RMSE)", format::number(rmse)) }</span>
                }
            </p>
        }
    } else {
        let rows = model.class_names.iter().zip(&answer.probabilities).map(|(class, p)| {
            let chosen = answer.label.as_deref() == Some(class.as_str());
            html! {
                <tr class={classes!(chosen.then_some("chosen"))} data-class={class.clone()}>
                    <th scope="row">{ class }</th>
                    <td class="bar-cell"><span class="bar" style={format!("width: {:.1}%", f64::from(*p) * 100.0)}></span></td>
                    <td class="num" data-probability={p.to_string()}>{ format!("{:.1}%", f64::from(*p) * 100.0) }</td>
                </tr>
            }
        });
        html! {
            <>
                <p class="answer-value"><strong id="use-label">{ answer.label.clone().unwrap_or_default() }</strong></p>
                <table id="use-probabilities" class="probabilities"><tbody>{ for rows }</tbody></table>
            </>
        }
    };
    html! {
        <section id="use-answer" class="use-answer" aria-live="polite">
            <h3>{ format!("Predicted {}", model.target) }</h3>
            { body }
            <p id="use-timing" class="muted" data-model-ms={answer.millis.to_string()}
                data-latency-ms={props.latency_ms.map(|ms| ms.to_string()).unwrap_or_default()}>{ timing }</p>
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct WaterfallProps {
    pub model: Rc<ServingModel>,
    pub explanation: Rc<Explanation>,
    /// Where the background rows came from, in words.
    pub background: String,
    /// The form changed since: this explains an earlier row.
    pub stale: bool,
}

/// Each column's contribution as a step from the base value (the mean answer over the
/// background rows) to the answer, largest first, with its standard error.
#[function_component(Waterfall)]
pub fn waterfall(props: &WaterfallProps) -> Html {
    let explanation = &props.explanation;
    let model = &props.model;
    // The output explained: the predicted class's probability, or the value.
    let output = explanation
        .prediction
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map_or(0, |(index, _)| index);
    let output_name = match model.class_names.get(output) {
        Some(class) if model.class_names.len() > 1 => format!("P({} = {class})", model.target),
        _ => model.target.clone(),
    };
    let mut steps: Vec<(String, f64, f64)> = explanation
        .contributions
        .iter()
        .map(|c| {
            let name = model
                .inputs
                .get(c.input)
                .map_or_else(|| format!("column {}", c.input), |i| i.name.clone());
            (
                name,
                c.value.get(output).copied().unwrap_or(0.0),
                c.standard_error.get(output).copied().unwrap_or(0.0),
            )
        })
        .collect();
    steps.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()));
    let base = explanation.base.get(output).copied().unwrap_or(0.0);
    let prediction = explanation.prediction.get(output).copied().unwrap_or(0.0);
    // The axis spans every running total.
    let mut low = base.min(prediction);
    let mut high = base.max(prediction);
    let mut running = base;
    for (_, value, _) in &steps {
        running += value;
        low = low.min(running);
        high = high.max(running);
    }
    let span = (high - low).max(1e-12);
    let at = |x: f64| (x - low) / span * 100.0;
    let bar = |from: f64, to: f64, class: &'static str| {
        let (a, b) = (at(from.min(to)), at(from.max(to)));
        html! { <span class={classes!("wf-bar", class)} style={format!("left: {a:.2}%; width: {:.2}%", (b - a).max(0.3))}></span> }
    };
    let mut running = base;
    let rows = steps.iter().map(|(name, value, error)| {
        let from = running;
        running += value;
        html! {
            <tr data-column={name.clone()} data-contribution={value.to_string()}>
                <th scope="row">{ name }</th>
                <td class="wf-track">{ bar(from, running, if *value >= 0.0 { "up" } else { "down" }) }</td>
                <td class="num">{ format!("{}{} ± {}", if *value >= 0.0 { "+" } else { "−" }, format::number(value.abs()), format::number(*error)) }</td>
            </tr>
        }
    });
    html! {
        <section id="use-explanation" class="use-explanation">
            <h3>{ format!("Why: each column's contribution to {output_name}") }</h3>
            if props.stale {
                <p class="muted">{ "This explains the row as it was when you asked; explain again for the row as it is now." }</p>
            }
            <table class="waterfall">
                <tbody>
                    <tr class="wf-total"><th scope="row">{ "base value" }</th><td class="wf-track">{ bar(low, base, "base") }</td>
                        <td class="num" id="use-base">{ format::number(base) }</td></tr>
                    { for rows }
                    <tr class="wf-total"><th scope="row">{ "answer" }</th><td class="wf-track">{ bar(low, prediction, "base") }</td>
                        <td class="num" id="use-explained-answer">{ format::number(prediction) }</td></tr>
                </tbody>
            </table>
            <p class="muted">{ format!(
                "Sampled Shapley values: {} column orders ({} antithetic pairs), {} rows answered by the ONNX file; the base value is the mean answer over {}. ± is one standard error of each estimate.",
                explanation.samples, explanation.samples / 2, format::number(explanation.evaluations as f64), props.background) }</p>
        </section>
    }
}
