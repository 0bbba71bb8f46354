//! The ordered vocabularies an assessment is made of: the outcome ladder, the
//! approval routes, severity ratings, the five principles and research
//! sensitivity. Their wire names are the assessment JSON's contract.

use serde::{Deserialize, Serialize};

macro_rules! ordered_enum {
    ($(#[$meta:meta])* $name:ident, $what:literal { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            /// Every value, lowest first.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(s: &str) -> Result<Self, String> {
                match s.trim() {
                    $($text => Ok($name::$variant),)+
                    other => Err(format!(
                        "'{}' is not {}; expected one of: {}",
                        other,
                        $what,
                        [$($text),+].join(", ")
                    )),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

ordered_enum!(
    /// The proportionate outcome, lowest first. Order matters: the engine takes
    /// maxima over it, which is what makes it monotone.
    Outcome, "an outcome" {
    Proceed => "proceed",
    ProceedWithSafeguards => "proceed_with_safeguards",
    MitigationPlanRequired => "mitigation_plan_required",
    CommitteeReview => "committee_review",
    Prohibited => "prohibited",
});

impl Outcome {
    /// `bands` steps up the ladder, saturating at the top.
    pub fn raised(self, bands: usize) -> Outcome {
        let i = (self as usize + bands).min(Outcome::ALL.len() - 1);
        Outcome::ALL[i]
    }
}

ordered_enum!(
    /// Who must sign an engagement off.
    Route, "an approval route" {
    None => "none",
    Department => "department",
    ResearchOffice => "research_office",
    Committee => "committee",
});

ordered_enum!(
    /// How serious a factor is, and the rating of a principle (its worst factor).
    Rating, "a rating" {
    Low => "low",
    Medium => "medium",
    High => "high",
    VeryHigh => "very_high",
});

ordered_enum!(
    /// The five principles an assessment is reported against.
    Principle, "a principle" {
    People => "people",
    AcademicFreedom => "academic_freedom",
    RiskCulture => "risk_culture",
    OpenFlow => "open_flow",
    FundingAutonomy => "funding_autonomy",
});

ordered_enum!(
    /// How sensitive the research is: a sensitive-technology area, or one that is
    /// export-controlled (military list, dual-use list, or declared so).
    Sensitivity, "a sensitivity level" {
    None => "none",
    Sensitive => "sensitive",
    Controlled => "controlled",
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ladder_is_ordered_and_saturates() {
        assert!(Outcome::Proceed < Outcome::ProceedWithSafeguards);
        assert!(Outcome::CommitteeReview < Outcome::Prohibited);
        assert_eq!(Outcome::Proceed.raised(1), Outcome::ProceedWithSafeguards);
        assert_eq!(Outcome::CommitteeReview.raised(5), Outcome::Prohibited);
        assert_eq!(
            serde_json::to_string(&Outcome::MitigationPlanRequired).unwrap(),
            "\"mitigation_plan_required\""
        );
        assert!(
            Outcome::parse("maybe")
                .unwrap_err()
                .contains("committee_review")
        );
    }
}
