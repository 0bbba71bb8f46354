//! The risk crate's integration tests: one binary (`it`) so the crate links
//! once. Scenarios are drawn from public frameworks; properties are the
//! invariants the issue demands; importers run on fixtures in the publishers'
//! formats.

mod common;
mod importers;
mod policy;
mod properties;
mod scenarios;
