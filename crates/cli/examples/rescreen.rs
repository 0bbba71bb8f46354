//! Measures re-screening after a list change, end to end as the server does
//! it (`meridian_web::lists::rescreen_all`: every engagement screened and
//! assessed again, results stored, alerts compared), on a temporary SQLite
//! database with N engagements of three parties each, against every list
//! file under LISTS_DIR.
//!
//!     cargo run --release -p meridian-cli --example rescreen -- LISTS_DIR [ENGAGEMENTS]
//!
//! Prints the time to register the engagements (not part of the figure) and
//! two re-screening passes (the first raises an alert for every hit), with
//! parties per second.

use std::time::Instant;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let lists = std::path::PathBuf::from(
        args.next()
            .ok_or_else(|| anyhow::anyhow!("usage: rescreen LISTS_DIR [ENGAGEMENTS]"))?,
    );
    let n: usize = args.next().map(|s| s.parse()).transpose()?.unwrap_or(1000);
    let dir = tempfile::tempdir()?;
    let store = meridian_store::Store::open_sqlite_dir(dir.path(), 4).await?;
    let state = meridian_web::AppState::new(store.clone(), Default::default());
    state.engines.set_static_lists_dir(Some(lists.clone()));
    let t = Instant::now();
    meridian_web::lists::reload_index(&state)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let idx = state
        .engines
        .lists()
        .ok_or_else(|| anyhow::anyhow!("no lists under {}", lists.display()))?;
    println!(
        "index: {} entities, {} names, built in {:.2?}",
        idx.index.entity_count(),
        idx.index.name_count(),
        t.elapsed()
    );

    // Synthetic but realistic party names: a few listed, most not.
    let listed: Vec<String> = idx
        .index
        .entities()
        .iter()
        .step_by(97)
        .map(|e| e.primary_name().to_owned())
        .collect();
    let words = [
        "Northern",
        "Pacific",
        "Institute",
        "Applied",
        "Optics",
        "Marine",
        "Systems",
        "Research",
        "Polytechnic",
        "Bio",
        "Data",
        "Energy",
    ];
    let t = Instant::now();
    for i in 0..n {
        let p = |k: usize| {
            if (i * 3 + k).is_multiple_of(50) && !listed.is_empty() {
                listed[(i + k) % listed.len()].clone()
            } else {
                format!(
                    "{} {} {} {}",
                    words[(i + k) % words.len()],
                    words[(i / 7 + k) % words.len()],
                    words[(i / 13 + 2 * k) % words.len()],
                    i
                )
            }
        };
        let e = serde_json::json!({"title": format!("Engagement {i}"), "kind": "research_collaboration", "owner": "bench",
            "countries": ["DE"], "partners": [{"name": p(0), "country": "DE"}, {"name": p(1)}],
            "people": [{"name": format!("Person {} {}", words[i % words.len()], i)}]});
        let e = meridian_domain::parse_engagement_json(e.to_string().as_bytes())
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        store.create_engagement(e, "bench").await?;
    }
    println!(
        "registered {n} engagements ({} parties) in {:.2?} (not part of the figure)",
        n * 3,
        t.elapsed()
    );

    // First pass: nothing was screened before, so every hit is new (alerts).
    // Second pass: the usual case after a list update, few or no changes.
    for pass in ["first (every hit new)", "second (steady state)"] {
        let t = Instant::now();
        let report = meridian_web::lists::rescreen_all(&state)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let secs = t.elapsed().as_secs_f64();
        println!(
            "{pass}: re-screened {} parties in {} engagements in {:.2} s ({:.0} parties/s); {} alerts",
            report.parties,
            report.engagements,
            secs,
            report.parties as f64 / secs,
            report.alerts_raised
        );
    }
    Ok(())
}
