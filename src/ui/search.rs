//! The search driver: holds the study on the page's thread and hands its trials to a pool of
//! Web Workers, each of which loads the same data, fits the same preprocessing and trains one
//! trial at a time. The pool's messages come here, not to the reducer: the driver asks, reports
//! and tells the study and dispatches a snapshot ([`SearchView`]) for the page to draw.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::spawn_local;
use web_sys::{ErrorEvent, File, MessageEvent, Worker, WorkerOptions};
use yew::UseReducerDispatcher;

use super::engine::COMPUTE_WORKER;
use super::hooks::{Listeners, worker_script};
use super::state::{Action, SearchView, State};
use super::storage::{self, SavedSearch};
use crate::protocol::{Envelope, Request, Response, SEARCH_WORKER_NAME};
use crate::search::{Decision, Study};

/// What every pool worker is sent to have the page's data: the load request (with the user's
/// file, if any) and, once it has profiled it, the prepare request.
#[derive(Clone)]
pub struct DataRequests {
    pub load: Request,
    pub file: Option<File>,
    pub prepare: Request,
    pub source: String,
    pub target: String,
}

/// A running search. Dropping it does not stop it; [`SearchDriver::stop`] does.
#[derive(Clone)]
pub struct SearchDriver(Rc<Driver>);

impl PartialEq for SearchDriver {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

struct Driver {
    study: RefCell<Study>,
    models: RefCell<BTreeMap<usize, Rc<String>>>,
    /// An Auto search's best trials' validation outputs, for the ensemble.
    candidates: RefCell<Vec<(usize, Vec<f32>)>>,
    /// A worker was asked for the ensemble; the search finishes on its answer.
    selecting: Cell<bool>,
    pool: RefCell<Vec<PoolWorker>>,
    data: DataRequests,
    dispatcher: UseReducerDispatcher<State>,
    running: Cell<bool>,
    auto: bool,
    error: RefCell<Option<String>>,
    /// Finished trials in the last copy of the study committed to the browser's storage.
    saved: Rc<Cell<Option<usize>>>,
    /// The trials whose models a save has written; `None` until this run's first save, which
    /// replaces the models an earlier study (or an earlier run of this one) left in storage.
    stored_models: Rc<RefCell<Option<BTreeSet<usize>>>>,
    /// When the last epoch snapshot was dispatched (ms), to redraw at most a few times a second.
    last_publish: Cell<f64>,
    /// The study's wall time before this run, and when this run began (ms): the study has no
    /// clock, so the driver keeps its `elapsed_ms` for the wall-clock budget.
    elapsed_before: f64,
    started_at: f64,
}

struct PoolWorker {
    worker: Worker,
    _listeners: Listeners,
}

/// Redraw the page on epoch reports at most this often; every finished trial redraws.
const EPOCH_PUBLISH_MS: f64 = 250.0;

impl SearchDriver {
    /// Starts `workers` pool workers on `study` (new, or resumed from a saved one).
    pub fn start(
        study: Study,
        models: BTreeMap<usize, Rc<String>>,
        data: DataRequests,
        workers: usize,
        auto: bool,
        dispatcher: UseReducerDispatcher<State>,
    ) -> Result<SearchDriver, String> {
        let elapsed_before = study.elapsed_ms;
        let driver = Rc::new(Driver {
            elapsed_before,
            started_at: js_sys::Date::now(),
            study: RefCell::new(study),
            models: RefCell::new(models),
            candidates: RefCell::new(Vec::new()),
            selecting: Cell::new(false),
            pool: RefCell::new(Vec::new()),
            data,
            dispatcher,
            running: Cell::new(true),
            auto,
            error: RefCell::new(None),
            saved: Rc::new(Cell::new(None)),
            stored_models: Rc::new(RefCell::new(None)),
            last_publish: Cell::new(0.0),
        });
        for index in 0..workers.max(1) {
            let worker = spawn(&driver, index)?;
            driver.pool.borrow_mut().push(worker);
        }
        driver.publish();
        Ok(SearchDriver(driver))
    }

    /// Stops the search: the pool is terminated and its running trials are queued again, so
    /// that resuming runs them.
    pub fn stop(&self) {
        self.0.finish(None);
    }
}

fn spawn(driver: &Rc<Driver>, index: usize) -> Result<PoolWorker, String> {
    let options = WorkerOptions::new();
    options.set_name(SEARCH_WORKER_NAME);
    let worker = Worker::new_with_options(&worker_script(COMPUTE_WORKER), &options)
        .map_err(|error| format!("A search worker could not start: {error:?}."))?;
    let weak = Rc::downgrade(driver);
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let Some(driver) = weak.upgrade() else {
            return;
        };
        match Envelope::<Response>::from_js(&event.data()) {
            Ok(envelope) => driver.on_response(index, envelope.message),
            Err(error) => driver.finish(Some(format!(
                "A search worker sent a message the page could not read: {error}."
            ))),
        }
    });
    let weak = Rc::downgrade(driver);
    let on_error = Closure::<dyn FnMut(ErrorEvent)>::new(move |event: ErrorEvent| {
        if let Some(driver) = weak.upgrade() {
            driver.finish(Some(format!(
                "A search worker failed: {}.",
                event.message()
            )));
        }
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    Ok(PoolWorker {
        worker,
        _listeners: (on_message, on_error),
    })
}

impl Drop for Driver {
    fn drop(&mut self) {
        for worker in self.pool.get_mut().drain(..) {
            worker.worker.terminate();
        }
    }
}

impl Driver {
    fn send(&self, index: usize, request: Request, file: Option<File>) {
        let sent = Envelope {
            message: request,
            file,
            floats: None,
        }
        .to_js()
        .and_then(|value| {
            let pool = self.pool.borrow();
            let worker = pool.get(index).ok_or("no such worker")?;
            worker
                .worker
                .post_message(&value)
                .map_err(|error| format!("{error:?}"))
        });
        if let Err(error) = sent {
            self.finish(Some(format!(
                "A search worker could not be reached: {error}."
            )));
        }
    }

    fn on_response(self: &Rc<Self>, index: usize, response: Response) {
        if !self.running.get() {
            return;
        }
        match response {
            Response::WorkerStarted => {
                self.send(index, self.data.load.clone(), self.data.file.clone())
            }
            Response::Profiled { .. } => self.send(index, self.data.prepare.clone(), None),
            Response::Prepared { .. } => self.next_trial(index),
            Response::Failed { message } | Response::PrepareFailed { message } => {
                self.finish(Some(format!(
                    "A search worker could not prepare the data: {message}"
                )))
            }
            Response::TrialEpoch {
                number,
                epoch,
                value,
            } => {
                self.update_elapsed();
                let decision = self
                    .study
                    .borrow_mut()
                    .report(number, epoch, value)
                    .unwrap_or(Decision::Continue);
                self.send(index, Request::TrialDecision { number, decision }, None);
                let now = js_sys::Date::now();
                if now - self.last_publish.get() >= EPOCH_PUBLISH_MS {
                    self.publish();
                }
            }
            Response::Ensemble { ensemble } => {
                self.study.borrow_mut().ensemble = ensemble.map(|e| *e);
                self.finish(None);
            }
            Response::TrialDone {
                number,
                outcome,
                model,
                valid_outputs,
            } => {
                if let Err(error) = self.study.borrow_mut().tell(number, outcome) {
                    self.finish(Some(error.to_string()));
                    return;
                }
                if let Some(model) = model {
                    self.models.borrow_mut().insert(number, Rc::new(model));
                }
                if let Some(outputs) = valid_outputs {
                    self.study.borrow().keep_best_outputs(
                        &mut self.candidates.borrow_mut(),
                        number,
                        outputs,
                    );
                }
                self.save();
                self.next_trial(index);
                self.publish();
            }
            _ => {}
        }
    }

    fn next_trial(self: &Rc<Self>, index: usize) {
        if !self.running.get() {
            return;
        }
        self.update_elapsed();
        let asked = self.study.borrow_mut().ask();
        match asked {
            Ok(Some(ticket)) => {
                let settings = Box::new(self.study.borrow().settings.clone());
                let request = Request::RunTrial {
                    settings,
                    ticket,
                    outputs: self.auto,
                };
                self.send(index, request, None);
            }
            Ok(None) => {
                if self.study.borrow().running() == 0 {
                    self.select_ensemble_or_finish(index);
                }
            }
            Err(error) => self.finish(Some(error.to_string())),
        }
    }

    /// An Auto search that ran out of budget asks one of its workers (which hold the trials'
    /// data) for the ensemble of the best trials, and finishes when it answers; any other
    /// search finishes now.
    fn select_ensemble_or_finish(self: &Rc<Self>, index: usize) {
        let candidates = self.candidates.borrow().clone();
        if !self.auto || candidates.len() < 2 || self.selecting.replace(true) {
            if !self.selecting.get() {
                self.finish(None);
            }
            return;
        }
        let settings = Box::new(self.study.borrow().settings.clone());
        self.send(
            index,
            Request::SelectEnsemble {
                settings,
                candidates,
            },
            None,
        );
    }

    /// Ends the search (done, stopped or failed): terminates the pool, queues any running
    /// trial again, saves and shows the result.
    fn finish(&self, error: Option<String>) {
        if !self.running.replace(false) {
            return;
        }
        for worker in self.pool.borrow_mut().drain(..) {
            worker.worker.terminate();
        }
        self.study.borrow_mut().requeue_running();
        self.update_elapsed();
        *self.error.borrow_mut() = error;
        self.save();
        self.publish();
    }

    fn update_elapsed(&self) {
        self.study.borrow_mut().elapsed_ms =
            self.elapsed_before + (js_sys::Date::now() - self.started_at);
    }

    fn publish(&self) {
        self.last_publish.set(js_sys::Date::now());
        let view = SearchView {
            study: Rc::new(self.study.borrow().clone()),
            models: Rc::new(self.models.borrow().clone()),
            running: self.running.get(),
            workers: self.pool.borrow().len(),
            source: self.data.source.clone(),
            target: self.data.target.clone(),
            auto: self.auto,
            error: self.error.borrow().clone(),
            saved: self.saved.get(),
        };
        self.dispatcher.dispatch(Action::Search(Rc::new(view)));
    }

    /// Writes the study to the browser's storage; once committed, the page says how many
    /// finished trials are safe, and when the browser refuses, why.
    fn save(&self) {
        let study = self.study.borrow();
        let finished = study.finished();
        let Ok(study) = study.to_json() else {
            return;
        };
        let saved = SavedSearch {
            study,
            models: BTreeMap::new(),
            source: self.data.source.clone(),
            target: self.data.target.clone(),
        };
        // Each model is written once, with the first copy of the study that has its trial.
        let (models, replace) = {
            let mut stored = self.stored_models.borrow_mut();
            let replace = stored.is_none();
            let written = stored.get_or_insert_with(BTreeSet::new);
            let models = self
                .models
                .borrow()
                .iter()
                .filter(|(number, _)| written.insert(**number))
                .map(|(number, model)| (*number, model.clone()))
                .collect::<Vec<_>>();
            (models, replace)
        };
        let (kept, stored, dispatcher) = (
            self.saved.clone(),
            self.stored_models.clone(),
            self.dispatcher.clone(),
        );
        spawn_local(async move {
            // A full or missing store must not stop the search: the page says so and goes on.
            match storage::save_study(&saved, &models, replace).await {
                Ok(()) => {
                    kept.set(Some(kept.get().map_or(finished, |k| k.max(finished))));
                    dispatcher.dispatch(Action::StudySaved(finished));
                }
                Err(reason) => {
                    // The next save writes every model again.
                    stored.replace(None);
                    dispatcher.dispatch(Action::StorageFailed(storage::not_kept(&reason)))
                }
            }
        });
    }
}
