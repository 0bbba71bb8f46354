//! E-mail notifications for screening alerts, over plain SMTP to the
//! institution's relay (the relay handles onward TLS and authentication, as
//! a Postfix or Exchange relay on the same network does). Sending never
//! blocks or fails the change that raised the alert: failures are logged and
//! audited, and the alert stays visible in the application.

use crate::AppState;
use meridian_domain::Role;
use meridian_store::{AlertRecord, AuditEvent};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// Where and how to send.
#[derive(Debug, Clone)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    /// The sender address (`Meridian <meridian@university.example>` is not
    /// parsed: give the bare address).
    pub from: String,
    /// Always copied: the research office's shared mailbox, if any.
    pub research_office: Option<String>,
}

fn valid_address(a: &str) -> bool {
    let a = a.trim();
    a.len() <= 254
        && a.split_once('@')
            .is_some_and(|(l, d)| !l.is_empty() && d.contains('.'))
        && !a
            .chars()
            .any(|c| c.is_whitespace() || "<>\r\n,;".contains(c))
}

async fn expect(
    reader: &mut BufReader<tokio::net::tcp::OwnedReadHalf>,
    code: &str,
) -> Result<(), String> {
    // Multi-line replies are `250-…` lines ending with `250 …`.
    loop {
        let mut line = String::new();
        let n = reader
            .read_line(&mut line)
            .await
            .map_err(|e| format!("reading the server's reply: {e}"))?;
        if n == 0 {
            return Err("the server closed the connection".into());
        }
        if !line.starts_with(code) {
            return Err(format!(
                "expected {code}, the server answered: {}",
                line.trim_end()
            ));
        }
        if line.as_bytes().get(3) != Some(&b'-') {
            return Ok(());
        }
    }
}

/// Send one message with the SMTP dialogue (RFC 5321), dot-stuffing the body.
pub async fn send_mail(
    cfg: &SmtpConfig,
    to: &[String],
    subject: &str,
    body: &str,
) -> Result<(), String> {
    if !valid_address(&cfg.from) {
        return Err(format!("the sender address '{}' is not valid", cfg.from));
    }
    let to: Vec<&String> = to.iter().filter(|a| valid_address(a)).collect();
    if to.is_empty() {
        return Err("no valid recipient address".into());
    }
    let run = async {
        let stream = TcpStream::connect((cfg.host.as_str(), cfg.port))
            .await
            .map_err(|e| format!("connecting to {}:{}: {e}", cfg.host, cfg.port))?;
        let (read, mut write) = stream.into_split();
        let mut reader = BufReader::new(read);
        expect(&mut reader, "220").await?;
        let mut say = async |line: String,
                             code: &str,
                             reader: &mut BufReader<tokio::net::tcp::OwnedReadHalf>|
               -> Result<(), String> {
            write
                .write_all(line.as_bytes())
                .await
                .map_err(|e| format!("writing to the server: {e}"))?;
            expect(reader, code).await
        };
        say("EHLO meridian\r\n".into(), "250", &mut reader).await?;
        say(
            format!("MAIL FROM:<{}>\r\n", cfg.from.trim()),
            "250",
            &mut reader,
        )
        .await?;
        for a in &to {
            say(format!("RCPT TO:<{}>\r\n", a.trim()), "25", &mut reader).await?;
        }
        say("DATA\r\n".into(), "354", &mut reader).await?;
        let date = time::OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc2822)
            .unwrap_or_default();
        let subject: String = subject.chars().filter(|c| !c.is_control()).collect();
        let mut msg = format!(
            "From: {}\r\nTo: {}\r\nSubject: {}\r\nDate: {}\r\nMessage-ID: <{}@meridian>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n",
            cfg.from.trim(),
            to.iter().map(|a| a.trim()).collect::<Vec<_>>().join(", "),
            subject,
            date,
            crate::auth::random_token()
        );
        for line in body.lines() {
            if line.starts_with('.') {
                msg.push('.');
            }
            msg.push_str(line);
            msg.push_str("\r\n");
        }
        msg.push_str(".\r\n");
        say(msg, "250", &mut reader).await?;
        let _ = say("QUIT\r\n".into(), "221", &mut reader).await;
        Ok::<(), String>(())
    };
    tokio::time::timeout(Duration::from_secs(30), run)
        .await
        .map_err(|_| "the mail server did not answer within 30 s".to_string())?
}

/// Who hears of an alert: the engagement's owner (if their account has an
/// e-mail address), the research office's accounts with one, and the
/// research office mailbox from the configuration.
async fn recipients(state: &AppState, cfg: &SmtpConfig, owner: &str) -> Vec<String> {
    let mut out: Vec<String> = cfg.research_office.iter().cloned().collect();
    if let Ok(users) = state.store.list_users().await {
        for u in users {
            if (u.username == owner || u.role == Role::ResearchOffice)
                && u.active
                && valid_address(&u.email)
                && !out.contains(&u.email)
            {
                out.push(u.email.clone());
            }
        }
    }
    out
}

/// Notify by e-mail about a freshly raised alert (when SMTP is configured).
pub async fn alert_raised(state: &AppState, alert: &AlertRecord) {
    let Some(cfg) = state.config.smtp.clone() else {
        return;
    };
    let owner = match state.store.engagement(&alert.engagement_id).await {
        Ok(Some(e)) => e.engagement.owner,
        _ => String::new(),
    };
    let to = recipients(state, &cfg, &owner).await;
    if to.is_empty() {
        return;
    }
    let subject = format!(
        "Meridian screening alert: {} on \"{}\"",
        alert.subject_name, alert.engagement_title
    );
    let body = format!(
        "A list update produced a {} for {} ({}) in the engagement \"{}\".\n\n\
         Listed as: {} on {} (entry {}), score {:.2}\n{}\n\n\
         The engagement now needs review. Open it in Meridian: /engagements/{}#alerts\n",
        alert.change,
        alert.subject_name,
        alert.subject,
        alert.engagement_title,
        alert.matched_name,
        alert.source,
        alert.entity_id,
        alert.score,
        alert.explanation,
        alert.engagement_id
    );
    let (action, reason) = match send_mail(&cfg, &to, &subject, &body).await {
        Ok(()) => ("alert.notified", format!("{} recipient(s)", to.len())),
        Err(e) => {
            tracing::warn!(error = %e, "alert e-mail not sent");
            ("alert.notify_failed", e)
        }
    };
    let _ = state
        .store
        .audit(AuditEvent::new("system", action, "engagement", &alert.engagement_id).reason(reason))
        .await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_checked_before_they_reach_the_dialogue() {
        assert!(valid_address("ro@university.example"));
        assert!(!valid_address("nobody"));
        assert!(!valid_address("a@b.example>\r\nRCPT TO:<x@y.z"));
        assert!(!valid_address(""));
    }
}
