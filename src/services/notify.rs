//! The notifications an edition sends as it goes (`domain::notification`): each written in
//! its recipient's language from its template, queued in the transaction of the change it
//! tells about, unless the edition switched its kind off.
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, EntityTrait};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{
    domain::{
        application::ActionPresentation,
        language::in_language,
        notification::{NotificationKind, is_sent},
    },
    entities::{edition, user},
    error::ApiError,
    services::{
        accounts,
        mail::{self, Attachment, Letter},
    },
};

/// The notification kinds `edition` does not send.
pub fn switched_off(edition: &edition::Model) -> Vec<NotificationKind> {
    serde_json::from_str(&edition.notifications_off).unwrap_or_default()
}

/// Tells the account `to` (none: an erased account) about `edition` with a message of `kind` showing `values` (and the
/// edition's title, in the recipient's language), with `attachment` if any.
pub async fn send(
    txn: &impl ConnectionTrait,
    edition: &edition::Model,
    kind: NotificationKind,
    to: Option<Uuid>,
    mut values: Value,
    attachment: Option<Attachment>,
) -> Result<(), ApiError> {
    if !is_sent(kind, &switched_off(edition)) {
        return Ok(());
    }
    let Some(to) = to else {
        return Ok(());
    };
    let Some(recipient) = user::Entity::find_by_id(to).one(txn).await? else {
        return Ok(());
    };
    if recipient.disabled {
        return Ok(());
    }
    let lang = accounts::language_of(&recipient);
    values["edition"] = json!(in_language(
        lang,
        &edition.title,
        edition.title_en.as_deref()
    ));
    let mut letter = Letter::new(kind.into(), lang, values);
    letter.attachment = attachment;
    mail::send(txn, &recipient.email, letter).await
}

/// What a message tells of an application: its title, structure, places, video and summary,
/// and when it was submitted.
pub fn application_summary(
    action: &ActionPresentation,
    submitted_at: Option<DateTime<Utc>>,
) -> Value {
    let places: Vec<String> = action
        .locations
        .iter()
        .map(|place| format!("{} ({})", place.commune, place.postal_code))
        .collect();
    json!({
        "action_title": action.action_title,
        "structure_name": action.structure_name,
        "locations": places.join(", "),
        "video_url": action.video_url,
        "summary": action.summary,
        "submitted_at": submitted_at.map(|at| at.date_naive().to_string()),
    })
}
