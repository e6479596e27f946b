//! The Teach step's part of the page state and its reducer: the classroom (settings, hidden
//! controls, goal) as the user set it, the lesson the worker runs, and its latest frame. Like
//! `state.rs`, no component is imported here.

use std::rc::Rc;

use crate::data::Profile;
use crate::teach::{
    Classroom, Frame, FramePoints, ModelPlane, Scores, Table, TablePlane, TableRef, WeightHistogram,
};

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
    /// The page asked to pause and the worker's paused frame has not come yet: frames it sent
    /// before it read the pause must not show the lesson playing again.
    pub pause_pending: bool,
    pub speed: Speed,
    pub error: Option<String>,
    /// The Data step's table, prepared, once the engine's worker has handed it over.
    pub table: Option<Rc<Table>>,
    /// The page asked the engine's worker for the table.
    pub table_requested: bool,
    /// A link that carries its table's file was opened: the file is to be loaded in the Data
    /// step (hooks.rs sends it to the engine's worker).
    pub link_file_pending: bool,
    /// The Train step's model drawn on a table lesson's plane.
    pub model: ModelOverlay,
}

/// The Train step's model on the plane of a lesson on every feature of the table: asked of
/// the compute worker again whenever the plane, the lesson or the model changes.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct ModelOverlay {
    /// The user chose to see it.
    pub shown: bool,
    /// The number of the last query sent; an answer to an older one is dropped.
    pub asked: u32,
    pub answer: Option<Result<Rc<ModelPlane>, String>>,
}

impl TeachView {
    /// Whether the lesson can start: a toy lesson at once, a table lesson once the table is
    /// here.
    pub fn can_start(&self) -> bool {
        self.room.settings.table.is_none() || self.table.is_some()
    }

    /// The target a table lesson names, when `profile` is of its file and has that column.
    pub fn link_target(&self, profile: &Profile) -> Option<String> {
        self.room
            .settings
            .table
            .as_ref()
            .filter(|table| table.name == profile.source)
            .filter(|table| profile.columns.iter().any(|c| c.name == table.target))
            .map(|table| table.target.clone())
    }

    /// The file this table lesson's link carries, when the page should offer it: the table
    /// has been handed over and its file packs small enough.
    pub fn packed_file(&self) -> Option<&str> {
        self.room.settings.table.as_ref()?;
        self.table.as_ref()?.file.as_ref()?.packed.as_deref()
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum TeachAction {
    WorkerStarted,
    /// The page's address holds a classroom link (its query).
    Link(String),
    /// The user changed the classroom; new settings start a new lesson.
    Room(Box<Classroom>),
    /// Put the table's file into the link, or take it out (no new lesson).
    ShareFile(bool),
    /// The link's file was handed to the engine's worker to load.
    LinkFileSent,
    Reset,
    Frame(Box<Frame>, Rc<Vec<f32>>),
    /// The page asked the worker to play or pause.
    Playing(bool),
    SetSpeed(Speed),
    Failed(String),
    /// Learn the Data step's table (asked of the engine's worker; the lesson starts when it
    /// arrives).
    UseTable,
    TableRequested,
    /// The engine's worker handed over the table.
    Table(Rc<Table>),
    /// The Data step's data or preparation changed: the table must be asked for again.
    TableStale,
    /// Draw the table lesson on another plane (no retraining).
    Plane(TablePlane),
    /// Show the Train step's model on the lesson's plane, or stop.
    ShowModel(bool),
    /// Query number `id` for the model's plane was sent.
    ModelAsked(u32),
    /// The compute worker's answer: the model's plane, or why it cannot be drawn.
    ModelPlane(Result<Rc<ModelPlane>, String>),
}

impl TeachView {
    pub fn apply(&mut self, action: TeachAction) {
        match action {
            TeachAction::WorkerStarted => self.worker_ready = true,
            TeachAction::Link(query) => match Classroom::from_query(&query) {
                Ok(room) => {
                    if room != self.room {
                        self.link_file_pending = room.data.is_some();
                        self.set_room(room);
                    }
                    self.error = None;
                }
                Err(error) => {
                    self.error = Some(format!("This classroom link could not be opened: {error}"))
                }
            },
            TeachAction::Room(room) => {
                self.set_room(*room);
                self.error = None;
            }
            TeachAction::ShareFile(share) => {
                self.room.data = share
                    .then(|| self.packed_file().map(str::to_string))
                    .flatten();
            }
            TeachAction::LinkFileSent => self.link_file_pending = false,
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
                if !frame.playing {
                    self.pause_pending = false;
                }
                self.playing = frame.playing && !self.pause_pending;
                self.planes = planes;
                self.frame = Some(Rc::from(frame));
            }
            TeachAction::Playing(playing) => {
                self.playing = playing;
                self.pause_pending = !playing;
            }
            TeachAction::SetSpeed(speed) => self.speed = speed,
            TeachAction::Failed(message) => {
                self.error = Some(message);
                self.playing = false;
            }
            TeachAction::UseTable => {
                if self.room.settings.table.is_none() {
                    // A placeholder until the table tells its name and size.
                    self.room.settings.table = Some(TableRef {
                        name: String::new(),
                        target: String::new(),
                        rows: 0,
                        sha256: None,
                        columns: None,
                    });
                    self.room.data = None;
                    self.room.settings.painted.clear();
                    self.room.plane = Some(TablePlane::Pca);
                    self.next_lesson();
                }
                if self.table.is_some() {
                    self.adopt_table();
                }
            }
            TeachAction::TableRequested => self.table_requested = true,
            TeachAction::Table(table) => {
                self.table = Some(table);
                self.table_requested = false;
                self.adopt_table();
            }
            TeachAction::TableStale => {
                self.table = None;
                self.table_requested = false;
            }
            TeachAction::Plane(plane) => self.room.plane = Some(plane),
            TeachAction::ShowModel(shown) => self.model.shown = shown,
            // The last answer stays on screen until the new one comes (no flicker while a
            // slider moves the slice).
            TeachAction::ModelAsked(id) => self.model.asked = id,
            TeachAction::ModelPlane(answer) => {
                let current = match &answer {
                    Ok(plane) => plane.id == self.model.asked,
                    Err(_) => true,
                };
                if current {
                    self.model.answer = Some(answer);
                }
            }
        }
    }

    /// Fills in the placeholder table reference from the table that arrived (a link's own
    /// reference stays, so that a different file is refused by name), and starts the lesson.
    fn adopt_table(&mut self) {
        let Some(table) = &self.table else { return };
        if let Some(reference) = &mut self.room.settings.table
            && reference.name.is_empty()
        {
            reference.name = table.name.clone();
            reference.target = table.target.clone();
            reference.rows = table.source_rows;
            reference.sha256 = table.file.as_ref().map(|file| file.sha256.clone());
        }
        self.error = None;
        self.next_lesson();
    }

    fn set_room(&mut self, mut room: Classroom) {
        if room.settings.table.is_none() {
            room.data = None;
        }
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
