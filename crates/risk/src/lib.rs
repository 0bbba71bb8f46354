//! Meridian's risk engine. Pure: an engagement, the list hits the caller
//! screened for it and country profiles go in, under a versioned policy pack;
//! a proportionate, explained assessment comes out. No IO: callers read files
//! and pass bytes or strings.

mod assess;
mod clauses;
mod concentration;
mod country;
mod docx;
mod error;
mod ladder;
mod lists;
mod policy;
mod stra_data;
mod taxonomy;

pub use assess::{
    Assessment, FactorResult, MitigationItem, PrincipleRating, TaskItem, assess, assess_json,
};
pub use clauses::{ClauseFinding, check_agreement};
pub use concentration::{AmountShare, ConcentrationReport, Share, concentration};
pub use country::{
    CountryProfile, CountryProfiles, Sourced, TravelAdvice, TravelAdviceImport, VdemImport,
    import_govuk_travel_advice, import_vdem_academic_freedom,
};
pub use docx::docx_text;
pub use error::{DocxError, ImportError, PolicyError, PolicyProblem};
pub use ladder::{Outcome, Principle, Rating, Route, Sensitivity};
pub use lists::{ListHit, ListKind, ScreeningSubject, screening_subjects};
pub use policy::{
    CLAUSE_KINDS, ClauseSpec, FACTOR_IDS, FactorSpec, KNOWN_RULES, MitigationSpec, NsiaArea,
    OutcomeSpec, PolicyPack, PolicyRef, RuleSpec, TaskSpec,
};
pub use taxonomy::{Area, AreaMatch, match_areas, stra_subareas};
