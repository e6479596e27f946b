mod base;
mod indices;
mod layout;

pub use base::*;
pub use indices::*;
pub use layout::*;

pub(crate) mod parallel;
pub(crate) mod perpendicular;
