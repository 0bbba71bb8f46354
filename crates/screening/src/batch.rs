//! The batch contract behind `meridian screen` and `POST /api/v1/screen`: queries in
//! (JSON lines or CSV), one result per query out, in input order. The CLI calls
//!
//! ```text
//! meridian_screening::batch::run(input: impl BufRead, output: impl Write,
//!                                index: &Index, opts: &BatchOptions)
//!     -> Result<BatchSummary, BatchError>
//! ```
//!
//! Input JSONL: one object a line, `{"id":"q1","name":"...","kind":"person|organization|
//! vessel|aircraft|any","country":"IR","birth_year":1962}`; only `name` is required,
//! unknown fields are ignored, blank lines skipped; `id` may be a string or a number and
//! defaults to the query's 1-based position. Input CSV: a header row with a `name`
//! column and optionally `id`, `kind`, `country`, `birth_year`.
//! Output JSONL: `{"id":..,"matches":[{"source","entity_id","name","matched_name","kind",
//! "score","explanation"}]}` per query, best match first, only scores at or above the
//! threshold (default `DEFAULT_THRESHOLD` = 0.80, the F1-best point on the labelled
//! name-pair benchmark, see docs/PERFORMANCE.md), at most `limit` (default 10) per query.
//! Output CSV: one row per match
//! (`id,rank,source,entity_id,name,matched_name,kind,score,explanation`) and one row with
//! only the id for a query without matches, so every query is visible in a spreadsheet.
//! All input is validated before any output is written: a bad line yields an error
//! naming that line and no partial results.

use std::io::{BufRead, Write};

use serde::{Deserialize, Serialize};

use crate::entity::EntityKind;
use crate::index::{DEFAULT_LIMIT, DEFAULT_THRESHOLD, Index, Match, Query, ScreenOptions};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum BatchFormat {
    #[default]
    Jsonl,
    Csv,
}

impl BatchFormat {
    pub fn parse(raw: &str) -> Option<BatchFormat> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "jsonl" | "json" | "ndjson" => Some(BatchFormat::Jsonl),
            "csv" => Some(BatchFormat::Csv),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BatchOptions {
    pub threshold: f32,
    pub limit: usize,
    pub input_format: BatchFormat,
    pub output_format: BatchFormat,
}

impl Default for BatchOptions {
    fn default() -> Self {
        BatchOptions {
            threshold: DEFAULT_THRESHOLD,
            limit: DEFAULT_LIMIT,
            input_format: BatchFormat::Jsonl,
            output_format: BatchFormat::Jsonl,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct BatchSummary {
    pub queries: usize,
    pub queries_with_matches: usize,
    pub matches: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    #[error("input line {line}: {message}")]
    Input { line: u64, message: String },
    #[error("could not read input: {0}")]
    Read(#[source] std::io::Error),
    #[error("could not write output: {0}")]
    Write(#[source] std::io::Error),
}

/// One query with its caller-chosen id (kept as given: string or number).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BatchQuery {
    pub id: serde_json::Value,
    #[serde(flatten)]
    pub query: Query,
}

/// The result for one query, serialised as one output line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BatchResult {
    pub id: serde_json::Value,
    pub matches: Vec<Match>,
}

/// The wire shape of a query: lenient about types callers commonly send
/// (`birth_year` as "1962", `kind` as "any"), strict about values that are wrong.
#[derive(Debug, Deserialize)]
pub struct RawQuery {
    #[serde(default)]
    pub id: Option<serde_json::Value>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub country: Option<String>,
    #[serde(default)]
    pub birth_year: Option<serde_json::Value>,
}

impl RawQuery {
    /// Validates one query; `position` (1-based) is the default id. The error is a
    /// sentence naming the field, for the caller to prefix with the line or index.
    pub fn into_query(self, position: usize) -> Result<BatchQuery, String> {
        let name = self.name.map(|n| n.trim().to_string()).unwrap_or_default();
        if name.is_empty() {
            return Err("\"name\" is missing or empty".to_string());
        }
        let kind = match self.kind.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(k) if k.eq_ignore_ascii_case("any") => None,
            Some(k) => Some(EntityKind::parse(k).ok_or_else(|| {
                format!("\"kind\" is {k:?}; expected person, organization, vessel, aircraft or any")
            })?),
        };
        let country = self
            .country
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty());
        if let Some(country) = &country
            && crate::country::country_code(country).is_none()
        {
            return Err(format!(
                "\"country\" is {country:?}; expected an ISO 3166 alpha-2 code such as \"IR\""
            ));
        }
        let birth_year = match self.birth_year {
            None | Some(serde_json::Value::Null) => None,
            Some(serde_json::Value::Number(n)) => Some(year_from(n.as_u64(), &n.to_string())?),
            Some(serde_json::Value::String(s)) if s.trim().is_empty() => None,
            Some(serde_json::Value::String(s)) => Some(year_from(s.trim().parse().ok(), &s)?),
            Some(other) => {
                return Err(format!(
                    "\"birth_year\" is {other}; expected a year such as 1962"
                ));
            }
        };
        let id = match self.id {
            None | Some(serde_json::Value::Null) => serde_json::Value::from(position.to_string()),
            Some(id) => id,
        };
        Ok(BatchQuery {
            id,
            query: Query {
                name,
                kind,
                country,
                birth_year,
            },
        })
    }
}

fn year_from(value: Option<u64>, shown: &str) -> Result<u16, String> {
    value
        .and_then(|v| u16::try_from(v).ok())
        .filter(|y| (1000..=2100).contains(y))
        .ok_or_else(|| format!("\"birth_year\" is {shown}; expected a year such as 1962"))
}

/// Reads and validates every query. Stops at the first bad line.
pub fn parse_queries(
    input: impl BufRead,
    format: BatchFormat,
) -> Result<Vec<BatchQuery>, BatchError> {
    match format {
        BatchFormat::Jsonl => parse_jsonl(input),
        BatchFormat::Csv => parse_csv(input),
    }
}

fn parse_jsonl(input: impl BufRead) -> Result<Vec<BatchQuery>, BatchError> {
    let mut queries = Vec::new();
    for (index, line) in input.lines().enumerate() {
        let line_number = index as u64 + 1;
        let line = line.map_err(BatchError::Read)?;
        let trimmed = line.trim().trim_start_matches('\u{feff}');
        if trimmed.is_empty() {
            continue;
        }
        let raw: RawQuery = serde_json::from_str(trimmed).map_err(|err| BatchError::Input {
            line: line_number,
            message: format!("not a JSON object with a \"name\": {err}"),
        })?;
        let query = raw
            .into_query(queries.len() + 1)
            .map_err(|message| BatchError::Input {
                line: line_number,
                message,
            })?;
        queries.push(query);
    }
    Ok(queries)
}

fn parse_csv(input: impl BufRead) -> Result<Vec<BatchQuery>, BatchError> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(input);
    let headers = reader
        .headers()
        .map_err(|err| BatchError::Input {
            line: 1,
            message: format!("unreadable CSV header: {err}"),
        })?
        .clone();
    let column = |name: &str| {
        headers.iter().position(|h| {
            h.trim()
                .trim_start_matches('\u{feff}')
                .eq_ignore_ascii_case(name)
        })
    };
    let Some(name_col) = column("name") else {
        return Err(BatchError::Input {
            line: 1,
            message: "the CSV header has no \"name\" column".to_string(),
        });
    };
    let (id_col, kind_col, country_col, year_col) = (
        column("id"),
        column("kind"),
        column("country"),
        column("birth_year"),
    );
    let mut queries = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|err| BatchError::Input {
            line: err.position().map_or(0, |p| p.line()),
            message: format!("unreadable CSV row: {err}"),
        })?;
        let line = record.position().map_or(0, |p| p.line());
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let get = |col: Option<usize>| {
            col.and_then(|c| record.get(c))
                .map(str::to_string)
                .filter(|v| !v.trim().is_empty())
        };
        let raw = RawQuery {
            id: get(id_col).map(serde_json::Value::from),
            name: get(Some(name_col)),
            kind: get(kind_col),
            country: get(country_col),
            birth_year: get(year_col).map(serde_json::Value::from),
        };
        let query = raw
            .into_query(queries.len() + 1)
            .map_err(|message| BatchError::Input { line, message })?;
        queries.push(query);
    }
    Ok(queries)
}

/// Screens parsed queries; results are in input order. For the HTTP API, which has
/// its queries already in memory.
pub fn screen_batch(
    index: &Index,
    queries: &[BatchQuery],
    options: &ScreenOptions,
) -> Vec<BatchResult> {
    queries
        .iter()
        .map(|q| BatchResult {
            id: q.id.clone(),
            matches: index.screen_with(&q.query, options),
        })
        .collect()
}

/// The whole batch: parse and validate all input, then screen and write one result
/// per query in input order.
pub fn run(
    input: impl BufRead,
    output: impl Write,
    index: &Index,
    opts: &BatchOptions,
) -> Result<BatchSummary, BatchError> {
    run_with_progress(input, output, index, opts, |_, _| {})
}

/// As `run`, calling `progress(done, total)` after each query (for a progress bar).
pub fn run_with_progress(
    input: impl BufRead,
    mut output: impl Write,
    index: &Index,
    opts: &BatchOptions,
    mut progress: impl FnMut(usize, usize),
) -> Result<BatchSummary, BatchError> {
    let queries = parse_queries(input, opts.input_format)?;
    let options = ScreenOptions {
        threshold: opts.threshold,
        limit: opts.limit,
    };
    let mut summary = BatchSummary::default();
    let mut screen = |query: &BatchQuery| {
        let matches = index.screen_with(&query.query, &options);
        summary.queries += 1;
        summary.matches += matches.len();
        if !matches.is_empty() {
            summary.queries_with_matches += 1;
        }
        BatchResult {
            id: query.id.clone(),
            matches,
        }
    };
    match opts.output_format {
        BatchFormat::Jsonl => {
            for (done, query) in queries.iter().enumerate() {
                let result = screen(query);
                serde_json::to_writer(&mut output, &result)
                    .map_err(|e| BatchError::Write(e.into()))?;
                output.write_all(b"\n").map_err(BatchError::Write)?;
                progress(done + 1, queries.len());
            }
            output.flush().map_err(BatchError::Write)?;
        }
        BatchFormat::Csv => {
            let mut writer = csv::Writer::from_writer(&mut output);
            writer
                .write_record([
                    "id",
                    "rank",
                    "source",
                    "entity_id",
                    "name",
                    "matched_name",
                    "kind",
                    "score",
                    "explanation",
                ])
                .map_err(csv_write_error)?;
            for (done, query) in queries.iter().enumerate() {
                let result = screen(query);
                write_csv_rows(&mut writer, &result)?;
                progress(done + 1, queries.len());
            }
            writer.flush().map_err(BatchError::Write)?;
        }
    }
    Ok(summary)
}

fn csv_write_error(err: csv::Error) -> BatchError {
    BatchError::Write(std::io::Error::other(err.to_string()))
}

fn id_text(id: &serde_json::Value) -> String {
    match id {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn write_csv_rows<W: Write>(
    writer: &mut csv::Writer<W>,
    result: &BatchResult,
) -> Result<(), BatchError> {
    let id = id_text(&result.id);
    if result.matches.is_empty() {
        writer
            .write_record([id.as_str(), "", "", "", "", "", "", "", ""])
            .map_err(csv_write_error)?;
    }
    for (rank, m) in result.matches.iter().enumerate() {
        writer
            .write_record([
                id.as_str(),
                &(rank + 1).to_string(),
                &m.source,
                &m.entity_id,
                &m.name,
                &m.matched_name,
                m.kind.as_str(),
                &format!("{:.3}", m.score),
                &explanation_text(m),
            ])
            .map_err(csv_write_error)?;
    }
    // Flush per query so a long batch streams rather than buffering to the end.
    writer.flush().map_err(BatchError::Write)
}

/// A one-cell reading of the explanation for spreadsheets:
/// "kostin~kostin 1.00 (+0.62); andrey~andrey 1.00 (+0.38); country RU is listed +0.03".
pub fn explanation_text(m: &Match) -> String {
    let mut parts: Vec<String> = m
        .explanation
        .alignments
        .iter()
        .map(|a| {
            format!(
                "{}~{} {:.2} (+{:.2})",
                a.query_token, a.listed_token, a.similarity, a.contribution
            )
        })
        .collect();
    for token in m
        .explanation
        .unmatched_query
        .iter()
        .chain(&m.explanation.unmatched_listed)
    {
        parts.push(format!("unmatched {}", token.token));
    }
    for adjustment in &m.explanation.adjustments {
        parts.push(format!("{} {:+.2}", adjustment.reason, adjustment.delta));
    }
    parts.join("; ")
}
