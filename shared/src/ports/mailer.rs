//! `Mailer`: sends one email (SES v2, or an outbox directory of `.eml` files).

use async_trait::async_trait;

/// An email ready to send. Addresses are already validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingEmail {
    pub from: String,
    pub to: Vec<String>,
    pub reply_to: Option<String>,
    pub subject: String,
    pub html: String,
    pub text: String,
}

#[async_trait]
pub trait Mailer: Send + Sync {
    /// Sends the email and answers the provider's message id.
    async fn send(&self, email: &OutgoingEmail) -> anyhow::Result<String>;
}
