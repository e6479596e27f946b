use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::data::{Profile, Task, suggest_task};

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
    html! {
        <fieldset id="target" class="target">
            <legend>{ "What to predict" }</legend>
            <label>
                { "Target column " }
                <select id="target-select" onchange={on_target}>
                    if props.target.is_none() {
                        <option value="" selected=true>{ "— choose —" }</option>
                    }
                    { for props.profile.columns.iter().map(|column| html! {
                        <option value={column.name.clone()} selected={column.name == target} disabled={!usable(&column.name)}>
                            { &column.name }
                        </option>
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
        </fieldset>
    }
}
