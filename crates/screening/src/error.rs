//! The crate's one error enum. Every variant names the file (or line) so the sentence
//! an operator sees says where to look.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The file cannot be parsed at all (not CSV/XML/JSON of the expected shape);
    /// none of its records are used.
    #[error("list file {file} is not a valid {format} file: {reason}")]
    Format {
        file: String,
        format: &'static str,
        reason: String,
    },
    #[error("could not read {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Safe by default: screening against nothing must never look like "no match".
    #[error(
        "no list entities were loaded from {dir}: no recognised list files (or all were empty)"
    )]
    NoLists { dir: PathBuf },
}

impl Error {
    pub(crate) fn format(file: &str, format: &'static str, reason: impl Into<String>) -> Self {
        Error::Format {
            file: file.to_string(),
            format,
            reason: reason.into(),
        }
    }
}
