//! The embedded `Mailer`: each email becomes an `.eml` file in an outbox directory,
//! with one log line, so local runs can read what would have been sent.

use std::path::{Path, PathBuf};

use anyhow::Context;
use async_trait::async_trait;

use crate::ids;
use crate::ports::{Clock, Mailer, OutgoingEmail};

pub struct OutboxMailer {
    dir: PathBuf,
    clock: std::sync::Arc<dyn Clock>,
}

impl OutboxMailer {
    pub fn new(dir: &Path, clock: std::sync::Arc<dyn Clock>) -> anyhow::Result<OutboxMailer> {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        Ok(OutboxMailer {
            dir: dir.to_path_buf(),
            clock,
        })
    }
}

/// Renders a MIME message with text and HTML alternatives.
pub fn render_eml(email: &OutgoingEmail, message_id: &str, date: &str) -> String {
    let boundary = format!("=_aamu_{message_id}");
    let mut out = String::new();
    out.push_str(&format!("Message-ID: <{message_id}@aamu.local>\r\n"));
    out.push_str(&format!("Date: {date}\r\n"));
    out.push_str(&format!("From: {}\r\n", header_safe(&email.from)));
    out.push_str(&format!("To: {}\r\n", header_safe(&email.to.join(", "))));
    if let Some(reply_to) = &email.reply_to {
        out.push_str(&format!("Reply-To: {}\r\n", header_safe(reply_to)));
    }
    out.push_str(&format!("Subject: {}\r\n", header_safe(&email.subject)));
    out.push_str("MIME-Version: 1.0\r\n");
    out.push_str(&format!(
        "Content-Type: multipart/alternative; boundary=\"{boundary}\"\r\n\r\n"
    ));
    for (kind, body) in [("text/plain", &email.text), ("text/html", &email.html)] {
        out.push_str(&format!(
            "--{boundary}\r\nContent-Type: {kind}; charset=utf-8\r\n"
        ));
        out.push_str("Content-Transfer-Encoding: 8bit\r\n\r\n");
        out.push_str(body);
        out.push_str("\r\n");
    }
    out.push_str(&format!("--{boundary}--\r\n"));
    out
}

/// Header values lose line breaks so a value cannot add headers of its own.
fn header_safe(value: &str) -> String {
    value.replace(['\r', '\n'], " ")
}

#[async_trait]
impl Mailer for OutboxMailer {
    async fn send(&self, email: &OutgoingEmail) -> anyhow::Result<String> {
        let now = self.clock.now_ms();
        let message_id = ids::new_id(now);
        let date = time::OffsetDateTime::from_unix_timestamp(now / 1000)
            .ok()
            .and_then(|t| {
                t.format(&time::format_description::well_known::Rfc2822)
                    .ok()
            })
            .unwrap_or_default();
        let path = self.dir.join(format!("{message_id}.eml"));
        tokio::fs::write(&path, render_eml(email, &message_id, &date))
            .await
            .context("writing to the mail outbox")?;
        tracing::info!(message_id, recipients = email.to.len(), path = %path.display(), "email written to the outbox");
        Ok(message_id)
    }
}
