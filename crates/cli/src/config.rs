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
    /// Download due list updates on each source's schedule (off by default:
    /// run `meridian lists update` from cron instead, or switch this on).
    pub list_updates: bool,
    /// SMTP relay for alert e-mails (plain SMTP; the relay does TLS onward).
    pub smtp_host: Option<String>,
    pub smtp_port: u16,
    pub smtp_from: Option<String>,
    /// The research office's shared mailbox, copied on every alert.
    pub smtp_research_office: Option<String>,
    /// Single sign-on with OpenID Connect: on when `oidc_issuer` is set.
    pub oidc_issuer: Option<String>,
    pub oidc_client_id: Option<String>,
    /// Better given as `MERIDIAN_OIDC_CLIENT_SECRET` than in a file.
    pub oidc_client_secret: Option<String>,
    /// `https://meridian.example.edu/auth/oidc/callback`, as registered.
    pub oidc_redirect_url: Option<String>,
    /// Scopes besides `openid`, space- or comma-separated.
    pub oidc_scopes: String,
    /// The claim that names the account.
    pub oidc_username_claim: String,
    /// The claim whose values decide the role (`groups`, `roles`, …).
    pub oidc_role_claim: String,
    /// `claimvalue=role,claimvalue=role`; the first match wins.
    pub oidc_role_map: String,
    /// The role when nothing maps.
    pub oidc_default_role: String,
    /// The claim holding the department(s); unset keeps them as admins set them.
    pub oidc_department_claim: Option<String>,
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
            list_updates: false,
            smtp_host: None,
            smtp_port: 25,
            smtp_from: None,
            smtp_research_office: None,
            oidc_issuer: None,
            oidc_client_id: None,
            oidc_client_secret: None,
            oidc_redirect_url: None,
            oidc_scopes: "profile email".into(),
            oidc_username_claim: "preferred_username".into(),
            oidc_role_claim: "groups".into(),
            oidc_role_map: String::new(),
            oidc_default_role: "researcher".into(),
            oidc_department_claim: None,
        }
    }
}

impl Config {
    /// Alert e-mail settings, when a relay and a sender are configured.
    pub fn smtp(&self) -> Option<meridian_web::notify::SmtpConfig> {
        Some(meridian_web::notify::SmtpConfig {
            host: self.smtp_host.clone().filter(|h| !h.is_empty())?,
            port: self.smtp_port,
            from: self.smtp_from.clone().filter(|f| !f.is_empty())?,
            research_office: self.smtp_research_office.clone().filter(|r| !r.is_empty()),
        })
    }

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

impl Config {
    /// The single sign-on settings, when `oidc_issuer` is set; a missing or
    /// malformed setting is an error that names it.
    pub fn oidc(&self) -> Result<Option<meridian_web::OidcConfig>> {
        let Some(issuer) = self.oidc_issuer.as_deref().filter(|s| !s.trim().is_empty()) else {
            return Ok(None);
        };
        let required = |v: &Option<String>, name: &str| -> Result<String> {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .with_context(|| format!("oidc_issuer is set, so {name} is required"))
        };
        let client_id = required(&self.oidc_client_id, "oidc_client_id")?;
        let redirect = required(&self.oidc_redirect_url, "oidc_redirect_url")?;
        let secret = self.oidc_client_secret.clone().unwrap_or_default();
        let mut c = meridian_web::OidcConfig::new(issuer.trim(), &client_id, &secret, &redirect);
        c.scopes = self
            .oidc_scopes
            .split([' ', ','])
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        c.username_claim = self.oidc_username_claim.trim().to_owned();
        c.role_claim = self.oidc_role_claim.trim().to_owned();
        c.role_map =
            meridian_web::parse_role_map(&self.oidc_role_map).map_err(anyhow::Error::msg)?;
        c.default_role = meridian_domain::Role::parse(&self.oidc_default_role)
            .map_err(|e| anyhow::anyhow!("oidc_default_role: {e}"))?;
        c.department_claim = self
            .oidc_department_claim
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned);
        c.check().map_err(anyhow::Error::msg)?;
        Ok(Some(c))
    }
}

#[cfg(test)]
mod oidc_tests {
    use super::*;

    #[test]
    fn single_sign_on_is_off_until_an_issuer_is_set_and_then_checked() {
        let mut c = Config::default();
        assert!(c.oidc().unwrap().is_none());
        c.oidc_issuer = Some("https://idp.example.edu".into());
        let err = c.oidc().unwrap_err().to_string();
        assert!(err.contains("oidc_client_id"), "{err}");
        c.oidc_client_id = Some("meridian".into());
        c.oidc_redirect_url = Some("https://meridian.example.edu/auth/oidc/callback".into());
        c.oidc_role_map = "urn:mace:example.edu:meridian:admin=admin,staff=boss".into();
        let err = c.oidc().unwrap_err().to_string();
        assert!(err.contains("oidc_role_map"), "{err}");
        c.oidc_role_map = "urn:mace:example.edu:meridian:admin=admin,faculty=researcher".into();
        c.oidc_department_claim = Some("ou".into());
        let o = c.oidc().unwrap().unwrap();
        assert_eq!(o.role_map.len(), 2);
        assert_eq!(o.scopes, ["profile", "email"]);
        assert_eq!(o.department_claim.as_deref(), Some("ou"));
        c.oidc_issuer = Some("http://idp.example.edu".into());
        assert!(c.oidc().unwrap_err().to_string().contains("https"));
    }
}
