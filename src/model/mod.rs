//! The normalized resource model every rule sees, whatever the input format.

mod resource;
mod secrets;
mod source;

pub use resource::{
    InlineSuppression, InputFormat, PlannedAction, Resource, TagValue, UNKNOWN_MARKER, is_unknown, unknown_marker,
};
pub use resource::{READINGS_MARKER, readings_marker, readings_of};
pub use secrets::Secrets;
pub use source::{Anchor, Location, SourceFile, locations};
