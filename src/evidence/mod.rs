//! Evidence that the controls operated: the run record `check --evidence` writes (an in-toto
//! Statement whose subjects are the inputs), its digests, and the checks that a kept record
//! still matches the files it names; reading a folder of records back (store.rs) to find runs
//! (query.rs) and to put together the audit package of a control (package.rs).
//!
//! The record holds everything an auditor asks of a run: the inputs and policies by digest, the
//! settings (every weakening included), per-control counts, the exceptions applied, what the
//! change does to each resource, the gate's decision, the change's context and the run's start
//! and end. Only the two times differ between runs on the same files.

pub mod digest;
pub mod metrics;
pub mod package;
pub mod query;
pub mod record;
pub mod store;
pub mod verify;

pub use digest::{bundle_digest, normalized};
pub use record::{InputFile, POLICY_SUBJECT, PREDICATE_TYPE, RecordFacts, ResourceChange, STATEMENT_TYPE, statement};
