//! The notifications an edition sends as it goes (`domain::notification`): each written in
//! its recipient's language from its template, queued in the transaction of the change it
//! tells about, unless the edition switched its kind off.
use chrono::{DateTime, NaiveDate, Utc};
use icalendar::{Calendar, Component, Event, EventLike};
use sea_orm::{ConnectionTrait, EntityTrait};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{
    domain::{
        Lang,
        application::ActionPresentation,
        calendar,
        language::in_language,
        notification::{NotificationKind, is_sent},
        scoring::Round,
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

/// What a message shows: the same values in every language, or values written for the
/// recipient's (organizers' texts in French and English).
pub trait Values {
    fn in_language(self, lang: Lang) -> Value;
}

impl Values for Value {
    fn in_language(self, _: Lang) -> Value {
        self
    }
}

impl<F: FnOnce(Lang) -> Value> Values for F {
    fn in_language(self, lang: Lang) -> Value {
        self(lang)
    }
}

/// Tells the account `to` (none: an erased account) about `edition` with a message of `kind`
/// showing `values` (and the edition's title, in the recipient's language), with `attachment`
/// if any.
pub async fn send(
    txn: &impl ConnectionTrait,
    edition: &edition::Model,
    kind: NotificationKind,
    to: Option<Uuid>,
    values: impl Values,
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
    let mut values = values.in_language(lang);
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
        "submitted_at": submitted_at.map(|at| civil_date(calendar::today(at))),
    })
}

/// A day as an email shows it: its day, month and year, for each language to write in its own
/// order.
pub fn civil_date(date: NaiveDate) -> Value {
    json!({
        "day": date.format("%d").to_string(),
        "month": date.format("%m").to_string(),
        "year": date.format("%Y").to_string(),
    })
}

/// A time as an email shows it, in Paris time (where the prize happens): its day, month, year
/// and time of day.
pub fn paris_time(at: DateTime<Utc>) -> Value {
    let local = at.with_timezone(&chrono_tz::Europe::Paris);
    let mut shown = civil_date(local.date_naive());
    shown["time"] = json!(local.format("%H:%M").to_string());
    shown
}

/// Tells a juror the files of `round` that are theirs to score (`titles`) and the round's
/// `deadline`: as they are given (`FilesAssigned`) or as the deadline nears (`ScoringReminder`).
pub async fn juror_files(
    txn: &impl ConnectionTrait,
    edition: &edition::Model,
    kind: NotificationKind,
    (round, deadline): (Round, Option<NaiveDate>),
    juror: Uuid,
    titles: &[String],
) -> Result<(), ApiError> {
    let values = json!({
        "round": round,
        "count": titles.len(),
        "files": titles,
        "deadline": deadline.map(civil_date),
    });
    send(txn, edition, kind, Some(juror), values, None).await
}

/// The calendar entry of an audition (iCalendar, RFC 5545): one event at the slot's start, with
/// its place; the same `UID` for the same application and a `SEQUENCE` that grows as the slot
/// moves (`sequence`), so that a moved slot replaces the entry.
pub fn audition_calendar(
    application: Uuid,
    (starts_at, sequence): (DateTime<Utc>, i32),
    place: &str,
    title: &str,
) -> String {
    let event = Event::new()
        .uid(&format!("audition-{application}@prix-ceser"))
        .sequence(sequence.unsigned_abs())
        .summary(&format!("Audition — {title}"))
        .location(place)
        .starts(starts_at)
        .done();
    let mut calendar = Calendar::new();
    // As the attachment's media type says (RFC 6047): an entry published, not an invitation.
    calendar.append_property(("METHOD", "PUBLISH"));
    calendar.push(event);
    calendar.done().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_audition_is_told_in_paris_time_and_as_a_calendar_entry() {
        let at: DateTime<Utc> = "2026-11-04T13:30:00Z".parse().unwrap();
        assert_eq!(
            paris_time(at),
            json!({"day": "04", "month": "11", "year": "2026", "time": "14:30"})
        );
        let summer: DateTime<Utc> = "2026-06-25T16:00:00Z".parse().unwrap();
        assert_eq!(paris_time(summer)["time"], "18:00");
        let application = Uuid::nil();
        let ics = audition_calendar(application, (at, 2), "Hôtel de Région, Lyon", "Musique");
        assert!(ics.contains("SEQUENCE:2\r\n"), "{ics}");
        assert!(ics.contains("METHOD:PUBLISH\r\n"), "{ics}");
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\n"), "{ics}");
        assert!(ics.contains("DTSTART:20261104T133000Z"), "{ics}");
        assert!(
            ics.contains(&format!("UID:audition-{application}@prix-ceser")),
            "{ics}"
        );
        assert!(ics.contains("LOCATION:Hôtel de Région\\, Lyon"), "{ics}");
    }
}
