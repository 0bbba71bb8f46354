//! Re-screening benchmark: 100,000 stored party names (people, universities, companies;
//! 2 % of them near-copies of listed names) screened against every list in a directory,
//! as after a list update: once on one thread, once split over all cores.
//! Usage: `cargo run --release -p meridian-screening --example rescreen -- [LISTS_DIR] [PARTIES]`
//! (defaults `../shared/data/lists`, 100000). Prints one JSON line.

use std::time::Instant;

use meridian_screening::{Index, Query, load_lists_dir};

/// Deterministic xorshift, so every run screens the same parties.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

const SYLLABLES: &[&str] = &[
    "ka", "lo", "mi", "ne", "ra", "to", "su", "vi", "de", "ba", "zo", "shi", "an", "el", "or",
    "ur", "mar", "tel", "gor", "vin", "sol", "dar", "fen", "hul", "jas", "kor", "lin", "mun",
    "nor", "pel", "rin", "sak", "bren", "wick", "ton", "ley",
];

fn pseudo_word(rng: &mut Rng) -> String {
    let count = 2 + (rng.next() % 2) as usize;
    let mut word = String::new();
    for _ in 0..count {
        word.push_str(rng.pick(SYLLABLES));
    }
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

/// A stored party as an engagement would hold it: a person, a university or institute,
/// or a company; every 50th is a listed name with one letter dropped.
fn parties(listed: &[&str], count: usize) -> Vec<String> {
    let given = [
        "Harold", "Mei", "Olusegun", "Ingrid", "Rafael", "Tamar", "Kenji", "Aisha", "Bruno",
        "Liesel", "Wei", "Anna", "Dmitri", "Fatima", "Jose", "Priya",
    ];
    let academic = [
        "University",
        "Institute of Technology",
        "University of Science and Technology",
        "Polytechnic",
        "Medical University",
        "Research Institute",
    ];
    let company = [
        "Analytics Ltd",
        "Biosciences Inc",
        "Robotics GmbH",
        "Freight Co., Ltd.",
        "Materials LLC",
        "Instruments JSC",
    ];
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    (0..count)
        .map(|i| {
            if i % 50 == 0 && !listed.is_empty() {
                let name = listed[(rng.next() % listed.len() as u64) as usize];
                let mut chars: Vec<char> = name.chars().collect();
                if chars.len() > 6 {
                    chars.remove(chars.len() / 2);
                }
                return chars.into_iter().collect();
            }
            match i % 3 {
                0 => format!("{} {}", rng.pick(&given), pseudo_word(&mut rng)),
                1 => format!("{} {}", pseudo_word(&mut rng), rng.pick(&academic)),
                _ => format!("{} {}", pseudo_word(&mut rng), rng.pick(&company)),
            }
        })
        .collect()
}

fn screen_all(index: &Index, queries: &[Query]) -> usize {
    queries
        .iter()
        .filter(|q| !index.screen(q).is_empty())
        .count()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = args
        .next()
        .unwrap_or_else(|| "../shared/data/lists".to_string());
    let count: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(100_000);

    let loaded = load_lists_dir(std::path::Path::new(&dir))?;
    let listed: Vec<&str> = loaded.entities.iter().map(|e| e.primary_name()).collect();
    let queries: Vec<Query> = parties(&listed, count)
        .into_iter()
        .map(Query::name)
        .collect();
    let started = Instant::now();
    let index = Index::build(loaded.entities);
    let build_s = started.elapsed().as_secs_f64();

    let started = Instant::now();
    let matched = screen_all(&index, &queries);
    let one_thread_s = started.elapsed().as_secs_f64();

    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = queries.len().div_ceil(threads).max(1);
    let started = Instant::now();
    let matched_parallel: usize = std::thread::scope(|scope| {
        let handles: Vec<_> = queries
            .chunks(chunk)
            .map(|part| scope.spawn(|| screen_all(&index, part)))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or(0)).sum()
    });
    let all_cores_s = started.elapsed().as_secs_f64();
    assert_eq!(matched, matched_parallel, "same parties, same matches");

    println!(
        "{{\"names\":{},\"parties\":{},\"build_s\":{build_s:.3},\"one_thread_s\":{one_thread_s:.2},\"threads\":{threads},\"all_cores_s\":{all_cores_s:.2},\"parties_per_s_one_thread\":{:.0},\"with_a_match\":{matched}}}",
        index.name_count(),
        queries.len(),
        queries.len() as f64 / one_thread_s,
    );
    Ok(())
}
