use yew::prelude::*;

use crate::format;
use crate::ui::state::Progress;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub progress: Progress,
}

/// What the worker is doing, with a bar when the amount of work is known.
#[function_component(ProgressBar)]
pub fn progress_bar(props: &Props) -> Html {
    let progress = &props.progress;
    let detail = if progress.total > 0.0 {
        format!(
            "{} of {}",
            format::bytes(progress.done),
            format::bytes(progress.total)
        )
    } else {
        String::new()
    };
    html! {
        <div id="progress" class="progress" role="status">
            <span>{ &progress.task }{ "… " }{ detail }</span>
            if let Some(fraction) = progress.fraction() {
                <progress max="1" value={fraction.to_string()} />
            } else {
                <progress />
            }
        </div>
    }
}
