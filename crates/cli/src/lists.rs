//! `meridian lists`: the list registry from the command line. Updates and
//! imports go through the same checks as the server's (full parse before
//! anything changes, at most a 20% drop unless forced) and write to the
//! database, from which every running server reloads.

use crate::ListsCommand;
use anyhow::{Context, Result, bail};
use meridian_store::{ListFiles, Store};
use meridian_web::lists::{UpdateReport, import, reload_index, rollback, update_source};
use std::path::Path;

fn print_report(r: &UpdateReport) {
    println!("{}: {} — {}", r.source, r.result, r.message);
    if let Some(s) = &r.rescreen {
        println!(
            "  re-screened {} parties in {} engagements in {} ms: {} new alert(s)",
            s.parties, s.engagements, s.millis, s.alerts_raised
        );
    }
}

fn read_files(path: &Path) -> Result<ListFiles> {
    let mut files = ListFiles::new();
    let mut add = |p: &Path| -> Result<()> {
        let name = p
            .file_name()
            .and_then(|n| n.to_str())
            .context("a file name that is not text")?
            .to_owned();
        files.insert(
            name,
            std::fs::read(p).with_context(|| format!("reading {}", p.display()))?,
        );
        Ok(())
    };
    if path.is_dir() {
        for entry in
            std::fs::read_dir(path).with_context(|| format!("reading {}", path.display()))?
        {
            let p = entry?.path();
            if p.is_file() {
                add(&p)?;
            }
        }
    } else {
        add(path)?;
    }
    if files.is_empty() {
        bail!("{} holds no files", path.display());
    }
    Ok(files)
}

pub async fn run(cmd: ListsCommand, store: Store) -> Result<()> {
    let state = meridian_web::AppState::new(store.clone(), Default::default());
    meridian_web::lists::ensure_registry(&state)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let actor = "cli";
    match cmd {
        ListsCommand::Status => {
            let current = store.current_list_versions().await?;
            println!(
                "{:<28} {:<8} {:>9} {:<20} {:<14} last error",
                "source", "enabled", "entities", "fetched at (UTC)", "sha256"
            );
            for s in store.list_sources().await? {
                let v = current.iter().find(|v| v.source_id == s.id);
                println!(
                    "{:<28} {:<8} {:>9} {:<20} {:<14} {}",
                    s.id,
                    if s.enabled { "yes" } else { "no" },
                    v.map_or("-".into(), |v| v.entity_count.to_string()),
                    v.map_or("never".into(), |v| v
                        .fetched_at
                        .get(..19)
                        .unwrap_or("")
                        .replace('T', " ")),
                    v.map_or("-".into(), |v| v.sha256.get(..12).unwrap_or("").to_owned()),
                    s.last_error.unwrap_or_default()
                );
            }
            Ok(())
        }
        ListsCommand::Update {
            ids,
            force,
            base_url,
        } => {
            reload_index(&state)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let sources = store.list_sources().await?;
            let chosen: Vec<_> =
                if ids.is_empty() {
                    sources
                        .into_iter()
                        .filter(|s| s.enabled && !s.urls.is_empty())
                        .collect()
                } else {
                    let mut out = Vec::new();
                    for id in &ids {
                        out.push(sources.iter().find(|s| &s.id == id).cloned().with_context(
                            || format!("no list source '{id}' (see `meridian lists status`)"),
                        )?);
                    }
                    out
                };
            let mut refused = 0;
            for s in chosen {
                if let Some(base) = &base_url {
                    // Point every file of the source at the mirror, keeping file names.
                    let urls: Vec<String> = s
                        .urls
                        .iter()
                        .map(|u| {
                            format!(
                                "{}/{}",
                                base.trim_end_matches('/'),
                                u.rsplit('/').next().unwrap_or("")
                            )
                        })
                        .collect();
                    store
                        .set_list_source(&s.id, s.enabled, Some(&urls), actor)
                        .await?;
                }
                let r = update_source(&state, &s.id, force, actor)
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
                if r.result == "refused" {
                    refused += 1;
                }
                print_report(&r);
            }
            if refused > 0 {
                std::process::exit(3);
            }
            Ok(())
        }
        ListsCommand::Import {
            path,
            format,
            source,
            force,
        } => {
            reload_index(&state)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let files = read_files(&path)?;
            let r = import(&state, &source, &format, files, force, actor)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            print_report(&r);
            if r.result == "refused" {
                std::process::exit(3);
            }
            Ok(())
        }
        ListsCommand::Rollback { id } => {
            let r = rollback(&state, &id, actor)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!(
                "{id}: rolled back; re-screened {} parties, {} new alert(s)",
                r.parties, r.alerts_raised
            );
            Ok(())
        }
    }
}
