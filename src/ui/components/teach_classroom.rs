//! The Teach step's classroom panel: the link to share, the controls to hide from students
//! and the goal they should reach. The page's address is the link; this panel shows it and
//! edits what it holds.

use yew::prelude::*;

use super::form::field_value;
use crate::teach::{Classroom, Goal, HIDEABLE};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub room: Classroom,
    /// The classroom with one change made.
    pub on_change: Callback<Classroom>,
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
        html! { <label>{ label }{ " " }<input {id} type="number" step="any" value={value.unwrap_or_default()} {onchange} /></label> }
    };
    let goal = &room.goal;
    html! {
        <details class="teach-classroom">
            <summary>{ "Classroom link" }</summary>
            <p class="muted">{ "This page's address is the lesson: every setting, the seed, the controls hidden below and the goal. Opened elsewhere, it replays the same run, loss for loss." }</p>
            <label>{ "Link " }<input id="teach-link" type="text" readonly=true value={link} /></label>
            <fieldset><legend>{ "Hide from students" }</legend>{ for hide_boxes }</fieldset>
            <fieldset><legend>{ "Goal" }</legend>
                { goal_input("teach-goal-acc", "Test accuracy at least", goal.min_test_accuracy.map(|v| v.to_string()), |g, v| g.min_test_accuracy = v) }
                { goal_input("teach-goal-loss", "Test loss at most", goal.max_test_loss.map(|v| v.to_string()), |g, v| g.max_test_loss = v) }
                { goal_input("teach-goal-params", "Parameters at most", goal.max_parameters.map(|v| v.to_string()), |g, v| g.max_parameters = v.map(|p| p.max(0.0) as usize)) }
            </fieldset>
        </details>
    }
}
