//! Loading the fixture directory: every format recognised, fields extracted, bad rows
//! reported with file and line, unknown files listed, empty directories refused.

use meridian_screening::{EntityKind, Error, NameQuality, load_lists_dir};

use crate::{fixtures_dir, load_fixtures};

#[test]
fn every_fixture_list_is_recognised_with_a_version() {
    let loaded = load_fixtures();
    let mut sources: Vec<&str> = loaded.versions.iter().map(|v| v.source.as_str()).collect();
    sources.sort();
    assert_eq!(
        sources,
        vec![
            "ca_nro",
            "custom_partners_of_concern",
            "eu_fsf",
            "opensanctions_os_xx_demo_peps",
            "opensanctions_xx_demo_sanctions",
            "uk_ofsi",
            "uk_sanctions_list",
            "un_sc",
            "us_bis_dpl",
            "us_bis_entity_list",
            "us_dod_1286",
            "us_ofac_cons",
            "us_ofac_sdn"
        ]
    );
    let sdn = loaded
        .versions
        .iter()
        .find(|v| v.source == "us_ofac_sdn")
        .unwrap();
    assert_eq!(sdn.file, "ofac/sdn.csv");
    assert_eq!(sdn.entity_count, 4);
    assert_eq!(sdn.sha256.len(), 64);
    // The CSL is skipped last: the individual US lists are present (docs/LISTS.md).
    assert_eq!(
        loaded.skipped,
        vec![
            "README.md",
            "csl/README.md",
            "custom/README.md",
            "eu/README.md",
            "opensanctions/README.md",
            "research_security/lists.json",
            "uk/README.md",
            "csl/consolidated.csv"
        ]
    );
}

#[test]
fn malformed_rows_are_reported_and_skipped() {
    let loaded = load_fixtures();
    let has = |file: &str, line: u64| {
        loaded
            .issues
            .iter()
            .any(|i| i.file == file && i.line == line)
    };
    assert!(has("ofac/sdn.csv", 4), "{:?}", loaded.issues);
    assert!(has("ofac/sdn.csv", 6), "{:?}", loaded.issues);
    assert!(has("ofac/alt.csv", 4), "{:?}", loaded.issues);
    assert!(has("un/consolidated.xml", 43), "{:?}", loaded.issues);
    assert!(
        has("research_security/bis_entity_list.json", 10),
        "{:?}",
        loaded.issues
    );
    assert!(
        has("research_security/ca_named_research_organizations.csv", 4),
        "{:?}",
        loaded.issues
    );
    assert!(has("uk/UK_Sanctions_List.csv", 8), "{:?}", loaded.issues);
    assert!(has("uk/ConList.csv", 6), "{:?}", loaded.issues);
    assert!(has("eu/20261103-FULL-1_1.xml", 26), "{:?}", loaded.issues);
    assert!(
        has("opensanctions/entities.ftm.json", 4),
        "{:?}",
        loaded.issues
    );
    assert!(
        has("opensanctions/entities.ftm.json", 5),
        "{:?}",
        loaded.issues
    );
    assert!(has("opensanctions/senzing.json", 3), "{:?}", loaded.issues);
    assert!(
        has("custom/partners_of_concern.csv", 4),
        "{:?}",
        loaded.issues
    );
    assert!(
        has("custom/partners_of_concern.csv", 5),
        "{:?}",
        loaded.issues
    );
    assert_eq!(loaded.issues.len(), 14, "{:?}", loaded.issues);
}

#[test]
fn ofac_fields_are_extracted() {
    let loaded = load_fixtures();
    let get = |id: &str| {
        loaded
            .entities
            .iter()
            .find(|e| e.source == "us_ofac_sdn" && e.entity_id == id)
            .unwrap()
    };
    let zephyr = get("1001");
    assert_eq!(zephyr.kind, EntityKind::Organization);
    assert_eq!(zephyr.programs, vec!["NORTHLAND", "SDGT"]);
    assert_eq!(zephyr.countries, vec!["IR"]);
    let names: Vec<(&str, NameQuality)> = zephyr
        .names
        .iter()
        .map(|n| (n.name.as_str(), n.quality))
        .collect();
    assert_eq!(
        names,
        vec![
            ("ZEPHYR TRADING CO., LTD.", NameQuality::Primary),
            ("ZEPHYR TRADING COMPANY LIMITED", NameQuality::Strong),
            ("ZTC", NameQuality::Weak),
        ]
    );
    let petrovsky = get("1002");
    assert_eq!(petrovsky.kind, EntityKind::Person);
    assert_eq!(petrovsky.birth_dates, vec!["14 Mar 1961"]);
    assert_eq!(petrovsky.countries, vec!["RU"]);
    assert_eq!(get("1003").kind, EntityKind::Vessel);
    assert_eq!(get("1003").countries, vec!["PA"]);
    assert_eq!(get("1004").birth_years(), vec![1970, 1971]);
    assert_eq!(get("1004").countries, vec!["YE"]);
}

#[test]
fn denied_persons_rows_merge_per_name() {
    let loaded = load_fixtures();
    let dpl: Vec<_> = loaded
        .entities
        .iter()
        .filter(|e| e.source == "us_bis_dpl")
        .collect();
    assert_eq!(dpl.len(), 1);
    assert_eq!(dpl[0].primary_name(), "HOLLIS GRANT WEXLER");
    assert_eq!(dpl[0].kind, EntityKind::Person);
    assert_eq!(dpl[0].countries, vec!["US", "CA"]);
}

#[test]
fn un_fields_are_extracted() {
    let loaded = load_fixtures();
    let get = |id: &str| {
        loaded
            .entities
            .iter()
            .find(|e| e.source == "un_sc" && e.entity_id == id)
            .unwrap()
    };
    let viktor = get("NLi.001");
    assert_eq!(viktor.primary_name(), "VIKTOR ZAMYATIN");
    assert!(viktor.names.iter().any(|n| n.name == "Виктор Замятин"));
    assert!(
        viktor
            .names
            .iter()
            .any(|n| n.name == "The Engineer" && n.quality == NameQuality::Weak)
    );
    assert_eq!(viktor.birth_dates, vec!["1965-1967"]);
    assert_eq!(viktor.countries, vec!["RU", "BY"]);
    assert_eq!(get("NLi.003").primary_name(), "SAIF ABDUL RAHMAN AL-NOORI");
    let shipping = get("NLe.001");
    assert_eq!(shipping.primary_name(), "NORTHLAND SHIPPING & LOGISTICS");
    assert_eq!(shipping.kind, EntityKind::Organization);
    assert_eq!(shipping.countries, vec!["KP"]);
}

#[test]
fn research_lists_get_stable_derived_ids() {
    let first = load_fixtures();
    let second = load_fixtures();
    let ids = |l: &meridian_screening::LoadedLists| {
        l.entities
            .iter()
            .filter(|e| e.source == "us_bis_entity_list")
            .map(|e| e.entity_id.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&first), ids(&second));
    let person = first
        .entities
        .iter()
        .find(|e| e.primary_name() == "Ivan Sokolovsky")
        .unwrap();
    assert_eq!(person.kind, EntityKind::Person);
    assert_eq!(person.entity_id.len(), 12);
    let nro = first
        .entities
        .iter()
        .find(|e| e.source == "ca_nro" && e.primary_name().starts_with("Western"))
        .unwrap();
    assert_eq!(nro.names.len(), 3);
    let eastgate = first
        .entities
        .iter()
        .find(|e| e.primary_name().starts_with("Eastgate"))
        .unwrap();
    let names: Vec<(&str, NameQuality)> = eastgate
        .names
        .iter()
        .map(|n| (n.name.as_str(), n.quality))
        .collect();
    assert_eq!(
        names,
        vec![
            (
                "Eastgate University of Aeronautics and Astronautics (EUAA)",
                NameQuality::Primary
            ),
            (
                "Eastgate University of Aeronautics and Astronautics",
                NameQuality::Strong
            ),
            ("EUAA", NameQuality::Weak),
            ("Eastair University", NameQuality::Strong),
        ]
    );
    assert_eq!(nro.countries, vec!["CN"]);
}

#[test]
fn an_empty_directory_is_an_error_not_an_empty_result() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "nothing here").unwrap();
    assert!(matches!(
        load_lists_dir(dir.path()),
        Err(Error::NoLists { .. })
    ));
}

#[test]
fn a_structurally_broken_list_fails_the_load() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("consolidated.xml"),
        "<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL>",
    )
    .unwrap();
    let err = load_lists_dir(dir.path()).unwrap_err();
    assert!(err.to_string().contains("consolidated.xml"), "{err}");
}

#[test]
fn missing_directory_names_the_path() {
    let missing = fixtures_dir().join("does-not-exist");
    let err = load_lists_dir(&missing).unwrap_err();
    assert!(err.to_string().contains("does-not-exist"), "{err}");
}
