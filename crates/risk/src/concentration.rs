//! F12, concentration: a portfolio-level report, not a per-engagement score.
//! It shows how much of the register depends on one funder or one country, so
//! a research office can see dependence building up before it is a risk.

use std::collections::BTreeMap;

use meridian_domain::{Engagement, match_key};
use serde::Serialize;

/// One funder's or country's part of the register.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Share {
    /// The party id, the funder's name key, or the country code.
    pub key: String,
    /// How the register names it.
    pub label: String,
    pub engagements: usize,
    /// Fraction (0–1) of the engagements in the denominator.
    pub share: f64,
}

/// Money from one funder in one currency (currencies are never converted).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AmountShare {
    pub currency: String,
    pub funder: String,
    pub amount: f64,
    /// Fraction of all funding recorded in that currency.
    pub share: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConcentrationReport {
    pub engagements: usize,
    /// Engagements that name a funder (the denominator of funder shares).
    pub funded: usize,
    /// Largest first.
    pub funders: Vec<Share>,
    /// Share of all engagements involving each country, largest first.
    pub countries: Vec<Share>,
    pub amounts: Vec<AmountShare>,
    /// Herfindahl–Hirschman index of funder shares (0–1; 1 = a single funder).
    pub funder_hhi: f64,
}

impl ConcentrationReport {
    /// Funders and countries whose share exceeds `threshold` (e.g. the pack's
    /// `concentration_share`).
    pub fn above(&self, threshold: f64) -> Vec<&Share> {
        self.funders
            .iter()
            .chain(&self.countries)
            .filter(|s| s.share > threshold)
            .collect()
    }
}

/// Count funders and countries across a set of engagements.
pub fn concentration(engagements: &[Engagement]) -> ConcentrationReport {
    let mut funders: BTreeMap<String, (String, usize)> = BTreeMap::new();
    let mut countries: BTreeMap<String, (String, usize)> = BTreeMap::new();
    let mut amounts: BTreeMap<(String, String), f64> = BTreeMap::new();
    let mut funded = 0;
    for e in engagements {
        if let Some(f) = &e.funding {
            let key = f
                .source_party_id
                .clone()
                .unwrap_or_else(|| match_key(&f.source));
            if !key.is_empty() {
                funded += 1;
                let label = if f.source.is_empty() {
                    key.clone()
                } else {
                    f.source.clone()
                };
                funders.entry(key).or_insert((label.clone(), 0)).1 += 1;
                if let (Some(a), Some(c)) = (f.amount, f.currency) {
                    *amounts.entry((c.code().to_owned(), label)).or_default() += a;
                }
            }
        }
        let mut seen: Vec<_> = e.countries.clone();
        if let Some(t) = &e.travel {
            seen.extend(t.destinations.iter().map(|d| d.country));
        }
        seen.sort();
        seen.dedup();
        for c in seen {
            countries
                .entry(c.code().to_owned())
                .or_insert((c.name().to_owned(), 0))
                .1 += 1;
        }
    }
    let shares = |m: BTreeMap<String, (String, usize)>, total: usize| {
        let mut v: Vec<Share> = m
            .into_iter()
            .map(|(key, (label, n))| Share {
                key,
                label,
                engagements: n,
                share: if total == 0 {
                    0.0
                } else {
                    n as f64 / total as f64
                },
            })
            .collect();
        v.sort_by(|a, b| b.engagements.cmp(&a.engagements).then(a.key.cmp(&b.key)));
        v
    };
    let funders = shares(funders, funded);
    let funder_hhi = funders.iter().map(|s| s.share * s.share).sum();
    let mut per_currency: BTreeMap<&str, f64> = BTreeMap::new();
    for ((c, _), a) in &amounts {
        *per_currency.entry(c).or_default() += a;
    }
    let amounts = amounts
        .iter()
        .map(|((c, funder), a)| AmountShare {
            currency: c.clone(),
            funder: funder.clone(),
            amount: *a,
            share: per_currency
                .get(c.as_str())
                .filter(|t| **t > 0.0)
                .map_or(0.0, |t| a / t),
        })
        .collect();
    ConcentrationReport {
        engagements: engagements.len(),
        funded,
        funders,
        countries: shares(countries, engagements.len()),
        amounts,
        funder_hhi,
    }
}
