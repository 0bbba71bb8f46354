//! Checks on the real list snapshots in shared/data/lists (skipped when absent): every
//! list parses with the documented counts, and the issue's named cases behave.

use std::sync::OnceLock;

use meridian_screening::{Index, LoadedLists, Query, load_lists_dir};

use crate::shared_dir;

fn shared() -> Option<&'static (LoadedLists, Index)> {
    static LOADED: OnceLock<Option<(LoadedLists, Index)>> = OnceLock::new();
    LOADED
        .get_or_init(|| {
            let dir = shared_dir()?.join("data/lists");
            let loaded = load_lists_dir(&dir).expect("shared lists load");
            let index = Index::build(loaded.entities.clone());
            Some((loaded, index))
        })
        .as_ref()
}

#[test]
fn every_shared_list_loads_with_its_documented_count() {
    let Some((loaded, _)) = shared() else { return };
    let count = |source: &str| {
        loaded
            .versions
            .iter()
            .find(|v| v.source == source)
            .map(|v| v.entity_count)
    };
    assert_eq!(count("us_ofac_sdn"), Some(8976));
    assert_eq!(count("un_sc"), Some(1003));
    assert_eq!(count("us_bis_entity_list"), Some(3409));
    assert_eq!(count("us_dod_1286"), Some(134));
    assert_eq!(count("us_dod_1260h"), Some(80));
    assert_eq!(count("us_bis_meu"), Some(70));
    assert_eq!(count("us_ofac_nscmic"), Some(68));
    assert_eq!(count("us_state_nonproliferation"), Some(528));
    assert_eq!(count("ca_nro"), Some(126));
    assert!(count("us_ofac_cons").is_some_and(|n| n > 400));
    assert!(count("us_bis_dpl").is_some_and(|n| n > 300));
    assert!(!loaded.skipped.iter().any(|f| f == "bis_dpl.txt"));
    assert_eq!(count("opensanctions_os_us_congress"), Some(1317));
    // The CSL sample repeats the individual US lists loaded here: skipped (docs/LISTS.md).
    assert!(loaded.skipped.iter().any(|f| f == "us_csl_sample.csv"));
    // Only the comment rows whose ent_num is not in this snapshot of SDN.CSV.
    assert!(
        loaded
            .issues
            .iter()
            .all(|i| i.file.ends_with("comments.csv")),
        "{:?}",
        loaded.issues
    );
}

#[test]
fn issue_cases_on_real_lists() {
    let Some((_, index)) = shared() else { return };
    let beihang = index.screen(&Query::name("Beihang University"));
    assert!(
        beihang.iter().any(|m| m.source == "us_bis_entity_list"
            && m.name.starts_with("Beijing University of Aeronautics")),
        "{beihang:?}"
    );
    let kostin = index.screen(&Query::name("Андрей Костин"));
    assert!(
        kostin
            .first()
            .is_some_and(|m| m.name.starts_with("KOSTIN, Andrey")),
        "{kostin:?}"
    );
    let harbin = index.screen(&Query::name("Harbin Medical University"));
    assert!(harbin.is_empty(), "{harbin:?}");
    assert!(index.screen(&Query::name("CORP")).is_empty());
    let cuba = index.screen(&Query::name("Banco Nacional de Cuba"));
    assert_eq!(cuba.first().map(|m| m.entity_id.as_str()), Some("306"));
    let anglo = index.screen(&Query::name("Anglo-Caribbean Company Limited"));
    assert_eq!(anglo.first().map(|m| m.entity_id.as_str()), Some("173"));
}

#[test]
fn un_original_script_names_are_indexed() {
    let Some((loaded, _)) = shared() else { return };
    let with_script = loaded
        .entities
        .iter()
        .filter(|e| e.source == "un_sc")
        .filter(|e| e.names.iter().any(|n| !n.name.is_ascii()))
        .count();
    assert!(with_script >= 300, "{with_script}");
}
