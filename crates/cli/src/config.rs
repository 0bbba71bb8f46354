//! Configuration: built-in defaults, then `meridian.toml`, then `MERIDIAN_*`
//! environment variables (and `DATABASE_URL`), each overriding the last.

use anyhow::{Context, Result};
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Config {
    /// Listen address for `serve`.
    pub bind: String,
    /// Directory of the embedded SQLite database.
    pub data_dir: PathBuf,
    /// `postgres://…` (or `sqlite://…`) instead of the embedded database.
    pub database_url: Option<String>,
    /// Connection pool size.
    pub max_connections: u32,
    /// Seed the demo register on an empty database (as `serve --demo`).
    pub demo: bool,
    /// Mark cookies Secure (when served over HTTPS).
    pub secure_cookies: bool,
    pub session_hours: i64,
    /// Log filter, e.g. `info` or `meridian=debug`.
    pub log: String,
    /// Directory of restricted-party list files to screen against.
    pub lists_dir: Option<PathBuf>,
    /// A policy pack to use instead of the built-in default.
    pub policy_file: Option<PathBuf>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            bind: "127.0.0.1:8080".into(),
            data_dir: PathBuf::from("meridian-data"),
            database_url: None,
            max_connections: 10,
            demo: false,
            secure_cookies: false,
            session_hours: 8,
            log: "info".into(),
            lists_dir: None,
            policy_file: None,
        }
    }
}

impl Config {
    pub fn load(file: Option<&Path>, data_dir: Option<&Path>) -> Result<Config> {
        let mut fig = Figment::from(Serialized::defaults(Config::default()));
        match file {
            Some(f) => {
                anyhow::ensure!(
                    f.exists(),
                    "configuration file {} does not exist",
                    f.display()
                );
                fig = fig.merge(Toml::file(f));
            }
            None => fig = fig.merge(Toml::file("meridian.toml")),
        }
        fig = fig.merge(Env::prefixed("MERIDIAN_").ignore(&[
            "ADMIN_PASSWORD",
            "NEW_PASSWORD",
            "CONFIG",
            "LOG",
            "SHARED_DIR",
        ]));
        if let Ok(url) = std::env::var("DATABASE_URL") {
            fig = fig.merge(Serialized::default("database_url", url));
        }
        let mut config: Config = fig
            .extract()
            .context("reading configuration (meridian.toml and MERIDIAN_* variables)")?;
        if let Some(d) = data_dir {
            config.data_dir = d.to_path_buf();
        }
        Ok(config)
    }
}
