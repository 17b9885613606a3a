//! The `Mailer` conformance suite: sending answers a message id, one per message.
//! Where the sent mail can be read back (an outbox, an emulator) the adapter's own
//! test checks it, using the messages this suite answers.

use anyhow::ensure;

use super::case;
use crate::ports::{Mailer, OutgoingEmail};

/// Sends two emails from `from` (an address the provider accepts as sender) and
/// answers each with its message id; panics naming the first case that fails.
pub async fn mailer_suite(mailer: &dyn Mailer, from: &str) -> Vec<(OutgoingEmail, String)> {
    let mut sent = Vec::new();
    let first = OutgoingEmail {
        from: from.to_owned(),
        to: vec!["first@example.com".into()],
        reply_to: Some("support@example.com".into()),
        subject: "Welcome to Aamu".into(),
        html: "<p>Hello <b>there</b></p>".into(),
        text: "Hello there".into(),
    };
    let second = OutgoingEmail {
        to: vec!["second@example.com".into(), "third@example.com".into()],
        reply_to: None,
        subject: "Päivitys ✓".into(),
        html: "<p>Hei</p>".into(),
        text: "Hei".into(),
        ..first.clone()
    };
    case(
        "Mailer",
        "send with reply-to",
        send(mailer, first, &mut sent),
    )
    .await;
    case(
        "Mailer",
        "send to two recipients",
        send(mailer, second, &mut sent),
    )
    .await;
    case("Mailer", "message ids are distinct", async {
        ensure!(sent[0].1 != sent[1].1, "both messages got id {}", sent[0].1);
        Ok(())
    })
    .await;
    sent
}

async fn send(
    mailer: &dyn Mailer,
    email: OutgoingEmail,
    sent: &mut Vec<(OutgoingEmail, String)>,
) -> anyhow::Result<()> {
    let id = mailer.send(&email).await?;
    ensure!(!id.trim().is_empty(), "the message id is empty");
    sent.push((email, id));
    Ok(())
}
