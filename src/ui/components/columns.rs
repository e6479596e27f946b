use yew::prelude::*;

use super::bars::column_chart;
use crate::data::{ColumnProfile, Profile};
use crate::format;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub profile: std::rc::Rc<Profile>,
    pub target: Option<String>,
}

/// One row per column: its inferred kind, missing and distinct counts, summary and histogram.
#[function_component(ColumnTable)]
pub fn column_table(props: &Props) -> Html {
    let rows = props.profile.rows;
    html! {
        <table id="columns" class="columns">
            <thead>
                <tr>
                    <th>{ "Column" }</th><th>{ "Kind" }</th><th>{ "Missing" }</th>
                    <th>{ "Distinct" }</th><th>{ "Summary" }</th><th>{ "Distribution" }</th>
                </tr>
            </thead>
            <tbody>
                { for props.profile.columns.iter().map(|column| {
                    let is_target = props.target.as_deref() == Some(column.name.as_str());
                    html! {
                        <tr data-column={column.name.clone()} data-kind={column.kind.label()}
                            data-missing={column.missing.to_string()} class={classes!(is_target.then_some("is-target"))}>
                            <td class="name">{ &column.name }if is_target { <span class="tag">{ "target" }</span> }</td>
                            <td><span class={classes!("kind", kind_class(column))}>{ column.kind.label() }</span></td>
                            <td class="num">{ missing(column.missing, rows) }</td>
                            <td class="num">{ column.distinct }</td>
                            <td class="summary">{ summary(column) }</td>
                            <td>{ column_chart(column) }</td>
                        </tr>
                    }
                }) }
            </tbody>
        </table>
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
