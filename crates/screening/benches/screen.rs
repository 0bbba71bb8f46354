//! Screening throughput over all shared lists (or the fixtures when shared/ is absent):
//! `cargo bench -p meridian-screening --bench screen`. Queries are every 20th listed
//! name with a typo (half) and the same count of synthetic unlisted names (half).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use divan::counter::ItemsCount;
use meridian_screening::{Entity, Index, Query, load_lists_dir};

fn main() {
    divan::main();
}

fn lists_dir() -> PathBuf {
    let shared = std::env::var_os("MERIDIAN_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"))
        .join("data/lists");
    if shared.is_dir() {
        shared
    } else {
        eprintln!("shared lists not found: benchmarking the fixtures");
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lists")
    }
}

fn entities() -> &'static Vec<Entity> {
    static ENTITIES: OnceLock<Vec<Entity>> = OnceLock::new();
    ENTITIES.get_or_init(|| match load_lists_dir(&lists_dir()) {
        Ok(loaded) => loaded.entities,
        Err(err) => panic!("benchmark lists do not load: {err}"),
    })
}

fn index() -> &'static Index {
    static INDEX: OnceLock<Index> = OnceLock::new();
    INDEX.get_or_init(|| Index::build(entities().clone()))
}

/// Deterministic query mix, also written by `examples/bench_queries.rs` for the peer.
fn queries() -> &'static Vec<Query> {
    static QUERIES: OnceLock<Vec<Query>> = OnceLock::new();
    QUERIES.get_or_init(|| {
        meridian_screening::bench_support::query_mix(entities())
            .into_iter()
            .map(Query::name)
            .collect()
    })
}

#[divan::bench(sample_count = 20)]
fn screen_query_mix(bencher: divan::Bencher) {
    let index = index();
    let queries = queries();
    bencher.counter(ItemsCount::new(queries.len())).bench(|| {
        let mut found = 0usize;
        for query in queries {
            found += index.screen(divan::black_box(query)).len();
        }
        found
    });
}

#[divan::bench(sample_count = 5)]
fn build_index(bencher: divan::Bencher) {
    let entities = entities();
    let names: usize = entities.iter().map(|e| e.names.len()).sum();
    bencher
        .counter(ItemsCount::new(names))
        .with_inputs(|| entities.clone())
        .bench_values(Index::build);
}
