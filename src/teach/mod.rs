//! The Teach step's engine: TensorFlow Playground's lesson for any browser tab and the CLI. A
//! seeded 2-D toy data set (`toy`), a small network trained a mini-batch at a time on the host
//! (`network`; why not burn is said there), the lesson that steps it, scores each epoch, keeps
//! snapshots and draws its planes (`lesson`), the Data step's table and the planes it can be
//! seen in (`table`), the frame the page draws (`frame`), the classroom link that replays it
//! (`link`), the table's file as a link holds it (`share`), and the Train step's model drawn
//! on a table lesson's plane (`model_plane`). No burn and no browser imports: the page's Teach worker and `hearth teach` run the
//! same code and reach the same losses bit for bit.

mod frame;
mod lesson;
mod link;
mod model_plane;
mod network;
mod share;
mod table;
mod toy;

use thiserror::Error;

pub use frame::{Frame, FramePoints, HISTOGRAM_BINS, HISTOGRAM_RANGE, WeightHistogram};
pub use lesson::{
    Feature, Lesson, LessonSettings, MAX_LAYERS, MAX_PAINTED, MAX_POINTS, MAX_UNITS, Scores,
    TableRef, cell_centre, cell_value,
};
pub use link::{Classroom, Goal, HIDEABLE, LINK_VERSION};
pub use model_plane::{MAX_MODEL_DENSITY, ModelPlane, ModelPlaneQuery, PlaneInputs, agreement};
pub use network::{Activation, Dense, Head, Network};
pub use share::{FileDigest, FileSeal, MAX_PACKED_CHARS, pack, unpack};
pub use table::{Held, MAX_TABLE_ROWS, Table, TablePlane};
pub use toy::{EXTENT, Point, Toy, generate};

/// What a lesson or a link can be refused for.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum TeachError {
    #[error("The setting `{setting}` is {value}; it must be {expected}.")]
    Setting {
        setting: &'static str,
        value: String,
        expected: &'static str,
    },
    #[error("The link's `{key}` is `{value}`, which this version of Hearth cannot read.")]
    LinkValue { key: String, value: String },
    #[error(
        "The link has no setting `{key}` this version of Hearth knows (or lacks `v`, its version)."
    )]
    LinkKey { key: String },
    #[error(
        "The link is version {version}; this Hearth reads version 1. Open it in the Hearth that made it."
    )]
    LinkVersion { version: u32 },
    #[error("This lesson is on a table: open the table in the Data step first.")]
    NeedsTable,
    #[error("This lesson was made with {wanted}; this is {found}, not the teacher's file.")]
    OtherTable { wanted: String, found: String },
    #[error("The link's table file cannot be opened: {reason}.")]
    LinkFile { reason: String },
    #[error("Only a lesson on every feature of a table has planes to choose from.")]
    NoPlaneToChoose,
    #[error("The table cannot be taught: {reason}.")]
    Table { reason: String },
    #[error(
        "The Train step's model {reason}: it was made on another preparation of the data. Train it again on this one to see it on the lesson's plane."
    )]
    OtherModel { reason: String },
    #[error("There is no snapshot at epoch {epoch}.")]
    NoSnapshot { epoch: usize },
}
