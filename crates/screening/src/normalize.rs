//! Turns a name as written into comparable tokens: NFKC, case folding, punctuation,
//! transliteration to ASCII (keeping original-script tokens as extra keys), legal-form
//! canonicalisation, name-variant folding, and a class per token that sets its weight.

use std::sync::OnceLock;

use crate::fast_hash::FastMap;

use unicode_normalization::UnicodeNormalization;

use crate::entity::EntityKind;

/// Why a token weighs what it does. Only `Distinctive` tokens can carry a match on
/// their own; the others are evidence only alongside distinctive ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenClass {
    Distinctive,
    /// Words many organisations share: "university", "technology", "group".
    Generic,
    /// Canonical legal forms: "llc", "ltd", "jsc", "gmbh".
    LegalForm,
    /// Function words and name particles: "of", "the", "al", "bin".
    Stopword,
}

impl TokenClass {
    /// Static weight before corpus statistics (IDF) are applied.
    pub fn base_weight(self) -> f32 {
        match self {
            TokenClass::Distinctive => 1.0,
            TokenClass::Generic => 0.3,
            TokenClass::LegalForm => 0.12,
            TokenClass::Stopword => 0.08,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// Lowercase ASCII after transliteration and folding.
    pub text: String,
    pub class: TokenClass,
}

/// A name ready for indexing or scoring.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NormalizedName {
    pub tokens: Vec<Token>,
    /// Lowercase original-script words when the name is not in Latin script: any_ascii
    /// is lossy (Arabic loses its vowels), so an exact original-script hit is kept too.
    pub original: Vec<String>,
}

impl NormalizedName {
    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }
}

/// Normalises one name. Total: never fails, possibly returns no tokens (e.g. "-").
pub fn normalize(raw: &str) -> NormalizedName {
    let mut scratch = Scratch::default();
    normalize_with(raw, &mut scratch);
    scratch.out
}

/// Buffers `normalize_with` reuses from one name to the next: the index build normalises
/// millions of names, and a fresh `String` per word and token was most of its time.
#[derive(Default)]
pub struct Scratch {
    /// Words of the current name (`split`), then their ASCII parts (`words`).
    split: Vec<String>,
    words: Vec<String>,
    current: String,
    /// Cleared strings waiting to be reused.
    spare: Vec<String>,
    out: NormalizedName,
}

impl Scratch {
    fn recycle(&mut self) {
        self.spare.append(&mut self.split);
        self.spare.append(&mut self.words);
        self.spare.extend(self.out.tokens.drain(..).map(|t| t.text));
        self.spare.append(&mut self.out.original);
    }
}

/// A cleared string from the pool, holding `text`.
fn reuse(spare: &mut Vec<String>, text: &str) -> String {
    let mut out = spare.pop().unwrap_or_default();
    out.clear();
    out.push_str(text);
    out
}

/// `normalize` into reused buffers; the result lives in `scratch` until the next call.
pub fn normalize_with<'s>(raw: &str, scratch: &'s mut Scratch) -> &'s NormalizedName {
    split_into_words(raw, scratch);
    let Scratch {
        words, spare, out, ..
    } = scratch;
    fold_tokens(words, &mut out.tokens, spare);
    out
}

/// The steps before folding: ASCII words (`scratch.words`) and original-script words
/// (`scratch.out.original`). The index build folds the words itself, once per
/// distinct word, through `fold_pieces` and `fold_word`.
pub(crate) fn split_into_words(raw: &str, scratch: &mut Scratch) {
    scratch.recycle();
    let Scratch {
        split,
        words,
        current,
        spare,
        out,
    } = scratch;
    split_words(raw, split, current, spare);
    for word in split.iter() {
        if word.chars().any(is_non_latin_letter) {
            out.original.push(reuse(spare, word));
        }
        if word.is_ascii() {
            // Already lowercase ASCII alphanumerics, dots removed: one part.
            push_parts(word, words, spare);
        } else {
            // Soft and hard signs come out as apostrophes: part of the word.
            let ascii = any_ascii::any_ascii(word)
                .to_ascii_lowercase()
                .replace(['\'', '"'], "");
            push_parts(&ascii, words, spare);
        }
    }
}

impl Scratch {
    pub(crate) fn words(&self) -> &[String] {
        &self.words
    }

    pub(crate) fn original(&self) -> &[String] {
        &self.out.original
    }
}

/// Transliteration can introduce separators ("ǅ" -> "Dz", CJK -> "BeiJing").
fn push_parts(ascii: &str, words: &mut Vec<String>, spare: &mut Vec<String>) {
    for part in ascii.split(|c: char| !c.is_ascii_alphanumeric()) {
        if !part.is_empty() {
            words.push(reuse(spare, part));
        }
    }
}

/// NFKC, lowercase, punctuation to spaces; apostrophes join ("O'Brien" -> "obrien");
/// dots join single letters ("L.L.C." -> "llc", "S.A.DE" -> "sa de") and otherwise
/// separate; "&" becomes "and".
fn split_words(raw: &str, words: &mut Vec<String>, current: &mut String, spare: &mut Vec<String>) {
    current.clear();
    // ASCII is already in NFKC: skip the normaliser for the common case.
    if raw.is_ascii() {
        split_chars(raw.chars(), words, current, spare);
    } else {
        split_chars(raw.nfkc(), words, current, spare);
    }
}

fn split_chars(
    chars: impl Iterator<Item = char>,
    words: &mut Vec<String>,
    current: &mut String,
    spare: &mut Vec<String>,
) {
    for ch in chars {
        if ch.is_ascii_alphanumeric() {
            current.push(ch.to_ascii_lowercase());
        } else if ch.is_alphanumeric() {
            current.extend(ch.to_lowercase());
        } else if ch == '.' {
            current.push('.');
        } else if matches!(ch, '\'' | '’' | 'ʼ' | '`' | '‘' | '´') || is_combining(ch) {
            // joins: "Qa'ida" -> "qaida"
        } else {
            push_word(words, current, spare);
            current.clear();
            if ch == '&' {
                words.push(reuse(spare, "and"));
            }
        }
    }
    push_word(words, current, spare);
    current.clear();
}

/// Splits a word on its dots: runs of single characters join ("s.a" -> "sa"), longer
/// pieces stand alone ("inc.ltd" -> "inc", "ltd").
fn push_word(words: &mut Vec<String>, word: &str, spare: &mut Vec<String>) {
    if !word.contains('.') {
        if !word.is_empty() {
            words.push(reuse(spare, word));
        }
        return;
    }
    let mut initials = reuse(spare, "");
    for piece in word.split('.').filter(|p| !p.is_empty()) {
        if piece.chars().count() == 1 {
            initials.push_str(piece);
        } else {
            if !initials.is_empty() {
                words.push(std::mem::replace(&mut initials, reuse(spare, "")));
            }
            words.push(reuse(spare, piece));
        }
    }
    if initials.is_empty() {
        spare.push(initials);
    } else {
        words.push(initials);
    }
}

fn is_combining(ch: char) -> bool {
    // Marks that NFKC leaves (Arabic harakat, Hebrew points): part of the word.
    matches!(ch as u32, 0x0300..=0x036F | 0x064B..=0x065F | 0x0591..=0x05C7 | 0x0670)
}

fn is_non_latin_letter(ch: char) -> bool {
    ch.is_alphabetic() && !ch.is_ascii() && !matches!(ch as u32, 0x00C0..=0x024F | 0x1E00..=0x1EFF)
}

/// What one token comes from: a legal form written in one or several words, or a word.
pub(crate) enum Piece<'w> {
    LegalForm(&'static str),
    Word(&'w str),
}

/// Multi-word legal forms first (longest match); every other word on its own.
pub(crate) fn fold_pieces<'w>(words: &'w [String], mut emit: impl FnMut(Piece<'w>)) {
    let mut i = 0;
    while i < words.len() {
        if let Some((len, canonical)) = legal_phrase_at(&words[i..]) {
            emit(Piece::LegalForm(canonical));
            i += len.max(1);
        } else {
            emit(Piece::Word(words[i].as_str()));
            i += 1;
        }
    }
}

/// True when `word` may begin a multi-word legal form ("united" of "united states"):
/// then its token depends on the words after it, not on the word alone.
pub(crate) fn may_start_phrase(word: &str) -> bool {
    tables().phrases.contains_key(word)
}

/// Legal forms, then single-word folding (`fold_word`).
fn fold_tokens(words: &[String], tokens: &mut Vec<Token>, spare: &mut Vec<String>) {
    fold_pieces(words, |piece| match piece {
        Piece::LegalForm(canonical) => tokens.push(Token {
            text: reuse(spare, canonical),
            class: TokenClass::LegalForm,
        }),
        Piece::Word(word) => {
            let (replacement, class) = fold_word(word);
            tokens.push(Token {
                text: reuse(spare, replacement.unwrap_or(word)),
                class,
            });
        }
    });
}

/// One word's token: a variant's canonical form or a misspelt common word's (`Some`),
/// else the word itself (`None`), with its class. Depends on the word alone, so callers
/// may cache it per word.
pub(crate) fn fold_word(word: &str) -> (Option<&'static str>, TokenClass) {
    let variant = tables().variants.get(word).copied();
    let folded = variant.unwrap_or(word);
    let class = classify(folded);
    if class == TokenClass::Distinctive
        && let Some((text, class)) = misspelt_common_word(folded)
    {
        return (Some(text), class);
    }
    (variant, class)
}

/// Legal forms written in several words, in the order to try (longer first).
const LEGAL_PHRASES: &[(&[&str], &str)] = &[
    // Russian, Ukrainian, Polish, Romanian, Italian, French, Spanish long forms, as
    // they read after transliteration.
    (
        &["obshchestvo", "s", "ogranichennoy", "otvetstvennostyu"],
        "llc",
    ),
    (
        &["tovaristvo", "z", "obmezhenoyu", "vidpovidalnistyu"],
        "llc",
    ),
    (&["publichnoe", "aktsionernoe", "obshchestvo"], "jsc"),
    (&["zakrytoe", "aktsionernoe", "obshchestvo"], "jsc"),
    (&["otkrytoe", "aktsionernoe", "obshchestvo"], "jsc"),
    (&["aktsionernoe", "obshchestvo"], "jsc"),
    (&["spolka", "z", "ograniczona", "odpowiedzialnoscia"], "llc"),
    (&["societatea", "cu", "raspundere", "limitata"], "srl"),
    (&["societa", "a", "responsabilita", "limitata"], "srl"),
    (&["societe", "a", "responsabilite", "limitee"], "sarl"),
    (&["societe", "par", "actions", "simplifiee"], "sas"),
    (&["societa", "per", "azioni"], "spa"),
    (&["sociedad", "limitada"], "ltd"),
    (&["sp", "z", "oo"], "llc"),
    (&["united", "states", "of", "america"], "us"),
    (&["united", "states"], "us"),
    (&["united", "kingdom"], "uk"),
    (&["public", "joint", "stock", "company"], "jsc"),
    (&["closed", "joint", "stock", "company"], "jsc"),
    (&["open", "joint", "stock", "company"], "jsc"),
    (&["joint", "stock", "company"], "jsc"),
    (&["limited", "liability", "company"], "llc"),
    (&["limited", "liability", "partnership"], "llp"),
    (&["gesellschaft", "mit", "beschrankter", "haftung"], "gmbh"),
    (&["public", "limited", "company"], "plc"),
    (&["private", "limited", "company"], "ltd"),
    (&["sociedad", "anonima", "de", "capital", "variable"], "sa"),
    (&["s", "de", "rl", "de", "cv"], "sa"),
    (&["sa", "de", "cv"], "sa"),
    (&["s", "a", "de", "c", "v"], "sa"),
    (&["sa", "de", "c", "v"], "sa"),
    (&["company", "limited"], "ltd"),
    (&["company", "ltd"], "ltd"),
    (&["co", "limited"], "ltd"),
    (&["co", "ltd"], "ltd"),
    (&["pvt", "ltd"], "ltd"),
    (&["private", "limited"], "ltd"),
    (&["pte", "ltd"], "ltd"),
    (&["sdn", "bhd"], "ltd"),
    (&["sociedad", "anonima"], "sa"),
    (&["societe", "anonyme"], "sa"),
    (&["joint", "stock"], "jsc"),
    (&["l", "l", "c"], "llc"),
    (&["s", "a"], "sa"),
];

/// Single-word legal forms and their canonical spelling. OOO/TOV are the Russian and
/// Ukrainian LLC, AO/OAO/ZAO/PAO the joint-stock forms.
const LEGAL_WORDS: &[(&str, &str)] = &[
    ("ag", "ag"),
    ("aktiengesellschaft", "ag"),
    ("ao", "jsc"),
    ("bhd", "ltd"),
    ("bv", "bv"),
    ("cjsc", "jsc"),
    ("co", "co"),
    ("company", "co"),
    ("corp", "corp"),
    ("corporation", "corp"),
    ("fze", "fze"),
    ("fzco", "fze"),
    ("fzc", "fze"),
    ("fzllc", "llc"),
    ("gmbh", "gmbh"),
    ("inc", "inc"),
    ("incorporated", "inc"),
    ("jsc", "jsc"),
    ("kg", "kg"),
    ("limited", "ltd"),
    ("llc", "llc"),
    ("llp", "llp"),
    ("lp", "lp"),
    ("ltd", "ltd"),
    ("ltda", "ltd"),
    ("nv", "nv"),
    ("oao", "jsc"),
    ("ojsc", "jsc"),
    ("ooo", "llc"),
    ("pao", "jsc"),
    ("pjsc", "jsc"),
    ("plc", "plc"),
    ("pte", "ltd"),
    ("pty", "ltd"),
    ("pvt", "ltd"),
    ("sa", "sa"),
    ("sal", "sa"),
    ("sarl", "sarl"),
    ("sas", "sas"),
    ("spa", "spa"),
    ("srl", "srl"),
    ("tov", "llc"),
    ("zao", "jsc"),
];

/// The word tables as hash maps, built on first use: normalisation runs for every
/// listed name and every query, and linear scans of the tables dominated it.
struct Tables {
    /// First word of a legal phrase -> the phrases starting with it (longest first).
    phrases: FastMap<&'static str, Vec<(&'static [&'static str], &'static str)>>,
    legal_words: FastMap<&'static str, &'static str>,
    variants: FastMap<&'static str, &'static str>,
    classes: FastMap<&'static str, TokenClass>,
    /// Long generic and legal-form words as written -> (canonical token, class), for
    /// recognising them misspelt ("comany", "limted", "corpoation").
    common_long_words: Vec<(&'static str, &'static str, TokenClass)>,
    /// Letter masks of `common_long_words`, for a cheap filter before edit distance.
    common_long_masks: Vec<u32>,
    /// Word length -> indexes into `common_long_words` within two letters of it.
    common_long_by_length: Vec<Vec<usize>>,
}

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| {
        let mut phrases: FastMap<&'static str, Vec<(&'static [&'static str], &'static str)>> =
            FastMap::default();
        for &(phrase, canonical) in LEGAL_PHRASES {
            if let Some(first) = phrase.first() {
                phrases.entry(first).or_default().push((phrase, canonical));
            }
        }
        for list in phrases.values_mut() {
            list.sort_by_key(|(phrase, _)| std::cmp::Reverse(phrase.len()));
        }
        let mut variants = FastMap::default();
        for &(canonical, spellings) in VARIANTS {
            variants.entry(canonical).or_insert(canonical);
            for &spelling in spellings {
                variants.entry(spelling).or_insert(canonical);
            }
        }
        // Precedence as in the original checks: stopword, then generic, then legal form.
        let mut classes = FastMap::default();
        for &(_, canonical) in LEGAL_WORDS {
            classes.insert(canonical, TokenClass::LegalForm);
        }
        for &word in GENERIC {
            classes.insert(word, TokenClass::Generic);
        }
        for &word in STOPWORDS {
            classes.insert(word, TokenClass::Stopword);
        }
        let mut common_long_words = Vec::new();
        for &(word, canonical) in LEGAL_WORDS {
            common_long_words.push((word, canonical, TokenClass::LegalForm));
        }
        for &word in GENERIC {
            common_long_words.push((word, word, TokenClass::Generic));
        }
        for (&spelling, &canonical) in &variants {
            if let Some(&class) = classes.get(canonical)
                && class != TokenClass::Distinctive
            {
                common_long_words.push((spelling, canonical, class));
            }
        }
        common_long_words.retain(|(word, _, _)| word.len() >= 6);
        common_long_words.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
        common_long_words.dedup();
        let common_long_masks = common_long_words
            .iter()
            .map(|(w, _, _)| letter_mask(w))
            .collect();
        let longest = common_long_words
            .iter()
            .map(|(w, _, _)| w.len())
            .max()
            .unwrap_or(0);
        let common_long_by_length = (0..=longest + 2)
            .map(|len| {
                common_long_words
                    .iter()
                    .enumerate()
                    .filter(|(_, (w, _, _))| w.len().abs_diff(len) <= 2)
                    .map(|(i, _)| i)
                    .collect()
            })
            .collect();
        Tables {
            common_long_by_length,
            phrases,
            legal_words: LEGAL_WORDS.iter().copied().collect::<FastMap<_, _>>(),
            variants,
            classes,
            common_long_words,
            common_long_masks,
        }
    })
}

pub(crate) fn legal_phrase_at(words: &[String]) -> Option<(usize, &'static str)> {
    let first = words.first()?;
    let tables = tables();
    if let Some(candidates) = tables.phrases.get(first.as_str()) {
        for &(phrase, canonical) in candidates {
            if words.len() >= phrase.len()
                && phrase.iter().zip(words).all(|(p, w)| *p == w.as_str())
            {
                return Some((phrase.len(), canonical));
            }
        }
    }
    tables
        .legal_words
        .get(first.as_str())
        .map(|canonical| (1, *canonical))
}

/// Spelling variants folded to one form: transliteration variants of given names,
/// abbreviations, ordinals. Kept short and reviewed: each entry merges names that
/// screening must treat as the same.
const VARIANTS: &[(&str, &[&str])] = &[
    (
        "muhammad",
        &[
            "mohammed", "mohammad", "mohamed", "muhammed", "mohamad", "muhamad", "muhamed", "mohd",
            "mohamud", "mouhamed", "mehmet", "mehmed", "mahomed",
        ],
    ),
    ("ahmad", &["ahmed", "ahmet", "akhmed", "akhmad"]),
    (
        "husayn",
        &[
            "hussein", "hussain", "husain", "husein", "hossein", "hosein", "hussien", "huseyn",
            "huseyin",
        ],
    ),
    ("hasan", &["hassan", "hasen"]),
    ("abdul", &["abdel", "abdal", "abdoul", "abdulla"]),
    ("abdullah", &["abdallah", "abdellah"]),
    ("abu", &["abou", "abo"]),
    ("usama", &["osama", "oussama"]),
    ("umar", &["omar", "omer"]),
    ("uthman", &["osman", "othman", "usman", "osmane"]),
    (
        "yusuf",
        &["yousef", "youssef", "yousif", "yusef", "yousuf", "youssouf"],
    ),
    ("mahmud", &["mahmoud", "mahmood"]),
    ("mustafa", &["mostafa", "moustafa", "mustapha"]),
    ("khalid", &["khaled"]),
    ("salih", &["saleh", "salah"]),
    ("ibrahim", &["ebrahim", "ibraheem"]),
    ("qasim", &["kassem", "qassem", "kasim", "qassim", "kasem"]),
    ("sayyid", &["sayed", "sayyed", "said", "seyed", "seyyed"]),
    ("jamal", &["gamal"]),
    (
        "sergey",
        &["sergei", "serguei", "sergej", "serhiy", "serhii", "sergiy"],
    ),
    ("andrey", &["andrei", "andrej", "andriy", "andrii"]),
    (
        "aleksandr",
        &[
            "alexander",
            "alexandr",
            "aleksander",
            "oleksandr",
            "alexandre",
        ],
    ),
    (
        "aleksey",
        &[
            "alexei", "aleksei", "alexey", "oleksiy", "oleksii", "alexej",
        ],
    ),
    (
        "dmitry",
        &["dmitri", "dmitriy", "dmytro", "dimitri", "dimitry"],
    ),
    (
        "yury",
        &["yuri", "yuriy", "iurii", "yurii", "juri", "jurij"],
    ),
    ("nikolay", &["nikolai", "mykola", "nicolai", "nikolaj"]),
    ("mikhail", &["michail", "mykhailo", "mikhael"]),
    (
        "evgeny",
        &[
            "yevgeny", "evgeniy", "yevgeniy", "evgenii", "yevhen", "jewgeni",
        ],
    ),
    ("vladimir", &["volodymyr", "wladimir"]),
    ("viktor", &["victor"]),
    ("konstantin", &["kostiantyn", "constantin", "konstantyn"]),
    ("anatoly", &["anatoli", "anatoliy", "anatolii"]),
    ("vitaly", &["vitali", "vitaliy", "vitalii"]),
    ("valery", &["valeri", "valeriy", "valerii"]),
    ("gennady", &["gennadi", "gennadiy", "gennadii"]),
    ("grigory", &["grigori", "grigoriy", "hryhoriy"]),
    ("ilya", &["ilia", "illia"]),
    ("pyotr", &["petr", "piotr"]),
    ("fedor", &["fyodor", "feodor"]),
    ("international", &["intl", "internat"]),
    ("university", &["univ"]),
    ("institute", &["inst", "institut", "instituto"]),
    (
        "technology",
        &["tech", "technologies", "technological", "technol"],
    ),
    ("laboratory", &["lab", "labs", "laboratories"]),
    ("center", &["centre", "ctr", "centr"]),
    ("national", &["natl", "nat"]),
    ("science", &["sci", "sciences", "scientific"]),
    ("engineering", &["eng", "engg"]),
    ("manufacturing", &["mfg"]),
    ("industry", &["industries", "industrial", "ind"]),
    ("department", &["dept"]),
    ("association", &["assn", "assoc"]),
    ("saint", &["st"]),
    ("brothers", &["bros"]),
    ("mount", &["mt"]),
    ("and", &["und", "et"]),
    (
        "al",
        &["el", "ul", "ad", "ar", "as", "ash", "at", "az", "adh", "an"],
    ),
    ("us", &["usa"]),
    ("1", &["first", "one", "1st"]),
    ("2", &["second", "two", "2nd"]),
    ("3", &["third", "three", "3rd"]),
    ("4", &["fourth", "four", "4th"]),
    ("5", &["fifth", "five", "5th"]),
    ("6", &["sixth", "six", "6th"]),
    ("7", &["seventh", "seven", "7th"]),
    ("8", &["eighth", "eight", "8th"]),
    ("9", &["ninth", "nine", "9th"]),
    ("10", &["tenth", "ten", "10th"]),
];

/// A word one edit (two for long words) from a generic or legal-form word is that word
/// misspelt: "MANCO OIL COMANY" must not make "comany" its most distinctive token.
fn misspelt_common_word(word: &str) -> Option<(&'static str, TokenClass)> {
    if word.len() < 6 || !word.bytes().all(|c| c.is_ascii_lowercase()) {
        return None;
    }
    let allowed = if word.len() >= 9 { 2 } else { 1 };
    let tables = tables();
    let mask = letter_mask(word);
    // Each edit changes the length by at most one and the letter set by at most two.
    let candidates = tables.common_long_by_length.get(word.len())?;
    candidates
        .iter()
        .filter_map(|&i| {
            Some((
                tables.common_long_words.get(i)?,
                *tables.common_long_masks.get(i)?,
            ))
        })
        .filter(|((candidate, _, _), candidate_mask)| {
            candidate.len().abs_diff(word.len()) <= allowed
                && (mask ^ candidate_mask).count_ones() as usize <= 2 * allowed
        })
        .find(|((candidate, _, _), _)| crate::score::osa_distance(candidate, word) <= allowed)
        .map(|(&(_, canonical, class), _)| (canonical, class))
}

fn letter_mask(word: &str) -> u32 {
    word.bytes().fold(0u32, |mask, c| mask | 1u32 << (c % 32))
}

const STOPWORDS: &[&str] = &[
    "a", "al", "and", "bin", "bint", "ibn", "da", "das", "de", "del", "della", "der", "des", "di",
    "do", "dos", "du", "for", "in", "la", "le", "les", "of", "on", "the", "to", "van", "von", "zu",
    "ben", "ould",
];

/// Words organisations share so widely that they must not carry a match. Kept to the
/// truly generic: "medical" or "engineering" tell two universities apart and stay.
const GENERIC: &[&str] = &[
    "academy",
    "center",
    "china",
    "chinese",
    "enterprise",
    "enterprises",
    "general",
    "group",
    "holding",
    "holdings",
    "import",
    "export",
    "institute",
    "international",
    "national",
    "research",
    "russia",
    "russian",
    "science",
    "state",
    "technology",
    "trading",
    "trade",
    "university",
    "industry",
    "development",
    "federal",
    "federation",
    "republic",
    "bureau",
    "office",
    "services",
    "service",
    "systems",
    "system",
    "global",
    "investment",
    "investments",
    "commercial",
    "products",
    "equipment",
    "materials",
    "beijing",
    "shanghai",
    "moscow",
    "iran",
    "iranian",
    "islamic",
    "shenzhen",
];

/// Words that mark an organisation's name (used to guess kind when a list says nothing).
const ORG_WORDS: &[&str] = &[
    "agency",
    "airline",
    "airlines",
    "army",
    "association",
    "aviation",
    "aerospace",
    "bank",
    "battalion",
    "brigade",
    "college",
    "committee",
    "corps",
    "council",
    "defence",
    "defense",
    "department",
    "design",
    "electronics",
    "electric",
    "energy",
    "engineering",
    "factory",
    "force",
    "forces",
    "foundation",
    "front",
    "fund",
    "guard",
    "hospital",
    "laboratory",
    "logistics",
    "machinery",
    "ministry",
    "movement",
    "navy",
    "network",
    "oil",
    "organization",
    "organisation",
    "party",
    "petroleum",
    "plant",
    "port",
    "school",
    "shipping",
    "shipyard",
    "society",
    "solutions",
    "station",
    "trust",
    "union",
    "works",
    "chemical",
    "chemicals",
    "pharmaceutical",
    "optics",
    "instruments",
    "communications",
    "telecom",
    "semiconductor",
    "software",
    "microelectronics",
    "construction",
    "manufacturing",
    "exchange",
    "capital",
    "unit",
    "division",
    "corporation",
    "establishment",
    "complex",
    "base",
    "media",
];

fn classify(word: &str) -> TokenClass {
    tables()
        .classes
        .get(word)
        .copied()
        .unwrap_or(TokenClass::Distinctive)
}

/// Guesses person or organisation for lists that do not say (the research-security
/// transcriptions mix both). Organisation unless the name looks like 2-4 plain words.
pub fn guess_kind(name: &str) -> EntityKind {
    if name
        .chars()
        .any(|c| c.is_ascii_digit() || matches!(c, '(' | '&' | '/' | '"'))
    {
        return EntityKind::Organization;
    }
    let normalized = normalize(name);
    // Org words, legal forms, and place names ("Huawei Denmark") mark an organisation.
    let looks_organisational = normalized.tokens.iter().any(|t| {
        matches!(t.class, TokenClass::Generic | TokenClass::LegalForm)
            || ORG_WORDS.contains(&t.text.as_str())
            || (t.text.len() > 3 && crate::country::country_code(&t.text).is_some())
    });
    let count = normalized.tokens.len();
    if !looks_organisational && (2..=4).contains(&count) {
        EntityKind::Person
    } else {
        EntityKind::Organization
    }
}

/// The key a derived id is hashed from: case, spacing and punctuation do not matter.
/// Deliberately independent of `normalize` so that tuning matching never changes ids.
pub(crate) fn fold_for_id(name: &str) -> String {
    let mut words: Vec<String> = Vec::new();
    let mut current = String::new();
    for ch in name.nfkc() {
        if ch.is_alphanumeric() {
            current.extend(ch.to_lowercase());
        } else if matches!(ch, '.' | '\'' | '’' | 'ʼ' | '`' | '‘' | '´') || is_combining(ch) {
            // joined
        } else if !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        words.push(current);
    }
    words.join(" ")
}

/// A coarse sound key for candidate selection and as a similarity floor: first letter
/// (vowels as 'a'), then consonants with spelling variants merged and repeats removed.
/// "mohammed", "muhammad" and Arabic-derived "mhmd" all give "md"... by design coarse;
/// the scorer still requires string similarity before trusting it.
pub fn phonetic_key(token: &str) -> String {
    let bytes = token.as_bytes();
    let mut out = String::with_capacity(token.len());
    let mut i = 0;
    let mut last: u8 = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let next = bytes.get(i + 1).copied().unwrap_or(0);
        let (mapped, step) = match (c, next) {
            (b'p', b'h') => (b'f', 2),
            (b'k', b'h') | (b'g', b'h') => (b'h', 2),
            (b'c', b'k') => (b'k', 2),
            (b's', b'h') | (b'c', b'h') | (b'z', b'h') => (b'j', 2),
            (b't', b'h') => (b't', 2),
            (b'd', b'h') => (b'd', 2),
            (b't', b's') | (b't', b'z') => (b's', 2),
            (b'c', b'e') | (b'c', b'i') | (b'c', b'y') => (b's', 1),
            (b'c', _) | (b'q', _) => (b'k', 1),
            (b'x', _) => (b'k', 1),
            (b'z', _) => (b's', 1),
            (b'w', _) => (b'v', 1),
            _ => (c, 1),
        };
        let is_vowel = matches!(mapped, b'a' | b'e' | b'i' | b'o' | b'u' | b'y');
        if i == 0 {
            let first = if is_vowel { b'a' } else { mapped };
            out.push(first as char);
            last = first;
        } else if !is_vowel && mapped != b'h' && mapped != last && mapped.is_ascii_alphanumeric() {
            out.push(mapped as char);
            last = mapped;
        }
        i += step;
    }
    out
}

/// The consonant skeleton: compares Latin names with abjad transliterations that have
/// no vowels ("muhammad" ~ "mhmd").
pub fn consonant_skeleton(token: &str) -> String {
    let mut out = String::with_capacity(token.len());
    let mut last = ' ';
    for ch in token.chars() {
        if matches!(ch, 'a' | 'e' | 'i' | 'o' | 'u' | 'y' | 'w' | 'h') {
            continue;
        }
        if ch != last {
            out.push(ch);
            last = ch;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(raw: &str) -> Vec<String> {
        normalize(raw).tokens.into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn legal_forms_are_canonical() {
        assert_eq!(texts("Acme Co., Ltd."), texts("ACME COMPANY LIMITED"));
        assert_eq!(
            texts("Romashka LLC"),
            texts("ООО Ромашка").into_iter().rev().collect::<Vec<_>>()
        );
        assert_eq!(texts("Acme L.L.C."), vec!["acme", "llc"]);
        assert_eq!(texts("Acme Limited Liability Company"), vec!["acme", "llc"]);
        assert_eq!(texts("Almaz JSC"), texts("Almaz Joint-Stock Company"));
        assert_eq!(texts("AO Almaz"), texts("PJSC Almaz"));
    }

    #[test]
    fn dots_join_initials_only() {
        assert_eq!(texts("S.A.DE C.V."), texts("S.A. de C.V."));
        assert_eq!(texts("J.P.Morgan"), vec!["jp", "morgan"]);
        assert_eq!(
            texts("U.S. Department of State"),
            texts("United States Department of State")
        );
    }

    #[test]
    fn misspelt_legal_forms_stay_legal_forms() {
        assert_eq!(texts("Manco Oil Comany"), texts("Manco Oil Company"));
        assert_eq!(texts("TNK Fabrics Limted"), texts("TNK Fabrics Ltd"));
        assert_eq!(
            texts("Korea Tangun Trading Corpoation"),
            texts("Korea Tangun Trading Corp")
        );
    }

    #[test]
    fn cyrillic_is_transliterated_and_kept() {
        let name = normalize("Андрей Костин");
        assert_eq!(
            name.tokens
                .iter()
                .map(|t| t.text.as_str())
                .collect::<Vec<_>>(),
            vec!["andrey", "kostin"]
        );
        assert_eq!(name.original, vec!["андрей", "костин"]);
    }

    #[test]
    fn variants_fold() {
        assert_eq!(texts("Mohammed"), texts("Muhammad"));
        assert_eq!(texts("Sergei"), texts("Sergey"));
        assert_eq!(texts("El-Masri"), texts("Al Masri"));
        assert_eq!(texts("O'Brien"), vec!["obrien"]);
    }

    #[test]
    fn phonetic_keys_merge_transliterations() {
        assert_eq!(phonetic_key("muhammad"), phonetic_key("mhmd"));
        assert_eq!(phonetic_key("qasim"), phonetic_key("kasim"));
        assert_eq!(phonetic_key("khodorkovsky"), phonetic_key("hodorkovski"));
        assert_ne!(phonetic_key("harbin"), phonetic_key("medical"));
    }

    #[test]
    fn kind_guess() {
        assert_eq!(guess_kind("Abdul Satar Ghoura"), EntityKind::Person);
        assert_eq!(
            guess_kind("Harbin Institute of Technology"),
            EntityKind::Organization
        );
        assert_eq!(guess_kind("Huawei"), EntityKind::Organization);
    }
}
