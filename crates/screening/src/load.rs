//! Finds and parses every supported list file under a directory. The only module that
//! touches the filesystem: it reads bytes and hands them to the pure parsers. Loading
//! nothing is an error, so "no lists" can never read as "no match".

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::entity::{Entity, RowIssue};
use crate::error::Error;
use crate::formats::{bis_dpl, ca_nro, ofac, research_json, un_xml};

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
    for paths in by_dir.values() {
        load_directory(dir, paths, &mut loaded)?;
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

fn load_directory(root: &Path, paths: &[PathBuf], loaded: &mut LoadedLists) -> Result<(), Error> {
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
            if head(&bytes).contains("<CONSOLIDATED_LIST") {
                let parsed = un_xml::parse(&rel, &bytes)?;
                push(loaded, "un_sc", rel.clone(), sha256_hex(&bytes), parsed);
                true
            } else {
                false
            }
        } else if name.ends_with(".json") {
            let bytes = read(path)?;
            match research_list_source(&rel, &bytes)? {
                Some(source) => {
                    let parsed = research_json::parse(&rel, &bytes)?;
                    push(loaded, source, rel.clone(), sha256_hex(&bytes), parsed);
                    true
                }
                None => false,
            }
        } else if name.ends_with(".csv") {
            let bytes = read(path)?;
            let first_line = head(&bytes).lines().next().unwrap_or("").to_string();
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
            } else {
                false
            }
        } else if name.ends_with(".txt") || name.ends_with(".tsv") {
            let bytes = read(path)?;
            let first_line = head(&bytes).lines().next().unwrap_or("").to_string();
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
