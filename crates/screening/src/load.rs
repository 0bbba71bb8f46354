//! Finds and parses every supported list file under a directory. The only module that
//! touches the filesystem: it reads bytes and hands them to the pure parsers. Loading
//! nothing is an error, so "no lists" can never read as "no match".

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::entity::{Entity, RowIssue};
use crate::error::Error;
use crate::formats::{
    bis_dpl, ca_nro, custom_csv, eu_fsf, ofac, opensanctions_ftm, research_json, senzing, uk_csv,
    un_xml, us_csl,
};

/// Which list, from which file, at which content hash: stored with every screening
/// result so a decision can be traced to the exact list versions it used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListVersion {
    pub source: String,
    /// Path relative to the lists directory. For OFAC's four-file lists, the primary file.
    pub file: String,
    /// Hex SHA-256 of the file; for OFAC, of the four files' digests in order
    /// (primary, alt, add, comments), so a change to any of them changes the version.
    pub sha256: String,
    pub entity_count: usize,
}

#[derive(Debug, Clone, Default)]
pub struct LoadedLists {
    pub entities: Vec<Entity>,
    pub versions: Vec<ListVersion>,
    /// Rows skipped as malformed, with file and line.
    pub issues: Vec<RowIssue>,
    /// Files found but not recognised as a supported list (relative paths).
    pub skipped: Vec<String>,
}

/// Walks `dir` recursively and loads every recognised list file.
pub fn load_lists_dir(dir: &Path) -> Result<LoadedLists, Error> {
    let mut files = Vec::new();
    collect_files(dir, &mut files)?;
    files.sort();
    let mut by_dir: BTreeMap<PathBuf, Vec<PathBuf>> = BTreeMap::new();
    for file in files {
        let parent = file.parent().map(Path::to_path_buf).unwrap_or_default();
        by_dir.entry(parent).or_default().push(file);
    }
    let mut loaded = LoadedLists::default();
    let mut csl_files = Vec::new();
    for paths in by_dir.values() {
        load_directory(dir, paths, &mut loaded, &mut csl_files)?;
    }
    // The CSL repeats the individual US lists' entries: used only when it is the sole
    // US source, so a party listed on SDN is not reported twice (docs/LISTS.md).
    let has_us_list = loaded.versions.iter().any(|v| v.source.starts_with("us_"));
    for (rel, bytes) in csl_files {
        if has_us_list {
            loaded.skipped.push(rel);
        } else {
            let parsed = us_csl::parse(&rel, &bytes)?;
            push_by_source(&mut loaded, rel, sha256_hex(&bytes), parsed);
        }
    }
    if loaded.entities.is_empty() {
        return Err(Error::NoLists {
            dir: dir.to_path_buf(),
        });
    }
    Ok(loaded)
}

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), Error> {
    let io_err = |source| Error::Io {
        path: dir.to_path_buf(),
        source,
    };
    for entry in std::fs::read_dir(dir).map_err(io_err)? {
        let entry = entry.map_err(io_err)?;
        let path = entry.path();
        let file_type = entry.file_type().map_err(io_err)?;
        if file_type.is_dir() {
            collect_files(&path, out)?;
        } else if file_type.is_file() || path.is_file() {
            out.push(path);
        }
    }
    Ok(())
}

fn read(path: &Path) -> Result<Vec<u8>, Error> {
    std::fs::read(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

fn lower_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default()
}

/// OFAC file names, with or without an `ofac_` prefix: (source, primary, alt, add, comments).
const OFAC_LAYOUTS: &[(&str, &str, &str, &str, &str)] = &[
    (
        "us_ofac_sdn",
        "sdn.csv",
        "alt.csv",
        "add.csv",
        "sdn_comments.csv",
    ),
    (
        "us_ofac_cons",
        "cons_prim.csv",
        "cons_alt.csv",
        "cons_add.csv",
        "cons_comments.csv",
    ),
];

fn load_directory(
    root: &Path,
    paths: &[PathBuf],
    loaded: &mut LoadedLists,
    csl_files: &mut Vec<(String, Vec<u8>)>,
) -> Result<(), Error> {
    let names: BTreeMap<String, &PathBuf> = paths.iter().map(|p| (lower_name(p), p)).collect();
    let mut used: BTreeSet<String> = BTreeSet::new();

    for prefix in ["", "ofac_"] {
        for (source, primary, alt, add, comments) in OFAC_LAYOUTS {
            let Some(primary_path) = names.get(&format!("{prefix}{primary}")) else {
                continue;
            };
            let mut contents: Vec<(String, Vec<u8>)> = Vec::new();
            for part in [primary, alt, add, comments] {
                let key = format!("{prefix}{part}");
                if let Some(path) = names.get(&key) {
                    contents.push((relative(root, path), read(path)?));
                    used.insert(key);
                } else {
                    contents.push((String::new(), Vec::new()));
                }
            }
            let file = |i: usize| {
                contents
                    .get(i)
                    .filter(|(name, _)| !name.is_empty())
                    .map(|(name, bytes)| ofac::OfacFile { name, bytes })
            };
            let Some(primary_file) = file(0) else {
                continue;
            };
            let parsed = ofac::parse(
                source,
                ofac::OfacFiles {
                    primary: primary_file,
                    alt: file(1),
                    add: file(2),
                    comments: file(3),
                },
            )?;
            let mut combined = Sha256::new();
            for (name, bytes) in &contents {
                if !name.is_empty() {
                    combined.update(sha256_hex(bytes).as_bytes());
                }
            }
            let sha256 = combined
                .finalize()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            push(loaded, source, relative(root, primary_path), sha256, parsed);
        }
    }

    for path in paths {
        let name = lower_name(path);
        if used.contains(&name) {
            continue;
        }
        let rel = relative(root, path);
        let recognised = if name.ends_with(".xml") {
            let bytes = read(path)?;
            let head = head(&bytes);
            if head.contains("<CONSOLIDATED_LIST") {
                let parsed = un_xml::parse(&rel, &bytes)?;
                push(loaded, "un_sc", rel.clone(), sha256_hex(&bytes), parsed);
                true
            } else if eu_fsf::is_fsf(&head) {
                let parsed = eu_fsf::parse(&rel, &bytes)?;
                push(
                    loaded,
                    eu_fsf::SOURCE,
                    rel.clone(),
                    sha256_hex(&bytes),
                    parsed,
                );
                true
            } else {
                false
            }
        } else if name.ends_with(".json") || name.ends_with(".jsonl") || name.ends_with(".ndjson") {
            let bytes = read(path)?;
            let first_line = first_line(&bytes);
            if senzing::is_senzing(&first_line) {
                let parsed = senzing::parse(&rel, &bytes)?;
                push_by_source(loaded, rel.clone(), sha256_hex(&bytes), parsed);
                true
            } else if opensanctions_ftm::is_ftm(&first_line) {
                let parsed = opensanctions_ftm::parse(&rel, &bytes)?;
                push_by_source(loaded, rel.clone(), sha256_hex(&bytes), parsed);
                true
            } else {
                match research_list_source(&rel, &bytes)? {
                    Some(source) => {
                        let parsed = research_json::parse(&rel, &bytes)?;
                        push(loaded, source, rel.clone(), sha256_hex(&bytes), parsed);
                        true
                    }
                    None => false,
                }
            }
        } else if name.ends_with(".csv") {
            let bytes = read(path)?;
            let first_line = first_line(&bytes);
            if ca_nro::is_nro_header(&first_line) {
                let parsed = ca_nro::parse(&rel, &bytes)?;
                push(
                    loaded,
                    ca_nro::SOURCE,
                    rel.clone(),
                    sha256_hex(&bytes),
                    parsed,
                );
                true
            } else if custom_csv::is_custom_header(&first_line) {
                let source = custom_csv::source_for_file(&name);
                let parsed = custom_csv::parse(&rel, &source, &bytes)?;
                push(loaded, &source, rel.clone(), sha256_hex(&bytes), parsed);
                true
            } else if us_csl::is_csl_header(&first_line) {
                csl_files.push((rel.clone(), bytes));
                true
            } else if let Some(layout) = uk_csv::detect(&bytes) {
                let parsed = uk_csv::parse(&rel, layout, &bytes)?;
                push(
                    loaded,
                    layout.source(),
                    rel.clone(),
                    sha256_hex(&bytes),
                    parsed,
                );
                true
            } else {
                false
            }
        } else if name.ends_with(".txt") || name.ends_with(".tsv") {
            let bytes = read(path)?;
            let first_line = first_line(&bytes);
            if bis_dpl::is_dpl_header(&first_line) {
                let parsed = bis_dpl::parse(&rel, &bytes)?;
                push(
                    loaded,
                    bis_dpl::SOURCE,
                    rel.clone(),
                    sha256_hex(&bytes),
                    parsed,
                );
                true
            } else {
                false
            }
        } else {
            false
        };
        if !recognised {
            loaded.skipped.push(rel);
        }
    }
    Ok(())
}

fn first_line(bytes: &[u8]) -> String {
    head(bytes).lines().next().unwrap_or("").to_string()
}

fn head(bytes: &[u8]) -> String {
    let end = bytes.len().min(4096);
    String::from_utf8_lossy(&bytes[..end]).into_owned()
}

/// The source id of a research-security JSON file, or `None` for other JSON
/// (`lists.json`, Senzing exports) that is not a list this crate parses.
/// A file that announces a `list_id` but is not valid JSON is broken, not foreign.
fn research_list_source(file: &str, bytes: &[u8]) -> Result<Option<&'static str>, Error> {
    #[derive(Deserialize)]
    struct Peek {
        list_id: Option<String>,
    }
    if !head(bytes).contains("\"list_id\"") {
        return Ok(None);
    }
    let peek: Peek = serde_json::from_slice(crate::formats::trim_file_bytes(bytes))
        .map_err(|err| Error::format(file, "research-security list JSON", err.to_string()))?;
    Ok(peek
        .list_id
        .as_deref()
        .and_then(research_json::source_for_list_id))
}

fn push(
    loaded: &mut LoadedLists,
    source: &str,
    file: String,
    sha256: String,
    parsed: crate::entity::ParsedList,
) {
    loaded.versions.push(ListVersion {
        source: source.to_string(),
        file,
        sha256,
        entity_count: parsed.entities.len(),
    });
    loaded.entities.extend(parsed.entities);
    loaded.issues.extend(parsed.issues);
}

/// For files that hold several lists (the CSL) or name their list per record (Senzing,
/// FtM): one version per source, each with the file's hash, in first-seen order.
fn push_by_source(
    loaded: &mut LoadedLists,
    file: String,
    sha256: String,
    parsed: crate::entity::ParsedList,
) {
    let mut counts: Vec<(String, usize)> = Vec::new();
    for entity in &parsed.entities {
        match counts.iter_mut().find(|(s, _)| *s == entity.source) {
            Some((_, count)) => *count += 1,
            None => counts.push((entity.source.clone(), 1)),
        }
    }
    for (source, entity_count) in counts {
        loaded.versions.push(ListVersion {
            source,
            file: file.clone(),
            sha256: sha256.clone(),
            entity_count,
        });
    }
    loaded.entities.extend(parsed.entities);
    loaded.issues.extend(parsed.issues);
}
