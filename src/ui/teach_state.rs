//! The Teach step's part of the page state and its reducer: the classroom (settings, hidden
//! controls, goal) as the user set it, the lesson the worker runs, and its latest frame. Like
//! `state.rs`, no component is imported here.

use std::rc::Rc;

use crate::teach::{Classroom, Frame, FramePoints, Scores, WeightHistogram};

/// How fast Play trains.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Speed {
    /// 5 epochs a second: each step can be watched.
    Slow,
    /// 30 epochs a second.
    #[default]
    Normal,
    /// As fast as the worker goes.
    Fast,
}

impl Speed {
    pub const ALL: [Speed; 3] = [Speed::Slow, Speed::Normal, Speed::Fast];

    pub fn epochs_per_second(self) -> Option<f64> {
        match self {
            Speed::Slow => Some(5.0),
            Speed::Normal => Some(30.0),
            Speed::Fast => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Speed::Slow => "slow (5 epochs/s)",
            Speed::Normal => "normal (30 epochs/s)",
            Speed::Fast => "as fast as it goes",
        }
    }
}

/// Columns of the weight histograms over time; when full, every other one is dropped.
pub const MAX_HISTOGRAM_COLUMNS: usize = 240;

#[derive(Clone, Debug, PartialEq, Default)]
pub struct TeachView {
    /// The Teach step's worker is running (it starts when the step is first shown).
    pub worker_ready: bool,
    pub room: Classroom,
    /// The lesson the page asked for last: a new setting or Reset starts the next one.
    pub lesson: u32,
    pub frame: Option<Rc<Frame>>,
    /// The frame's planes: the boundary, then each hidden unit's thumbnail.
    pub planes: Rc<Vec<f32>>,
    pub points: Option<Rc<FramePoints>>,
    /// Every finished epoch's scores.
    pub history: Rc<Vec<Scores>>,
    /// Each layer's weight histogram at the epochs frames arrived at (thinned to at most
    /// [`MAX_HISTOGRAM_COLUMNS`]).
    pub weights_over_time: Rc<Vec<(usize, Vec<WeightHistogram>)>>,
    pub playing: bool,
    pub speed: Speed,
    pub error: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TeachAction {
    WorkerStarted,
    /// The page's address holds a classroom link (its query).
    Link(String),
    /// The user changed the classroom; new settings start a new lesson.
    Room(Classroom),
    Reset,
    Frame(Box<Frame>, Rc<Vec<f32>>),
    /// The page asked the worker to play or pause.
    Playing(bool),
    SetSpeed(Speed),
    Failed(String),
}

impl TeachView {
    pub fn apply(&mut self, action: TeachAction) {
        match action {
            TeachAction::WorkerStarted => self.worker_ready = true,
            TeachAction::Link(query) => match Classroom::from_query(&query) {
                Ok(room) => {
                    if room != self.room {
                        self.set_room(room);
                    }
                    self.error = None;
                }
                Err(error) => {
                    self.error = Some(format!("This classroom link could not be opened: {error}"))
                }
            },
            TeachAction::Room(room) => {
                self.set_room(room);
                self.error = None;
            }
            TeachAction::Reset => self.next_lesson(),
            TeachAction::Frame(frame, planes) => {
                if frame.lesson != self.lesson {
                    return;
                }
                if frame.viewing.is_none() {
                    let history = Rc::make_mut(&mut self.history);
                    history.truncate(frame.history_from);
                    history.extend_from_slice(&frame.history);
                    let columns = Rc::make_mut(&mut self.weights_over_time);
                    columns.retain(|(epoch, _)| *epoch <= frame.epoch);
                    if columns.last().is_none_or(|(epoch, _)| *epoch < frame.epoch) {
                        columns.push((frame.epoch, frame.histograms.clone()));
                    }
                    if columns.len() > MAX_HISTOGRAM_COLUMNS {
                        let mut index = 0;
                        columns.retain(|_| {
                            index += 1;
                            index % 2 == 1
                        });
                    }
                }
                if let Some(points) = &frame.points {
                    self.points = Some(Rc::new(points.clone()));
                }
                self.playing = frame.playing;
                self.planes = planes;
                self.frame = Some(Rc::from(frame));
            }
            TeachAction::Playing(playing) => self.playing = playing,
            TeachAction::SetSpeed(speed) => self.speed = speed,
            TeachAction::Failed(message) => {
                self.error = Some(message);
                self.playing = false;
            }
        }
    }

    fn set_room(&mut self, room: Classroom) {
        let new_lesson = room.settings != self.room.settings;
        self.room = room;
        if new_lesson {
            self.next_lesson();
        }
    }

    fn next_lesson(&mut self) {
        self.lesson += 1;
        self.playing = false;
        self.history = Rc::new(Vec::new());
        self.weights_over_time = Rc::new(Vec::new());
    }
}
