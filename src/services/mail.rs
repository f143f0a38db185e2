//! Email through a transactional outbox: a message is written in the transaction of the
//! change that sends it, then delivered by a background worker over SMTP (`PRIX_SMTP_URL`),
//! or written to the log when no SMTP server is configured. A failed delivery is retried
//! with a growing delay, never lost; a delivered message's address is erased.
//!
//! Every message is written from a template in the recipient's language
//! (`templates/mail/{fr,en}/*.txt`, MiniJinja), each with a `subject` and a `body` block.
use std::{sync::LazyLock, time::Duration};

use lettre::{
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{
        Attachment as MailAttachment, Mailbox, MultiPart,
        header::{ContentType, HeaderName, HeaderValue},
    },
};
use minijinja::{Environment, UndefinedBehavior};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, sea_query::Expr,
};
use serde::Serialize;
use strum::IntoEnumIterator;
use uuid::Uuid;

use crate::{
    db,
    domain::{Lang, notification::NotificationKind},
    entities::outbox_message,
    error::ApiError,
};

/// Declares the templates: each variant's file, in every language's directory.
macro_rules! templates {
    ($($(#[$doc:meta])* $variant:ident => $file:literal,)*) => {
        /// An email the prize sends.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, strum::EnumIter)]
        pub enum Template {
            $($(#[$doc])* $variant,)*
        }

        impl Template {
            pub fn name(self) -> &'static str {
                match self {
                    $(Template::$variant => $file,)*
                }
            }

            fn source(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $(
                        (Template::$variant, Lang::Fr) => include_str!(concat!("../../templates/mail/fr/", $file, ".txt")),
                        (Template::$variant, Lang::En) => include_str!(concat!("../../templates/mail/en/", $file, ".txt")),
                    )*
                }
            }
        }
    };
}

templates! {
    /// A link to confirm the address of a new account.
    AddressToConfirm => "address_to_confirm",
    /// Someone tried to register with the address of an existing account.
    AccountExists => "account_exists",
    /// A link to choose a new password.
    PasswordReset => "password_reset",
    /// A councillor's invitation to vote.
    Invitation => "invitation",
    /// A public voter's code.
    VoterCode => "voter_code",
    ApplicationSubmitted => "application_submitted",
    EligibilityDecided => "eligibility_decided",
    ShortlistDecided => "shortlist_decided",
    AuditionScheduled => "audition_scheduled",
    LaureatesPublished => "laureates_published",
    FilesAssigned => "files_assigned",
    ScoringReminder => "scoring_reminder",
    BallotOpened => "ballot_opened",
}

impl From<NotificationKind> for Template {
    fn from(kind: NotificationKind) -> Self {
        match kind {
            NotificationKind::ApplicationSubmitted => Template::ApplicationSubmitted,
            NotificationKind::EligibilityDecided => Template::EligibilityDecided,
            NotificationKind::ShortlistDecided => Template::ShortlistDecided,
            NotificationKind::AuditionScheduled => Template::AuditionScheduled,
            NotificationKind::LaureatesPublished => Template::LaureatesPublished,
            NotificationKind::FilesAssigned => Template::FilesAssigned,
            NotificationKind::ScoringReminder => Template::ScoringReminder,
            NotificationKind::BallotOpened => Template::BallotOpened,
        }
    }
}

static TEMPLATES: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut environment = Environment::new();
    // A value the template names and the code did not give is an error, not an empty text.
    environment.set_undefined_behavior(UndefinedBehavior::Strict);
    environment.set_keep_trailing_newline(true);
    for template in Template::iter() {
        for lang in Lang::iter() {
            environment
                .add_template(template_name(template, lang).leak(), template.source(lang))
                .unwrap_or_else(|error| panic!("{}: {error:#}", template.name()));
        }
    }
    environment
});

fn template_name(template: Template, lang: Lang) -> String {
    format!("{}/{}", lang.tag(), template.name())
}

/// A file sent with a message.
#[derive(Debug, Clone)]
pub struct Attachment {
    pub name: String,
    pub media_type: &'static str,
    pub content: String,
}

/// An email to send: its template, the recipient's language, the values it shows.
pub struct Letter {
    pub template: Template,
    pub lang: Lang,
    pub values: serde_json::Value,
    pub attachment: Option<Attachment>,
}

impl Letter {
    pub fn new(template: Template, lang: Lang, values: impl Serialize) -> Self {
        Letter {
            template,
            lang,
            values: serde_json::to_value(values).unwrap_or_default(),
            attachment: None,
        }
    }

    pub fn with(mut self, attachment: Attachment) -> Self {
        self.attachment = Some(attachment);
        self
    }

    /// The subject and the text of the message.
    pub fn render(&self) -> Result<(String, String), minijinja::Error> {
        let template = TEMPLATES.get_template(&template_name(self.template, self.lang))?;
        let mut captured = template.render_captured(&self.values)?;
        let (subject, body) = captured.with_state_mut(|state| {
            Ok::<_, minijinja::Error>((state.render_block("subject")?, state.render_block("body")?))
        })?;
        Ok((subject.trim().to_owned(), body.trim_start().to_owned()))
    }
}

/// Writes `letter` to `to` and queues it, in the caller's transaction.
pub async fn send(txn: &impl ConnectionTrait, to: &str, letter: Letter) -> Result<(), ApiError> {
    let (subject, body) = letter
        .render()
        .map_err(|error| anyhow::anyhow!("{}: {error:#}", letter.template.name()))?;
    let now = db::now();
    let attachment = letter.attachment;
    outbox_message::Entity::insert(outbox_message::ActiveModel {
        id: Set(Uuid::now_v7()),
        recipient: Set(Some(to.to_owned())),
        subject: Set(subject),
        body: Set(body),
        attempts: Set(0),
        next_attempt_at: Set(now),
        sent_at: Set(None),
        last_error: Set(None),
        created_at: Set(now),
        language: Set(letter.lang.tag().to_owned()),
        attachment_name: Set(attachment.as_ref().map(|file| file.name.clone())),
        attachment_type: Set(attachment.as_ref().map(|file| file.media_type.to_owned())),
        attachment: Set(attachment.map(|file| file.content)),
    })
    .exec_without_returning(txn)
    .await?;
    Ok(())
}

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

    async fn deliver(&self, to: &str, message: &outbox_message::Model) -> Result<(), String> {
        match self {
            Mailer::Log => {
                tracing::info!(
                    to,
                    subject = message.subject,
                    body = message.body,
                    language = message.language,
                    attachment = message.attachment_name,
                    "email (no SMTP server configured: PRIX_SMTP_URL)"
                );
                Ok(())
            }
            Mailer::Smtp { transport, from } => {
                let message = mime_message(from, to, message)?;
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
/// of it, in its language; and its attachment, if any.
fn mime_message(
    from: &Mailbox,
    to: &str,
    message: &outbox_message::Model,
) -> Result<Message, String> {
    let language = HeaderName::new_from_ascii_str("Content-Language");
    let text = MultiPart::alternative_plain_html(
        message.body.clone(),
        html_of(&message.body, &message.language),
    );
    let content = match (
        &message.attachment_name,
        &message.attachment_type,
        &message.attachment,
    ) {
        (Some(name), Some(media_type), Some(file)) => {
            let media_type = ContentType::parse(media_type).map_err(|error| error.to_string())?;
            MultiPart::mixed()
                .multipart(text)
                .singlepart(MailAttachment::new(name.clone()).body(file.clone(), media_type))
        }
        _ => text,
    };
    Message::builder()
        .from(from.clone())
        .to(to.parse().map_err(|error| format!("recipient: {error}"))?)
        // The queued message's own id: a retry after a lost answer is the same message.
        .message_id(Some(format!("<{}@{}>", message.id, from.email.domain())))
        .subject(&message.subject)
        .raw_header(HeaderValue::new(language, message.language.clone()))
        .multipart(content)
        .map_err(|error| error.to_string())
}

/// The HTML alternative of a plain-text message: its paragraphs, its line breaks, its links
/// made clickable, everything else escaped. A link is a line of its own, as the templates write
/// theirs: an address inside a line may come from what someone typed (an action's title, say)
/// and stays text, so that nobody puts a clickable link in mail the prize sends to others.
fn html_of(text: &str, lang: &str) -> String {
    let escape = |text: &str| {
        text.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let line = |line: &str| {
        let link = line.trim();
        if (link.starts_with("https://") || link.starts_with("http://")) && !link.contains(' ') {
            format!("<a href=\"{0}\">{0}</a>", escape(link))
        } else {
            escape(line)
        }
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
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head><meta charset=\"utf-8\"></head>\n<body>\n{}\n</body>\n</html>\n",
        paragraphs.join("\n")
    )
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
        let outcome = mailer.deliver(recipient, &message).await;
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
                update.attachment = Set(None);
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
                    update.attachment = Set(None);
                }
            }
        }
        outbox_message::Entity::update(update).exec(db).await?;
    }
    Ok(delivered)
}

/// Drops the messages to `address` not yet delivered, keeping neither their address nor their
/// content: its account was disabled or erased, and hears nothing more.
pub async fn cancel_pending(txn: &impl ConnectionTrait, address: &str) -> Result<(), DbErr> {
    outbox_message::Entity::update_many()
        .col_expr(
            outbox_message::Column::Recipient,
            Expr::value(None::<String>),
        )
        .col_expr(outbox_message::Column::Body, Expr::value(String::new()))
        .col_expr(
            outbox_message::Column::Attachment,
            Expr::value(None::<String>),
        )
        .col_expr(
            outbox_message::Column::LastError,
            Expr::value("cancelled: the account was disabled or erased"),
        )
        .filter(outbox_message::Column::Recipient.eq(address))
        .filter(outbox_message::Column::SentAt.is_null())
        .exec(txn)
        .await?;
    Ok(())
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

    fn queued(body: &str, language: &str) -> outbox_message::Model {
        outbox_message::Model {
            id: Uuid::now_v7(),
            recipient: Some("claire@example.fr".into()),
            subject: "Candidature reçue".into(),
            body: body.into(),
            attempts: 0,
            next_attempt_at: db::now(),
            sent_at: None,
            last_error: None,
            created_at: db::now(),
            language: language.into(),
            attachment_name: None,
            attachment_type: None,
            attachment: None,
        }
    }

    #[test]
    fn a_message_is_utf8_text_with_an_html_alternative_in_its_language() {
        let from: Mailbox = "Prix du CESER <no-reply@prix-ceser.example>"
            .parse()
            .unwrap();
        let body =
            "Bonjour,\n\nVotre candidature a été reçue <merci> :\nhttps://prix.example/a?b=1&c=2\n";
        let message = mime_message(&from, "claire@example.fr", &queued(body, "fr")).unwrap();
        let raw = String::from_utf8(message.formatted()).unwrap();
        assert!(raw.contains("Content-Language: fr"), "{raw}");
        assert!(
            raw.contains("Message-ID: <") && raw.contains("@prix-ceser.example>"),
            "{raw}"
        );
        assert!(raw.contains("multipart/alternative"), "{raw}");
        assert!(
            raw.contains("Content-Type: text/plain; charset=utf-8"),
            "{raw}"
        );
        assert!(
            raw.contains("Content-Type: text/html; charset=utf-8"),
            "{raw}"
        );
        let html = html_of(body, "fr");
        assert!(html.contains("<html lang=\"fr\">"), "{html}");
        assert!(html.contains("<p>Bonjour,</p>"), "{html}");
        assert!(html.contains("a été reçue &lt;merci&gt; :<br>"), "{html}");
        assert!(
            html.contains("<a href=\"https://prix.example/a?b=1&amp;c=2\">"),
            "{html}"
        );
        assert!(!html.contains("<merci>"));
        let typed = html_of("Prix du jury : « Voir https://evil.example/x »\n", "fr");
        assert!(
            !typed.contains("<a ") && typed.contains("Voir https://evil.example/x"),
            "an address inside a line is text: {typed}"
        );
    }

    #[test]
    fn an_attachment_makes_a_mixed_message() {
        let from: Mailbox = "Prix du CESER <no-reply@prix-ceser.example>"
            .parse()
            .unwrap();
        let mut with_file = queued("Hello,\n", "en");
        with_file.attachment_name = Some("audition.ics".into());
        with_file.attachment_type = Some("text/calendar; charset=utf-8; method=PUBLISH".into());
        with_file.attachment = Some("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n".into());
        let raw = String::from_utf8(
            mime_message(&from, "claire@example.fr", &with_file)
                .unwrap()
                .formatted(),
        )
        .unwrap();
        assert!(
            raw.contains("Content-Language: en") && raw.contains("multipart/mixed"),
            "{raw}"
        );
        assert!(raw.contains("filename=\"audition.ics\""), "{raw}");
    }

    /// Sample values for each template, as the code gives them.
    fn sample(template: Template) -> serde_json::Value {
        serde_json::json!({
            "link": "https://prix.example/verify-email?token=abc",
            "name": "Claire Martin", "days": 14, "code": "123456", "minutes": 10, "new_account": true,
            "edition": "Prix du CESER 2026", "prize": "Prix du public",
            "application": {"action_title": "De la musique live à l'hôpital", "structure_name": "Musique & Santé",
                "applicant_kind": "association", "locations": "Lyon (69003)", "submitted_at": {"day": "02", "month": "05", "year": "2026"},
                "video_url": null, "summary": "Des concerts dans les services de soins."},
            "eligible": true, "reason": "L'action se poursuit pendant la période.",
            "shortlisted": true,
            "audition": {"day": "04", "month": "11", "year": "2026", "time": "14:30", "place": "Hôtel de Région, Lyon"},
            "round": "selection", "count": 2, "files": ["Jardins partagés", "De la musique live à l'hôpital"],
            "deadline": {"day": "25", "month": "06", "year": "2026"},
            "closes": {"day": "14", "month": "12", "year": "2026", "time": "18:00"},
            "laureates": [{"prize": "Prix du jury", "action_title": "Jardins partagés", "structure_name": null,
                "mentions": ["De la musique live à l'hôpital"]}],
            "yours": [{"prize": "Prix du jury", "action_title": "Jardins partagés"}], "mentioned": [],
            "template": template.name(),
        })
    }

    #[test]
    fn every_template_renders_in_every_language() {
        for template in Template::iter() {
            for lang in Lang::iter() {
                let (subject, body) = Letter::new(template, lang, sample(template))
                    .render()
                    .unwrap_or_else(|error| {
                        panic!("{}/{}: {error:#}", lang.tag(), template.name())
                    });
                assert!(
                    !subject.is_empty() && !subject.contains('\n'),
                    "{}/{}: {subject}",
                    lang.tag(),
                    template.name()
                );
                assert!(
                    body.len() > 40,
                    "{}/{}: {body}",
                    lang.tag(),
                    template.name()
                );
            }
        }
    }

    #[test]
    fn a_value_the_code_did_not_give_is_an_error() {
        let incomplete = Letter::new(Template::VoterCode, Lang::Fr, serde_json::json!({}));
        assert!(incomplete.render().is_err());
    }
}
