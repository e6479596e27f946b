use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::data::{Profile, Task, suggest_task, target_problem, target_warnings};

const TASKS: [Task; 3] = [
    Task::BinaryClassification,
    Task::MulticlassClassification,
    Task::Regression,
];

#[derive(Properties, PartialEq)]
pub struct Props {
    pub profile: std::rc::Rc<Profile>,
    pub target: Option<String>,
    pub task: Option<Task>,
    pub on_target: Callback<String>,
    pub on_task: Callback<Task>,
}

/// The column to predict and the kind of task, suggested from the profile and changeable.
#[function_component(TargetPicker)]
pub fn target_picker(props: &Props) -> Html {
    let on_target = {
        let on_target = props.on_target.clone();
        Callback::from(move |event: Event| {
            if let Some(select) = event.target_dyn_into::<HtmlSelectElement>() {
                on_target.emit(select.value());
            }
        })
    };
    let on_task = {
        let on_task = props.on_task.clone();
        Callback::from(move |event: Event| {
            if let Some(select) = event.target_dyn_into::<HtmlSelectElement>()
                && let Some(task) = TASKS.iter().find(|task| task.label() == select.value())
            {
                on_task.emit(*task);
            }
        })
    };
    let target = props.target.clone().unwrap_or_default();
    let usable = |name: &str| suggest_task(&props.profile, name).is_some();
    // Why a column is greyed out, in the option itself: a disabled option shows no tooltip.
    let why_not = |name: &str| {
        props
            .profile
            .columns
            .iter()
            .find(|c| c.name == name)
            .and_then(|column| target_problem(&props.profile, column))
    };
    let chosen_problem = props.target.as_deref().and_then(why_not);
    let warnings = props
        .target
        .as_deref()
        .map(|name| target_warnings(&props.profile, name))
        .unwrap_or_default();
    let none_usable = !props.profile.columns.iter().any(|c| usable(&c.name));
    html! {
        <fieldset id="target" class="target">
            <legend>{ "What to predict" }</legend>
            <label>
                { "Target column " }
                <select id="target-select" onchange={on_target}>
                    if props.target.is_none() {
                        <option value="" selected=true>{ "— choose —" }</option>
                    }
                    { for props.profile.columns.iter().map(|column| {
                        let label = match why_not(&column.name) {
                            Some(problem) => format!("{} — not predictable: {problem}", column.name),
                            None => column.name.clone(),
                        };
                        html! {
                            <option value={column.name.clone()} selected={column.name == target} disabled={!usable(&column.name)}>
                                { label }
                            </option>
                        }
                    }) }
                </select>
            </label>
            <label>
                { "Task " }
                <select id="task-select" onchange={on_task} disabled={props.task.is_none()}>
                    if props.task.is_none() {
                        <option value="" selected=true>{ "—" }</option>
                    }
                    { for TASKS.iter().map(|task| html! {
                        <option value={task.label()} selected={Some(*task) == props.task}>{ task.label() }</option>
                    }) }
                </select>
            </label>
            if let Some(problem) = chosen_problem {
                <p id="target-problem" class="error">
                    { format!("\"{target}\" cannot be predicted: {problem}.") }
                </p>
            } else if none_usable {
                <p id="target-problem" class="error">
                    { "No column of this table can be predicted: each one is an identifier, free text, a date, constant or missing, as the list says." }
                </p>
            }
            { for warnings.iter().map(|warning| html! { <p class="target-warning note">{ warning }</p> }) }
        </fieldset>
    }
}
