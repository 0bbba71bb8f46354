//! The engagement register's record: the JSON shape the API accepts
//! (`EngagementInput`, deliberately loose so that every mistake can be reported
//! against its field) and the validated `Engagement` the store keeps and the
//! risk engine reads. Field names are the contract; do not rename them.

use crate::{CountryCode, CurrencyCode, FieldErrors, format_date, parse_date};
use crate::{EngagementKind, FundingSourceType, PartyKind, Sector, TalentProgramme};
use serde::{Deserialize, Deserializer, Serialize};

const MAX_TITLE: usize = 200;
const MAX_SHORT: usize = 200;
const MAX_TEXT: usize = 20_000;
const MAX_AGREEMENT: usize = 500_000;
const MAX_ITEMS: usize = 100;

// ---------------------------------------------------------------- input shape

/// An engagement as submitted (API JSON or the web form). Everything is
/// optional and loosely typed so validation can name each bad field.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct EngagementInput {
    pub title: String,
    /// One of the engagement kinds (`research_collaboration`, …).
    pub kind: String,
    pub description: String,
    /// Who is responsible for the engagement (defaults to the submitting user).
    pub owner: String,
    pub department: String,
    /// `YYYY-MM-DD`
    pub start_date: Option<String>,
    /// `YYYY-MM-DD`
    pub end_date: Option<String>,
    /// ISO 3166-1 alpha-2 codes.
    pub countries: Vec<String>,
    pub partners: Vec<PartnerInput>,
    pub research_areas: Vec<String>,
    pub funding: Option<FundingInput>,
    pub data: DataFlags,
    pub people: Vec<PersonInput>,
    pub travel: Option<TravelInput>,
    pub agreement_text: String,
}

/// A partner named by an existing party id, or inline; an inline partner is
/// resolved to an existing party (same name key, kind and country) or creates one.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct PartnerInput {
    pub party_id: Option<String>,
    pub name: String,
    /// `organization` (default) or `person`.
    pub kind: Option<String>,
    pub country: Option<String>,
    pub sector: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct FundingInput {
    pub amount: Option<f64>,
    pub currency: Option<String>,
    /// The funder's name; resolved to a party like a partner.
    pub source: String,
    pub source_party_id: Option<String>,
    pub source_country: Option<String>,
    pub source_type: Option<String>,
    pub conditions: String,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct PersonInput {
    pub party_id: Option<String>,
    pub name: String,
    pub role: String,
    /// `none` (default), `disclosed`, `undisclosed` or `malign`.
    pub talent_programme: Option<String>,
    /// Affiliations the person has not disclosed (a list of names; `true` is
    /// accepted as "at least one, unnamed").
    #[serde(deserialize_with = "affiliations")]
    #[schema(value_type = Vec<String>)]
    pub undisclosed_affiliations: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct TravelInput {
    pub destinations: Vec<DestinationInput>,
    pub start: Option<String>,
    pub end: Option<String>,
    pub fieldwork: bool,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct DestinationInput {
    pub country: String,
    pub region: String,
}

fn affiliations<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        Flag(bool),
        Names(Vec<String>),
        One(String),
        Null(()),
    }
    Ok(match Either::deserialize(d)? {
        Either::Flag(true) => vec!["(not named)".to_owned()],
        Either::Flag(false) | Either::Null(()) => Vec::new(),
        Either::Names(v) => v,
        Either::One(s) if s.trim().is_empty() => Vec::new(),
        Either::One(s) => vec![s],
    })
}

// ------------------------------------------------------------ validated shape

/// Data-handling facts of an engagement.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct DataFlags {
    pub personal_data: bool,
    pub special_category_data: bool,
    pub export_controlled: bool,
    pub partner_access_to_facilities: bool,
}

/// A validated engagement: what the store keeps and the risk engine reads.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, utoipa::ToSchema)]
pub struct Engagement {
    pub title: String,
    pub kind: EngagementKind,
    pub description: String,
    pub owner: String,
    pub department: String,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    /// Every country involved: those named plus partners', the funder's and
    /// destinations' countries.
    #[schema(value_type = Vec<String>)]
    pub countries: Vec<CountryCode>,
    pub partners: Vec<PartnerRef>,
    pub research_areas: Vec<String>,
    pub funding: Option<Funding>,
    pub data: DataFlags,
    pub people: Vec<Person>,
    pub travel: Option<Travel>,
    pub agreement_text: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, utoipa::ToSchema)]
pub struct PartnerRef {
    /// Set once the partner is resolved to a party record.
    pub party_id: Option<String>,
    pub name: String,
    pub kind: PartyKind,
    #[schema(value_type = Option<String>)]
    pub country: Option<CountryCode>,
    pub sector: Option<Sector>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, utoipa::ToSchema)]
pub struct Funding {
    pub amount: Option<f64>,
    #[schema(value_type = Option<String>)]
    pub currency: Option<CurrencyCode>,
    pub source: String,
    pub source_party_id: Option<String>,
    #[schema(value_type = Option<String>)]
    pub source_country: Option<CountryCode>,
    pub source_type: Option<FundingSourceType>,
    pub conditions: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, utoipa::ToSchema)]
pub struct Person {
    pub party_id: Option<String>,
    pub name: String,
    pub role: String,
    pub talent_programme: TalentProgramme,
    pub undisclosed_affiliations: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, utoipa::ToSchema)]
pub struct Travel {
    pub destinations: Vec<Destination>,
    pub start: Option<String>,
    pub end: Option<String>,
    pub fieldwork: bool,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, utoipa::ToSchema)]
pub struct Destination {
    #[schema(value_type = String)]
    pub country: CountryCode,
    pub region: String,
}

// ------------------------------------------------------------------ validation

/// Parse an API body: JSON type errors are reported against their path, then
/// the whole input is validated.
pub fn parse_engagement_json(body: &[u8]) -> Result<Engagement, FieldErrors> {
    let de = &mut serde_json::Deserializer::from_slice(body);
    let input: EngagementInput = serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." { "body".to_owned() } else { path };
        FieldErrors::single(field, e.into_inner().to_string())
    })?;
    input.validate()
}

struct Check {
    errors: FieldErrors,
}

impl Check {
    fn text(&mut self, field: &str, value: &str, required: bool, max: usize) -> String {
        let v = value.trim();
        if required && v.is_empty() {
            self.errors.push(field, "is required");
        } else if v.chars().count() > max {
            self.errors
                .push(field, format!("is longer than {max} characters"));
        }
        v.to_owned()
    }

    fn country(&mut self, field: &str, value: Option<&str>) -> Option<CountryCode> {
        self.errors.optional(field, value, CountryCode::parse)
    }

    fn date(&mut self, field: &str, value: Option<&str>) -> Option<crate::Date> {
        let v = value.map(str::trim).filter(|v| !v.is_empty())?;
        parse_date(v).map_err(|m| self.errors.push(field, m)).ok()
    }

    fn date_range(
        &mut self,
        start_field: &str,
        start: Option<&str>,
        end_field: &str,
        end: Option<&str>,
    ) -> (Option<String>, Option<String>) {
        let s = self.date(start_field, start);
        let e = self.date(end_field, end);
        if let (Some(s), Some(e)) = (s, e)
            && e < s
        {
            self.errors.push(end_field, "is before the start date");
        }
        (s.map(format_date), e.map(format_date))
    }

    fn vocab<T>(
        &mut self,
        field: &str,
        value: Option<&str>,
        parse: fn(&str) -> Result<T, String>,
    ) -> Option<T> {
        self.errors.optional(field, value, parse)
    }

    fn list_len<T>(&mut self, field: &str, items: &[T]) {
        if items.len() > MAX_ITEMS {
            self.errors
                .push(field, format!("has more than {MAX_ITEMS} entries"));
        }
    }
}

impl EngagementInput {
    /// Check every field; return the validated engagement or every problem.
    pub fn validate(&self) -> Result<Engagement, FieldErrors> {
        let mut c = Check {
            errors: FieldErrors::default(),
        };
        let title = c.text("title", &self.title, true, MAX_TITLE);
        let kind = if self.kind.trim().is_empty() {
            c.errors.push("kind", "is required");
            None
        } else {
            c.vocab("kind", Some(&self.kind), EngagementKind::parse)
        };
        let description = c.text("description", &self.description, false, MAX_TEXT);
        let owner = c.text("owner", &self.owner, true, MAX_SHORT);
        let department = c.text("department", &self.department, false, MAX_SHORT);
        let (start_date, end_date) = c.date_range(
            "start_date",
            self.start_date.as_deref(),
            "end_date",
            self.end_date.as_deref(),
        );

        let mut countries = Vec::new();
        c.list_len("countries", &self.countries);
        for (i, code) in self.countries.iter().enumerate() {
            let field = format!("countries[{i}]");
            if code.trim().is_empty() {
                c.errors.push(field, "is empty");
            } else if let Some(cc) = c.country(&field, Some(code)) {
                countries.push(cc);
            }
        }

        c.list_len("partners", &self.partners);
        let partners: Vec<PartnerRef> = self
            .partners
            .iter()
            .enumerate()
            .filter_map(|(i, p)| validate_partner(&mut c, &format!("partners[{i}]"), p))
            .collect();

        c.list_len("research_areas", &self.research_areas);
        let research_areas: Vec<String> = self
            .research_areas
            .iter()
            .enumerate()
            .map(|(i, a)| c.text(&format!("research_areas[{i}]"), a, false, MAX_SHORT))
            .filter(|a| !a.is_empty())
            .collect();

        let funding = self
            .funding
            .as_ref()
            .and_then(|f| validate_funding(&mut c, f));

        c.list_len("people", &self.people);
        let people: Vec<Person> = self
            .people
            .iter()
            .enumerate()
            .filter_map(|(i, p)| validate_person(&mut c, &format!("people[{i}]"), p))
            .collect();

        let travel = self
            .travel
            .as_ref()
            .and_then(|t| validate_travel(&mut c, t));
        let agreement_text = c.text("agreement_text", &self.agreement_text, false, MAX_AGREEMENT);

        // A partner named only by party id gets its country from the record
        // (the store fills it in and checks again after resolving).
        let refers_to_records = partners
            .iter()
            .any(|p| p.party_id.is_some() && p.country.is_none())
            || funding
                .as_ref()
                .is_some_and(|f| f.source_party_id.is_some() && f.source_country.is_none());
        let mut implied = implied_countries(&partners, funding.as_ref(), travel.as_ref());
        implied.retain(|cc| !countries.contains(cc));
        countries.extend(implied);
        if countries.is_empty() && !refers_to_records && !has_prefix(&c.errors, "countries") {
            c.errors.push(
                "countries",
                "name at least one country (the engagement's, a partner's or a destination's)",
            );
        }

        let errors = c.errors;
        match kind {
            Some(kind) if errors.is_empty() => Ok(Engagement {
                title,
                kind,
                description,
                owner,
                department,
                start_date,
                end_date,
                countries,
                partners,
                research_areas,
                funding,
                data: self.data,
                people,
                travel,
                agreement_text,
            }),
            _ => Err(errors),
        }
    }
}

/// The countries an engagement involves through its partners, funder and
/// destinations, so a filter by country finds them all.
fn implied_countries(
    partners: &[PartnerRef],
    funding: Option<&Funding>,
    travel: Option<&Travel>,
) -> Vec<CountryCode> {
    let mut out: Vec<CountryCode> = Vec::new();
    let all = partners
        .iter()
        .filter_map(|p| p.country)
        .chain(funding.and_then(|f| f.source_country))
        .chain(
            travel
                .iter()
                .flat_map(|t| t.destinations.iter().map(|d| d.country)),
        );
    for cc in all {
        if !out.contains(&cc) {
            out.push(cc);
        }
    }
    out
}

fn has_prefix(errors: &FieldErrors, prefix: &str) -> bool {
    errors.errors.iter().any(|e| e.field.starts_with(prefix))
}

fn validate_partner(c: &mut Check, at: &str, p: &PartnerInput) -> Option<PartnerRef> {
    let party_id = p
        .party_id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned);
    let name = c.text(
        &format!("{at}.name"),
        &p.name,
        party_id.is_none(),
        MAX_SHORT,
    );
    let kind = c
        .vocab(&format!("{at}.kind"), p.kind.as_deref(), PartyKind::parse)
        .unwrap_or(PartyKind::Organization);
    let country = c.country(&format!("{at}.country"), p.country.as_deref());
    let mut sector = c.vocab(&format!("{at}.sector"), p.sector.as_deref(), Sector::parse);
    if kind == PartyKind::Person && sector.is_none() {
        sector = Some(Sector::Individual);
    }
    Some(PartnerRef {
        party_id,
        name,
        kind,
        country,
        sector,
    })
}

fn validate_funding(c: &mut Check, f: &FundingInput) -> Option<Funding> {
    let source = c.text("funding.source", &f.source, false, MAX_SHORT);
    if let Some(a) = f.amount
        && (!a.is_finite() || a < 0.0)
    {
        c.errors
            .push("funding.amount", "must be a number of zero or more");
    }
    let currency = f
        .currency
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .and_then(|s| {
            crate::CurrencyCode::parse(s)
                .map_err(|m| c.errors.push("funding.currency", m))
                .ok()
        });
    if f.amount.is_some() && currency.is_none() && c.errors.get("funding.currency").is_none() {
        c.errors
            .push("funding.currency", "is required when an amount is given");
    }
    let source_country = c.country("funding.source_country", f.source_country.as_deref());
    let source_type = c.vocab(
        "funding.source_type",
        f.source_type.as_deref(),
        FundingSourceType::parse,
    );
    let conditions = c.text("funding.conditions", &f.conditions, false, MAX_TEXT);
    let source_party_id = f
        .source_party_id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned);
    let empty = f.amount.is_none()
        && source.is_empty()
        && source_party_id.is_none()
        && source_type.is_none()
        && source_country.is_none()
        && conditions.is_empty();
    (!empty).then_some(Funding {
        amount: f.amount,
        currency,
        source,
        source_party_id,
        source_country,
        source_type,
        conditions,
    })
}

fn validate_person(c: &mut Check, at: &str, p: &PersonInput) -> Option<Person> {
    let party_id = p
        .party_id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned);
    let name = c.text(
        &format!("{at}.name"),
        &p.name,
        party_id.is_none(),
        MAX_SHORT,
    );
    let role = c.text(&format!("{at}.role"), &p.role, false, MAX_SHORT);
    let talent_programme = c
        .vocab(
            &format!("{at}.talent_programme"),
            p.talent_programme.as_deref(),
            TalentProgramme::parse,
        )
        .unwrap_or(TalentProgramme::None);
    let undisclosed_affiliations = p
        .undisclosed_affiliations
        .iter()
        .map(|a| a.trim().to_owned())
        .filter(|a| !a.is_empty())
        .collect();
    Some(Person {
        party_id,
        name,
        role,
        talent_programme,
        undisclosed_affiliations,
    })
}

fn validate_travel(c: &mut Check, t: &TravelInput) -> Option<Travel> {
    c.list_len("travel.destinations", &t.destinations);
    let destinations: Vec<Destination> = t
        .destinations
        .iter()
        .enumerate()
        .filter_map(|(i, d)| {
            let field = format!("travel.destinations[{i}].country");
            if d.country.trim().is_empty() {
                c.errors.push(field, "is required");
                return None;
            }
            let country = c.country(&field, Some(&d.country))?;
            let region = c.text(
                &format!("travel.destinations[{i}].region"),
                &d.region,
                false,
                MAX_SHORT,
            );
            Some(Destination { country, region })
        })
        .collect();
    let (start, end) = c.date_range(
        "travel.start",
        t.start.as_deref(),
        "travel.end",
        t.end.as_deref(),
    );
    let empty = destinations.is_empty() && start.is_none() && end.is_none() && !t.fieldwork;
    (!empty).then_some(Travel {
        destinations,
        start,
        end,
        fieldwork: t.fieldwork,
    })
}

impl Engagement {
    /// Add partners', the funder's and destinations' countries to `countries`
    /// (after party records have filled in what an id-only reference lacked).
    pub fn add_implied_countries(&mut self) {
        for cc in implied_countries(&self.partners, self.funding.as_ref(), self.travel.as_ref()) {
            if !self.countries.contains(&cc) {
                self.countries.push(cc);
            }
        }
    }

    /// Back to the input shape (for edit forms and round trips).
    pub fn to_input(&self) -> EngagementInput {
        EngagementInput {
            title: self.title.clone(),
            kind: self.kind.as_str().to_owned(),
            description: self.description.clone(),
            owner: self.owner.clone(),
            department: self.department.clone(),
            start_date: self.start_date.clone(),
            end_date: self.end_date.clone(),
            countries: self.countries.iter().map(|c| c.code().to_owned()).collect(),
            partners: self
                .partners
                .iter()
                .map(|p| PartnerInput {
                    party_id: p.party_id.clone(),
                    name: p.name.clone(),
                    kind: Some(p.kind.as_str().to_owned()),
                    country: p.country.map(|c| c.code().to_owned()),
                    sector: p.sector.map(|s| s.as_str().to_owned()),
                })
                .collect(),
            research_areas: self.research_areas.clone(),
            funding: self.funding.as_ref().map(|f| FundingInput {
                amount: f.amount,
                currency: f.currency.map(|c| c.code().to_owned()),
                source: f.source.clone(),
                source_party_id: f.source_party_id.clone(),
                source_country: f.source_country.map(|c| c.code().to_owned()),
                source_type: f.source_type.map(|s| s.as_str().to_owned()),
                conditions: f.conditions.clone(),
            }),
            data: self.data,
            people: self
                .people
                .iter()
                .map(|p| PersonInput {
                    party_id: p.party_id.clone(),
                    name: p.name.clone(),
                    role: p.role.clone(),
                    talent_programme: Some(p.talent_programme.as_str().to_owned()),
                    undisclosed_affiliations: p.undisclosed_affiliations.clone(),
                })
                .collect(),
            travel: self.travel.as_ref().map(|t| TravelInput {
                destinations: t
                    .destinations
                    .iter()
                    .map(|d| DestinationInput {
                        country: d.country.code().to_owned(),
                        region: d.region.clone(),
                    })
                    .collect(),
                start: t.start.clone(),
                end: t.end.clone(),
                fieldwork: t.fieldwork,
            }),
            agreement_text: self.agreement_text.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn minimal() -> serde_json::Value {
        json!({"title": "Joint lab", "kind": "research_collaboration", "owner": "a.researcher", "countries": ["DE"]})
    }

    fn errors_of(v: serde_json::Value) -> Vec<(String, String)> {
        parse_engagement_json(v.to_string().as_bytes())
            .unwrap_err()
            .errors
            .into_iter()
            .map(|e| (e.field, e.message))
            .collect()
    }

    #[test]
    fn accepts_the_full_documented_shape() {
        let body = json!({
            "title": "Quantum sensing collaboration", "kind": "research_collaboration",
            "description": "Joint work", "owner": "jdoe", "department": "Physics",
            "start_date": "2026-01-01", "end_date": "2027-12-31",
            "countries": ["jp"],
            "partners": [{"name": "Example University", "kind": "organization", "country": "JP", "sector": "university"}],
            "research_areas": ["quantum sensing"],
            "funding": {"amount": 125000.5, "currency": "JPY", "source": "Example Foundation", "source_country": "JP", "source_type": "philanthropic", "conditions": "annual report"},
            "data": {"personal_data": true, "special_category_data": false, "export_controlled": false, "partner_access_to_facilities": true},
            "people": [{"name": "Taro Example", "role": "visiting PhD student", "talent_programme": "disclosed", "undisclosed_affiliations": ["Example Lab"]}],
            "travel": {"destinations": [{"country": "KR", "region": "Seoul"}], "start": "2026-03-01", "end": "2026-03-10", "fieldwork": true},
            "agreement_text": "Either party may publish after 30 days."
        });
        let e = parse_engagement_json(body.to_string().as_bytes()).unwrap();
        assert_eq!(e.kind, EngagementKind::ResearchCollaboration);
        let codes: Vec<&str> = e.countries.iter().map(|c| c.code()).collect();
        assert_eq!(
            codes,
            ["JP", "KR"],
            "destinations join the engagement's countries"
        );
        assert_eq!(e.people[0].talent_programme, TalentProgramme::Disclosed);
        assert!(e.data.partner_access_to_facilities);
        // The validated shape serialises back to the same field names.
        let out = serde_json::to_value(&e).unwrap();
        assert_eq!(out["partners"][0]["country"], "JP");
        assert_eq!(out["funding"]["currency"], "JPY");
        assert_eq!(out["travel"]["destinations"][0]["region"], "Seoul");
        let again = e.to_input().validate().unwrap();
        assert_eq!(again, e);
    }

    #[test]
    fn names_each_bad_field() {
        let mut v = minimal();
        v["partners"] = json!([{"name": "Acme", "country": "ZZ"}, {"name": "", "sector": "army"}]);
        v["end_date"] = json!("2020-01-01");
        v["start_date"] = json!("2021-01-01");
        v["funding"] = json!({"amount": 10, "currency": "XYZ"});
        let errs = errors_of(v);
        assert!(
            errs.contains(&(
                "partners[0].country".into(),
                "'ZZ' is not an ISO 3166-1 country code".into()
            )),
            "{errs:?}"
        );
        assert!(errs.iter().any(|(f, _)| f == "partners[1].name"));
        assert!(
            errs.iter()
                .any(|(f, m)| f == "partners[1].sector" && m.contains("army"))
        );
        assert!(errs.iter().any(|(f, _)| f == "end_date"));
        assert!(errs.iter().any(|(f, _)| f == "funding.currency"));
    }

    #[test]
    fn requires_title_kind_owner_and_a_country() {
        let errs = errors_of(json!({}));
        let fields: Vec<&str> = errs.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(fields, ["title", "kind", "owner", "countries"]);
    }

    #[test]
    fn type_errors_name_their_path() {
        let mut v = minimal();
        v["partners"] = json!([{"name": 5}]);
        let errs = errors_of(v);
        assert_eq!(errs[0].0, "partners[0].name");
    }

    #[test]
    fn accepts_a_flag_for_undisclosed_affiliations() {
        let mut v = minimal();
        v["people"] = json!([{"name": "A", "undisclosed_affiliations": true}, {"name": "B", "undisclosed_affiliations": false}]);
        let e = parse_engagement_json(v.to_string().as_bytes()).unwrap();
        assert_eq!(e.people[0].undisclosed_affiliations.len(), 1);
        assert!(e.people[1].undisclosed_affiliations.is_empty());
    }
}
