use yew::prelude::*;

use crate::clock::Stopwatch;
use crate::format;
use crate::train::EpochReport;
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

#[derive(Properties, PartialEq)]
pub struct EpochProps {
    /// The latest epoch's report, `None` before the first.
    pub last: Option<EpochReport>,
    pub total: usize,
    pub stopping: bool,
}

/// Training's progress: the epoch, the speed and an estimate of the time left.
#[function_component(EpochProgress)]
pub fn epoch_progress(props: &EpochProps) -> Html {
    let pace = use_epoch_pace(props.last.as_ref().map_or(0, |last| last.epoch));
    let Some(last) = &props.last else {
        return html! { <p class="progress">{ "Starting: choosing the device and compiling kernels…" }</p> };
    };
    // The page's own pace includes the validation pass, the messages and the page's drawing
    // between epochs, all of which the user waits for; the worker's time of one epoch (all there
    // is before a second epoch arrives) counts only the epoch itself.
    let per_epoch = pace.unwrap_or(last.elapsed_ms);
    let remaining_ms = props.total.saturating_sub(last.epoch) as f64 * per_epoch;
    html! {
        <div id="train-progress" class="progress" data-epoch={last.epoch.to_string()}
            data-eta-ms={format!("{remaining_ms:.0}")} data-epoch-ms={format!("{:.0}", last.elapsed_ms)}>
            <span>{ format!("Epoch {} of {} · {} samples/s · about {} left{}", last.epoch, props.total,
                format::number(last.samples_per_sec.round()), time_left(remaining_ms),
                if props.stopping { " · stopping after this epoch" } else { "" }) }</span>
            <progress max={props.total.to_string()} value={last.epoch.to_string()} />
        </div>
    }
}

/// Milliseconds per epoch as this page sees them arrive: the wall time since the first epoch
/// was shown over the epochs since. `None` until a second epoch arrives. A new run (the epoch
/// going back) starts the measurement again.
#[hook]
fn use_epoch_pace(epoch: usize) -> Option<f64> {
    let first = use_mut_ref(|| None::<(Stopwatch, usize)>);
    let mut first = first.borrow_mut();
    if epoch == 0 || first.as_ref().is_some_and(|(_, seen)| epoch < *seen) {
        *first = None;
    }
    if epoch == 0 {
        return None;
    }
    let (clock, seen) = first.get_or_insert_with(|| (Stopwatch::start(), epoch));
    (epoch > *seen).then(|| clock.elapsed_ms() / (epoch - *seen) as f64)
}

/// "12 s", "3 min 5 s": whole seconds, minutes beyond a minute.
fn time_left(ms: f64) -> String {
    let seconds = (ms / 1000.0).round().max(0.0) as u64;
    if seconds < 60 {
        format!("{seconds} s")
    } else {
        format!("{} min {} s", seconds / 60, seconds % 60)
    }
}
