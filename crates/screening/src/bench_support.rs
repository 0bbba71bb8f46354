//! The benchmark's query mix, shared by the divan bench and the peer comparison so both
//! screen exactly the same names. Not used by screening itself.

use crate::entity::Entity;

/// Every 20th listed name with one deterministic typo (adjacent letters swapped in
/// its longest word), then as many synthetic names that are on no list.
pub fn query_mix(entities: &[Entity]) -> Vec<String> {
    let listed: Vec<&str> = entities
        .iter()
        .flat_map(|e| e.names.iter().map(|n| n.name.as_str()))
        .step_by(20)
        .collect();
    let mut queries: Vec<String> = listed.iter().map(|name| with_typo(name)).collect();
    let first = [
        "Harold", "Mei", "Olusegun", "Ingrid", "Rafael", "Tamar", "Kenji", "Aisha", "Bruno",
        "Liesel",
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
    ];
    let orgs = [
        "Meadowbrook",
        "Silverline",
        "Quarry Hill",
        "Bluewater",
        "Northgate",
        "Amberfield",
    ];
    let kinds = [
        "Analytics Ltd",
        "Biosciences Inc",
        "Polytechnic College",
        "Robotics GmbH",
        "Freight Co., Ltd.",
    ];
    let mut i = 0usize;
    while queries.len() < listed.len() * 2 {
        let name = if i % 2 == 0 {
            format!(
                "{} {}",
                first[i % first.len()],
                last[(i / first.len()) % last.len()]
            )
        } else {
            format!(
                "{} {}",
                orgs[i % orgs.len()],
                kinds[(i / orgs.len()) % kinds.len()]
            )
        };
        queries.push(name);
        i += 1;
    }
    queries
}

fn with_typo(name: &str) -> String {
    let longest = name
        .split_whitespace()
        .max_by_key(|w| w.chars().count())
        .unwrap_or("");
    let chars: Vec<char> = longest.chars().collect();
    if chars.len() < 5 {
        return name.to_string();
    }
    let mut swapped = chars.clone();
    swapped.swap(2, 3);
    let replacement: String = swapped.into_iter().collect();
    name.replacen(longest, &replacement, 1)
}
