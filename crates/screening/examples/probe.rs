//! Ad-hoc: load the shared lists and screen names given on the command line.
//! `cargo run --release -p meridian-screening --example probe -- DIR "name" ...`
use meridian_screening::{Index, Query, ScreenOptions, load_lists_dir};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = args.next().ok_or("usage: probe DIR NAME...")?;
    let started = std::time::Instant::now();
    let loaded = load_lists_dir(std::path::Path::new(&dir))?;
    println!(
        "loaded {} entities in {:?}",
        loaded.entities.len(),
        started.elapsed()
    );
    for v in &loaded.versions {
        println!(
            "  {} {} {} {}",
            v.source,
            v.file,
            &v.sha256[..12],
            v.entity_count
        );
    }
    println!(
        "issues: {}; skipped: {:?}",
        loaded.issues.len(),
        loaded.skipped
    );
    for issue in loaded.issues.iter().take(10) {
        println!("  {issue:?}");
    }
    let started = std::time::Instant::now();
    let index = Index::build(loaded.entities);
    println!(
        "index: {} names in {:?}",
        index.name_count(),
        started.elapsed()
    );
    let options = ScreenOptions {
        threshold: 0.5,
        limit: 5,
    };
    for name in args {
        println!("== {name}");
        for m in index.screen_with(&Query::name(name.clone()), &options) {
            println!(
                "  {:.3} {} {} {:?} <- {:?}",
                m.score, m.source, m.entity_id, m.name, m.matched_name
            );
        }
    }
    Ok(())
}
