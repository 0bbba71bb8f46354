//! Recall@1 per kind of variation, and the false-positive rate on unlisted names, over
//! a variant set built from the shared lists themselves. Usage:
//! `cargo run --release -p meridian-screening --example variants -- [LISTS_DIR]`
//!
//! Each variant is made from one listed name (every 7th entity's primary name) and counts
//! as found when that entity is the top match at the default threshold. Categories the
//! name does not lend itself to (no legal form, fewer than three words) are skipped.

use std::time::Instant;

use meridian_screening::{Entity, EntityKind, Index, Query, load_lists_dir};

/// Makes one variant of an entity's name, or `None` when the category does not apply.
type MakeVariant = fn(&Entity) -> Option<String>;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args().nth(1).unwrap_or_else(|| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/lists").to_string()
    });
    let loaded = load_lists_dir(std::path::Path::new(&dir))?;
    let entities = loaded.entities.clone();
    let index = Index::build(loaded.entities);
    let categories: [(&str, MakeVariant); 7] = [
        ("exact", |e| Some(e.primary_name().to_string())),
        ("case+punctuation", |e| {
            Some(
                e.primary_name()
                    .to_lowercase()
                    .replace([',', '.', '-', '\''], " "),
            )
        }),
        ("typo", |e| typo(e.primary_name())),
        ("reordered", |e| {
            let words: Vec<&str> = e
                .primary_name()
                .split(|c: char| c == ',' || c.is_whitespace())
                .filter(|w| !w.is_empty())
                .collect();
            (words.len() >= 2).then(|| words.iter().rev().copied().collect::<Vec<_>>().join(" "))
        }),
        ("dropped middle name", |e| {
            if e.kind != EntityKind::Person {
                return None;
            }
            // "SURNAME, Given Middle" -> "Given SURNAME"; "Given Middle Surname" -> "Given Surname".
            let name = e.primary_name();
            if let Some((surname, given)) = name.split_once(',') {
                let given: Vec<&str> = given.split_whitespace().collect();
                return (given.len() >= 2).then(|| format!("{} {}", given[0], surname.trim()));
            }
            let words: Vec<&str> = name.split_whitespace().collect();
            (words.len() >= 3).then(|| format!("{} {}", words[0], words[words.len() - 1]))
        }),
        ("legal form spelled out", legal_form_variant),
        ("transliteration variant", translit_variant),
    ];
    println!(
        "{:<26} {:>6} {:>9} {:>12}",
        "category", "n", "recall@1", "µs/query p50"
    );
    for (label, make) in categories {
        let mut n = 0usize;
        let mut found = 0usize;
        let mut times = Vec::new();
        for entity in entities.iter().step_by(7) {
            let Some(name) = make(entity) else { continue };
            let query = Query::name(name);
            let started = Instant::now();
            let matches = index.screen(&query);
            times.push(started.elapsed().as_secs_f64() * 1e6);
            n += 1;
            // The same party is often on several lists under the same name: a top match
            // with the expected source and id, or an equal score for it, counts.
            let top = matches.first().map(|m| m.score);
            if matches.iter().any(|m| {
                m.source == entity.source && m.entity_id == entity.entity_id && Some(m.score) == top
            }) {
                found += 1;
            } else if std::env::var_os("VERBOSE").is_some() {
                let top = matches.first().map(|m| (m.score, m.name.as_str()));
                println!(
                    "MISS [{label}] {:?} for {:?}: top {top:?}",
                    query.name,
                    entity.primary_name()
                );
            }
        }
        times.sort_by(f64::total_cmp);
        let p50 = times.get(times.len() / 2).copied().unwrap_or(0.0);
        println!(
            "{label:<26} {n:>6} {:>9.3} {p50:>12.1}",
            found as f64 / n.max(1) as f64
        );
    }
    let unlisted = unlisted_names();
    let hits = unlisted
        .iter()
        .filter(|name| !index.screen(&Query::name(name.as_str())).is_empty())
        .count();
    println!(
        "unlisted names: {} queries, false-positive rate {:.3} ({hits} with a match at the default threshold)",
        unlisted.len(),
        hits as f64 / unlisted.len().max(1) as f64
    );
    Ok(())
}

fn typo(name: &str) -> Option<String> {
    let longest = name.split_whitespace().max_by_key(|w| w.chars().count())?;
    let chars: Vec<char> = longest.chars().collect();
    if chars.len() < 6 {
        return None;
    }
    let mut changed = chars.clone();
    changed.remove(chars.len() / 2);
    Some(name.replacen(longest, &changed.into_iter().collect::<String>(), 1))
}

fn legal_form_variant(entity: &Entity) -> Option<String> {
    let name = entity.primary_name();
    let upper = name.to_uppercase();
    for (short, long) in [
        ("CO., LTD.", "Company Limited"),
        ("CO. LTD.", "Company Limited"),
        ("CO., LTD", "Company Limited"),
        ("LLC", "Limited Liability Company"),
        ("L.L.C.", "Limited Liability Company"),
        ("OOO", "Limited Liability Company"),
        ("JSC", "Joint Stock Company"),
        ("AO", "Joint-Stock Company"),
        ("PJSC", "Public Joint Stock Company"),
        ("LTD.", "Limited"),
        ("LTD", "Limited"),
        ("CORP.", "Corporation"),
        ("INC.", "Incorporated"),
    ] {
        if let Some(position) = upper.find(short) {
            let end = position + short.len();
            let word_bounded = upper[..position]
                .chars()
                .last()
                .is_none_or(|c| !c.is_alphanumeric())
                && upper[end..]
                    .chars()
                    .next()
                    .is_none_or(|c| !c.is_alphanumeric());
            if word_bounded && name.is_char_boundary(position) && name.is_char_boundary(end) {
                return Some(format!("{}{}{}", &name[..position], long, &name[end..]));
            }
        }
    }
    None
}

fn translit_variant(entity: &Entity) -> Option<String> {
    if entity.kind != EntityKind::Person {
        return None;
    }
    let name = entity.primary_name().to_lowercase();
    let mut out = String::new();
    let mut changed = false;
    for word in name.split_whitespace() {
        let replaced = if let Some(stem) = word.strip_suffix("ey") {
            format!("{stem}ei")
        } else if let Some(stem) = word.strip_suffix("iy") {
            format!("{stem}y")
        } else if word.contains("kh") {
            word.replacen("kh", "h", 1)
        } else if word.contains("ou") {
            word.replacen("ou", "u", 1)
        } else if word.contains("mohammed") {
            word.replacen("mohammed", "muhammad", 1)
        } else {
            word.to_string()
        };
        changed |= replaced != word;
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&replaced);
    }
    changed.then_some(out)
}

fn unlisted_names() -> Vec<String> {
    let first = [
        "Harold", "Mei", "Olusegun", "Ingrid", "Rafael", "Tamar", "Kenji", "Aisha", "Bruno",
        "Liesel", "Priya", "Tomasz",
    ];
    let last = [
        "Finchley",
        "Okonkwo",
        "Lindqvist",
        "Brennan",
        "Castellano",
        "Whitcombe",
        "Nakagawa",
        "Dufresne",
        "Halvorsen",
    ];
    let orgs = [
        "Meadowbrook",
        "Silverline",
        "Quarry Hill",
        "Bluewater",
        "Northgate",
        "Amberfield",
        "Kestrel",
        "Larchmont",
    ];
    let suffixes = [
        "Analytics Ltd",
        "Biosciences Inc",
        "Polytechnic College",
        "Robotics GmbH",
        "Freight Co., Ltd.",
        "University",
        "Institute of Technology",
    ];
    let mut names = Vec::new();
    for f in first {
        for l in last {
            names.push(format!("{f} {l}"));
        }
    }
    for o in orgs {
        for s in suffixes {
            names.push(format!("{o} {s}"));
        }
    }
    names
}
