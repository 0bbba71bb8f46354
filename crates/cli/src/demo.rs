//! The demo register: a realistic but entirely fictional set of engagements
//! (every kind, many countries, partners, funders, people, travel), seeded
//! only into an empty database so that `serve --demo` shows a working system.
//! All organisations and people here are invented.

use anyhow::{Context, Result};
use meridian_domain::{DueDiligenceInput, EngagementInput, EngagementStatus, PartyInput};
use meridian_store::Store;
use serde_json::{Value, json};

/// (title, kind, countries, partners [(name, country, sector)], funding, people, travel, status, extras)
fn engagements() -> Vec<Value> {
    let p = |name: &str, country: &str, sector: &str| json!({"name": name, "country": country, "sector": sector});
    vec![
        json!({"title": "Coastal erosion monitoring with drones", "kind": "research_collaboration", "department": "Geography",
            "countries": ["NO"], "partners": [p("Nordvik Institute of Marine Science", "NO", "university")],
            "research_areas": ["coastal geomorphology", "remote sensing"], "people": [{"name": "Ingrid Solberg", "role": "co-investigator"}],
            "description": "Joint fieldwork on Arctic coastline change using commercial drones.", "status": "active"}),
        json!({"title": "Quantum sensing for mineral exploration", "kind": "research_collaboration", "department": "Physics",
            "countries": ["AU"], "partners": [p("Southern Cross Quantum Labs Pty Ltd", "AU", "company")],
            "research_areas": ["quantum sensing", "magnetometry"], "data": {"export_controlled": true},
            "funding": {"amount": 420000, "currency": "AUD", "source": "Southern Cross Quantum Labs Pty Ltd", "source_country": "AU", "source_type": "private"},
            "status": "in_review"}),
        json!({"title": "Dual master's degree in public health", "kind": "institutional_partnership", "department": "Public Health",
            "countries": ["KE"], "partners": [p("Rift Valley University", "KE", "university")], "status": "active",
            "description": "Students spend a year at each university; joint supervision of dissertations."}),
        json!({"title": "Endowed chair in sustainable agriculture", "kind": "gift", "department": "Agriculture",
            "countries": ["BR"], "funding": {"amount": 2500000, "currency": "BRL", "source": "Fundação Verde Horizonte", "source_country": "BR", "source_type": "philanthropic", "conditions": "Annual public lecture; donor named in chair title"},
            "status": "approved"}),
        json!({"title": "Battery chemistry contract research", "kind": "contract_research", "department": "Chemistry",
            "countries": ["KR"], "partners": [p("Hanbit Energy Materials Co., Ltd.", "KR", "company")],
            "funding": {"amount": 350000000, "currency": "KRW", "source": "Hanbit Energy Materials Co., Ltd.", "source_country": "KR", "source_type": "private", "conditions": "Results confidential for 12 months"},
            "research_areas": ["battery chemistry", "solid-state electrolytes"],
            "agreement_text": "The Sponsor may review any publication 60 days before submission.", "status": "submitted"}),
        json!({"title": "Visiting researcher in machine translation", "kind": "visiting_researcher", "department": "Computer Science",
            "countries": ["VN"], "people": [{"name": "Nguyễn Thị Lan", "role": "visiting postdoctoral researcher", "talent_programme": "none"}],
            "partners": [p("Hanoi Institute of Language Technology", "VN", "university")], "data": {"partner_access_to_facilities": true}, "status": "active"}),
        json!({"title": "Fieldwork on glacier retreat in the Andes", "kind": "travel", "department": "Earth Sciences",
            "countries": ["PE"], "travel": {"destinations": [{"country": "PE", "region": "Cordillera Blanca"}], "start": "2027-06-01", "end": "2027-07-15", "fieldwork": true},
            "people": [{"name": "Tomás Herrera", "role": "PhD student"}], "status": "draft"}),
        json!({"title": "Student recruitment agency agreement, West Africa", "kind": "student_recruitment", "department": "International Office",
            "countries": ["GH", "NG"], "partners": [p("Bright Path Education Consultants", "GH", "company")], "status": "active",
            "description": "Commission-based agent for undergraduate recruitment."}),
        json!({"title": "Anonymised hospital records for sepsis modelling", "kind": "data_sharing", "department": "Medicine",
            "countries": ["DK"], "partners": [p("Øresund Regional Hospital Trust", "DK", "government")],
            "data": {"personal_data": true, "special_category_data": true}, "research_areas": ["clinical machine learning"], "status": "approved_with_conditions"}),
        json!({"title": "Licence of crop-imaging software", "kind": "licensing", "department": "Technology Transfer",
            "countries": ["IN"], "partners": [p("Krishi Vision Analytics Pvt Ltd", "IN", "company")],
            "funding": {"amount": 40000, "currency": "USD", "source": "Krishi Vision Analytics Pvt Ltd", "source_country": "IN", "source_type": "private"}, "status": "active"}),
        json!({"title": "Transfer of a used electron microscope", "kind": "equipment_transfer", "department": "Materials",
            "countries": ["ZA"], "partners": [p("University of the Highveld", "ZA", "university")], "data": {"export_controlled": false}, "status": "closed"}),
        json!({"title": "Urban heat islands: comparative study", "kind": "research_collaboration", "department": "Geography",
            "countries": ["MX"], "partners": [p("Universidad Autónoma del Valle", "MX", "university")], "research_areas": ["urban climate"],
            "travel": {"destinations": [{"country": "MX", "region": "Monterrey"}], "fieldwork": true}, "status": "active"}),
        json!({"title": "Government-funded AI safety fellowship", "kind": "funding", "department": "Computer Science",
            "countries": ["SG"], "funding": {"amount": 180000, "currency": "SGD", "source": "Lion City Digital Agency", "source_country": "SG", "source_type": "government"},
            "research_areas": ["AI safety"], "status": "in_review"}),
        json!({"title": "Satellite antenna co-design", "kind": "contract_research", "department": "Electrical Engineering",
            "countries": ["AE"], "partners": [p("Gulf Orbital Systems LLC", "AE", "company")],
            "funding": {"amount": 900000, "currency": "AED", "source": "Gulf Orbital Systems LLC", "source_country": "AE", "source_type": "state_owned"},
            "research_areas": ["satellite communications", "phased-array antennas"], "data": {"export_controlled": true}, "status": "submitted"}),
        json!({"title": "Summer school in Arctic ecology", "kind": "travel", "department": "Biology",
            "countries": ["IS"], "travel": {"destinations": [{"country": "IS", "region": "Westfjords"}], "start": "2027-07-01", "end": "2027-07-21", "fieldwork": true},
            "partners": [p("Westfjords Research Centre", "IS", "ngo")], "status": "approved"}),
        json!({"title": "Joint PhD programme in materials science", "kind": "institutional_partnership", "department": "Materials",
            "countries": ["JP"], "partners": [p("Kansai Institute of Technology", "JP", "university")], "status": "active"}),
        json!({"title": "Philanthropic grant for refugee education research", "kind": "funding", "department": "Education",
            "countries": ["JO"], "funding": {"amount": 250000, "currency": "USD", "source": "Levant Learning Foundation", "source_country": "JO", "source_type": "philanthropic"},
            "travel": {"destinations": [{"country": "JO", "region": "Amman"}]}, "status": "active"}),
        json!({"title": "Visiting professor in constitutional law", "kind": "visiting_researcher", "department": "Law",
            "countries": ["PL"], "people": [{"name": "Katarzyna Wiśniewska", "role": "visiting professor"}], "status": "approved"}),
        json!({"title": "Drone swarm navigation research", "kind": "research_collaboration", "department": "Aeronautics",
            "countries": ["TR"], "partners": [p("Anatolian Aerospace Research Institute", "TR", "government")],
            "research_areas": ["autonomous systems", "drone swarm navigation"], "people": [{"name": "Emre Yıldız", "role": "co-investigator", "talent_programme": "disclosed"}],
            "status": "review_required"}),
        json!({"title": "Anonymous donation to the music school", "kind": "gift", "department": "Music",
            "countries": ["CH"], "funding": {"amount": 100000, "currency": "CHF", "source_type": "anonymous"}, "status": "submitted"}),
        json!({"title": "Genomics data exchange with a biobank", "kind": "data_sharing", "department": "Genetics",
            "countries": ["EE"], "partners": [p("Baltic Biobank Foundation", "EE", "ngo")], "data": {"personal_data": true, "special_category_data": true},
            "research_areas": ["population genomics"], "status": "paused"}),
        json!({"title": "Water purification patent licence", "kind": "licensing", "department": "Technology Transfer",
            "countries": ["EG"], "partners": [p("Nile Clean Water Company", "EG", "company")], "status": "draft"}),
        json!({"title": "Seismology sensors donated to partner observatory", "kind": "equipment_transfer", "department": "Earth Sciences",
            "countries": ["NP"], "partners": [p("Himalayan Seismic Observatory", "NP", "government")],
            "travel": {"destinations": [{"country": "NP", "region": "Kathmandu"}], "fieldwork": true}, "status": "approved"}),
        json!({"title": "Language school partnership for pre-sessional English", "kind": "student_recruitment", "department": "International Office",
            "countries": ["TH"], "partners": [p("Chao Phraya Language Academy", "TH", "company")], "status": "active"}),
        json!({"title": "Conference sponsorship by an industry association", "kind": "other", "department": "Business School",
            "countries": ["CA"], "funding": {"amount": 15000, "currency": "CAD", "source": "Maple Fintech Association", "source_country": "CA", "source_type": "private"}, "status": "closed"}),
        json!({"title": "Marine biology fieldwork in the Coral Triangle", "kind": "travel", "department": "Biology",
            "countries": ["ID", "PH"], "travel": {"destinations": [{"country": "ID", "region": "Raja Ampat"}, {"country": "PH", "region": "Palawan"}], "start": "2027-02-10", "end": "2027-03-20", "fieldwork": true},
            "people": [{"name": "Aisha Rahman", "role": "lecturer"}, {"name": "Liam O'Connor", "role": "research assistant"}], "status": "in_review"}),
        json!({"title": "Materials testing for a defence-adjacent supplier", "kind": "contract_research", "department": "Materials",
            "countries": ["US"], "partners": [p("Redstone Composite Materials Inc.", "US", "company")],
            "research_areas": ["high-temperature composites"], "data": {"export_controlled": true},
            "funding": {"amount": 600000, "currency": "USD", "source": "Redstone Composite Materials Inc.", "source_country": "US", "source_type": "private"}, "status": "submitted"}),
        json!({"title": "Joint research centre on sustainable cities", "kind": "institutional_partnership", "department": "Architecture",
            "countries": ["DE"], "partners": [p("Technische Hochschule Rheinland", "DE", "university")], "status": "active",
            "agreement_text": "Each party retains its background IP. Either party may publish results after giving the other 30 days' notice."}),
    ]
}

/// The fictional fixture lists that ship with the source, used by `--demo`
/// when no lists directory is configured (run from the repository root).
pub fn lists_dir() -> Option<std::path::PathBuf> {
    let p = std::path::PathBuf::from("crates/screening/tests/fixtures/lists");
    p.is_dir().then_some(p)
}

/// Seed the demo register when the database holds no engagements.
pub async fn seed_if_empty(store: &Store) -> Result<()> {
    if store.count_engagements().await? > 0 {
        return Ok(());
    }
    let actor = "demo";
    // Two records of one university, as a CSV import and a typed name might
    // leave them: the Parties section shows them as possible duplicates.
    let party = |v: Value| -> Result<_> {
        let input: PartyInput = serde_json::from_value(v)?;
        input
            .validate()
            .map_err(|e| anyhow::anyhow!("demo party: {e}"))
    };
    let kit = store
        .create_party(
            &party(json!({"legal_name": "Kansai Institute of Technology", "country": "JP", "sector": "university",
                "other_names": [{"name": "KIT Kansai", "name_type": "acronym"}, {"name": "関西工業大学", "name_type": "original_script"}],
                "website": "https://kansai-tech.example", "governance_notes": "National university corporation."}))?,
            actor,
        )
        .await?;
    store
        .create_party(&party(json!({"legal_name": "Kansai Inst. of Technology", "country": "JP", "sector": "university"}))?, actor)
        .await?;
    let today = time::OffsetDateTime::now_utc().date();
    let cleared = DueDiligenceInput {
        status: "cleared".into(),
        decided_on: Some("2025-01-15".into()),
        expires_on: Some("2026-01-15".into()),
        note: "Standard checks; renew annually.".into(),
    }
    .validate(today)
    .map_err(|e| anyhow::anyhow!("demo due diligence: {e}"))?;
    store
        .record_dd_decision(&kit.id, &cleared, "research.office")
        .await?;

    let mut count = 0;
    for mut v in engagements() {
        let status = v
            .get("status")
            .and_then(Value::as_str)
            .unwrap_or("draft")
            .to_owned();
        if let Some(o) = v.as_object_mut() {
            o.remove("status");
            o.entry("owner").or_insert(json!("admin"));
        }
        let title = v["title"].as_str().unwrap_or("").to_owned();
        let input: EngagementInput =
            serde_json::from_value(v).with_context(|| format!("demo engagement '{title}'"))?;
        let e = input
            .validate()
            .map_err(|e| anyhow::anyhow!("demo engagement '{title}': {e}"))?;
        let stored = store.create_engagement(e, actor).await?;
        let status = EngagementStatus::parse(&status).map_err(anyhow::Error::msg)?;
        if status != EngagementStatus::Draft {
            store
                .set_engagement_status(&stored.id, status, actor)
                .await?;
        }
        count += 1;
    }
    println!("Seeded the demo register: {count} fictional engagements.");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_covers_every_kind_and_a_dozen_countries() {
        let all = engagements();
        assert!(all.len() >= 25);
        for k in meridian_domain::EngagementKind::ALL {
            assert!(
                all.iter().any(|e| e["kind"] == k.as_str()),
                "no demo engagement of kind {k}"
            );
        }
        let mut countries: Vec<String> = all
            .iter()
            .flat_map(|e| e["countries"].as_array().cloned().unwrap_or_default())
            .filter_map(|c| c.as_str().map(str::to_owned))
            .collect();
        countries.sort();
        countries.dedup();
        assert!(countries.len() >= 12, "{countries:?}");
        for e in all {
            let mut e = e;
            e.as_object_mut().unwrap().remove("status");
            e["owner"] = json!("admin");
            let input: EngagementInput = serde_json::from_value(e.clone()).unwrap();
            input
                .validate()
                .unwrap_or_else(|err| panic!("{}: {err}", e["title"]));
        }
    }
}
