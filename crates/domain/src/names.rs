//! Name keys for the party registry: the accent-, case-, punctuation- and
//! order-insensitive key that finds "Université de Montréal" when someone types
//! "montreal universite", and a similarity for suggestions and duplicates.
//! (The screening crate has the full, transliteration-aware matcher; this is the
//! registry's lighter need: finding records people already made.)

use unicode_normalization::UnicodeNormalization;

/// Lower-case ASCII words of a name: NFKC, transliterated, punctuation dropped.
fn words(name: &str) -> Vec<String> {
    let nfkc: String = name.nfkc().collect();
    let ascii = any_ascii::any_ascii(&nfkc).to_lowercase();
    ascii
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Key under which two spellings of one name coincide: words sorted and
/// joined, so order, accents, case and punctuation do not matter.
pub fn match_key(name: &str) -> String {
    let mut w = words(name);
    w.sort();
    w.dedup();
    w.join(" ")
}

/// Words in their original order, for `LIKE` searches over a text column
/// that behave the same on SQLite and PostgreSQL (both sides lower-case ASCII).
pub fn search_text(name: &str) -> String {
    words(name).join(" ")
}

fn trigrams(word: &str) -> Vec<[u8; 3]> {
    let padded: Vec<u8> = format!("  {word} ").into_bytes();
    padded.windows(3).map(|w| [w[0], w[1], w[2]]).collect()
}

/// Similarity of two names in 0..=1: Dice coefficient over character
/// trigrams of the order-free key. Cheap, symmetric, tolerant of typos and
/// reordering; used to rank suggestions and flag possible duplicates.
pub fn name_similarity(a: &str, b: &str) -> f64 {
    let (ka, kb) = (match_key(a), match_key(b));
    if ka.is_empty() || kb.is_empty() {
        return 0.0;
    }
    if ka == kb {
        return 1.0;
    }
    let mut ta: Vec<[u8; 3]> = ka.split(' ').flat_map(trigrams).collect();
    let mut tb: Vec<[u8; 3]> = kb.split(' ').flat_map(trigrams).collect();
    ta.sort_unstable();
    tb.sort_unstable();
    let (mut i, mut j, mut common) = (0, 0, 0usize);
    while i < ta.len() && j < tb.len() {
        match ta[i].cmp(&tb[j]) {
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
        }
    }
    (2 * common) as f64 / (ta.len() + tb.len()) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn key_ignores_accents_order_case_and_punctuation() {
        assert_eq!(
            match_key("Université de Montréal"),
            match_key("montreal, UNIVERSITE de")
        );
        assert_eq!(match_key("Zhang Wei"), match_key("WEI, Zhang"));
        assert_ne!(
            match_key("Harbin Medical University"),
            match_key("Harbin Engineering University")
        );
    }

    #[test]
    fn similarity_ranks_typos_above_different_names() {
        let typo = name_similarity("Universidade de Sao Paulo", "Universidad de São Paolo");
        let other = name_similarity("Universidade de Sao Paulo", "Tokyo Institute of Technology");
        assert!(typo > 0.6, "{typo}");
        assert!(other < 0.3, "{other}");
    }

    proptest! {
        #[test]
        fn similarity_is_symmetric_and_bounded(a in "\\PC{0,30}", b in "\\PC{0,30}") {
            let s = name_similarity(&a, &b);
            prop_assert!((0.0..=1.0).contains(&s));
            prop_assert!((s - name_similarity(&b, &a)).abs() < 1e-12);
        }

        #[test]
        fn key_is_order_insensitive(words in proptest::collection::vec("[a-zA-Zéü]{1,8}", 1..5)) {
            let forward = words.join(" ");
            let mut rev = words.clone();
            rev.reverse();
            prop_assert_eq!(match_key(&forward), match_key(&rev.join(", ")));
        }
    }
}
