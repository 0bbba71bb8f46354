//! Scale check on synthetic names: build time, index bytes per name, and per-query
//! p50/p99 latency on one thread. Build time is reported as wall clock and as the
//! building thread's CPU time (what other processes on a shared machine do not move).
//! Usage:
//! `cargo run --release -p meridian-screening --example synthetic -- [NAMES]` (default 2,000,000)
//!
//! Names are made of pseudo-words from syllables with a skewed (Zipf-like) choice, so
//! some tokens are common and most are rare, as in real lists. Index bytes are the live
//! heap bytes the index adds on top of the entities it is given (a counting allocator).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use meridian_screening::{Entity, EntityKind, EntityName, Index, NameQuality, Query};

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);

// SAFETY: delegates to the system allocator; only counts bytes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(new_size, Ordering::Relaxed);
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    /// Skewed towards small indexes: index = n * u^3.
    fn skewed(&mut self, n: usize) -> usize {
        let u = (self.next() % 1_000_000) as f64 / 1_000_000.0;
        ((n as f64) * u * u * u) as usize
    }
}

const SYLLABLES: &[&str] = &[
    "ka", "lo", "mi", "ne", "ra", "to", "su", "vi", "de", "ba", "zo", "qu", "shi", "an", "el",
    "or", "ur", "ix", "mar", "tel", "gor", "vin", "sol", "dar", "fen", "hul", "jas", "kor", "lin",
    "mun", "nor", "pel", "rin", "sak",
];

fn word(mut index: usize) -> String {
    let mut out = String::new();
    loop {
        out.push_str(SYLLABLES[index % SYLLABLES.len()]);
        index /= SYLLABLES.len();
        if index == 0 {
            break;
        }
    }
    out
}

fn main() {
    let count: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(2_000_000);
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let generic = [
        "Trading",
        "Group",
        "University",
        "Institute",
        "Industries",
        "Logistics",
    ];
    let legal = ["LLC", "Co., Ltd.", "JSC", "GmbH", "Limited", ""];
    let mut entities = Vec::with_capacity(count);
    for i in 0..count {
        let (kind, name) = if i % 2 == 0 {
            let given = word(200 + rng.skewed(3_000));
            let family = word(5_000 + rng.skewed(400_000));
            (EntityKind::Person, format!("{family}, {given}"))
        } else {
            let a = word(5_000 + rng.skewed(400_000));
            let g = generic[(rng.next() % generic.len() as u64) as usize];
            let l = legal[(rng.next() % legal.len() as u64) as usize];
            (EntityKind::Organization, format!("{a} {g} {l}"))
        };
        entities.push(Entity {
            source: "synthetic".to_string(),
            entity_id: i.to_string(),
            kind,
            names: vec![EntityName {
                name,
                quality: NameQuality::Primary,
            }],
            countries: Vec::new(),
            birth_dates: Vec::new(),
            programs: Vec::new(),
        });
    }
    let queries: Vec<Query> = entities
        .iter()
        .step_by(count / 1000)
        .map(|e| {
            // A typo: drop the second character of the first word.
            let name = e.primary_name();
            let mut chars: Vec<char> = name.chars().collect();
            if chars.len() > 3 {
                chars.remove(1);
            }
            Query::name(chars.into_iter().collect::<String>())
        })
        .chain(
            (0..1000)
                .map(|i| Query::name(format!("{} {}", word(900_000 + i * 7), word(700_000 + i)))),
        )
        .collect();

    let before = LIVE.load(Ordering::Relaxed);
    let cpu_before = thread_cpu_seconds();
    let started = Instant::now();
    let index = Index::build(entities);
    let build = started.elapsed();
    let build_cpu = cpu_before
        .zip(thread_cpu_seconds())
        .map_or(f64::NAN, |(a, b)| b - a);
    let index_bytes = LIVE.load(Ordering::Relaxed).saturating_sub(before);
    let names = index.name_count();

    let mut times = Vec::with_capacity(queries.len());
    let mut matched = 0usize;
    for query in &queries {
        let one = Instant::now();
        matched += usize::from(!index.screen(query).is_empty());
        times.push(one.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    let pct = |p: f64| times[((times.len() - 1) as f64 * p) as usize];
    println!(
        "names {names}, build {:.2} s wall ({:.2} s per million), {build_cpu:.2} s CPU ({:.2} s per million), index {:.0} bytes per name, queries {}, p50 {:.3} ms, p99 {:.3} ms, with a match {matched}",
        build.as_secs_f64(),
        build.as_secs_f64() / (names as f64 / 1e6),
        build_cpu / (names as f64 / 1e6),
        index_bytes as f64 / names as f64,
        queries.len(),
        pct(0.5),
        pct(0.99),
    );
}

/// This thread's user + system CPU time from /proc (Linux; `None` elsewhere), in
/// 10 ms ticks: ample for a build of seconds.
fn thread_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}
