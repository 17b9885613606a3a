//! `Mailer` on Amazon SES v2: one SendEmail call with simple content (subject, HTML
//! and text bodies in UTF-8, reply-to), answering SES's message id.

use anyhow::{Context, anyhow};
use async_trait::async_trait;
use aws_config::SdkConfig;
use aws_sdk_sesv2::Client;
use aws_sdk_sesv2::error::BuildError;
use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message};

use crate::ports::{Mailer, OutgoingEmail};

/// Sends email through SES v2 in the configured region.
#[derive(Debug, Clone)]
pub struct SesMailer {
    client: Client,
}

impl SesMailer {
    /// A mailer using the SDK configuration's region and credentials.
    pub fn new(config: &SdkConfig) -> Self {
        SesMailer {
            client: Client::new(config),
        }
    }
}

#[async_trait]
impl Mailer for SesMailer {
    #[tracing::instrument(skip_all, fields(recipients = email.to.len()))]
    async fn send(&self, email: &OutgoingEmail) -> anyhow::Result<String> {
        let destination = Destination::builder()
            .set_to_addresses(Some(email.to.clone()))
            .build();
        let output = self
            .client
            .send_email()
            .from_email_address(&email.from)
            .destination(destination)
            .set_reply_to_addresses(email.reply_to.clone().map(|r| vec![r]))
            .content(simple_content(email).context("building an SES message")?)
            .send()
            .await
            .context("SES SendEmail")?;
        output
            .message_id
            .ok_or_else(|| anyhow!("SES SendEmail answered no message id"))
    }
}

/// The email as SES "simple" content.
fn simple_content(email: &OutgoingEmail) -> Result<EmailContent, BuildError> {
    let body = Body::builder()
        .html(utf8(&email.html)?)
        .text(utf8(&email.text)?)
        .build();
    let message = Message::builder()
        .subject(utf8(&email.subject)?)
        .body(body)
        .build();
    Ok(EmailContent::builder().simple(message).build())
}

fn utf8(text: &str) -> Result<Content, BuildError> {
    Content::builder().data(text).charset("UTF-8").build()
}
