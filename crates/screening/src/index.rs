//! The in-memory screening index: interned tokens, postings as `Vec<u32>` of name ids,
//! phonetic and trigram maps over the vocabulary for fuzzy lookup, and IDF weights.
//! `screen` selects candidates from these and scores only those.

use serde::{Deserialize, Serialize};
use std::borrow::Cow;

use crate::entity::{Entity, EntityKind, NameQuality};
use crate::fast_hash::FastMap;
use crate::normalize::{TokenClass, normalize, phonetic_key};
use crate::score::{
    NO_KEY, NameScore, TokenAlignment, UnmatchedToken, WeightedToken, score_names_with, score_only,
    serialize_rounded, similarity_with_sound, token_similarity,
};

thread_local! {
    /// Scratch for `expand`: vocabulary id -> trigrams shared with the query token.
    static TRIGRAM_COUNTS: std::cell::RefCell<Vec<u16>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The default threshold: at or above it a match is reported. The F1-best point on the
/// labelled name-pair benchmark (docs/PERFORMANCE.md); lower thresholds there buy
/// recall at a steep cost in precision, higher ones lose recall fast.
pub const DEFAULT_THRESHOLD: f32 = 0.80;
pub const DEFAULT_LIMIT: usize = 10;

/// Candidates scored in full per query, best pre-scores first.
const MAX_CANDIDATES: usize = 64;
/// A token on more names than this does not select candidates when the query has
/// rarer tokens ("co", "university"): it would flood the candidate set.
const MAX_SELECTING_POSTINGS: usize = 1_000;
const MAX_FUZZY_EXPANSIONS: usize = 24;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Query {
    pub name: String,
    #[serde(default)]
    pub kind: Option<EntityKind>,
    /// ISO alpha-2 or a country name.
    #[serde(default)]
    pub country: Option<String>,
    #[serde(default)]
    pub birth_year: Option<u16>,
}

impl Query {
    pub fn name(name: impl Into<String>) -> Self {
        Query {
            name: name.into(),
            ..Query::default()
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScreenOptions {
    pub threshold: f32,
    pub limit: usize,
}

impl Default for ScreenOptions {
    fn default() -> Self {
        ScreenOptions {
            threshold: DEFAULT_THRESHOLD,
            limit: DEFAULT_LIMIT,
        }
    }
}

/// A context signal that moved the score: kind, country, birth year, alias quality.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Adjustment {
    pub reason: String,
    #[serde(serialize_with = "serialize_rounded")]
    pub delta: f32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    #[serde(serialize_with = "serialize_rounded")]
    pub name_score: f32,
    pub alignments: Vec<TokenAlignment>,
    pub unmatched_query: Vec<UnmatchedToken>,
    pub unmatched_listed: Vec<UnmatchedToken>,
    pub adjustments: Vec<Adjustment>,
    #[serde(serialize_with = "serialize_rounded")]
    pub score: f32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Match {
    pub source: String,
    pub entity_id: String,
    /// The entity's primary name.
    pub name: String,
    /// The name (primary or alias) the query matched.
    pub matched_name: String,
    pub kind: EntityKind,
    #[serde(serialize_with = "serialize_rounded")]
    pub score: f32,
    pub explanation: Explanation,
}

struct IndexedName {
    entity: u32,
    /// Position of this name in the entity's `names`.
    position: u16,
    quality: NameQuality,
    /// Ranges into `Index::name_tokens` and `Index::name_original`.
    tokens: Span,
    original: Span,
}

/// Build-time state: the normaliser's buffers, raw word -> token id, and how many
/// names hold each token and each original-script word (pass one's counts).
#[derive(Default)]
struct Interning {
    scratch: crate::normalize::Scratch,
    words: FastMap<WordKey, u32>,
    token_counts: Vec<u32>,
    original_counts: Vec<u32>,
}

/// A word of up to 16 bytes held inline, so a lookup compares two integers instead of
/// following a pointer to the key's bytes (a cache miss per word on large builds).
/// Longer words are not cached.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct WordKey(u128);

impl WordKey {
    fn of(word: &str) -> Option<WordKey> {
        let bytes = word.as_bytes();
        if bytes.is_empty() || bytes.len() > 16 || bytes.contains(&0) {
            return None;
        }
        let mut buf = [0u8; 16];
        buf[..bytes.len()].copy_from_slice(bytes);
        Some(WordKey(u128::from_le_bytes(buf)))
    }
}

/// A range of a flat id array: one allocation for all names instead of two per name.
#[derive(Clone, Copy)]
struct Span {
    start: u32,
    len: u32,
}

impl Span {
    fn of(ids: &[u32], span: Span) -> &[u32] {
        let start = span.start as usize;
        ids.get(start..start + span.len as usize)
            .unwrap_or_default()
    }
}

/// Lists of ids stored back to back (compressed sparse rows): list `i` is
/// `ids[offsets[i]..offsets[i + 1]]`. Built in two passes, count then fill, so no
/// list ever grows by reallocation.
#[derive(Default)]
struct Postings {
    offsets: Vec<u32>,
    ids: Vec<u32>,
}

impl Postings {
    /// From per-list counts; `fill` then calls `place(list, id)` in ascending id order.
    fn with_counts(counts: &[u32]) -> (Postings, Vec<u32>) {
        let mut offsets = Vec::with_capacity(counts.len() + 1);
        let mut total = 0u32;
        offsets.push(0);
        for &count in counts {
            total = total.saturating_add(count);
            offsets.push(total);
        }
        let cursor = offsets[..counts.len()].to_vec();
        (
            Postings {
                offsets,
                ids: vec![0; total as usize],
            },
            cursor,
        )
    }

    fn place(&mut self, cursor: &mut [u32], list: u32, id: u32) {
        if let Some(at) = cursor.get_mut(list as usize) {
            if let Some(slot) = self.ids.get_mut(*at as usize) {
                *slot = id;
            }
            *at += 1;
        }
    }

    fn get(&self, list: u32) -> &[u32] {
        let list = list as usize;
        match (self.offsets.get(list), self.offsets.get(list + 1)) {
            (Some(&start), Some(&end)) => self
                .ids
                .get(start as usize..end as usize)
                .unwrap_or_default(),
            _ => &[],
        }
    }
}

/// A reported match before it becomes a `Match`: final score, name id, name score
/// with its explanation, adjustments.
type Explained = (f32, u32, NameScore, Vec<Adjustment>);

/// Built once from all loaded entities; `screen` takes `&self` so one index serves
/// every thread.
pub struct Index {
    entities: Vec<Entity>,
    names: Vec<IndexedName>,
    vocab: Vec<Box<str>>,
    vocab_ids: FastMap<Box<str>, u32>,
    token_class: Vec<TokenClass>,
    /// token id -> name ids containing it (ascending, deduplicated).
    postings: Postings,
    /// Every name's token ids, back to back (see `IndexedName::tokens`).
    name_tokens: Vec<u32>,
    name_original: Vec<u32>,
    /// phonetic key -> id; id -> vocabulary tokens with that key.
    phonetic_ids: FastMap<Box<str>, u32>,
    phonetic_tokens: Vec<Vec<u32>>,
    /// token id -> its phonetic key id (`NO_KEY` for tokens under three letters).
    token_sound: Vec<u32>,
    /// token id -> weight (class x IDF), fixed once the index is built.
    token_weights: Vec<f32>,
    /// name id -> sum of its token weights, for the Dice-style candidate pre-score.
    name_weights: Vec<f32>,
    trigrams: FastMap<[u8; 3], Vec<u32>>,
    original_vocab: FastMap<Box<str>, u32>,
    original_postings: Postings,
    name_count: f32,
}

impl Index {
    /// Two passes: normalise every name once, interning its tokens into flat arrays
    /// and counting each token's names; then fill pre-sized postings from the counts.
    pub fn build(entities: Vec<Entity>) -> Index {
        let name_total: usize = entities.iter().map(|e| e.names.len()).sum();
        let mut index = Index {
            entities: Vec::with_capacity(entities.len()),
            names: Vec::with_capacity(name_total),
            vocab: Vec::new(),
            vocab_ids: FastMap::default(),
            token_class: Vec::new(),
            postings: Postings::default(),
            name_tokens: Vec::with_capacity(name_total.saturating_mul(3)),
            name_original: Vec::new(),
            phonetic_ids: FastMap::default(),
            phonetic_tokens: Vec::new(),
            token_sound: Vec::new(),
            token_weights: Vec::new(),
            name_weights: Vec::new(),
            trigrams: FastMap::default(),
            original_vocab: FastMap::default(),
            original_postings: Postings::default(),
            name_count: 0.0,
        };
        let mut interning = Interning::default();
        for entity in entities {
            let Ok(entity_id) = u32::try_from(index.entities.len()) else {
                break;
            };
            for (position, name) in entity.names.iter().enumerate() {
                let Ok(position) = u16::try_from(position) else {
                    break;
                };
                index.add_name(
                    entity_id,
                    position,
                    &name.name,
                    name.quality,
                    &mut interning,
                );
            }
            index.entities.push(entity);
        }
        let Interning {
            token_counts,
            original_counts,
            ..
        } = interning;
        index.fill_postings(&token_counts, &original_counts);
        index.name_count = index.names.len().max(1) as f32;
        index.vocab_ids.shrink_to_fit();
        let mut grams = Vec::new();
        for (token_id, token) in index.vocab.iter().enumerate() {
            let token_id = token_id as u32;
            let mut sound = NO_KEY;
            if token.len() >= 3 {
                let next = index.phonetic_tokens.len() as u32;
                sound = *index
                    .phonetic_ids
                    .entry(phonetic_key(token).into_boxed_str())
                    .or_insert(next);
                if sound == next {
                    index.phonetic_tokens.push(Vec::new());
                }
                index.phonetic_tokens[sound as usize].push(token_id);
                trigrams_into(token, &mut grams);
                for gram in &grams {
                    let list = index.trigrams.entry(*gram).or_default();
                    if list.last() != Some(&token_id) {
                        list.push(token_id);
                    }
                }
            }
            index.token_sound.push(sound);
        }
        index.token_weights = token_counts
            .iter()
            .zip(&index.token_class)
            .map(|(&count, &class)| index.weight(class, count as usize))
            .collect();
        index.name_weights = index
            .names
            .iter()
            .map(|name| {
                Span::of(&index.name_tokens, name.tokens)
                    .iter()
                    .map(|&id| index.token_weights[id as usize])
                    .sum()
            })
            .collect();
        index
    }

    /// Pass one for a name: normalise, intern, append its ids, count each token once.
    /// Words are folded once per distinct word (`Interning::words`), which also skips
    /// the vocabulary lookup: list words repeat across names.
    fn add_name(
        &mut self,
        entity: u32,
        position: u16,
        raw: &str,
        quality: NameQuality,
        interning: &mut Interning,
    ) {
        if u32::try_from(self.names.len()).is_err() {
            return;
        }
        let Interning {
            scratch,
            words,
            token_counts,
            original_counts,
        } = interning;
        crate::normalize::split_into_words(raw, scratch);
        let tokens_start = self.name_tokens.len();
        let listed = scratch.words();
        let mut i = 0;
        while i < listed.len() {
            let word = listed[i].as_str();
            let key = WordKey::of(word);
            // A word seen before is neither a legal form nor the start of one: its
            // token id is known without folding or a vocabulary lookup.
            let id = match key.and_then(|k| words.get(&k)) {
                Some(&id) => {
                    i += 1;
                    id
                }
                None => match crate::normalize::legal_phrase_at(&listed[i..]) {
                    Some((len, canonical)) => {
                        i += len.max(1);
                        self.intern(canonical, TokenClass::LegalForm, token_counts)
                    }
                    None => {
                        i += 1;
                        let (replacement, class) = crate::normalize::fold_word(word);
                        let id = self.intern(replacement.unwrap_or(word), class, token_counts);
                        if let Some(key) = key
                            && !crate::normalize::may_start_phrase(word)
                        {
                            words.insert(key, id);
                        }
                        id
                    }
                },
            };
            // Counted once per name however often the name repeats the token.
            if !self.name_tokens[tokens_start..].contains(&id) {
                token_counts[id as usize] += 1;
            }
            self.name_tokens.push(id);
        }
        if self.name_tokens.len() == tokens_start {
            return;
        }
        let normalized_original = scratch.original();
        let original_start = self.name_original.len();
        for word in normalized_original {
            let id = match self.original_vocab.get(word.as_str()) {
                Some(&id) => id,
                None => {
                    let id = original_counts.len() as u32;
                    self.original_vocab.insert(word.as_str().into(), id);
                    original_counts.push(0);
                    id
                }
            };
            if !self.name_original[original_start..].contains(&id) {
                original_counts[id as usize] += 1;
            }
            self.name_original.push(id);
        }
        self.names.push(IndexedName {
            entity,
            position,
            quality,
            tokens: Span {
                start: tokens_start as u32,
                len: (self.name_tokens.len() - tokens_start) as u32,
            },
            original: Span {
                start: original_start as u32,
                len: (self.name_original.len() - original_start) as u32,
            },
        });
    }

    /// The vocabulary id of a token, added (with its class) when new.
    fn intern(&mut self, text: &str, class: TokenClass, token_counts: &mut Vec<u32>) -> u32 {
        if let Some(&id) = self.vocab_ids.get(text) {
            return id;
        }
        let id = self.vocab.len() as u32;
        let text: Box<str> = text.into();
        self.vocab.push(text.clone());
        self.vocab_ids.insert(text, id);
        self.token_class.push(class);
        token_counts.push(0);
        id
    }

    /// Pass two: postings sized from the counts, filled in name order (so ascending).
    fn fill_postings(&mut self, token_counts: &[u32], original_counts: &[u32]) {
        let (mut postings, mut cursor) = Postings::with_counts(token_counts);
        let (mut original, mut original_cursor) = Postings::with_counts(original_counts);
        for (name_id, name) in self.names.iter().enumerate() {
            let name_id = name_id as u32;
            let tokens = Span::of(&self.name_tokens, name.tokens);
            for (i, &id) in tokens.iter().enumerate() {
                if !tokens[..i].contains(&id) {
                    postings.place(&mut cursor, id, name_id);
                }
            }
            let words = Span::of(&self.name_original, name.original);
            for (i, &id) in words.iter().enumerate() {
                if !words[..i].contains(&id) {
                    original.place(&mut original_cursor, id, name_id);
                }
            }
        }
        self.postings = postings;
        self.original_postings = original;
    }

    pub fn entity_count(&self) -> usize {
        self.entities.len()
    }

    pub fn name_count(&self) -> usize {
        self.names.len()
    }

    pub fn entities(&self) -> &[Entity] {
        &self.entities
    }

    /// Weight of a token: its class's base weight scaled by how rare it is in the lists.
    fn weight(&self, class: TokenClass, document_frequency: usize) -> f32 {
        let df = document_frequency.max(1) as f32;
        let idf = (1.0 + self.name_count / df).ln() / (1.0 + self.name_count).ln();
        class.base_weight() * (0.35 + 0.65 * idf)
    }

    fn token_weight(&self, id: u32) -> f32 {
        self.token_weights[id as usize]
    }

    /// Screens with the default threshold and limit.
    pub fn screen(&self, query: &Query) -> Vec<Match> {
        self.screen_with(query, &ScreenOptions::default())
    }

    pub fn screen_with(&self, query: &Query, options: &ScreenOptions) -> Vec<Match> {
        let normalized = normalize(&query.name);
        if normalized.is_empty() && normalized.original.is_empty() {
            return Vec::new();
        }
        let query_tokens: Vec<WeightedToken<'_>> = normalized
            .tokens
            .iter()
            .enumerate()
            .map(|(position, t)| {
                let df = self
                    .vocab_ids
                    .get(t.text.as_str())
                    .map_or(1, |&id| self.postings.get(id).len());
                WeightedToken {
                    text: Cow::Borrowed(t.text.as_str()),
                    class: t.class,
                    weight: self.weight(t.class, df),
                    key: position as u32,
                }
            })
            .collect();

        // Similarities between query tokens (by position) and vocabulary tokens,
        // computed once per query: the same listed token recurs across candidates.
        let mut memo: FastMap<(u32, u32), f32> = FastMap::default();
        let candidates = self.select_candidates(&query_tokens, &normalized.original, &mut memo);
        let query_sounds: Vec<u32> = normalized
            .tokens
            .iter()
            .map(|t| {
                self.phonetic_ids
                    .get(phonetic_key(&t.text).as_str())
                    .copied()
                    .unwrap_or(NO_KEY)
            })
            .collect();
        let mut similarity = |q: &WeightedToken<'_>, l: &WeightedToken<'_>| -> f32 {
            if q.key == NO_KEY || l.key == NO_KEY {
                return token_similarity(&q.text, &l.text);
            }
            *memo.entry((q.key, l.key)).or_insert_with(|| {
                let query_sound = query_sounds.get(q.key as usize).copied().unwrap_or(NO_KEY);
                let listed_sound = self.token_sound[l.key as usize];
                similarity_with_sound(&q.text, &l.text, &mut || {
                    query_sound != NO_KEY && query_sound == listed_sound
                })
            })
        };
        let person = query.kind.is_none_or(|k| k == EntityKind::Person);
        let query_country = query
            .country
            .as_deref()
            .and_then(crate::country::country_code);

        // Rank candidates by score alone; best name per entity.
        let mut best: FastMap<u32, (f32, u32, f32)> = FastMap::default();
        let mut listed: Vec<WeightedToken<'_>> = Vec::with_capacity(16);
        for name_id in candidates {
            let name = &self.names[name_id as usize];
            let entity = &self.entities[name.entity as usize];
            self.listed_tokens(name, &mut listed);
            let is_person = entity.kind == EntityKind::Person && person;
            let mut name_score = score_only(&query_tokens, &listed, is_person, &mut similarity);
            let original_score = original_script_score(
                &normalized.original,
                Span::of(&self.name_original, name.original),
                &self.original_vocab,
            );
            name_score = name_score.max(original_score);
            // Context adjustments (and their explanation strings) only when they apply.
            let needs_adjusting = name.quality == NameQuality::Weak
                || query.kind.is_some()
                || query_country.is_some()
                || query.birth_year.is_some();
            let final_score = if needs_adjusting {
                adjust(name_score, entity, name.quality, query, query_country).0
            } else {
                name_score
            };
            let slot = best.entry(name.entity).or_insert((f32::MIN, name_id, 0.0));
            if final_score > slot.0 {
                *slot = (final_score, name_id, name_score);
            }
        }
        let mut ranked: Vec<(u32, f32, u32)> = best
            .into_iter()
            .filter(|(_, (score, ..))| *score >= options.threshold)
            .map(|(entity, (score, name_id, _))| (entity, score, name_id))
            .collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        ranked.truncate(options.limit);

        // Explain only what is reported.
        let best: Vec<(u32, Explained)> = ranked
            .into_iter()
            .map(|(entity_index, _, name_id)| {
                let name = &self.names[name_id as usize];
                let entity = &self.entities[entity_index as usize];
                self.listed_tokens(name, &mut listed);
                let is_person = entity.kind == EntityKind::Person && person;
                let mut name_score =
                    score_names_with(&query_tokens, &listed, is_person, &mut similarity);
                let original_score = original_script_score(
                    &normalized.original,
                    Span::of(&self.name_original, name.original),
                    &self.original_vocab,
                );
                if original_score > name_score.score {
                    name_score.score = original_score;
                }
                let (final_score, adjustments) =
                    adjust(name_score.score, entity, name.quality, query, query_country);
                (
                    entity_index,
                    (final_score, name_id, name_score, adjustments),
                )
            })
            .collect();

        let mut matches: Vec<Match> = best
            .into_iter()
            .filter(|(_, (score, ..))| *score >= options.threshold)
            .map(|(entity_id, (score, name_id, name_score, adjustments))| {
                let entity = &self.entities[entity_id as usize];
                let matched_name = self.matched_name(name_id);
                Match {
                    source: entity.source.clone(),
                    entity_id: entity.entity_id.clone(),
                    name: entity.primary_name().to_string(),
                    matched_name,
                    kind: entity.kind,
                    score: round3(score),
                    explanation: Explanation {
                        name_score: round3(name_score.score),
                        alignments: name_score.alignments,
                        unmatched_query: name_score.unmatched_query,
                        unmatched_listed: name_score.unmatched_listed,
                        adjustments,
                        score: round3(score),
                    },
                }
            })
            .collect();
        matches.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| a.source.cmp(&b.source))
                .then_with(|| a.entity_id.cmp(&b.entity_id))
        });
        matches.truncate(options.limit);
        matches
    }

    fn matched_name(&self, name_id: u32) -> String {
        let name = &self.names[name_id as usize];
        self.entities[name.entity as usize]
            .names
            .get(usize::from(name.position))
            .map(|n| n.name.clone())
            .unwrap_or_default()
    }

    fn listed_tokens<'s>(&'s self, name: &IndexedName, out: &mut Vec<WeightedToken<'s>>) {
        out.clear();
        out.extend(
            Span::of(&self.name_tokens, name.tokens)
                .iter()
                .map(|&id| WeightedToken {
                    text: Cow::Borrowed(&*self.vocab[id as usize]),
                    class: self.token_class[id as usize],
                    weight: self.token_weight(id),
                    key: id,
                }),
        );
    }

    /// Names worth scoring: those sharing a (possibly fuzzy) selective token with the
    /// query, pre-scored by the query weight they could explain.
    fn select_candidates(
        &self,
        query: &[WeightedToken<'_>],
        original: &[String],
        memo: &mut FastMap<(u32, u32), f32>,
    ) -> Vec<u32> {
        let total_weight: f32 = query.iter().map(|t| t.weight).sum();
        let has_distinctive = query.iter().any(|t| t.class == TokenClass::Distinctive);
        // name id -> (sum over finished query tokens, query token in progress, its best gain)
        let mut accumulated: FastMap<u32, (f32, u32, f32)> = FastMap::default();
        // Initials, legal forms and function words never select: they are on too many
        // names. Generic words select only when nothing better is there.
        // Two query words that the lists write as one ("Al Qa ida" / "AL QA'IDA").
        let joined: Vec<(WeightedToken<'_>, u32)> = query
            .windows(2)
            .filter_map(|pair| {
                let text = format!("{}{}", pair[0].text, pair[1].text);
                let id = *self.vocab_ids.get(text.as_str())?;
                Some((
                    WeightedToken {
                        text: Cow::Owned(text),
                        class: TokenClass::Distinctive,
                        weight: pair[0].weight.max(pair[1].weight),
                        key: NO_KEY,
                    },
                    id,
                ))
            })
            .collect();
        let mut selecting: Vec<(&WeightedToken<'_>, Vec<(u32, f32)>)> = query
            .iter()
            .filter(|token| match token.class {
                TokenClass::Distinctive => token.text.len() >= 2,
                TokenClass::Generic => !has_distinctive,
                TokenClass::LegalForm | TokenClass::Stopword => false,
            })
            .map(|token| (token, self.expand(&token.text)))
            .collect();
        selecting.extend(joined.iter().map(|(token, id)| (token, vec![(*id, 1.0)])));
        // The rarest selecting token always selects, however common: a query made only of
        // common words ("Muhammad Ali") must still find its names. The others skip
        // expansions on very many names, which the rarest token's names already cover.
        let postings_of = |expansions: &[(u32, f32)]| -> usize {
            expansions
                .iter()
                .map(|&(id, _)| self.postings.get(id).len())
                .sum()
        };
        let rarest = selecting
            .iter()
            .enumerate()
            .filter(|(_, (_, expansions))| !expansions.is_empty())
            .min_by_key(|(_, (_, expansions))| postings_of(expansions))
            .map(|(position, _)| position);
        for (position, (token, expansions)) in selecting.iter().enumerate() {
            for &(token_id, similarity) in expansions {
                if token.key != NO_KEY {
                    memo.insert((token.key, token_id), similarity);
                }
                let postings = self.postings.get(token_id);
                if postings.len() > MAX_SELECTING_POSTINGS && Some(position) != rarest {
                    continue;
                }
                let gain = token.weight * similarity;
                for &name in postings {
                    // One query token counts once per name (its best expansion).
                    let slot = accumulated.entry(name).or_insert((0.0, token.key, 0.0));
                    if slot.1 != token.key {
                        slot.0 += slot.2;
                        slot.1 = token.key;
                        slot.2 = 0.0;
                    }
                    slot.2 = slot.2.max(gain);
                }
            }
        }
        for word in original {
            if let Some(&id) = self.original_vocab.get(word.as_str()) {
                for &name in self.original_postings.get(id) {
                    accumulated.entry(name).or_insert((0.0, NO_KEY, 0.0)).0 +=
                        total_weight.max(1.0);
                }
            }
        }
        // A name explaining less than this share of the query's weight cannot reach a
        // useful score; scoring it would only cost time.
        let floor = 0.35 * total_weight;
        // Ranked by a Dice-style estimate of the final score, so that among names sharing
        // the query's tokens the ones with fewest extra words are scored first.
        let mut ranked: Vec<(u32, f32)> = accumulated
            .into_iter()
            .map(|(name, (sum, _, pending))| (name, sum + pending))
            .filter(|&(_, gain)| gain >= floor)
            .map(|(name, gain)| {
                let listed = self.name_weights.get(name as usize).copied().unwrap_or(0.0);
                (name, 2.0 * gain / (total_weight + listed).max(f32::EPSILON))
            })
            .collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        ranked.truncate(MAX_CANDIDATES);
        ranked.into_iter().map(|(name, _)| name).collect()
    }

    /// The vocabulary tokens a query token may stand for: itself, phonetic siblings and
    /// near spellings (via shared trigrams), each with its similarity.
    fn expand(&self, token: &str) -> Vec<(u32, f32)> {
        let mut out: Vec<(u32, f32)> = Vec::new();
        if let Some(&id) = self.vocab_ids.get(token) {
            out.push((id, 1.0));
        }
        if token.len() < 3 {
            return out;
        }
        let consider = |id: u32, out: &mut Vec<(u32, f32)>| {
            if out.iter().any(|&(seen, _)| seen == id) {
                return;
            }
            let similarity = crate::score::token_similarity(token, &self.vocab[id as usize]);
            if similarity > 0.0 {
                out.push((id, similarity));
            }
        };
        let known = !out.is_empty();
        if let Some(&sound) = self.phonetic_ids.get(phonetic_key(token).as_str()) {
            // Same sound but far apart in length cannot pass the similarity test.
            // Vowel-less (abjad) transliterations are much shorter than their Latin forms.
            let vowelless = !token.bytes().any(|c| b"aeiouy".contains(&c));
            let slack = if vowelless {
                token.len()
            } else {
                (token.len() / 3).max(1)
            };
            let near_length =
                |id: &&u32| self.vocab[**id as usize].len().abs_diff(token.len()) <= slack;
            for &id in self.phonetic_tokens[sound as usize]
                .iter()
                .filter(near_length)
                .take(64)
            {
                consider(id, &mut out);
            }
        }
        // A token the lists contain is taken as spelled (its sound-alikes are already
        // in); one they do not contain is likely a typo: look for near spellings.
        if token.len() >= 4 && !known {
            let grams = trigrams_of(token);
            // Shared trigrams counted in a per-thread dense array (reset after use):
            // sorting or hashing the ids cost more than the rest of the query.
            let needed = (grams.len() as i32 - 6).max(2) as u16;
            let mut close: Vec<(u32, u16)> = Vec::new();
            TRIGRAM_COUNTS.with(|cell| {
                let mut counts = cell.borrow_mut();
                if counts.len() < self.vocab.len() {
                    counts.resize(self.vocab.len(), 0);
                }
                let mut touched: Vec<u32> = Vec::new();
                for gram in &grams {
                    if let Some(list) = self.trigrams.get(gram)
                        && list.len() <= 1_500
                    {
                        for &id in list {
                            let count = &mut counts[id as usize];
                            if *count == 0 {
                                touched.push(id);
                            }
                            *count += 1;
                        }
                    }
                }
                for id in touched {
                    let count = std::mem::take(&mut counts[id as usize]);
                    if count >= needed {
                        close.push((id, count));
                    }
                }
            });
            close.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            for (id, _) in close.into_iter().take(MAX_FUZZY_EXPANSIONS * 4) {
                consider(id, &mut out);
            }
        }
        out.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        out.truncate(MAX_FUZZY_EXPANSIONS);
        out
    }
}

/// Padded trigrams ("^ab", ..., "yz$") so short tokens still have a few.
fn trigrams_of(token: &str) -> Vec<[u8; 3]> {
    let mut grams = Vec::new();
    trigrams_into(token, &mut grams);
    grams
}

/// `trigrams_of` into a reused buffer (the build runs it once per vocabulary token).
fn trigrams_into(token: &str, grams: &mut Vec<[u8; 3]>) {
    grams.clear();
    let bytes = token.as_bytes();
    let at = |i: usize| -> u8 {
        match i.checked_sub(1) {
            None => b'^',
            Some(j) => bytes.get(j).copied().unwrap_or(b'$'),
        }
    };
    // Padded length is len + 2, so len windows of three.
    for i in 0..bytes.len() {
        grams.push([at(i), at(i + 1), at(i + 2)]);
    }
    grams.sort_unstable();
    grams.dedup();
}

/// Dice overlap of original-script words, for names any_ascii transliterates poorly.
fn original_script_score(query: &[String], listed: &[u32], vocab: &FastMap<Box<str>, u32>) -> f32 {
    if query.is_empty() || listed.is_empty() {
        return 0.0;
    }
    let hits = query
        .iter()
        .filter(|w| vocab.get(w.as_str()).is_some_and(|id| listed.contains(id)))
        .count();
    (2 * hits) as f32 / (query.len() + listed.len()) as f32
}

/// Context adjustments. Penalties are larger than bonuses: a contradicting birth year
/// is strong evidence of a different person, an agreeing one only weak evidence.
fn adjust(
    name_score: f32,
    entity: &Entity,
    quality: NameQuality,
    query: &Query,
    query_country: Option<&str>,
) -> (f32, Vec<Adjustment>) {
    let mut adjustments = Vec::new();
    if quality == NameQuality::Weak {
        adjustments.push(Adjustment {
            reason: "matched a weak (low-quality) alias".to_string(),
            delta: -0.05,
        });
    }
    if let Some(kind) = query.kind
        && kind != entity.kind
    {
        adjustments.push(Adjustment {
            reason: format!(
                "kind differs: query {}, listed {}",
                kind.as_str(),
                entity.kind.as_str()
            ),
            delta: -0.15,
        });
    }
    if let Some(country) = query_country
        && !entity.countries.is_empty()
    {
        if entity.countries.iter().any(|c| c == country) {
            adjustments.push(Adjustment {
                reason: format!("country {country} is listed"),
                delta: 0.03,
            });
        } else {
            adjustments.push(Adjustment {
                reason: format!(
                    "country {country} not among listed {}",
                    entity.countries.join(", ")
                ),
                delta: -0.07,
            });
        }
    }
    if let Some(year) = query.birth_year {
        let years = entity.birth_years();
        if !years.is_empty() {
            let closest = years
                .iter()
                .map(|&y| (i32::from(y) - i32::from(year)).abs())
                .min()
                .unwrap_or(i32::MAX);
            let (delta, reason) = match closest {
                0 => (0.04, format!("birth year {year} is listed")),
                1 => (
                    0.0,
                    format!("birth year {year} within a year of the listed one"),
                ),
                _ => (
                    -0.2,
                    format!(
                        "birth year {year} differs from listed {}",
                        join_years(&years)
                    ),
                ),
            };
            adjustments.push(Adjustment { reason, delta });
        }
    }
    let score = name_score + adjustments.iter().map(|a| a.delta).sum::<f32>();
    (score.clamp(0.0, 1.0), adjustments)
}

fn join_years(years: &[u16]) -> String {
    years
        .iter()
        .map(u16::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

fn round3(value: f32) -> f32 {
    (value * 1000.0).round() / 1000.0
}
