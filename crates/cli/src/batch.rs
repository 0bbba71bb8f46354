//! The batch tools: `meridian screen` (the screening contract: JSON lines or
//! CSV in, one result per query out, in input order) and `meridian assess`
//! (an engagement in, its assessment out). Both refuse to run without lists:
//! exit code 2 and a sentence, never an empty result.

use crate::{AssessArgs, ScreenArgs};
use anyhow::{Context, Result};
use meridian_screening::batch::{BatchFormat, BatchOptions};
use std::io::{BufRead, BufReader, IsTerminal, Read, Write};

/// Print the message and exit with status 2 (bad input or no lists).
fn fail(message: impl std::fmt::Display) -> ! {
    eprintln!("meridian: {message}");
    std::process::exit(2);
}

fn load(dir: &std::path::Path) -> meridian_web::engines::LoadedIndex {
    match meridian_web::engines::load_index(dir) {
        Ok(idx) => {
            if idx.row_issues > 0 {
                eprintln!(
                    "meridian: {} malformed list rows were skipped while loading the lists",
                    idx.row_issues
                );
            }
            idx
        }
        Err(e) => fail(format!(
            "no screening lists loaded from {}: {e}",
            dir.display()
        )),
    }
}

pub fn screen(args: ScreenArgs) -> Result<()> {
    let format = BatchFormat::parse(&args.format).unwrap_or_else(|| {
        fail(format!(
            "--format must be jsonl or csv, not '{}'",
            args.format
        ))
    });
    let idx = load(&args.lists_dir);
    let input: Box<dyn BufRead> = match &args.input {
        Some(p) => Box::new(BufReader::new(
            std::fs::File::open(p).with_context(|| format!("opening {}", p.display()))?,
        )),
        None => Box::new(BufReader::new(std::io::stdin().lock())),
    };
    let output: Box<dyn Write> = match &args.output {
        Some(p) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(p).with_context(|| format!("creating {}", p.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    let opts = BatchOptions {
        threshold: args
            .threshold
            .unwrap_or(meridian_screening::DEFAULT_THRESHOLD),
        limit: args.limit.unwrap_or(meridian_screening::DEFAULT_LIMIT),
        input_format: format,
        output_format: format,
    };
    let bar = std::io::stderr().is_terminal().then(|| {
        let b = indicatif::ProgressBar::new(0);
        b.set_style(
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} queries {per_sec}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        b
    });
    let result = meridian_screening::batch::run_with_progress(
        input,
        output,
        &idx.index,
        &opts,
        |done, total| {
            if let Some(b) = &bar {
                b.set_length(total as u64);
                b.set_position(done as u64);
            }
        },
    );
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    match result {
        Ok(summary) => {
            eprintln!(
                "meridian: {} queries, {} with matches, {} matches",
                summary.queries, summary.queries_with_matches, summary.matches
            );
            Ok(())
        }
        Err(meridian_screening::batch::BatchError::Input { line, message }) => {
            fail(format!("input line {line}: {message}"))
        }
        Err(e) => Err(e.into()),
    }
}

pub fn assess(args: AssessArgs) -> Result<()> {
    let pack = match &args.policy {
        Some(p) => {
            let text =
                std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?;
            meridian_risk::PolicyPack::from_toml(&text)
                .unwrap_or_else(|e| fail(format!("policy pack {}: {e}", p.display())))
        }
        None => meridian_risk::PolicyPack::default_pack()
            .map_err(|e| anyhow::anyhow!("built-in policy pack: {e}"))?,
    };
    let idx = load(&args.lists_dir);
    let profiles = meridian_risk::CountryProfiles::default();
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .context("reading stdin")?;
    let docs: Vec<(usize, &str)> = if args.jsonl {
        text.lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(i, l)| (i + 1, l))
            .collect()
    } else {
        vec![(1, text.as_str())]
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for (line, doc) in docs {
        let e = meridian_domain::parse_engagement_json(doc.as_bytes()).unwrap_or_else(|errs| {
            let at = if args.jsonl {
                format!("line {line}: ")
            } else {
                String::new()
            };
            fail(format!("{at}{errs}"))
        });
        let (_, hits) = meridian_web::engines::screen_engagement(&e, Some(&idx));
        let a = meridian_risk::assess(&e, &hits, &profiles, &pack);
        if args.jsonl {
            writeln!(out, "{}", serde_json::to_string(&a)?)?;
        } else {
            writeln!(out, "{}", serde_json::to_string_pretty(&a)?)?;
        }
    }
    out.flush()?;
    Ok(())
}
