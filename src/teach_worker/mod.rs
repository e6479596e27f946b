//! The Teach step's Web Worker: one lesson (`crate::teach`), stepped when the page asks or
//! played on a timer, each frame posted with its planes as a transferred `Float32Array`.
//! Without burn or tract, so it loads in a moment; the page starts it when the step is first
//! shown. Playing runs epochs in slices of at most ~25 ms, so that a pause or a new setting is
//! read between slices, and posts a frame at most every 100 ms (the page redraws ≤ 10 times a
//! second however fast the lesson trains).

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::MessageEvent;

use crate::clock::Stopwatch;
use crate::protocol::{Envelope, Request, Response};
use crate::teach::{Lesson, TablePlane};
use crate::web_worker::{post, post_floats, scope};

/// The most milliseconds of training between two looks at the page's messages.
const SLICE_MS: f64 = 25.0;
/// The least milliseconds between two frames while playing.
const FRAME_MS: f64 = 100.0;

struct Playing {
    /// As fast as it goes when `None`.
    epochs_per_second: Option<f64>,
    clock: Stopwatch,
    start_epoch: usize,
    last_frame: Stopwatch,
    last_frame_epoch: usize,
}

#[derive(Default)]
struct Teacher {
    lesson: Option<Lesson>,
    number: u32,
    density: usize,
    thumb: usize,
    /// Epochs of history the page has.
    history_sent: usize,
    playing: Option<Playing>,
    /// A timer is set to run the next slice.
    ticking: bool,
}

/// Entry point of the worker's wasm module.
pub fn start() {
    console_error_panic_hook::set_once();
    let teacher = Rc::new(RefCell::new(Teacher::default()));
    let handler = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        handle(&teacher, &event.data());
    });
    scope().set_onmessage(Some(handler.as_ref().unchecked_ref()));
    handler.forget();
    post(Response::WorkerStarted);
}

fn failed(message: String) {
    post(Response::TeachFailed { message });
}

fn handle(teacher: &Rc<RefCell<Teacher>>, value: &JsValue) {
    let message = match Envelope::<Request>::from_js(value) {
        Ok(envelope) => envelope.message,
        Err(error) => {
            return failed(format!(
                "The page sent a message the Teach step's worker could not read: {error}."
            ));
        }
    };
    let mut t = teacher.borrow_mut();
    match message {
        Request::TeachStart {
            lesson,
            settings,
            table,
            plane,
            density,
            thumb,
        } => {
            let started = match table {
                Some(table) => {
                    Lesson::with_table(settings, *table, &plane.unwrap_or(TablePlane::Pca))
                }
                None => Lesson::new(settings),
            };
            // Whatever played before stops: the page shows the new lesson or why it failed.
            t.playing = None;
            match started {
                Ok(new) => {
                    t.lesson = Some(new);
                    t.number = lesson;
                    t.density = density.clamp(2, 200);
                    t.thumb = thumb.clamp(2, 64);
                    t.history_sent = 0;
                    send_frame(&mut t, true);
                }
                Err(error) => failed(error.to_string()),
            }
        }
        Request::TeachStep { epoch } => {
            if let Some(lesson) = &mut t.lesson {
                if epoch {
                    lesson.step_epoch();
                } else {
                    lesson.step_batch();
                }
                send_frame(&mut t, false);
            }
        }
        Request::TeachPlay { epochs_per_second } => {
            if let Some(lesson) = &t.lesson {
                let epoch = lesson.epoch();
                t.playing = Some(Playing {
                    epochs_per_second: epochs_per_second.filter(|e| *e > 0.0),
                    clock: Stopwatch::start(),
                    start_epoch: epoch,
                    last_frame: Stopwatch::start(),
                    last_frame_epoch: epoch,
                });
                if !t.ticking {
                    t.ticking = true;
                    schedule(teacher.clone(), 0);
                }
            }
        }
        Request::TeachPause => {
            t.playing = None;
            send_frame(&mut t, false);
        }
        Request::TeachView { epoch } => {
            let Some(lesson) = &t.lesson else { return };
            match lesson.at_snapshot(epoch) {
                Ok(mut copy) => {
                    let (mut frame, planes) =
                        copy.frame(t.number, t.history_sent, false, t.density, t.thumb);
                    frame.history.clear();
                    frame.history_from = t.history_sent;
                    frame.viewing = Some(epoch);
                    post_floats(Response::TeachFrame(Box::new(frame)), &planes);
                }
                Err(error) => failed(error.to_string()),
            }
        }
        Request::TeachPlane { plane } => {
            let Some(lesson) = &mut t.lesson else { return };
            match lesson.set_plane(&plane) {
                Ok(()) => send_frame(&mut t, true),
                Err(error) => failed(error.to_string()),
            }
        }
        Request::TeachRestore { epoch } => {
            let Some(lesson) = &mut t.lesson else { return };
            match lesson.restore(epoch) {
                Ok(()) => {
                    t.history_sent = t.history_sent.min(epoch);
                    t.playing = None;
                    send_frame(&mut t, false);
                }
                Err(error) => failed(error.to_string()),
            }
        }
        _ => failed(
            "The Teach step's worker only runs lessons; the engine's worker does the rest.".into(),
        ),
    }
}

/// Posts the lesson's frame (the epochs since the last one, and the points when asked).
fn send_frame(t: &mut Teacher, with_points: bool) {
    let (number, from, density, thumb) = (t.number, t.history_sent, t.density, t.thumb);
    let Some(lesson) = &mut t.lesson else { return };
    let (mut frame, planes) = lesson.frame(number, from, with_points, density, thumb);
    t.history_sent = lesson.history().len();
    if let Some(playing) = &mut t.playing {
        frame.playing = true;
        let seconds = playing.last_frame.elapsed_ms() / 1000.0;
        if seconds > 0.0 && frame.epoch > playing.last_frame_epoch {
            frame.epochs_per_second =
                Some((frame.epoch - playing.last_frame_epoch) as f64 / seconds);
        }
        playing.last_frame = Stopwatch::start();
        playing.last_frame_epoch = frame.epoch;
    }
    post_floats(Response::TeachFrame(Box::new(frame)), &planes);
}

fn schedule(teacher: Rc<RefCell<Teacher>>, delay_ms: i32) {
    let callback = Closure::once_into_js(move || tick(&teacher));
    let set = scope()
        .set_timeout_with_callback_and_timeout_and_arguments_0(callback.unchecked_ref(), delay_ms);
    if let Err(error) = set {
        web_sys::console::error_1(&error);
    }
}

/// One slice of playing: epochs until the slice is spent (or, at a set speed, until the
/// lesson is on schedule), a frame when 100 ms have passed, then the next slice.
fn tick(teacher: &Rc<RefCell<Teacher>>) {
    let mut guard = teacher.borrow_mut();
    let t = &mut *guard;
    let (Some(lesson), Some(playing)) = (&mut t.lesson, &t.playing) else {
        t.ticking = false;
        return;
    };
    let slice = Stopwatch::start();
    let mut ahead = false;
    loop {
        if let Some(rate) = playing.epochs_per_second {
            let due = playing.start_epoch + (playing.clock.elapsed_ms() / 1000.0 * rate) as usize;
            if lesson.epoch() >= due {
                ahead = true;
                break;
            }
        }
        lesson.step_epoch();
        if slice.elapsed_ms() >= SLICE_MS {
            break;
        }
    }
    if playing.last_frame.elapsed_ms() >= FRAME_MS {
        send_frame(t, false);
    }
    drop(guard);
    schedule(teacher.clone(), if ahead { 10 } else { 0 });
}
