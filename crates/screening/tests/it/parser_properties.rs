//! For all inputs the parsers and normaliser return (Ok, Err or empty) and never panic.

use meridian_screening::formats::{
    bis_dpl, ca_nro, custom_csv, eu_fsf, ofac, opensanctions_ftm, research_json, senzing, uk_csv,
    un_xml, us_csl,
};
use proptest::prelude::*;

fn xmlish() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop_oneof![
            Just(b"<CONSOLIDATED_LIST>".to_vec()),
            Just(b"<INDIVIDUALS>".to_vec()),
            Just(b"<INDIVIDUAL>".to_vec()),
            Just(b"</INDIVIDUAL>".to_vec()),
            Just(b"<FIRST_NAME>".to_vec()),
            Just(b"</FIRST_NAME>".to_vec()),
            Just(b"<INDIVIDUAL_DATE_OF_BIRTH><FROM_YEAR>".to_vec()),
            Just(b"&amp;&#0;&#xFFFFFF;&bogus;".to_vec()),
            prop::collection::vec(any::<u8>(), 0..8),
        ],
        0..24,
    )
    .prop_map(|parts| parts.concat())
}

fn csvish() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop_oneof![
            Just(b"1,\"NAME, Given\",\"individual\",\"P] [Q\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"DOB 1962; a.k.a. '".to_vec()),
            Just(b"\r\n".to_vec()),
            Just(b"\"".to_vec()),
            Just(b",".to_vec()),
            Just(b"\x1a".to_vec()),
            prop::collection::vec(any::<u8>(), 0..8),
        ],
        0..24,
    )
    .prop_map(|parts| parts.concat())
}

fn eu_xmlish() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop_oneof![
            Just(b"<export xmlns=\"http://eu.europa.ec/fpi/fsd/export\">".to_vec()),
            Just(b"<sanctionEntity logicalId=\"1\" euReferenceNumber=\"EU.1\">".to_vec()),
            Just(b"</sanctionEntity>".to_vec()),
            Just(b"<nameAlias wholeName=\"A &amp; B\" strong=\"false\"/>".to_vec()),
            Just(b"<subjectType code=\"person\"/>".to_vec()),
            Just(b"<birthdate year=\"19".to_vec()),
            Just(b"<citizenship countryIso2Code=\"&#0;\"/>".to_vec()),
            Just(b"</export>".to_vec()),
            prop::collection::vec(any::<u8>(), 0..8),
        ],
        0..24,
    )
    .prop_map(|parts| parts.concat())
}

fn jsonlish() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop_oneof![
            Just(br#"{"id":"x","schema":"Person","properties":{"name":["A"],"alias":[1]},"datasets":["d"]}"#.to_vec()),
            Just(br#"{"DATA_SOURCE":"OS_X","RECORD_ID":7,"RECORD_TYPE":"PERSON","NAMES":[{"NAME_FULL":"A"}]}"#.to_vec()),
            Just(br#"{"schema":null,"properties":[]}"#.to_vec()),
            Just(b"\n".to_vec()),
            Just(b"{".to_vec()),
            prop::collection::vec(any::<u8>(), 0..8),
        ],
        0..16,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn ofac_never_panics(primary in csvish(), alt in csvish(), bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let file = |name, bytes| ofac::OfacFile { name, bytes };
        let _ = ofac::parse("us_ofac_sdn", ofac::OfacFiles {
            primary: file("sdn.csv", &primary),
            alt: Some(file("alt.csv", &alt)),
            add: Some(file("add.csv", &bytes)),
            comments: Some(file("sdn_comments.csv", &alt)),
        });
        let _ = ofac::parse("us_ofac_sdn", ofac::OfacFiles { primary: file("sdn.csv", &bytes), alt: None, add: None, comments: None });
    }

    #[test]
    fn un_xml_never_panics(structured in xmlish(), bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let _ = un_xml::parse("x.xml", &structured);
        let _ = un_xml::parse("x.xml", &bytes);
    }

    #[test]
    fn research_json_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..256), name in any::<String>()) {
        let _ = research_json::parse("x.json", &bytes);
        let doc = serde_json::json!({"list_id": "dow-1286", "entities": [{"name": name.clone(), "aliases": [name, null]}, 1, null]});
        let parsed = research_json::parse("x.json", doc.to_string().as_bytes());
        prop_assert!(parsed.is_ok());
    }

    #[test]
    fn ca_nro_never_panics(bytes in csvish()) {
        let mut with_header = b"name,aliases,country,city,parent,notes\n".to_vec();
        with_header.extend_from_slice(&bytes);
        let _ = ca_nro::parse("x.csv", &with_header);
        let _ = ca_nro::parse("x.csv", &bytes);
    }

    #[test]
    fn bis_dpl_never_panics(bytes in csvish()) {
        let mut with_header = b"\"Name\"\t\"Street_Address\"\t\"Country\"\t\"FR_Citation\"\n".to_vec();
        with_header.extend_from_slice(&bytes);
        let _ = bis_dpl::parse("dpl.txt", &with_header);
        let _ = bis_dpl::parse("dpl.txt", &bytes);
    }

    #[test]
    fn uk_csv_never_panics(bytes in csvish()) {
        for (header, layout) in [
            (&b"Report Date: 1\nUnique ID,Name 6,Name 1,Name type,Alias strength,Designation Type,Name non-latin script\n"[..], uk_csv::Layout::SanctionsList),
            (&b"Last Updated,1\nName 6,Name 1,Group Type,Alias Type,Alias Quality,Group ID\n"[..], uk_csv::Layout::Ofsi),
        ] {
            let mut with_header = header.to_vec();
            with_header.extend_from_slice(&bytes);
            prop_assert_eq!(uk_csv::detect(&with_header), Some(layout));
            let _ = uk_csv::parse("x.csv", layout, &with_header);
            let _ = uk_csv::parse("x.csv", layout, &bytes);
        }
        let _ = uk_csv::detect(&bytes);
    }

    #[test]
    fn eu_fsf_never_panics(structured in eu_xmlish(), bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let _ = eu_fsf::parse("x.xml", &structured);
        let _ = eu_fsf::parse("x.xml", &bytes);
    }

    #[test]
    fn us_csl_and_custom_never_panic(bytes in csvish()) {
        let mut csl = b"source,entity_number,type,programs,name,addresses,alt_names,dates_of_birth,citizenships,source_list_url\n".to_vec();
        csl.extend_from_slice(&bytes);
        let _ = us_csl::parse("x.csv", &csl);
        let _ = us_csl::parse("x.csv", &bytes);
        let mut custom = b"name,aliases,kind,country,notes,reference\n".to_vec();
        custom.extend_from_slice(&bytes);
        let _ = custom_csv::parse("x.csv", "custom_x", &custom);
        let _ = custom_csv::parse("x.csv", "custom_x", &bytes);
    }

    #[test]
    fn json_lines_never_panic(structured in jsonlish(), bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let _ = opensanctions_ftm::parse("x.json", &structured);
        let _ = opensanctions_ftm::parse("x.json", &bytes);
        let _ = senzing::parse("x.json", &structured);
        let _ = senzing::parse("x.json", &bytes);
    }

    #[test]
    fn normalise_and_pair_score_are_total(a in any::<String>(), b in "\\PC{0,40}") {
        let _ = meridian_screening::normalize::normalize(&a);
        let score = meridian_screening::pair_score(&a, &b, "Person");
        prop_assert!((0.0..=1.0).contains(&score));
        let self_score = meridian_screening::pair_score(&b, &b, "Company");
        prop_assert!((0.0..=1.0).contains(&self_score));
    }
}
