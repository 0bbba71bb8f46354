//! Writes the benchmark's names and query mix for the peer comparison
//! (bench/peer_rapidfuzz.py) and measures Meridian on the same queries in the same run.
//! Usage: `cargo run --release -p meridian-screening --example bench_queries -- LISTS_DIR OUT_DIR`
//! Prints one JSON line: names, queries, build time, queries/s (one thread), p50/p99 µs.

use std::io::Write;
use std::time::Instant;

use meridian_screening::{Index, Query, bench_support, load_lists_dir};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let lists = args
        .next()
        .ok_or("usage: bench_queries LISTS_DIR OUT_DIR")?;
    let out = std::path::PathBuf::from(
        args.next()
            .ok_or("usage: bench_queries LISTS_DIR OUT_DIR")?,
    );
    std::fs::create_dir_all(&out)?;
    let loaded = load_lists_dir(std::path::Path::new(&lists))?;
    let queries = bench_support::query_mix(&loaded.entities);
    let mut names_file = std::io::BufWriter::new(std::fs::File::create(out.join("names.txt"))?);
    let mut name_count = 0usize;
    for entity in &loaded.entities {
        for name in &entity.names {
            // One name a line: line breaks inside a name would shift the peer's list.
            writeln!(names_file, "{}", name.name.replace(['\n', '\r'], " "))?;
            name_count += 1;
        }
    }
    names_file.flush()?;
    std::fs::write(out.join("queries.txt"), queries.join("\n") + "\n")?;

    let started = Instant::now();
    let index = Index::build(loaded.entities);
    let build_ms = started.elapsed().as_secs_f64() * 1e3;
    let queries: Vec<Query> = queries.into_iter().map(Query::name).collect();
    // One warm-up pass, then the timed pass.
    for query in &queries {
        std::hint::black_box(index.screen(query));
    }
    let mut times = Vec::with_capacity(queries.len());
    let mut matched = 0usize;
    let started = Instant::now();
    for query in &queries {
        let one = Instant::now();
        matched += usize::from(!index.screen(query).is_empty());
        times.push(one.elapsed().as_secs_f64() * 1e6);
    }
    let total = started.elapsed().as_secs_f64();
    times.sort_by(f64::total_cmp);
    // On a shared machine wall-clock time includes time spent preempted; this thread's
    // CPU time does not. Five more passes so the 10 ms tick resolution is ~1 %.
    let cpu_before = thread_cpu_seconds();
    for _ in 0..5 {
        for query in &queries {
            std::hint::black_box(index.screen(query));
        }
    }
    let cpu = cpu_before.zip(thread_cpu_seconds()).map(|(a, b)| b - a);
    let per_cpu_second = cpu.map_or(0.0, |c| 5.0 * queries.len() as f64 / c.max(1e-9));
    let pct = |p: f64| {
        times
            .get(((times.len() as f64 - 1.0) * p) as usize)
            .copied()
            .unwrap_or(0.0)
    };
    println!(
        "{{\"names\":{name_count},\"queries\":{},\"build_ms\":{build_ms:.1},\"queries_per_s\":{:.0},\"queries_per_cpu_s\":{per_cpu_second:.0},\"p50_us\":{:.1},\"p99_us\":{:.1},\"with_match\":{matched}}}",
        queries.len(),
        queries.len() as f64 / total,
        pct(0.5),
        pct(0.99),
    );
    Ok(())
}

/// This thread's user + system CPU time from /proc (Linux; `None` elsewhere).
fn thread_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    // Fields after the parenthesised command name; utime and stime are the 14th and
    // 15th fields overall, in clock ticks (100 per second on Linux).
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}
