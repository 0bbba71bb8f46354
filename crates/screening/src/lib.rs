//! Restricted-party screening, pure: list bytes in, matches out. `formats` parses each
//! publisher's files into `Entity`s, `normalize` makes names comparable, `Index`
//! selects and scores candidates, `batch` implements the `meridian screen` contract.
//! `load` is the one module that reads files (a directory of lists) for the callers.
//!
//! The calls the CLI and web make:
//!
//! ```text
//! let lists = load_lists_dir(dir)?;            // Err(Error::NoLists) when nothing loads
//! let index = Index::build(lists.entities);    // keep lists.versions for the record
//! let matches = index.screen(&Query::name("Beihang University"));
//! batch::run(stdin.lock(), stdout.lock(), &index, &BatchOptions::default())?;
//! ```

pub mod batch;
#[doc(hidden)]
pub mod bench_support;
pub mod country;
pub mod entity;
pub mod error;
mod fast_hash;
pub mod formats;
pub mod index;
pub mod load;
pub mod normalize;
pub mod score;

pub use entity::{Entity, EntityKind, EntityName, NameQuality, ParsedList, RowIssue};
pub use error::Error;
pub use index::{
    Adjustment, DEFAULT_LIMIT, DEFAULT_THRESHOLD, Explanation, Index, Match, Query, ScreenOptions,
};
pub use load::{ListVersion, LoadedLists, load_lists_dir};
pub use score::{NameScore, TokenAlignment};

/// Scores two names with the index's scorer and static token weights (no corpus IDF),
/// for benchmarks and one-off comparisons. `schema` is a FollowTheMoney-style schema
/// or a kind word ("Person", "Company", "organization", "vessel"); persons get the
/// dropped-middle-name rule.
pub fn pair_score(name1: &str, name2: &str, schema: &str) -> f32 {
    let person = matches!(
        schema.to_ascii_lowercase().as_str(),
        "person" | "individual"
    );
    let weighted = |raw: &str| -> Vec<score::WeightedToken<'static>> {
        normalize::normalize(raw)
            .tokens
            .into_iter()
            .map(|t| score::WeightedToken {
                key: score::NO_KEY,
                weight: t.class.base_weight(),
                class: t.class,
                text: std::borrow::Cow::Owned(t.text),
            })
            .collect()
    };
    score::score_names(&weighted(name1), &weighted(name2), person).score
}
