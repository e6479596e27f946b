//! A study's charts: optimisation history, hyperparameter importance, the Pareto front (with a
//! second objective), parallel coordinates, and a slice by one chosen parameter.

use std::rc::Rc;

use web_sys::HtmlSelectElement;
use yew::prelude::*;

use super::chart::{
    BLUE, BarChart, Chart, GREY, ORANGE, ParallelAxis, ParallelChart, ParallelLine, Series,
    VERMILION,
};
use super::study_text::{metric_label, value_format};
use crate::format;
use crate::search::{Domain, ParamValue, SecondObjective, Study, Trial, TrialState};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub study: Rc<Study>,
}

#[function_component(StudyCharts)]
pub fn study_charts(props: &Props) -> Html {
    let slice_param = use_state(|| None::<String>);
    let study = &props.study;
    let metric_name = metric_label(study.settings.objectives.primary, &study.trials);
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
        <>
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
        </>
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
