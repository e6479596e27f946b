//! Dynamic batching: requests that arrive together are answered in one run of the graph.
//!
//! One collector task per model takes the first waiting request, then keeps taking requests
//! until the batch holds `max_batch` rows or `delay` has passed since the first, and hands the
//! batch to one of `workers` blocking threads (tract runs synchronously). It waits only while
//! another request is on its way (counted from its arrival to its queueing, [`Arrival`]): a
//! lone client is answered at once instead of after the delay (one client's median latency
//! went from 3.9 ms to 0.41 ms with this, BENCHMARKS.md). A request larger than `max_batch`
//! is run alone. Each request gets back its own rows' answers, or — when the
//! merged run fails — the error of running its rows alone, so one client's bad rows never
//! fail another's.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::sync::{Semaphore, mpsc, oneshot};

use crate::infer::{Answers, InferError, InputRow};

/// Answers rows: the model's graph, or a stand-in in the tests.
pub trait Answerer: Send + Sync + 'static {
    fn answer(&self, rows: &[InputRow]) -> Result<Answers, InferError>;
}

impl Answerer for crate::infer::OnnxModel {
    fn answer(&self, rows: &[InputRow]) -> Result<Answers, InferError> {
        self.predict(rows)
    }
}

/// How batches are formed.
#[derive(Clone, Copy, Debug)]
pub struct BatchSettings {
    pub max_batch: usize,
    pub delay: Duration,
    pub workers: usize,
}

/// A request waiting for its answers.
struct Job {
    rows: Vec<InputRow>,
    reply: oneshot::Sender<Result<Answers, InferError>>,
}

/// The sending side: cheap to clone, one per model.
#[derive(Clone)]
pub struct Batcher {
    jobs: mpsc::Sender<Job>,
    /// Requests that arrived and are not queued yet (their bodies are being read).
    arriving: Arc<AtomicUsize>,
}

/// A request on its way to the batcher: counted until it is queued or dropped.
pub struct Arrival {
    arriving: Arc<AtomicUsize>,
}

impl Drop for Arrival {
    fn drop(&mut self) {
        self.arriving.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Called with each batch's row count (for the batch-size histogram).
pub type OnBatch = Arc<dyn Fn(usize) + Send + Sync>;

impl Batcher {
    /// Starts the collector on the current Tokio runtime.
    pub fn start(model: Arc<dyn Answerer>, settings: BatchSettings, on_batch: OnBatch) -> Batcher {
        let (jobs, queue) = mpsc::channel(4 * settings.max_batch.max(64));
        let arriving = Arc::new(AtomicUsize::new(0));
        tokio::spawn(collect(model, settings, queue, arriving.clone(), on_batch));
        Batcher { jobs, arriving }
    }

    /// Counts a request that will be answered here, from its arrival: a batch waits for it.
    pub fn arrive(&self) -> Arrival {
        self.arriving.fetch_add(1, Ordering::SeqCst);
        Arrival {
            arriving: self.arriving.clone(),
        }
    }

    /// The answers to `rows`, batched with whatever else is waiting.
    pub async fn answer(
        &self,
        rows: Vec<InputRow>,
        arrival: Arrival,
    ) -> Result<Answers, InferError> {
        let (reply, answer) = oneshot::channel();
        let stopped = || InferError::Runtime {
            file: "the server".into(),
            problem: "the batching task has stopped".into(),
        };
        let queued = self.jobs.send(Job { rows, reply }).await;
        drop(arrival);
        queued.map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

async fn collect(
    model: Arc<dyn Answerer>,
    settings: BatchSettings,
    mut queue: mpsc::Receiver<Job>,
    arriving: Arc<AtomicUsize>,
    on_batch: OnBatch,
) {
    let workers = Arc::new(Semaphore::new(settings.workers.max(1)));
    // A job that would have overfilled the last batch starts the next one.
    let mut held: Option<Job> = None;
    loop {
        let first = match held.take() {
            Some(job) => job,
            None => match queue.recv().await {
                Some(job) => job,
                None => return,
            },
        };
        let mut rows = first.rows.len();
        let mut batch = vec![first];
        let deadline = tokio::time::Instant::now() + settings.delay;
        while rows < settings.max_batch {
            let next = match queue.try_recv() {
                Ok(job) => job,
                Err(mpsc::error::TryRecvError::Disconnected) => break,
                // Nothing waiting and nothing on its way: no reason to wait.
                Err(mpsc::error::TryRecvError::Empty) if arriving.load(Ordering::SeqCst) == 0 => {
                    break;
                }
                Err(mpsc::error::TryRecvError::Empty) => {
                    match tokio::time::timeout_at(deadline, queue.recv()).await {
                        Ok(Some(job)) => job,
                        Ok(None) | Err(_) => break,
                    }
                }
            };
            if rows + next.rows.len() > settings.max_batch {
                held = Some(next);
                break;
            }
            rows += next.rows.len();
            batch.push(next);
        }
        let Ok(permit) = workers.clone().acquire_owned().await else {
            return;
        };
        on_batch(rows);
        let model = model.clone();
        tokio::task::spawn_blocking(move || {
            run(model.as_ref(), batch);
            drop(permit);
        });
    }
}

/// Runs one batch and replies to each of its jobs.
fn run(model: &dyn Answerer, batch: Vec<Job>) {
    if batch.len() > 1 {
        let rows: Vec<InputRow> = batch.iter().flat_map(|job| job.rows.clone()).collect();
        // When some job's rows fail the merged run, each job is answered alone below.
        if let Ok(answers) = model.answer(&rows) {
            let classes = answers.probabilities.len() / answers.rows.max(1);
            let mut from = 0;
            for job in batch {
                let to = from + job.rows.len();
                let _ = job.reply.send(Ok(slice(&answers, from, to, classes)));
                from = to;
            }
            return;
        }
    }
    for job in batch {
        let answer = model.answer(&job.rows);
        let _ = job.reply.send(answer);
    }
}

/// Rows `from..to` of `answers`.
fn slice(answers: &Answers, from: usize, to: usize, classes: usize) -> Answers {
    let part = |values: &[f32], width: usize| {
        values
            .get(from * width..to * width)
            .map(<[f32]>::to_vec)
            .unwrap_or_default()
    };
    Answers {
        rows: to - from,
        labels: answers
            .labels
            .get(from..to)
            .map(<[String]>::to_vec)
            .unwrap_or_default(),
        probabilities: part(&answers.probabilities, classes),
        values: part(&answers.values, 1),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    /// Answers each row with its first field's number as the value; records each call's rows.
    struct Echo {
        calls: Mutex<Vec<usize>>,
    }

    impl Answerer for Echo {
        fn answer(&self, rows: &[InputRow]) -> Result<Answers, InferError> {
            self.calls.lock().unwrap().push(rows.len());
            let values = rows
                .iter()
                .map(|row| {
                    let text = row[0].clone().unwrap_or_default();
                    text.parse::<f32>().map_err(|_| InferError::NotANumber {
                        row: 1,
                        column: "x".into(),
                        value: text,
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Answers {
                rows: rows.len(),
                labels: Vec::new(),
                probabilities: Vec::new(),
                values,
            })
        }
    }

    fn rows(values: &[&str]) -> Vec<InputRow> {
        values.iter().map(|v| vec![Some(v.to_string())]).collect()
    }

    #[test]
    fn waiting_requests_share_one_run_and_each_gets_its_own_rows() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        let echo = Arc::new(Echo {
            calls: Mutex::new(Vec::new()),
        });
        let batches = Arc::new(Mutex::new(Vec::new()));
        let seen = batches.clone();
        let answers = runtime.block_on(async {
            let batcher = Batcher::start(
                echo.clone(),
                BatchSettings {
                    max_batch: 5,
                    delay: Duration::from_millis(50),
                    workers: 1,
                },
                Arc::new(move |n| seen.lock().unwrap().push(n)),
            );
            // Four requests at once (3 + 1 rows batch together; 2 more would overfill, so
            // they start the next batch; a bad row fails only its own request).
            // All four arrive before any is queued, so the first batch waits for the others.
            let arrivals: Vec<Arrival> = (0..4).map(|_| batcher.arrive()).collect();
            let mut arrivals = arrivals.into_iter();
            let mut next = || arrivals.next().unwrap();
            let (a, b, c, d) = tokio::join!(
                batcher.answer(rows(&["1", "2", "3"]), next()),
                batcher.answer(rows(&["4"]), next()),
                batcher.answer(rows(&["5", "6"]), next()),
                batcher.answer(rows(&["x"]), next()),
            );
            (a, b, c, d)
        });
        assert_eq!(answers.0.unwrap().values, vec![1.0, 2.0, 3.0]);
        assert_eq!(answers.1.unwrap().values, vec![4.0]);
        assert_eq!(answers.2.unwrap().values, vec![5.0, 6.0]);
        assert!(answers.3.is_err());
        assert_eq!(*batches.lock().unwrap(), vec![4, 3]);
        // The second batch (2 + 1 rows) failed merged and was answered job by job.
        assert_eq!(*echo.calls.lock().unwrap(), vec![4, 3, 2, 1]);
    }
}
