//! End-to-end HTTP tests against the real router (one binary for the crate).
//! They run on SQLite, or on PostgreSQL when TEST_DATABASE_URL is set.

mod api;
mod evaluation;
mod lists;
mod matrix;
mod oidc;
mod pages;
mod policy;
mod security;
