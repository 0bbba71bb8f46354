//! The audit trail's hash chain, pure: how one record is encoded canonically,
//! how it is chained to the one before it with SHA-256, and how a whole chain
//! is verified. The store appends; auditors re-verify exports with `jq` and
//! `sha256sum` alone (see docs/AUDIT.md), so the encoding is plain text.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The `prev_hash` of the first record.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What happened: who did what to which object, when, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// RFC 3339 UTC.
    pub at: String,
    pub actor: String,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    /// SHA-256 of the object's canonical JSON before and after (empty when
    /// there is no before or after).
    pub before_digest: String,
    pub after_digest: String,
    pub reason: String,
}

/// An entry at its place in the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainedRecord {
    pub seq: i64,
    #[serde(flatten)]
    pub entry: AuditEntry,
    pub prev_hash: String,
    pub hash: String,
}

/// The canonical encoding: a version line, then each field on its own line
/// as `name=<byte length>:<value>`, in fixed order. Lengths make values with
/// newlines unambiguous; the text is what `sha256sum` hashes.
pub fn canonical(seq: i64, e: &AuditEntry, prev_hash: &str) -> String {
    let mut out = String::from("meridian-audit-v1\n");
    let mut field = |name: &str, value: &str| {
        out.push_str(name);
        out.push('=');
        out.push_str(&value.len().to_string());
        out.push(':');
        out.push_str(value);
        out.push('\n');
    };
    field("seq", &seq.to_string());
    field("at", &e.at);
    field("actor", &e.actor);
    field("action", &e.action);
    field("object_type", &e.object_type);
    field("object_id", &e.object_id);
    field("before", &e.before_digest);
    field("after", &e.after_digest);
    field("reason", &e.reason);
    field("prev", prev_hash);
    out
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Chain `entry` after a record whose hash is `prev_hash`.
pub fn chain(seq: i64, entry: AuditEntry, prev_hash: &str) -> ChainedRecord {
    let hash = sha256_hex(canonical(seq, &entry, prev_hash).as_bytes());
    ChainedRecord {
        seq,
        entry,
        prev_hash: prev_hash.to_owned(),
        hash,
    }
}

/// SHA-256 of a JSON value's canonical form (object keys sorted, no spaces),
/// for before/after digests.
pub fn digest_json(value: &serde_json::Value) -> String {
    fn write(v: &serde_json::Value, out: &mut String) {
        match v {
            serde_json::Value::Object(map) => {
                let mut keys: Vec<&String> = map.keys().collect();
                keys.sort();
                out.push('{');
                for (i, k) in keys.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&serde_json::Value::String((*k).clone()).to_string());
                    out.push(':');
                    write(&map[*k], out);
                }
                out.push('}');
            }
            serde_json::Value::Array(items) => {
                out.push('[');
                for (i, x) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write(x, out);
                }
                out.push(']');
            }
            other => out.push_str(&other.to_string()),
        }
    }
    let mut s = String::new();
    write(value, &mut s);
    sha256_hex(s.as_bytes())
}

/// Where and why a chain breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broken {
    /// 1-based position in the walk.
    pub position: u64,
    pub seq: i64,
    pub reason: String,
}

impl std::fmt::Display for Broken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the chain breaks at record {} (seq {}): {}",
            self.position, self.seq, self.reason
        )
    }
}

/// Walks a chain in order, one record at a time (so a huge chain can be
/// streamed from the database).
#[derive(Debug)]
pub struct Verifier {
    position: u64,
    prev_hash: String,
    prev_seq: i64,
}

impl Default for Verifier {
    fn default() -> Self {
        Verifier {
            position: 0,
            prev_hash: GENESIS.to_owned(),
            prev_seq: 0,
        }
    }
}

impl Verifier {
    /// Check the next record. Detects edited rows (hash mismatch), deleted or
    /// inserted rows (sequence gap or link mismatch) and reordering.
    pub fn check(&mut self, r: &ChainedRecord) -> Result<(), Broken> {
        self.position += 1;
        let broken = |reason: String| Broken {
            position: self.position,
            seq: r.seq,
            reason,
        };
        if r.seq != self.prev_seq + 1 {
            return Err(broken(format!(
                "expected seq {} after seq {}: a record was deleted, inserted or moved",
                self.prev_seq + 1,
                self.prev_seq
            )));
        }
        if r.prev_hash != self.prev_hash {
            return Err(broken("its prev_hash is not the previous record's hash: a record before it was removed, replaced or reordered".into()));
        }
        let expected = sha256_hex(canonical(r.seq, &r.entry, &r.prev_hash).as_bytes());
        if r.hash != expected {
            return Err(broken(
                "its content does not match its hash: the record was edited".into(),
            ));
        }
        self.prev_hash = r.hash.clone();
        self.prev_seq = r.seq;
        Ok(())
    }

    /// Records checked so far.
    pub fn count(&self) -> u64 {
        self.position
    }
}

/// Verify a whole chain; returns how many records were checked.
pub fn verify<'a>(records: impl IntoIterator<Item = &'a ChainedRecord>) -> Result<u64, Broken> {
    let mut v = Verifier::default();
    for r in records {
        v.check(r)?;
    }
    Ok(v.count())
}

/// One line of `meridian audit export`: the record plus its canonical text,
/// so `jq -j .canonical | sha256sum` reproduces `.hash`.
pub fn export_line(r: &ChainedRecord) -> String {
    let mut v = serde_json::to_value(r).unwrap_or_default();
    if let Some(o) = v.as_object_mut() {
        o.insert(
            "canonical".into(),
            canonical(r.seq, &r.entry, &r.prev_hash).into(),
        );
    }
    v.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn entry(i: usize) -> AuditEntry {
        AuditEntry {
            at: format!("2026-11-26T10:00:{:02}.000000Z", i % 60),
            actor: "alice".into(),
            action: "engagement.edited".into(),
            object_type: "engagement".into(),
            object_id: format!("e{i}"),
            before_digest: String::new(),
            after_digest: sha256_hex(format!("{i}").as_bytes()),
            reason: if i.is_multiple_of(3) {
                "multi\nline reason".into()
            } else {
                String::new()
            },
        }
    }

    fn build(n: usize) -> Vec<ChainedRecord> {
        let mut out: Vec<ChainedRecord> = Vec::new();
        for i in 0..n {
            let prev = out.last().map_or(GENESIS.to_owned(), |r| r.hash.clone());
            out.push(chain(i as i64 + 1, entry(i), &prev));
        }
        out
    }

    #[test]
    fn an_intact_chain_verifies() {
        assert_eq!(verify(&build(10)), Ok(10));
        assert_eq!(verify(&[]), Ok(0));
    }

    #[test]
    fn edits_deletions_insertions_and_reordering_are_caught_where_they_happen() {
        let mut edited = build(6);
        edited[3].entry.actor = "mallory".into();
        assert_eq!(verify(&edited).unwrap_err().position, 4);

        let mut deleted = build(6);
        deleted.remove(2);
        assert_eq!(verify(&deleted).unwrap_err().position, 3);

        let mut reordered = build(6);
        reordered.swap(1, 2);
        assert_eq!(verify(&reordered).unwrap_err().position, 2);

        let mut inserted = build(6);
        let forged = chain(3, entry(99), &inserted[1].hash);
        inserted.insert(2, forged);
        let err = verify(&inserted).unwrap_err();
        assert_eq!(
            err.position, 4,
            "the forged row itself links, the next one does not: {err}"
        );

        // Recomputing the edited row's own hash moves the break to the next link.
        let mut rehashed = build(6);
        rehashed[3].entry.reason = "covered up".into();
        rehashed[3].hash =
            sha256_hex(canonical(4, &rehashed[3].entry, &rehashed[3].prev_hash).as_bytes());
        assert_eq!(verify(&rehashed).unwrap_err().position, 5);
    }

    #[test]
    fn canonical_text_is_unambiguous_and_exportable() {
        let r = &build(1)[0];
        let line: serde_json::Value = serde_json::from_str(&export_line(r)).unwrap();
        assert_eq!(
            sha256_hex(line["canonical"].as_str().unwrap().as_bytes()),
            r.hash
        );
        let mut a = entry(1);
        let mut b = entry(1);
        a.actor = "x\nreason=0:".into();
        b.reason = "0:".into();
        assert_ne!(canonical(1, &a, GENESIS), canonical(1, &b, GENESIS));
    }

    #[test]
    fn json_digest_ignores_key_order() {
        let a: serde_json::Value =
            serde_json::from_str(r#"{"b":1,"a":{"y":[1,2],"x":null}}"#).unwrap();
        let b: serde_json::Value =
            serde_json::from_str(r#"{"a":{"x":null,"y":[1,2]},"b":1}"#).unwrap();
        assert_eq!(digest_json(&a), digest_json(&b));
    }

    proptest! {
        #[test]
        fn any_single_field_edit_breaks_verification(n in 1usize..12, at in 0usize..12, text in "\\PC{1,20}") {
            let mut chain = build(n);
            let at = at % n;
            if chain[at].entry.reason == text { return Ok(()); }
            chain[at].entry.reason = text;
            let err = verify(&chain).unwrap_err();
            prop_assert_eq!(err.position, at as u64 + 1);
        }
    }
}
