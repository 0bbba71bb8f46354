//! The name scorer shared by the index and `pair_score`: aligns query tokens with a
//! listed name's tokens (exact, typo, phonetic, split/joined words), weights each
//! pair by how distinctive its tokens are, and explains every contribution.

use std::borrow::Cow;

use serde::Serialize;

use crate::normalize::{TokenClass, consonant_skeleton, phonetic_key};

/// A token with the weight it carries in this comparison.
#[derive(Debug, Clone)]
pub struct WeightedToken<'a> {
    pub text: std::borrow::Cow<'a, str>,
    pub class: TokenClass,
    pub weight: f32,
    /// A caller's id for memoising similarities (query position or vocabulary id);
    /// `NO_KEY` for tokens made up during scoring (joined words).
    pub key: u32,
}

pub const NO_KEY: u32 = u32::MAX;

/// Scores are `f32` inside; on the wire they are rounded to four decimals so JSON shows
/// 0.945, not 0.9449999928474426 (f32 widened to f64).
pub(crate) fn serialize_rounded<S: serde::Serializer>(
    value: &f32,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_f64((f64::from(*value) * 10_000.0).round() / 10_000.0)
}

/// One query token aligned with one listed token.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TokenAlignment {
    pub query_token: String,
    pub listed_token: String,
    /// 1.0 for equal tokens; less for typos and transliteration variants.
    #[serde(serialize_with = "serialize_rounded")]
    pub similarity: f32,
    /// Query token weight + listed token weight (after IDF and class).
    #[serde(serialize_with = "serialize_rounded")]
    pub weight: f32,
    /// This pair's share of the name score: similarity x weight / total weight.
    #[serde(serialize_with = "serialize_rounded")]
    pub contribution: f32,
}

/// A token that found no partner, and what its weight cost the score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnmatchedToken {
    pub token: String,
    #[serde(serialize_with = "serialize_rounded")]
    pub weight: f32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NameScore {
    pub score: f32,
    pub alignments: Vec<TokenAlignment>,
    pub unmatched_query: Vec<UnmatchedToken>,
    pub unmatched_listed: Vec<UnmatchedToken>,
}

/// How the unmatched tokens of the longer name count: a person's dropped middle name
/// is weak evidence against a match; an organisation's extra word is stronger.
const PERSON_EXTRA_TOKEN_FACTOR: f32 = 0.35;
const ORG_EXTRA_TOKEN_FACTOR: f32 = 0.75;
/// When both names keep words the other lacks, each is a contradiction ("... AL-RAWI"
/// vs "... AL-TIKRITI"), not only missing evidence: that much weight again is deducted.
const CONFLICT_PENALTY: f32 = 0.5;
/// Without one distinctive token in common, generic words cannot make a match.
const NO_DISTINCTIVE_CAP: f32 = 0.5;
/// Beyond this many tokens a name is truncated for scoring (bounds the n x m work).
const MAX_TOKENS: usize = 24;

type Pair = (f32, f32, usize, usize);

thread_local! {
    /// (priority, similarity, query index, listed index) candidates of one scoring call.
    static PAIR_SCRATCH: std::cell::Cell<Vec<Pair>> = const { std::cell::Cell::new(Vec::new()) };
}

/// Similarity of two normalised tokens in 0..=1; 0 means "not the same word".
pub fn token_similarity(a: &str, b: &str) -> f32 {
    similarity_with_sound(a, b, &mut || phonetic_key(a) == phonetic_key(b))
}

/// `token_similarity` with the phonetic-key comparison supplied, so an index that
/// has the keys precomputed does not rebuild them for every pair.
pub fn similarity_with_sound(a: &str, b: &str, same_sound: &mut dyn FnMut() -> bool) -> f32 {
    if a == b {
        return 1.0;
    }
    let (la, lb) = (a.len(), b.len());
    if la == 0 || lb == 0 {
        return 0.0;
    }
    // Numbers must match exactly: "Unit 61398" is not "Unit 61389".
    if a.bytes().any(|c| c.is_ascii_digit()) || b.bytes().any(|c| c.is_ascii_digit()) {
        return 0.0;
    }
    // An initial stands for any word starting with that letter ("J." ~ "John").
    if la == 1 || lb == 1 {
        return if a.as_bytes()[0] == b.as_bytes()[0] {
            0.6
        } else {
            0.0
        };
    }
    let min_len = la.min(lb);
    let max_len = la.max(lb);
    if min_len <= 2 {
        return 0.0;
    }
    let allowed = match max_len {
        0..=4 => 1,
        5..=8 => 2,
        _ => 3,
    };
    // Cheap bounds before the O(n*m) edit distance: each edit changes the length by at
    // most one and the set of letters by at most two. Most token pairs stop here.
    let letters_differ = (letter_mask(a) ^ letter_mask(b)).count_ones() as usize;
    if max_len - min_len > allowed || letters_differ > 2 * allowed {
        return sound_alike(a, b, min_len, letters_differ, same_sound);
    }
    let distance = osa_distance(a, b);
    let ratio = 1.0 - distance as f32 / max_len as f32;
    let mut similarity = if distance <= allowed && ratio >= 0.6 {
        ratio
    } else {
        0.0
    };
    if similarity < 0.8 && ratio >= 0.5 && same_sound() {
        similarity = 0.8;
    }
    // Abjad transliterations carry no vowels: "mhmd" is "muhammad".
    if similarity < 0.8
        && min_len >= 3
        && (no_vowels(a) || no_vowels(b))
        && consonant_skeleton(a) == consonant_skeleton(b)
    {
        similarity = 0.8;
    }
    similarity
}

/// Phonetic and consonant-skeleton equality, for pairs too far apart in spelling for
/// the edit distance ("mhmd" ~ "muhammad", "khodorkovsky" ~ "hodorkovski").
fn sound_alike(
    a: &str,
    b: &str,
    min_len: usize,
    letters_differ: usize,
    same_sound: &mut dyn FnMut() -> bool,
) -> f32 {
    if letters_differ > 6 || a.len().abs_diff(b.len()) > a.len().max(b.len()) / 2 {
        return 0.0;
    }
    if same_sound() && osa_distance(a, b) * 2 <= a.len().max(b.len()) {
        return 0.8;
    }
    if min_len >= 3
        && (no_vowels(a) || no_vowels(b))
        && consonant_skeleton(a) == consonant_skeleton(b)
    {
        return 0.8;
    }
    0.0
}

/// Optimal string alignment distance (Levenshtein plus adjacent transpositions) over
/// bytes, with rows on the stack for tokens up to 63 bytes: strsim's version allocates
/// three vectors per call, and this runs for every token pair the filters let through.
/// Tokens are ASCII after normalisation; longer ones fall back to strsim.
pub fn osa_distance(a: &str, b: &str) -> usize {
    const MAX: usize = 64;
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() >= MAX || b.len() >= MAX || !a.is_ascii() || !b.is_ascii() {
        return strsim::osa_distance(&String::from_utf8_lossy(a), &String::from_utf8_lossy(b));
    }
    // Three rows rotated by index, not copied: this runs for every misspelling check in
    // the normaliser and every token pair scored, on words of a few letters.
    let n = b.len();
    let mut rows = [[0u8; MAX]; 3];
    let (mut two_ago, mut previous, mut current) = (0usize, 1usize, 2usize);
    for (j, cell) in rows[previous].iter_mut().enumerate().take(n + 1) {
        *cell = j as u8;
    }
    for i in 1..=a.len() {
        rows[current][0] = i as u8;
        for j in 1..=n {
            let cost = u8::from(a[i - 1] != b[j - 1]);
            let mut best = (rows[previous][j] + 1)
                .min(rows[current][j - 1] + 1)
                .min(rows[previous][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[two_ago][j - 2] + 1);
            }
            rows[current][j] = best;
        }
        (two_ago, previous, current) = (previous, current, two_ago);
    }
    usize::from(rows[previous][n])
}

fn letter_mask(token: &str) -> u64 {
    token.bytes().fold(0u64, |mask, c| mask | 1u64 << (c % 64))
}

fn no_vowels(token: &str) -> bool {
    !token
        .bytes()
        .any(|c| matches!(c, b'a' | b'e' | b'i' | b'o' | b'u' | b'y'))
}

/// Scores a query name against a listed name. `person` selects the dropped-middle-name
/// rule. Symmetric in spirit: every unmatched token on either side costs its weight.
pub fn score_names(
    query: &[WeightedToken<'_>],
    listed: &[WeightedToken<'_>],
    person: bool,
) -> NameScore {
    score_names_with(query, listed, person, &mut |a, b| {
        token_similarity(&a.text, &b.text)
    })
}

/// As `score_names`, with the token similarity supplied by the caller (the index
/// memoises it per query, since one query token meets the same listed tokens often).
pub fn score_names_with(
    query: &[WeightedToken<'_>],
    listed: &[WeightedToken<'_>],
    person: bool,
    similarity_of: &mut dyn FnMut(&WeightedToken<'_>, &WeightedToken<'_>) -> f32,
) -> NameScore {
    score_core(query, listed, person, similarity_of, true)
}

/// The score alone, without building the explanation's strings: for ranking many
/// candidates, of which only the few reported are then explained.
pub fn score_only(
    query: &[WeightedToken<'_>],
    listed: &[WeightedToken<'_>],
    person: bool,
    similarity_of: &mut dyn FnMut(&WeightedToken<'_>, &WeightedToken<'_>) -> f32,
) -> f32 {
    score_core(query, listed, person, similarity_of, false).score
}

fn score_core(
    query: &[WeightedToken<'_>],
    listed: &[WeightedToken<'_>],
    person: bool,
    similarity_of: &mut dyn FnMut(&WeightedToken<'_>, &WeightedToken<'_>) -> f32,
    explain: bool,
) -> NameScore {
    let query = &query[..query.len().min(MAX_TOKENS)];
    let listed = &listed[..listed.len().min(MAX_TOKENS)];
    // Copies only when words must be joined (rare): this runs for every candidate.
    let (query, listed): (Cow<'_, [WeightedToken<'_>]>, Cow<'_, [WeightedToken<'_>]>) =
        if join_at(listed, query, 0).is_some() || join_at(query, listed, 0).is_some() {
            let mut query = query.to_vec();
            let mut listed = listed.to_vec();
            join_split_words(&mut listed, &query);
            join_split_words(&mut query, &listed);
            (Cow::Owned(query), Cow::Owned(listed))
        } else {
            (Cow::Borrowed(query), Cow::Borrowed(listed))
        };

    // All candidate pairs, best first; greedy assignment is optimal enough for names
    // and keeps the cost at n x m.
    // The pair buffer is reused per thread: this runs for every candidate name.
    let mut pairs = PAIR_SCRATCH.with(std::cell::Cell::take);
    pairs.clear();
    for (i, q) in query.iter().enumerate() {
        for (j, l) in listed.iter().enumerate() {
            let similarity = similarity_of(q, l);
            if similarity > 0.0 {
                pairs.push((similarity * (q.weight + l.weight), similarity, i, j));
            }
        }
    }
    pairs.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut query_used = [false; MAX_TOKENS];
    let mut listed_used = [false; MAX_TOKENS];
    let (query_used_len, listed_used_len) = (query.len(), listed.len());
    let mut aligned: Vec<(usize, usize, f32)> = Vec::with_capacity(query.len().min(listed.len()));
    for &(_, similarity, i, j) in &pairs {
        if !query_used[i] && !listed_used[j] {
            query_used[i] = true;
            listed_used[j] = true;
            aligned.push((i, j, similarity));
        }
    }
    PAIR_SCRATCH.with(|cell| cell.set(pairs));

    let extra_factor = if person {
        PERSON_EXTRA_TOKEN_FACTOR
    } else {
        ORG_EXTRA_TOKEN_FACTOR
    };
    // The longer name's unmatched tokens are discounted only if the shorter name is
    // fully accounted for: otherwise both names carry words the other lacks.
    let query_all_used = query_used[..query_used_len].iter().all(|&u| u);
    let listed_all_used = listed_used[..listed_used_len].iter().all(|&u| u);
    // With a single aligned token the shorter name is one word: "Harsin" must not
    // match "Harbin Medical University" by discounting the rest.
    let enough = aligned.len() >= 2;
    let query_factor = if listed_all_used && enough {
        extra_factor
    } else {
        1.0
    };
    let listed_factor = if query_all_used && enough {
        extra_factor
    } else {
        1.0
    };

    let mut total = 0.0f32;
    let mut unmatched_query_weight = 0.0f32;
    let mut unmatched_listed_weight = 0.0f32;
    let mut unmatched_query = Vec::new();
    let mut unmatched_listed = Vec::new();
    for (i, q) in query.iter().enumerate() {
        if query_used[i] {
            total += q.weight;
        } else {
            let weight = q.weight * discount(&q.text, query_factor, person);
            total += weight;
            unmatched_query_weight += weight;
            if explain {
                unmatched_query.push(UnmatchedToken {
                    token: q.text.to_string(),
                    weight,
                });
            }
        }
    }
    for (j, l) in listed.iter().enumerate() {
        if listed_used[j] {
            total += l.weight;
        } else {
            let weight = l.weight * discount(&l.text, listed_factor, person);
            total += weight;
            unmatched_listed_weight += weight;
            if explain {
                unmatched_listed.push(UnmatchedToken {
                    token: l.text.to_string(),
                    weight,
                });
            }
        }
    }
    if total <= 0.0 {
        return NameScore {
            score: 0.0,
            alignments: Vec::new(),
            unmatched_query,
            unmatched_listed,
        };
    }

    let mut score = 0.0f32;
    let mut distinctive_hit = false;
    let mut alignments = Vec::with_capacity(aligned.len());
    aligned.sort_by_key(|&(i, _, _)| i);
    for (i, j, similarity) in aligned {
        let (q, l) = (&query[i], &listed[j]);
        let weight = q.weight + l.weight;
        let contribution = similarity * weight / total;
        score += contribution;
        if similarity >= 0.75
            && (q.class == TokenClass::Distinctive || l.class == TokenClass::Distinctive)
        {
            distinctive_hit = true;
        }
        if !explain {
            continue;
        }
        alignments.push(TokenAlignment {
            query_token: q.text.to_string(),
            listed_token: l.text.to_string(),
            similarity,
            weight,
            contribution,
        });
    }
    score -= CONFLICT_PENALTY * unmatched_query_weight.min(unmatched_listed_weight) / total;
    let has_distinctive = query
        .iter()
        .chain(listed.iter())
        .any(|t| t.class == TokenClass::Distinctive);
    if has_distinctive && !distinctive_hit {
        score = score.min(NO_DISTINCTIVE_CAP);
    }
    NameScore {
        score: score.clamp(0.0, 1.0),
        alignments,
        unmatched_query,
        unmatched_listed,
    }
}

/// The extra-token discount, except for a country word in an organisation's name:
/// "Banco Santander Chile" is a different company from "Banco Santander".
fn discount(token: &str, factor: f32, person: bool) -> f32 {
    if !person && factor < 1.0 && token.len() > 3 && crate::country::country_code(token).is_some() {
        1.0
    } else {
        factor
    }
}

/// "Al Qaida" vs "Alqaida", "Abdul Rahman" vs "Abdulrahman": where two adjacent tokens
/// of `tokens` concatenate to a token of `other`, they become one token.
fn join_split_words(tokens: &mut Vec<WeightedToken<'_>>, other: &[WeightedToken<'_>]) {
    let mut start = 0;
    while let Some(i) = join_at(tokens, other, start) {
        let joined = format!("{}{}", tokens[i].text, tokens[i + 1].text);
        let weight = tokens[i].weight.max(tokens[i + 1].weight);
        tokens[i] = WeightedToken {
            text: Cow::Owned(joined),
            class: TokenClass::Distinctive,
            weight,
            key: NO_KEY,
        };
        tokens.remove(i + 1);
        start = i + 1;
    }
}

/// The first position from `start` where `tokens[i]` and `tokens[i + 1]` should be
/// joined: together they spell a token of `other`, and neither appears there alone.
/// Checked without allocating in the common case.
fn join_at(
    tokens: &[WeightedToken<'_>],
    other: &[WeightedToken<'_>],
    start: usize,
) -> Option<usize> {
    (start..tokens.len().saturating_sub(1)).find(|&i| {
        let (first, second) = (&*tokens[i].text, &*tokens[i + 1].text);
        let joined_len = first.len() + second.len();
        let found = other.iter().any(|o| {
            let text = &*o.text;
            text.len() >= 5
                && text.len().abs_diff(joined_len) <= 1
                && ((text.len() == joined_len && text.starts_with(first) && text.ends_with(second))
                    || (joined_len >= 8
                        && text.as_bytes().first() == first.as_bytes().first()
                        && token_similarity(text, &format!("{first}{second}")) >= 0.85))
        });
        found && !other.iter().any(|o| o.text == first || o.text == second)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::normalize;

    fn tokens(raw: &str) -> Vec<WeightedToken<'static>> {
        normalize(raw)
            .tokens
            .into_iter()
            .map(|t| WeightedToken {
                key: NO_KEY,
                weight: t.class.base_weight(),
                class: t.class,
                text: std::borrow::Cow::Owned(t.text),
            })
            .collect()
    }

    fn score(a: &str, b: &str, person: bool) -> f32 {
        score_names(&tokens(a), &tokens(b), person).score
    }

    #[test]
    fn osa_matches_strsim() {
        for (a, b) in [
            ("", "abc"),
            ("abc", ""),
            ("sechin", "sechev"),
            ("ab", "ba"),
            ("kitten", "sitting"),
            ("muhammad", "mhmd"),
        ] {
            assert_eq!(osa_distance(a, b), strsim::osa_distance(a, b), "{a} {b}");
        }
    }

    #[test]
    fn typo_and_variants() {
        assert!(score("Olaf Scholze", "Olaf Scholz", true) > 0.85);
        assert!(score("Octavian Scholz", "Olaf Scholz", true) < 0.6);
        assert!(score("Андрей Костин", "KOSTIN, Andrey", true) > 0.99);
        assert!(score("Mohammed Al-Masri", "Muhammad El Masri", true) > 0.95);
    }

    #[test]
    fn generic_words_do_not_carry_a_match() {
        assert!(
            score(
                "Harbin Medical University",
                "Harbin Engineering University",
                false
            ) < 0.7
        );
        assert!(score("Acme Corp", "Zenith Corp", false) < 0.3);
        assert!(
            score(
                "University of Technology",
                "Harbin University of Technology",
                false
            ) <= 0.5
        );
    }

    #[test]
    fn legal_forms_and_joined_words() {
        assert!(
            score(
                "Anglo-Caribbean Co., Ltd.",
                "ANGLO CARIBBEAN COMPANY LIMITED",
                false
            ) > 0.99
        );
        assert!(score("Alqaida", "Al Qaida", false) > 0.9);
    }

    #[test]
    fn dropped_middle_name_costs_little() {
        assert!(score("Angela Merkel", "Angela Dorothea Merkel", true) > 0.85);
    }
}
