//! Errors of the risk crate. A policy pack that fails is reported with the line
//! of every problem, so an administrator can fix a file in one pass; importers
//! name the publisher's format and the row; a .docx that cannot be read says
//! so. They are separate enums because each reaches a different person (a
//! pack author, whoever loads reference data, a researcher uploading a file).

use thiserror::Error;

/// One problem found while validating a policy pack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyProblem {
    /// 1-based line in the pack's text, where the problem can be placed.
    pub line: Option<usize>,
    pub message: String,
}

impl std::fmt::Display for PolicyProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

#[derive(Debug, Error)]
pub enum PolicyError {
    #[error("the policy pack could not be read at line {line}, column {column}: {message}")]
    Parse {
        line: usize,
        column: usize,
        message: String,
    },
    #[error("the policy pack is not valid: {}", join(.0))]
    Invalid(Vec<PolicyProblem>),
}

fn join(problems: &[PolicyProblem]) -> String {
    problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// A reference-data file that could not be imported.
#[derive(Debug, Error)]
pub enum ImportError {
    #[error("not a valid {format}: {message}")]
    Format {
        format: &'static str,
        message: String,
    },
    #[error("the {format} has no '{column}' column")]
    MissingColumn {
        format: &'static str,
        column: &'static str,
    },
    #[error("country '{0}' is not an ISO 3166-1 country name; give its code")]
    UnknownCountry(String),
}

/// A .docx file whose text could not be read.
#[derive(Debug, Error)]
pub enum DocxError {
    #[error("not a .docx file: {0}")]
    NotDocx(&'static str),
    #[error("the .docx file is damaged: {0}")]
    Damaged(String),
}
