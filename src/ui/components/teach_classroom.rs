//! The Teach step's classroom panel: the link to share, whether a table lesson's file goes in
//! it, the controls to hide from students and the goal they should reach. The page's address
//! is the link; this panel shows it and edits what it holds.

use yew::prelude::*;

use super::form::{Field, field_value};
use crate::teach::{Classroom, Goal, HIDEABLE};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub room: Classroom,
    /// The classroom with one change made.
    pub on_change: Callback<Classroom>,
    /// A table lesson's file: its name, and how long it is packed for a link (`None`: too
    /// large to carry).
    #[prop_or_default]
    pub table_file: Option<(String, Option<usize>)>,
    /// Put the table's file in the link, or take it out.
    pub on_share_file: Callback<bool>,
}

#[function_component(TeachClassroom)]
pub fn teach_classroom(props: &Props) -> Html {
    let room = &props.room;
    let link = web_sys::window()
        .and_then(|w| w.location().href().ok())
        .unwrap_or_default();
    let hide_boxes = HIDEABLE.iter().map(|&key| {
        let checked = room.hide.iter().any(|h| h == key);
        let (room, on_change) = (room.clone(), props.on_change.clone());
        let onchange = Callback::from(move |_: Event| {
            let mut next = room.clone();
            if next.hide.iter().any(|h| h == key) {
                next.hide.retain(|h| h != key);
            } else {
                next.hide.push(key.to_string());
            }
            on_change.emit(next);
        });
        html! { <label><input type="checkbox" id={format!("teach-hide-{key}")} {checked} {onchange} />{ key }</label> }
    });
    let goal_input = |id: &'static str,
                      label: &'static str,
                      value: Option<String>,
                      apply: fn(&mut Goal, Option<f64>)| {
        let (room, on_change) = (room.clone(), props.on_change.clone());
        let onchange = Callback::from(move |event: Event| {
            let text = field_value(&event).unwrap_or_default();
            let mut next = room.clone();
            apply(&mut next.goal, text.trim().parse::<f64>().ok());
            on_change.emit(next);
        });
        html! { <label>{ label }{ " " }<Field {id} kind="number" step="any" value={value.unwrap_or_default()} {onchange} /></label> }
    };
    let goal = &room.goal;
    let share = props.table_file.as_ref().map(|(name, packed)| match packed {
        Some(chars) => {
            let on_share = props.on_share_file.clone();
            let onchange = Callback::from(move |event: Event| {
                let checked = event
                    .target_dyn_into::<web_sys::HtmlInputElement>()
                    .is_some_and(|input| input.checked());
                on_share.emit(checked);
            });
            html! {
                <label>
                    <input type="checkbox" id="teach-share-file" checked={room.data.is_some()} {onchange} />
                    { format!("Put {name} in the link ({:.1} K characters), so that the link alone opens the lesson. Anyone with the link can read the file.", *chars as f64 / 1024.0) }
                </label>
            }
        }
        None => html! {
            <p class="muted" id="teach-share-file-too-large">
                { format!("{name} is too large to put in a link: the link holds its SHA-256, and a student's copy is checked against it.") }
            </p>
        },
    });
    html! {
        <details class="teach-classroom">
            <summary>{ "Classroom link" }</summary>
            <p class="muted">{ "This page's address is the lesson: every setting, the seed, the controls hidden below and the goal. Opened elsewhere, it replays the same run, loss for loss." }</p>
            <label>{ "Link " }<input id="teach-link" type="text" readonly=true value={link} /></label>
            { for share }
            <fieldset><legend>{ "Hide from students" }</legend>{ for hide_boxes }</fieldset>
            <fieldset><legend>{ "Goal" }</legend>
                { goal_input("teach-goal-acc", "Test accuracy at least", goal.min_test_accuracy.map(|v| v.to_string()), |g, v| g.min_test_accuracy = v) }
                { goal_input("teach-goal-loss", "Test loss at most", goal.max_test_loss.map(|v| v.to_string()), |g, v| g.max_test_loss = v) }
                { goal_input("teach-goal-params", "Parameters at most", goal.max_parameters.map(|v| v.to_string()), |g, v| g.max_parameters = v.map(|p| p.max(0.0) as usize)) }
            </fieldset>
        </details>
    }
}
