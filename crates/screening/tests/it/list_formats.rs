//! The formats added for list management (UK FCDO and OFSI CSV, EU FSF XML, US CSL,
//! OpenSanctions FtM and Senzing, custom watchlists): fields from the fixtures, the CSL
//! source mapping and loading rule, and the real CSL and Senzing files when present.

use meridian_screening::formats::{senzing, us_csl};
use meridian_screening::{Entity, EntityKind, LoadedLists, NameQuality, Query, load_lists_dir};

use crate::{fixture_index, fixtures_dir, load_fixtures, shared_dir};

fn get<'a>(loaded: &'a LoadedLists, source: &str, id: &str) -> &'a Entity {
    loaded
        .entities
        .iter()
        .find(|e| e.source == source && e.entity_id == id)
        .unwrap_or_else(|| panic!("{source} {id} not loaded"))
}

fn names(entity: &Entity) -> Vec<(&str, NameQuality)> {
    entity
        .names
        .iter()
        .map(|n| (n.name.as_str(), n.quality))
        .collect()
}

#[test]
fn uk_sanctions_list_groups_rows_by_unique_id() {
    let loaded = load_fixtures();
    let oleg = get(&loaded, "uk_sanctions_list", "FIC0001");
    assert_eq!(oleg.kind, EntityKind::Person);
    assert_eq!(
        names(oleg),
        vec![
            ("Oleg Marrowitch VESSENKO", NameQuality::Primary),
            ("Олег Маррович Весенко", NameQuality::Strong),
            ("Oleg WESSENKO", NameQuality::Strong),
            ("The Quill", NameQuality::Weak),
        ]
    );
    assert_eq!(oleg.birth_dates, vec!["14/05/1969"]);
    assert_eq!(oleg.countries, vec!["RU"]);
    assert_eq!(oleg.programs, vec!["Fictional Regime (Testing) Sanctions"]);
    let company = get(&loaded, "uk_sanctions_list", "FIC0002");
    assert_eq!(company.kind, EntityKind::Organization);
    assert_eq!(company.names.len(), 2);
    assert_eq!(
        get(&loaded, "uk_sanctions_list", "FIC0003").kind,
        EntityKind::Vessel
    );
    let version = loaded
        .versions
        .iter()
        .find(|v| v.source == "uk_sanctions_list")
        .unwrap();
    assert_eq!(version.entity_count, 3);
}

#[test]
fn ofsi_list_groups_rows_by_group_id() {
    let loaded = load_fixtures();
    let ilse = get(&loaded, "uk_ofsi", "80001");
    assert_eq!(
        names(ilse),
        vec![
            ("Ilse Morwen KALDERAN", NameQuality::Primary),
            ("Ilsa KALDERANE", NameQuality::Strong),
            ("GREY HERON", NameQuality::Weak),
        ]
    );
    assert_eq!(ilse.birth_years(), vec![1972]);
    assert_eq!(ilse.countries, vec!["NO"]);
    assert_eq!(
        get(&loaded, "uk_ofsi", "80003").kind,
        EntityKind::Organization
    );
}

#[test]
fn eu_fsf_names_and_strength() {
    let loaded = load_fixtures();
    let rurik = get(&loaded, "eu_fsf", "EU.9001.01");
    assert_eq!(rurik.kind, EntityKind::Person);
    assert_eq!(
        names(rurik),
        vec![
            ("Rurik Anselm Dravenholt", NameQuality::Primary),
            ("Рюрик Дравенхольт", NameQuality::Strong),
            ("The Architect", NameQuality::Weak),
        ]
    );
    assert_eq!(rurik.countries, vec!["BY"]);
    assert_eq!(rurik.birth_dates, vec!["1961-09-17"]);
    assert_eq!(rurik.programs, vec!["FICT"]);
    let company = get(&loaded, "eu_fsf", "EU.9002.02");
    assert_eq!(company.kind, EntityKind::Organization);
    assert_eq!(company.countries, vec!["AT"]);
}

#[test]
fn opensanctions_ftm_and_senzing() {
    let loaded = load_fixtures();
    let corvin = get(
        &loaded,
        "opensanctions_xx_demo_sanctions",
        "xx-demo-person-1",
    );
    assert_eq!(
        names(corvin),
        vec![
            ("Corvin Ashgrove", NameQuality::Primary),
            ("Corvin Ashgroves", NameQuality::Strong),
            ("Crow", NameQuality::Weak),
        ]
    );
    assert_eq!(corvin.countries, vec!["GB"]);
    let company = get(
        &loaded,
        "opensanctions_xx_demo_sanctions",
        "xx-demo-company-1",
    );
    assert_eq!(company.kind, EntityKind::Organization);
    assert!(
        !loaded
            .entities
            .iter()
            .any(|e| e.entity_id == "xx-demo-sanction-1")
    );
    let marisol = get(&loaded, "opensanctions_os_xx_demo_peps", "NK-xxDemo0001");
    assert_eq!(marisol.primary_name(), "Marisol Quennell-Tapia");
    assert_eq!(marisol.countries, vec!["CL"]);
    assert_eq!(marisol.programs, vec!["role.pep"]);
    assert!(!loaded.entities.iter().any(|e| e.entity_id == "Qxx1"));
}

#[test]
fn custom_watchlist_rows() {
    let loaded = load_fixtures();
    let tiao = get(&loaded, "custom_partners_of_concern", "RO-2026-014");
    assert_eq!(tiao.kind, EntityKind::Organization);
    assert_eq!(tiao.countries, vec!["CN"]);
    assert!(tiao.names.iter().any(|n| n.name == "TIAO Labs"));
    let helga = get(&loaded, "custom_partners_of_concern", "RO-2026-015");
    assert_eq!(helga.kind, EntityKind::Person);
    let index = fixture_index();
    let hits = index.screen(&Query::name("Tarnwick Institute of Applied Optics"));
    assert_eq!(
        hits.first().map(|m| m.source.as_str()),
        Some("custom_partners_of_concern")
    );
}

#[test]
fn csl_alone_is_loaded_with_each_row_under_its_list() {
    let loaded = load_lists_dir(&fixtures_dir().join("csl")).expect("CSL loads alone");
    let mut sources: Vec<(&str, usize)> = loaded
        .versions
        .iter()
        .map(|v| (v.source.as_str(), v.entity_count))
        .collect();
    sources.sort();
    assert_eq!(
        sources,
        vec![
            ("us_bis_dpl", 1),
            ("us_bis_entity_list", 1),
            ("us_bis_uvl", 1),
            ("us_csl_ssi", 1),
            ("us_ofac_sdn", 1)
        ]
    );
    let sdn = get(&loaded, "us_ofac_sdn", "99001");
    assert_eq!(sdn.kind, EntityKind::Person);
    assert_eq!(sdn.countries, vec!["VE"]);
    assert_eq!(sdn.birth_dates, vec!["1966-07-04"]);
    assert_eq!(sdn.programs, vec!["FICTION", "TESTING"]);
    let qari = loaded
        .entities
        .iter()
        .find(|e| e.source == "us_bis_entity_list")
        .unwrap();
    assert!(qari.names.iter().any(|n| n.name == "QARI"));
    assert_eq!(qari.countries, vec!["CN"]);
    assert_eq!(loaded.issues.len(), 1);
    assert_eq!(loaded.issues[0].line, 7);
}

#[test]
fn real_csl_sample_maps_every_row_to_its_list() {
    let Some(shared) = shared_dir() else { return };
    let path = shared.join("data/lists/us_csl_sample.csv");
    let bytes = std::fs::read(&path).expect("CSL sample readable");
    let parsed = us_csl::parse("us_csl_sample.csv", &bytes).expect("CSL sample parses");
    assert_eq!(parsed.entities.len(), 115);
    assert!(parsed.issues.is_empty(), "{:?}", parsed.issues);
    let count = |source: &str| {
        parsed
            .entities
            .iter()
            .filter(|e| e.source == source)
            .count()
    };
    assert_eq!(count("us_ofac_sdn"), 28);
    assert_eq!(count("us_bis_entity_list"), 22);
    assert_eq!(count("us_bis_dpl"), 8);
    assert_eq!(count("us_state_nonproliferation"), 3);
    assert_eq!(count("us_bis_uvl"), 4);
    assert_eq!(count("us_csl_ssi"), 26);
    assert_eq!(count("us_csl_plc"), 13);
    assert_eq!(count("us_csl_dtc"), 10);
    assert_eq!(count("us_csl_cap"), 1);
    let canada = parsed
        .entities
        .iter()
        .find(|e| e.primary_name() == "2904977 CANADA, INC.")
        .unwrap();
    assert_eq!(canada.entity_id, "8124");
    assert!(
        canada
            .names
            .iter()
            .any(|n| n.name == "HAVANTUR CANADA INC.")
    );
    assert_eq!(canada.countries, vec!["CA"]);
}

#[test]
fn real_senzing_export_loads_every_person() {
    let Some(shared) = shared_dir() else { return };
    let path = shared.join("data/lists/opensanctions_us_congress_senzing.json");
    let bytes = std::fs::read(&path).expect("Senzing export readable");
    let parsed = senzing::parse("opensanctions_us_congress_senzing.json", &bytes)
        .expect("Senzing export parses");
    // 1,319 records: 1,317 persons and 2 position anchors ("United States senator").
    assert_eq!(parsed.entities.len(), 1317);
    assert!(parsed.issues.is_empty(), "{:?}", parsed.issues);
    assert!(
        parsed
            .entities
            .iter()
            .all(|e| e.source == "opensanctions_os_us_congress" && e.kind == EntityKind::Person)
    );
    let franklin = parsed
        .entities
        .iter()
        .find(|e| e.entity_id == "Q101198561")
        .unwrap();
    assert_eq!(franklin.primary_name(), "Scott Franklin");
    assert!(franklin.names.iter().any(|n| n.name == "C. Scott Franklin"));
    assert_eq!(franklin.birth_years(), vec![1964]);
    assert_eq!(franklin.countries, vec!["US"]);
}
