//! The normalized resource model every rule sees, whatever the input format.

mod intrinsic;
mod resource;
mod secrets;
mod source;

pub use intrinsic::{is_intrinsic, is_intrinsic_key};
pub use resource::{
    InlineSuppression, InputFormat, PlannedAction, Resource, TagValue, UNKNOWN_MARKER, is_unknown, unknown_marker,
};
pub use resource::{READ_TWO_WAYS, READINGS_MARKER, readings_marker, readings_of};
pub use resource::{UNREADABLE_JSON_MARKER, unreadable_json_marker, unreadable_json_reason};
pub use secrets::{MASK, Secrets};
pub use source::{Anchor, Location, SourceFile, locations};
