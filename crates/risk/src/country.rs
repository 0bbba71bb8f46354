//! Country profiles: dated, sourced facts about a country (travel advice,
//! sanctions regimes, academic freedom) that modify an assessment. Every field
//! is optional: an unknown stays unknown, and nothing is shipped by default.
//! Importers turn publishers' files (bytes the caller read) into profiles.

use std::collections::BTreeMap;

use meridian_domain::{CountryCode, all_countries};
use serde::{Deserialize, Serialize};

use crate::error::ImportError;

/// A fact with the date it was true and where it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sourced<T> {
    pub value: T,
    /// `YYYY-MM-DD`, or a year for yearly datasets.
    pub as_of: String,
    pub source: String,
}

/// The UK FCDO's travel-advice levels (GOV.UK `details.alert_status`), lowest
/// first. `Unknown` holds a status the importer does not recognise: a new
/// wording is never guessed into a level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TravelAdvice {
    Unknown,
    NoAdvisory,
    AgainstAllButEssentialToParts,
    AgainstAllToParts,
    AgainstAllButEssential,
    AgainstAll,
}

impl TravelAdvice {
    pub fn as_str(self) -> &'static str {
        match self {
            TravelAdvice::Unknown => "unknown",
            TravelAdvice::NoAdvisory => "no_advisory",
            TravelAdvice::AgainstAllButEssentialToParts => "against_all_but_essential_to_parts",
            TravelAdvice::AgainstAllToParts => "against_all_to_parts",
            TravelAdvice::AgainstAllButEssential => "against_all_but_essential",
            TravelAdvice::AgainstAll => "against_all",
        }
    }

    pub fn parse(s: &str) -> Result<Self, String> {
        [
            TravelAdvice::Unknown,
            TravelAdvice::NoAdvisory,
            TravelAdvice::AgainstAllButEssentialToParts,
            TravelAdvice::AgainstAllToParts,
            TravelAdvice::AgainstAllButEssential,
            TravelAdvice::AgainstAll,
        ]
        .into_iter()
        .find(|l| l.as_str() == s.trim())
        .ok_or_else(|| format!("'{s}' is not a travel-advice level"))
    }

    /// Words for an explanation.
    pub fn label(self) -> &'static str {
        match self {
            TravelAdvice::Unknown => "travel advice not recognised",
            TravelAdvice::NoAdvisory => "no advice against travel",
            TravelAdvice::AgainstAllButEssentialToParts => {
                "advice against all but essential travel to parts of the country"
            }
            TravelAdvice::AgainstAllToParts => "advice against all travel to parts of the country",
            TravelAdvice::AgainstAllButEssential => "advice against all but essential travel",
            TravelAdvice::AgainstAll => "advice against all travel",
        }
    }

    /// GOV.UK's four `alert_status` values; anything else is unknown.
    fn from_govuk(status: &str) -> TravelAdvice {
        match status {
            "avoid_all_but_essential_travel_to_parts" => {
                TravelAdvice::AgainstAllButEssentialToParts
            }
            "avoid_all_travel_to_parts" => TravelAdvice::AgainstAllToParts,
            "avoid_all_but_essential_travel_to_whole_country" => {
                TravelAdvice::AgainstAllButEssential
            }
            "avoid_all_travel_to_whole_country" => TravelAdvice::AgainstAll,
            _ => TravelAdvice::Unknown,
        }
    }
}

/// What is known about one country. `None` means unknown, not "no risk".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CountryProfile {
    pub travel_advice: Option<Sourced<TravelAdvice>>,
    /// Sanctions regimes that target the country (e.g. "UK: Russia"); an empty
    /// list is a sourced "none", `None` is unknown.
    pub sanctions_regimes: Option<Sourced<Vec<String>>>,
    /// V-Dem's Academic Freedom Index (`v2xca_academ`, 0–1, higher is freer).
    pub academic_freedom: Option<Sourced<f64>>,
}

/// Profiles by country. Empty by default: Meridian ships no country facts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CountryProfiles {
    pub profiles: BTreeMap<CountryCode, CountryProfile>,
}

impl CountryProfiles {
    pub fn get(&self, country: CountryCode) -> Option<&CountryProfile> {
        self.profiles.get(&country)
    }

    pub fn entry(&mut self, country: CountryCode) -> &mut CountryProfile {
        self.profiles.entry(country).or_default()
    }

    /// Set every country's academic-freedom value from a V-Dem import.
    pub fn apply_vdem(&mut self, import: &VdemImport) {
        for (cc, v) in &import.values {
            self.entry(*cc).academic_freedom = Some(v.clone());
        }
    }

    /// Set one country's travel advice from a GOV.UK import.
    pub fn apply_travel_advice(&mut self, import: &TravelAdviceImport) {
        self.entry(import.country).travel_advice = Some(import.advice.clone());
    }
}

// ------------------------------------------------------------------ GOV.UK

/// One country's travel advice read from the GOV.UK content API.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TravelAdviceImport {
    pub country: CountryCode,
    pub advice: Sourced<TravelAdvice>,
    /// The raw `alert_status` values, for the audit trail.
    pub alert_status: Vec<String>,
}

#[derive(Deserialize)]
struct GovukItem {
    #[serde(default)]
    public_updated_at: Option<String>,
    #[serde(default)]
    updated_at: Option<String>,
    details: GovukDetails,
}

#[derive(Deserialize)]
struct GovukDetails {
    alert_status: Vec<String>,
    #[serde(default)]
    country: Option<GovukCountry>,
}

#[derive(Deserialize)]
struct GovukCountry {
    #[serde(default)]
    name: String,
    #[serde(default)]
    slug: String,
}

/// Read a GOV.UK content API travel-advice item
/// (`/api/content/foreign-travel-advice/<slug>`). The most severe
/// `details.alert_status` value gives the level; an empty array means no advice
/// against travel. The country is `country` if given, else resolved from
/// `details.country.name` (or its slug) against the ISO short names.
pub fn import_govuk_travel_advice(
    json: &[u8],
    country: Option<CountryCode>,
) -> Result<TravelAdviceImport, ImportError> {
    let item: GovukItem = serde_json::from_slice(json).map_err(|e| ImportError::Format {
        format: "GOV.UK travel advice JSON",
        message: e.to_string(),
    })?;
    let country = match country {
        Some(c) => c,
        None => {
            let named = item.details.country.as_ref();
            let name = named.map(|c| c.name.as_str()).unwrap_or("");
            let slug = named.map(|c| c.slug.replace('-', " ")).unwrap_or_default();
            country_by_name(name)
                .or_else(|| country_by_name(&slug))
                .ok_or_else(|| ImportError::UnknownCountry(name.to_owned()))?
        }
    };
    let level = if item.details.alert_status.is_empty() {
        TravelAdvice::NoAdvisory
    } else {
        // An unrecognised value makes the whole level unknown rather than
        // letting a recognised milder one hide it.
        let levels: Vec<TravelAdvice> = item
            .details
            .alert_status
            .iter()
            .map(|s| TravelAdvice::from_govuk(s))
            .collect();
        if levels.contains(&TravelAdvice::Unknown) {
            TravelAdvice::Unknown
        } else {
            levels.into_iter().max().unwrap_or(TravelAdvice::Unknown)
        }
    };
    let as_of = item
        .public_updated_at
        .or(item.updated_at)
        .map(|d| d.chars().take(10).collect())
        .unwrap_or_default();
    Ok(TravelAdviceImport {
        country,
        advice: Sourced {
            value: level,
            as_of,
            source: "GOV.UK foreign travel advice (FCDO), content API alert_status".to_owned(),
        },
        alert_status: item.details.alert_status,
    })
}

fn country_by_name(name: &str) -> Option<CountryCode> {
    let want = name.trim().to_lowercase();
    if want.is_empty() {
        return None;
    }
    all_countries().find(|c| c.name().to_lowercase() == want)
}

// ------------------------------------------------------------------- V-Dem

/// Academic-freedom values read from a V-Dem country-year CSV.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct VdemImport {
    /// The latest year with a value, per country.
    pub values: BTreeMap<CountryCode, Sourced<f64>>,
    /// `country_text_id`s that are not ISO 3166-1 alpha-3 codes (V-Dem codes
    /// some historical and sub-national units of its own).
    pub skipped: Vec<String>,
}

/// Read V-Dem's country-year CSV (the full dataset or any extract keeping its
/// header): `country_text_id` (ISO alpha-3), `year` and `v2xca_academ`. Rows
/// with an empty value are skipped; the latest year wins.
pub fn import_vdem_academic_freedom(csv_bytes: &[u8]) -> Result<VdemImport, ImportError> {
    let format = "V-Dem country-year CSV";
    let mut reader = csv::Reader::from_reader(csv_bytes);
    let headers = reader
        .headers()
        .map_err(|e| ImportError::Format {
            format,
            message: e.to_string(),
        })?
        .clone();
    let column = |name: &'static str| {
        headers
            .iter()
            .position(|h| h == name)
            .ok_or(ImportError::MissingColumn {
                format,
                column: name,
            })
    };
    let (id_col, year_col, value_col) = (
        column("country_text_id")?,
        column("year")?,
        column("v2xca_academ")?,
    );
    let by_alpha3: BTreeMap<&str, CountryCode> = all_countries().map(|c| (c.alpha3(), c)).collect();
    let mut latest: BTreeMap<CountryCode, (i32, f64)> = BTreeMap::new();
    let mut skipped = Vec::new();
    for (i, row) in reader.records().enumerate() {
        let row = row.map_err(|e| ImportError::Format {
            format,
            message: format!("row {}: {e}", i + 2),
        })?;
        let field = |c: usize| row.get(c).unwrap_or("").trim();
        let value = field(value_col);
        if value.is_empty() || value == "NA" {
            continue;
        }
        let bad = |what: &str, v: &str| ImportError::Format {
            format,
            message: format!("row {}: {what} '{v}' is not a number", i + 2),
        };
        let value: f64 = value.parse().map_err(|_| bad("v2xca_academ", value))?;
        let year: i32 = field(year_col)
            .parse()
            .map_err(|_| bad("year", field(year_col)))?;
        let id = field(id_col);
        let Some(&cc) = by_alpha3.get(id) else {
            if !skipped.iter().any(|s: &String| s == id) {
                skipped.push(id.to_owned());
            }
            continue;
        };
        let slot = latest.entry(cc).or_insert((year, value));
        if year >= slot.0 {
            *slot = (year, value);
        }
    }
    let values = latest
        .into_iter()
        .map(|(cc, (year, value))| {
            let v = Sourced {
                value,
                as_of: year.to_string(),
                source: "V-Dem country-year dataset, v2xca_academ (Academic Freedom Index)"
                    .to_owned(),
            };
            (cc, v)
        })
        .collect();
    Ok(VdemImport { values, skipped })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_most_severe_status_wins_and_unknown_words_stay_unknown() {
        let j = br#"{"details":{"alert_status":["avoid_all_but_essential_travel_to_parts","avoid_all_travel_to_parts"]}}"#;
        let fr = CountryCode::parse("FR").unwrap();
        let got = import_govuk_travel_advice(j, Some(fr)).unwrap();
        assert_eq!(got.advice.value, TravelAdvice::AgainstAllToParts);
        let j = br#"{"details":{"alert_status":["avoid_all_travel_to_parts","new_wording"]}}"#;
        let got = import_govuk_travel_advice(j, Some(fr)).unwrap();
        assert_eq!(got.advice.value, TravelAdvice::Unknown);
    }

    #[test]
    fn an_unresolvable_country_is_an_error_naming_it() {
        let j =
            br#"{"details":{"alert_status":[],"country":{"name":"Atlantis","slug":"atlantis"}}}"#;
        let err = import_govuk_travel_advice(j, None).unwrap_err();
        assert!(err.to_string().contains("Atlantis"), "{err}");
    }
}
