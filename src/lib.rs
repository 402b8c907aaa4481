//! controlgate: a pre-deploy compliance gate for AWS infrastructure-as-code.
//!
//! The stages of a run, one module each: [`input`] reads Terraform plans and CloudFormation
//! templates into the [`model`]; [`catalog`] loads controls and rules; [`evaluate`] runs the
//! rules' [`engine`] on every resource into [`finding`]s; [`report`] writes them as human
//! diagnostics, SARIF or JSON.

pub mod catalog;
pub mod change;
pub mod cli;
pub mod config;
pub mod engine;
pub mod environment;
pub mod error;
pub mod evaluate;
pub mod evidence;
pub mod exceptions;
pub mod finding;
pub mod gate;
#[cfg(feature = "guard")]
pub mod guardtest;
pub mod input;
pub mod model;
pub mod parameters;
pub mod paths;
pub mod pointer;
pub mod policytest;
pub mod report;
pub mod run;
pub mod selection;
pub mod text;
pub mod yaml;

pub use run::{Outcome, Run, check, load_catalog, load_exceptions, report_failure, run};
