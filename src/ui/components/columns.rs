use std::rc::Rc;

use yew::prelude::*;

use super::bars::column_chart;
use crate::data::{ColumnProfile, Profile};
use crate::format;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub profile: Rc<Profile>,
    pub target: Option<String>,
}

/// Rows drawn at first. A row costs a few hundred DOM nodes (its histogram's bars each have
/// a tooltip), so a file with a thousand columns drawn whole kept the page blank for many
/// seconds; past this many the rest wait for the user to ask.
pub const FIRST_COLUMNS: usize = 100;

/// Rows whose charts' bars are drawn in one task, and the time between two such tasks: a
/// 50-column profile drawn whole took one task of 166–305 ms on the UI thread (two thirds of
/// its DOM nodes are the bars and their tooltips); in tens after the rows, no task draws many.
const CHARTS_PER_TASK: usize = 10;
const CHART_TASK_MS: i32 = 16;

/// One row per column: its inferred kind, missing and distinct counts, summary and histogram.
/// Wide files show their first [`FIRST_COLUMNS`] rows and a button for the rest.
#[function_component(ColumnTable)]
pub fn column_table(props: &Props) -> Html {
    let rows = props.profile.rows;
    let total = props.profile.columns.len();
    // The profile for which the user asked to see every column; a new profile starts short.
    let expanded = use_state(|| None::<Rc<Profile>>);
    let all = expanded
        .as_ref()
        .is_some_and(|profile| Rc::ptr_eq(profile, &props.profile));
    let shown = if all { total } else { total.min(FIRST_COLUMNS) };
    let on_more = {
        let (expanded, profile) = (expanded.clone(), props.profile.clone());
        Callback::from(move |_: MouseEvent| expanded.set(Some(profile.clone())))
    };
    html! {
        <>
        <table id="columns" class="columns" data-shown={shown.to_string()}>
            <thead>
                <tr>
                    <th>{ "Column" }</th><th>{ "Kind" }</th><th>{ "Missing" }</th>
                    <th>{ "Distinct" }</th><th>{ "Summary" }</th><th>{ "Distribution" }</th>
                </tr>
            </thead>
            <tbody>
                { for props.profile.columns.iter().take(shown).enumerate().map(|(index, column)| {
                    let delay_ms = CHART_TASK_MS * (1 + (index / CHARTS_PER_TASK) as i32);
                    let is_target = props.target.as_deref() == Some(column.name.as_str());
                    html! {
                        <tr data-column={column.name.clone()} data-kind={column.kind.label()}
                            data-missing={column.missing.to_string()} class={classes!(is_target.then_some("is-target"))}>
                            <td class="name">{ &column.name }if is_target { <span class="tag">{ "target" }</span> }</td>
                            <td><span class={classes!("kind", kind_class(column))}>{ column.kind.label() }</span></td>
                            <td class="num">{ missing(column.missing, rows) }</td>
                            <td class="num">{ column.distinct }</td>
                            <td class="summary">{ summary(column) }</td>
                            <td>{ column_chart(column, delay_ms) }</td>
                        </tr>
                    }
                }) }
            </tbody>
        </table>
        if shown < total {
            <p class="columns-more">
                { format!("The first {shown} of {total} columns. ") }
                <button id="columns-more" type="button" onclick={on_more}>{ format!("Show all {total} columns") }</button>
            </p>
        }
        </>
    }
}

fn kind_class(column: &ColumnProfile) -> String {
    format!("kind-{:?}", column.kind).to_lowercase()
}

fn missing(count: usize, rows: usize) -> String {
    if count == 0 {
        "0".to_string()
    } else {
        format!(
            "{count} ({:.1}%)",
            100.0 * count as f64 / rows.max(1) as f64
        )
    }
}

fn summary(column: &ColumnProfile) -> Html {
    if let Some(stats) = &column.numeric {
        return html! {
            <span>
                { format!("min {} · median {} · max {}", format::number(stats.min), format::number(stats.median), format::number(stats.max)) }
                <br />
                <small>{ format!("mean {} · std {} · IQR {} – {}", format::number(stats.mean), format::number(stats.std),
                    format::number(stats.p25), format::number(stats.p75)) }</small>
            </span>
        };
    }
    let top = column
        .top
        .iter()
        .take(5)
        .map(|category| format!("{} ({})", category.value, category.count))
        .collect::<Vec<_>>()
        .join(", ");
    html! { <span>{ top }</span> }
}
