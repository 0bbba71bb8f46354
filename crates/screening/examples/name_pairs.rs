//! Precision / recall / F1 of `pair_score` on the labelled name-pair benchmark
//! (nomenklatura's cases.csv, in shared/data/benchmarks), overall, per schema and for
//! non-ASCII pairs. Usage:
//! `cargo run --release -p meridian-screening --example name_pairs -- [CSV] [THRESHOLD]`

use std::collections::BTreeMap;

use meridian_screening::{DEFAULT_THRESHOLD, pair_score};

#[derive(Default)]
struct Counts {
    tp: u32,
    fp: u32,
    fn_: u32,
    tn: u32,
}

impl Counts {
    fn add(&mut self, predicted: bool, actual: bool) {
        match (predicted, actual) {
            (true, true) => self.tp += 1,
            (true, false) => self.fp += 1,
            (false, true) => self.fn_ += 1,
            (false, false) => self.tn += 1,
        }
    }
    fn line(&self, label: &str) -> String {
        let p = self.tp as f64 / (self.tp + self.fp).max(1) as f64;
        let r = self.tp as f64 / (self.tp + self.fn_).max(1) as f64;
        let f1 = if p + r > 0.0 {
            2.0 * p * r / (p + r)
        } else {
            0.0
        };
        let n = self.tp + self.fp + self.fn_ + self.tn;
        format!("{label:<14} n={n:<4} P={p:.3} R={r:.3} F1={f1:.3}")
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().unwrap_or_else(|| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/data/benchmarks/name_pairs.csv"
        )
        .to_string()
    });
    let threshold: f32 = match args.next() {
        Some(t) => t.parse()?,
        None => DEFAULT_THRESHOLD,
    };
    let verbose = std::env::var_os("VERBOSE").is_some();
    let mut reader = csv::Reader::from_path(&path)?;
    let headers = reader.headers()?.clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .ok_or(format!("no column {name}"))
    };
    let (schema_col, n1, n2, label) = (
        col("schema")?,
        col("name1")?,
        col("name2")?,
        col("is_match")?,
    );
    let mut overall = Counts::default();
    let mut non_ascii = Counts::default();
    let mut per_schema: BTreeMap<String, Counts> = BTreeMap::new();
    let mut sweep: Vec<(f32, bool)> = Vec::new();
    let mut timings = Vec::new();
    for record in reader.records() {
        let record = record?;
        let field = |i: usize| record.get(i).unwrap_or("");
        let (schema, a, b) = (field(schema_col), field(n1), field(n2));
        let actual = field(label).eq_ignore_ascii_case("true");
        let started = std::time::Instant::now();
        let score = pair_score(a, b, schema);
        timings.push(started.elapsed().as_secs_f64() * 1e6);
        let predicted = score >= threshold;
        if verbose && predicted != actual {
            println!(
                "{} {score:.3} [{schema}] {a:?} ~ {b:?}",
                if actual { "FN" } else { "FP" }
            );
        }
        overall.add(predicted, actual);
        per_schema
            .entry(schema.to_string())
            .or_default()
            .add(predicted, actual);
        if !a.is_ascii() || !b.is_ascii() {
            non_ascii.add(predicted, actual);
        }
        sweep.push((score, actual));
    }
    timings.sort_by(f64::total_cmp);
    println!("threshold {threshold:.2}");
    println!("{}", overall.line("overall"));
    for (schema, counts) in &per_schema {
        println!("{}", counts.line(schema));
    }
    println!("{}", non_ascii.line("non-ASCII"));
    println!(
        "pair_score p50 {:.1} µs",
        timings.get(timings.len() / 2).copied().unwrap_or(0.0)
    );
    println!("threshold sweep (overall F1):");
    for step in 10..=19 {
        let t = step as f32 * 0.05;
        let mut c = Counts::default();
        for &(score, actual) in &sweep {
            c.add(score >= t, actual);
        }
        println!("  {}", c.line(&format!("{t:.2}")));
    }
    Ok(())
}
