//! Normalisation, indexing and screening on arbitrary text: the input is split on the
//! first newline into a listed name and a query; scores must stay within 0..=1.
#![no_main]

use libfuzzer_sys::fuzz_target;
use meridian_screening::{
    Entity, EntityKind, EntityName, Index, NameQuality, Query, ScreenOptions,
};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (listed, query) = text.split_once('\n').unwrap_or((&text, &text));
    let score = meridian_screening::pair_score(listed, query, "Person");
    assert!((0.0..=1.0).contains(&score));
    let entity = Entity {
        source: "fuzz".to_string(),
        entity_id: "1".to_string(),
        kind: EntityKind::Organization,
        names: vec![EntityName {
            name: listed.to_string(),
            quality: NameQuality::Primary,
        }],
        countries: Vec::new(),
        birth_dates: Vec::new(),
        programs: Vec::new(),
    };
    let index = Index::build(vec![entity]);
    for found in index.screen_with(
        &Query::name(query),
        &ScreenOptions {
            threshold: 0.0,
            limit: 5,
        },
    ) {
        assert!((0.0..=1.0).contains(&found.score));
    }
});
