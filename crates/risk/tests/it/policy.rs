//! The policy pack: the default validates; broken packs are rejected with the
//! line of each problem; the pack is recorded by name, version and hash.

use meridian_risk::{PolicyError, PolicyPack};

const DEFAULT: &str = include_str!("../../../../policy/default.toml");

fn problems(text: &str) -> Vec<String> {
    match PolicyPack::from_toml(text) {
        Ok(_) => panic!("pack should be rejected"),
        Err(PolicyError::Invalid(p)) => p.iter().map(ToString::to_string).collect(),
        Err(e) => vec![e.to_string()],
    }
}

fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .expect("needle")
        + 1
}

#[test]
fn the_default_pack_validates_and_names_itself() {
    let pack = PolicyPack::default_pack().unwrap();
    assert_eq!(pack.policy.name, "meridian-default");
    assert!(!pack.policy.version.is_empty());
    assert_eq!(pack.policy.sha256.len(), 64);
    // Every STRA sub-area has keywords in the default pack.
    let stra = pack
        .areas
        .iter()
        .filter(|a| a.category_id != "extra")
        .count();
    assert_eq!(stra, meridian_risk::stra_subareas().len());
    // Every rule the engine knows is configured, and every clause kind.
    for (rule, _) in meridian_risk::KNOWN_RULES {
        assert!(pack.rules.contains_key(*rule), "{rule} missing");
    }
    for kind in meridian_risk::CLAUSE_KINDS {
        assert!(pack.clause(kind).is_some(), "{kind} missing");
    }
    assert_eq!(pack.nsia.len(), 17, "the NSIA has 17 areas");
}

#[test]
fn a_syntax_error_names_its_line() {
    let text = DEFAULT.replacen("[matrix]", "[matrix\n", 1);
    let err = PolicyPack::from_toml(&text).unwrap_err();
    let PolicyError::Parse { line, .. } = err else {
        panic!("expected a parse error, got {err}");
    };
    assert_eq!(line, line_of(&text, "[matrix"));
}

#[test]
fn unknown_references_are_reported_with_lines() {
    let text = DEFAULT
        .replacen(
            "mitigations = [\"legal_review\"]\nexplanation = \"A party matches",
            "mitigations = [\"prayer\"]\nexplanation = \"A party matches",
            1,
        )
        .replacen("factor = \"F2\"", "factor = \"F99\"", 1)
        .replacen("route = \"department\"", "route = \"dean\"", 1)
        .replacen(
            "[sensitivity.stra.exoskeletons]",
            "[sensitivity.stra.telepathy]",
            1,
        );
    let p = problems(&text);
    let has = |line: usize, words: &str| {
        p.iter().any(|m| {
            m == &format!("line {line}: {words}")
                || (m.starts_with(&format!("line {line}:")) && m.contains(words))
        })
    };
    assert!(
        has(line_of(&text, "\"prayer\""), "unknown mitigation 'prayer'"),
        "{p:?}"
    );
    assert!(has(line_of(&text, "\"F99\""), "F99"), "{p:?}");
    assert!(has(line_of(&text, "\"dean\""), "route"), "{p:?}");
    assert!(
        has(
            line_of(&text, "telepathy"),
            "unknown STRA sub-area 'telepathy'"
        ),
        "{p:?}"
    );
}

#[test]
fn unknown_outcomes_rules_and_fields_are_rejected() {
    let text = DEFAULT.replacen("[outcomes.prohibited]", "[outcomes.forbidden]", 1);
    let p = problems(&text);
    assert!(
        p.iter()
            .any(|m| m.contains("'forbidden' is not an outcome")),
        "{p:?}"
    );
    assert!(
        p.iter()
            .any(|m| m.contains("outcomes.prohibited is missing")),
        "{p:?}"
    );

    let text = DEFAULT.replacen("[rules.fieldwork]", "[rules.vibes]", 1);
    let p = problems(&text);
    assert!(
        p.iter().any(|m| m.contains("unknown rule 'vibes'")),
        "{p:?}"
    );

    let text = DEFAULT.replacen("[thresholds]", "[thresholds]\nmood = 3", 1);
    assert!(matches!(
        PolicyPack::from_toml(&text),
        Err(PolicyError::Parse { .. })
    ));
}

#[test]
fn a_falling_matrix_or_a_weakened_sanctions_rule_is_rejected() {
    let text = DEFAULT.replacen(
        "controlled = [\"mitigation_plan_required\"",
        "controlled = [\"proceed\"",
        1,
    );
    assert!(problems(&text).iter().any(|m| m.contains("must not fall")));

    let text = DEFAULT.replacen(
        "severity = \"very_high\"\nfloor = \"prohibited\"\nmitigations = [\"legal_review\"]",
        "severity = \"very_high\"\nfloor = \"committee_review\"\nmitigations = [\"legal_review\"]",
        1,
    );
    assert!(problems(&text).iter().any(|m| m.contains("sanctions_hit")));
}

#[test]
fn a_country_rule_may_not_lift_above_safeguards() {
    let text = DEFAULT.replacen(
        "severity = \"medium\"\nfloor = \"proceed_with_safeguards\"\npartner_risk = \"medium\"\nexplanation = \"A country involved has severely",
        "severity = \"medium\"\nfloor = \"committee_review\"\npartner_risk = \"medium\"\nexplanation = \"A country involved has severely",
        1,
    );
    let p = problems(&text);
    assert!(
        p.iter()
            .any(|m| m.contains("may not exceed proceed_with_safeguards")),
        "{p:?}"
    );
}

#[test]
fn a_bad_clause_pattern_is_reported() {
    let text = DEFAULT.replacen("'(?i)\\bnon-?disparage\\w*',", "'(?i)(unclosed',", 1);
    let p = problems(&text);
    assert!(
        p.iter().any(|m| m.contains("pattern does not compile")),
        "{p:?}"
    );
}

#[test]
fn the_hash_changes_with_the_text() {
    let a = PolicyPack::from_toml(DEFAULT).unwrap();
    let b = PolicyPack::from_toml(&format!("{DEFAULT}\n# a comment\n")).unwrap();
    assert_ne!(a.policy.sha256, b.policy.sha256);
    assert_eq!(a.policy.name, b.policy.name);
}
