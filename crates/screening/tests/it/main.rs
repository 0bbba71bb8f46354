//! The crate's one integration-test binary (one link on two cores): fixtures in the
//! publishers' formats, screening behaviour, the batch contract, parser properties,
//! and checks against the real shared lists when they are present.

mod batch;
mod fixtures;
mod list_formats;
mod parser_properties;
mod screening;
mod shared_lists;

use std::path::{Path, PathBuf};

use meridian_screening::{Index, LoadedLists, load_lists_dir};

pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lists")
}

pub fn load_fixtures() -> LoadedLists {
    load_lists_dir(&fixtures_dir()).expect("fixture lists load")
}

pub fn fixture_index() -> Index {
    Index::build(load_fixtures().entities)
}

/// The real lists: `MERIDIAN_SHARED_DIR` or the repo's sibling `shared/`. `None` (and
/// a note on stderr) when absent, so the suite runs anywhere.
pub fn shared_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("MERIDIAN_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    if dir.join("data/lists").is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "skipping: shared lists not found at {} (set MERIDIAN_SHARED_DIR)",
            dir.display()
        );
        None
    }
}
