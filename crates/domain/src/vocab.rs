//! The closed vocabularies of the register (kinds, sectors, statuses). Each is
//! a string enum whose wire form is the exact snake_case name the API and the
//! risk engine use.

use serde::{Deserialize, Serialize};

macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident, $what:literal { $($variant:ident => $text:literal : $label:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The wire name (`research_collaboration`).
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// A label for people (`Research collaboration`).
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            pub fn parse(s: &str) -> Result<Self, String> {
                match s.trim() {
                    $($text => Ok($name::$variant),)+
                    other => Err(format!(
                        "'{}' is not a {}; expected one of: {}",
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

string_enum!(
    /// What kind of international engagement this is.
    EngagementKind, "engagement kind" {
    ResearchCollaboration => "research_collaboration": "Research collaboration",
    InstitutionalPartnership => "institutional_partnership": "Institutional partnership",
    Funding => "funding": "Funding",
    Gift => "gift": "Gift",
    ContractResearch => "contract_research": "Contract research",
    VisitingResearcher => "visiting_researcher": "Visiting researcher",
    Travel => "travel": "Travel",
    StudentRecruitment => "student_recruitment": "Student recruitment",
    DataSharing => "data_sharing": "Data sharing",
    Licensing => "licensing": "Licensing",
    EquipmentTransfer => "equipment_transfer": "Equipment transfer",
    Other => "other": "Other",
});

string_enum!(
    /// Whether a party is an organisation or a natural person.
    PartyKind, "party kind" {
    Organization => "organization": "Organisation",
    Person => "person": "Person",
});

string_enum!(
    /// The sector a partner belongs to.
    Sector, "sector" {
    University => "university": "University",
    Company => "company": "Company",
    Government => "government": "Government",
    Military => "military": "Military",
    Ngo => "ngo": "NGO",
    Individual => "individual": "Individual",
});

string_enum!(
    /// Where money comes from.
    FundingSourceType, "funding source type" {
    Government => "government": "Government",
    StateOwned => "state_owned": "State-owned",
    Military => "military": "Military",
    Private => "private": "Private",
    Philanthropic => "philanthropic": "Philanthropic",
    Individual => "individual": "Individual",
    Anonymous => "anonymous": "Anonymous",
});

string_enum!(
    /// A person's participation in a foreign talent programme.
    TalentProgramme, "talent programme status" {
    None => "none": "None",
    Disclosed => "disclosed": "Disclosed",
    Undisclosed => "undisclosed": "Undisclosed",
    Malign => "malign": "Malign",
});

string_enum!(
    /// Due-diligence status of a party record.
    DueDiligenceStatus, "due-diligence status" {
    NotStarted => "not_started": "Not started",
    InProgress => "in_progress": "In progress",
    Cleared => "cleared": "Cleared",
    ClearedWithConditions => "cleared_with_conditions": "Cleared with conditions",
    Rejected => "rejected": "Rejected",
});

string_enum!(
    /// The part a party plays in an engagement.
    PartyRole, "party role" {
    Partner => "partner": "Partner",
    Funder => "funder": "Funder",
    Person => "person": "Person",
});

string_enum!(
    /// Where an engagement stands in the review workflow. The transitions
    /// between these states arrive with the workflow; the register records the
    /// state and filters by it.
    EngagementStatus, "engagement status" {
    Draft => "draft": "Draft",
    Submitted => "submitted": "Submitted",
    InReview => "in_review": "In review",
    Approved => "approved": "Approved",
    ApprovedWithConditions => "approved_with_conditions": "Approved with conditions",
    Declined => "declined": "Declined",
    Active => "active": "Active",
    ReviewDue => "review_due": "Review due",
    ReviewRequired => "review_required": "Review required",
    Paused => "paused": "Paused",
    Withdrawn => "withdrawn": "Withdrawn",
    Closed => "closed": "Closed",
});

string_enum!(
    /// What a user may do. Access rules per role arrive with the workflow;
    /// the register already records who holds which.
    Role, "role" {
    Researcher => "researcher": "Researcher",
    DepartmentApprover => "department_approver": "Department approver",
    ResearchOffice => "research_office": "Research office",
    CommitteeMember => "committee_member": "Committee member",
    ComplianceOfficer => "compliance_officer": "Compliance officer",
    Admin => "admin": "Administrator",
    Auditor => "auditor": "Auditor",
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_round_trips_through_its_wire_name() {
        for k in EngagementKind::ALL {
            assert_eq!(EngagementKind::parse(k.as_str()), Ok(*k));
            let json = serde_json::to_string(k).unwrap();
            assert_eq!(json, format!("\"{}\"", k.as_str()));
        }
        for s in EngagementStatus::ALL {
            assert_eq!(EngagementStatus::parse(s.as_str()), Ok(*s));
        }
        assert_eq!(EngagementKind::ALL.len(), 12);
    }

    #[test]
    fn unknown_names_list_the_allowed_ones() {
        let err = Sector::parse("army").unwrap_err();
        assert!(err.contains("'army' is not a sector"), "{err}");
        assert!(err.contains("military"), "{err}");
    }
}
