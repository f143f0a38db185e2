//! Email through a transactional outbox: a message is written in the transaction of the
//! change that sends it, then delivered by a background worker over SMTP (`PRIX_SMTP_URL`),
//! or written to the log when no SMTP server is configured. A failed delivery is retried
//! with a growing delay, never lost; a delivered message's address is erased.
use std::time::Duration;

use lettre::{
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{
        Mailbox, MultiPart,
        header::{HeaderName, HeaderValue},
    },
};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, sea_query::Expr,
};
use uuid::Uuid;

use crate::{db, entities::outbox_message};

const MAX_ATTEMPTS: i32 = 10;

pub enum Mailer {
    /// No SMTP server: messages go to the log (development).
    Log,
    Smtp {
        transport: AsyncSmtpTransport<Tokio1Executor>,
        from: Mailbox,
    },
}

impl Mailer {
    pub fn new(smtp_url: Option<&str>, from: &str) -> anyhow::Result<Self> {
        let Some(url) = smtp_url else {
            return Ok(Mailer::Log);
        };
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)?
            .timeout(Some(Duration::from_secs(10)))
            .build();
        Ok(Mailer::Smtp {
            transport,
            from: from.parse()?,
        })
    }

    async fn deliver(&self, to: &str, subject: &str, body: &str) -> Result<(), String> {
        match self {
            Mailer::Log => {
                tracing::info!(
                    to,
                    subject,
                    body,
                    "email (no SMTP server configured: PRIX_SMTP_URL)"
                );
                Ok(())
            }
            Mailer::Smtp { transport, from } => {
                let message = mime_message(from, to, subject, body)?;
                transport
                    .send(message)
                    .await
                    .map(|_| ())
                    .map_err(|error| error.to_string())
            }
        }
    }
}

/// The message as a mail client reads it: UTF-8 declared, the text and an HTML alternative
/// of it, in French.
fn mime_message(from: &Mailbox, to: &str, subject: &str, body: &str) -> Result<Message, String> {
    let language = HeaderName::new_from_ascii_str("Content-Language");
    Message::builder()
        .from(from.clone())
        .to(to.parse().map_err(|error| format!("recipient: {error}"))?)
        .subject(subject)
        .raw_header(HeaderValue::new(language, "fr".to_owned()))
        .multipart(MultiPart::alternative_plain_html(
            body.to_owned(),
            html_of(body),
        ))
        .map_err(|error| error.to_string())
}

/// The HTML alternative of a plain-text message: its paragraphs, its line breaks, its links
/// made clickable, everything else escaped.
fn html_of(text: &str) -> String {
    let escape = |text: &str| {
        text.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let line = |line: &str| {
        line.split(' ')
            .map(|word| {
                if word.starts_with("https://") || word.starts_with("http://") {
                    format!("<a href=\"{0}\">{0}</a>", escape(word))
                } else {
                    escape(word)
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    let paragraphs: Vec<String> = text
        .split("\n\n")
        .filter(|paragraph| !paragraph.trim().is_empty())
        .map(|paragraph| {
            let lines: Vec<String> = paragraph.trim().lines().map(line).collect();
            format!("<p>{}</p>", lines.join("<br>\n"))
        })
        .collect();
    format!(
        "<!DOCTYPE html>\n<html lang=\"fr\">\n<head><meta charset=\"utf-8\"></head>\n<body>\n{}\n</body>\n</html>\n",
        paragraphs.join("\n")
    )
}

/// Queues a message, in the caller's transaction.
pub async fn enqueue(
    txn: &impl ConnectionTrait,
    to: &str,
    subject: &str,
    body: &str,
) -> Result<(), DbErr> {
    let now = db::now();
    outbox_message::Entity::insert(outbox_message::ActiveModel {
        id: Set(Uuid::now_v7()),
        recipient: Set(Some(to.to_owned())),
        subject: Set(subject.to_owned()),
        body: Set(body.to_owned()),
        attempts: Set(0),
        next_attempt_at: Set(now),
        sent_at: Set(None),
        last_error: Set(None),
        created_at: Set(now),
    })
    .exec_without_returning(txn)
    .await?;
    Ok(())
}

/// Delivers the messages that are due; returns how many were delivered.
pub async fn deliver_due(db: &DatabaseConnection, mailer: &Mailer) -> Result<usize, DbErr> {
    let due = outbox_message::Entity::find()
        .filter(outbox_message::Column::SentAt.is_null())
        .filter(outbox_message::Column::Recipient.is_not_null())
        .filter(outbox_message::Column::NextAttemptAt.lte(db::now()))
        .order_by_asc(outbox_message::Column::Id)
        .limit(50)
        .all(db)
        .await?;
    let mut delivered = 0;
    for message in due {
        // Claim the message by counting the attempt, so that two workers never send it twice.
        let attempts = message.attempts + 1;
        let claimed = outbox_message::Entity::update_many()
            .col_expr(outbox_message::Column::Attempts, Expr::value(attempts))
            .col_expr(
                outbox_message::Column::NextAttemptAt,
                Expr::value(db::now() + Duration::from_secs(60)),
            )
            .filter(outbox_message::Column::Id.eq(message.id))
            .filter(outbox_message::Column::Attempts.eq(message.attempts))
            .filter(outbox_message::Column::SentAt.is_null())
            .exec(db)
            .await?
            .rows_affected
            == 1;
        let Some(recipient) = message.recipient.as_deref().filter(|_| claimed) else {
            continue;
        };
        let outcome = mailer
            .deliver(recipient, &message.subject, &message.body)
            .await;
        let mut update = outbox_message::ActiveModel {
            id: Set(message.id),
            ..Default::default()
        };
        match outcome {
            Ok(()) => {
                // Sent: neither the address nor the content (codes, single-use links) is kept.
                update.sent_at = Set(Some(db::now()));
                update.recipient = Set(None);
                update.body = Set(String::new());
                delivered += 1;
            }
            Err(error) => {
                tracing::warn!(message_id = %message.id, attempts, error, "email delivery failed; will retry");
                update.last_error = Set(Some(error));
                let delay = Duration::from_secs(2u64.pow(attempts.min(8) as u32));
                update.next_attempt_at = Set(db::now() + delay);
                if attempts >= MAX_ATTEMPTS {
                    // Give up, and keep neither the address nor the content of a message
                    // that will never go.
                    update.recipient = Set(None);
                    update.body = Set(String::new());
                }
            }
        }
        outbox_message::Entity::update(update).exec(db).await?;
    }
    Ok(delivered)
}

/// Runs the delivery loop until the process stops.
pub fn spawn_worker(db: DatabaseConnection, mailer: Mailer) {
    tokio::spawn(async move {
        loop {
            if let Err(error) = deliver_due(&db, &mailer).await {
                tracing::error!(error = %error, "outbox delivery pass failed");
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_is_utf8_text_with_an_html_alternative_in_french() {
        let from: Mailbox = "Prix du CESER <no-reply@prix-ceser.example>"
            .parse()
            .unwrap();
        let body =
            "Bonjour,\n\nVotre candidature a été reçue <merci> :\nhttps://prix.example/a?b=1&c=2\n";
        let message = mime_message(&from, "claire@example.fr", "Candidature reçue", body).unwrap();
        let raw = String::from_utf8(message.formatted()).unwrap();
        assert!(raw.contains("Content-Language: fr"), "{raw}");
        assert!(raw.contains("multipart/alternative"), "{raw}");
        assert!(
            raw.contains("Content-Type: text/plain; charset=utf-8"),
            "{raw}"
        );
        assert!(
            raw.contains("Content-Type: text/html; charset=utf-8"),
            "{raw}"
        );
        let html = html_of(body);
        assert!(html.contains("<p>Bonjour,</p>"), "{html}");
        assert!(html.contains("a été reçue &lt;merci&gt; :<br>"), "{html}");
        assert!(
            html.contains("<a href=\"https://prix.example/a?b=1&amp;c=2\">"),
            "{html}"
        );
        assert!(!html.contains("<merci>"));
    }
}
