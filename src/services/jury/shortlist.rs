//! The jury: shortlist and auditions.
use super::*;
use crate::{
    domain::{jury_rules, notification::NotificationKind},
    services::{applications::content_of, mail::Attachment, notify},
};
use sea_orm::sea_query::ExprTrait;

/// Confirms the shortlist (the top N of the selection ranking is the proposal; any other
/// choice needs a reason), makes the shortlisted candidates public and opens the auditions.
pub async fn confirm_shortlist(
    db: &DatabaseConnection,
    caller: &Principal,
    edition_id: Uuid,
    chosen: Vec<Uuid>,
    reason: Option<String>,
) -> Result<Edition, ApiError> {
    let txn = db::begin_write(db).await?;
    let edition = editions::find_managed(&txn, caller, edition_id).await?;
    jury_rules::check_shortlist_change(edition.status)?;
    let eligible: BTreeSet<Uuid> = round_applications(&txn, edition_id, Round::Selection)
        .await?
        .into_iter()
        .map(|f| f.id)
        .collect();
    let chosen_set: BTreeSet<Uuid> = chosen.iter().copied().collect();
    if chosen_set.len() != chosen.len() || chosen.is_empty() {
        return Err(ApiError::invalid(
            "application_ids",
            "invalid_value",
            text!("field-list-each-shortlisted-application-once"),
        ));
    }
    if let Some(stranger) = chosen.iter().find(|id| !eligible.contains(id)) {
        return Err(ApiError::invalid(
            "application_ids",
            "invalid_value",
            text!("field-is-not-an-eligible-application", stranger),
        ));
    }
    let ranking = ranking_of(&txn, &edition, Round::Selection).await?;
    let proposed: BTreeSet<Uuid> = ranking
        .iter()
        .filter(|application| application.rank.is_some())
        .take(edition.shortlist_size as usize)
        .map(|application| application.application_id)
        .collect();
    if proposed != chosen_set && reason.is_none() {
        return Err(ApiError::invalid(
            "reason",
            "required",
            text!("field-the-shortlist-differs-from-the"),
        ));
    }
    application::Entity::update_many()
        .col_expr(application::Column::Shortlisted, Expr::value(false))
        .filter(application::Column::EditionId.eq(edition_id))
        .exec(&txn)
        .await?;
    application::Entity::update_many()
        .col_expr(application::Column::Shortlisted, Expr::value(true))
        .col_expr(application::Column::Public, Expr::value(true))
        .filter(application::Column::Id.is_in(chosen.clone()))
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        AuditEntry::by(
            caller.id,
            "edition.shortlist_confirmed",
            "edition",
            edition_id,
            json!({ "shortlisted": chosen, "proposed": proposed, "reason": reason }),
        ),
    )
    .await?;
    // Each eligible candidate hears whether they are on the shortlist.
    for candidate in application::Entity::find()
        .filter(application::Column::Id.is_in(eligible))
        .all(&txn)
        .await?
    {
        let content = content_of(&txn, &candidate).await?;
        let values = json!({
            "application": notify::application_summary(&content.action, candidate.submitted_at),
            "shortlisted": chosen_set.contains(&candidate.id),
        });
        let kind = NotificationKind::ShortlistDecided;
        notify::send(&txn, &edition, kind, candidate.applicant_id, values, None).await?;
    }
    editions::transition_in(&txn, caller, edition_id, EditionStatus::Audition, reason).await?;
    txn.commit().await?;
    editions::get(db, Some(caller), edition_id).await
}

pub async fn schedule_audition(
    db: &DatabaseConnection,
    caller: &Principal,
    application_id: Uuid,
    starts_at: DateTime<Utc>,
    place: String,
) -> Result<AuditionSlot, ApiError> {
    let txn = db::begin_write(db).await?;
    // Slots of one application are set one at a time: each sees the one before.
    db::lock_on(&txn, application_id).await?;
    let application = application::Entity::find_by_id(application_id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    let edition = editions::find_managed(&txn, caller, application.edition_id).await?;
    jury_rules::check_audition(application.shortlisted, edition.status)?;
    let starts_at = crate::domain::audit_chain::truncate_to_micros(starts_at);
    let unchanged = audition::Entity::find_by_id(application_id)
        .one(&txn)
        .await?
        .is_some_and(|slot| slot.starts_at == starts_at && slot.place == place);
    if unchanged {
        // The same slot again: nothing moves, nobody hears of it twice.
        txn.commit().await?;
        return Ok(AuditionSlot { starts_at, place });
    }
    let slot = audition::ActiveModel {
        application_id: Set(application_id),
        starts_at: Set(starts_at),
        place: Set(place.clone()),
        updated_at: Set(db::now()),
        sequence: Set(0),
    };
    audition::Entity::insert(slot)
        .on_conflict(
            OnConflict::column(audition::Column::ApplicationId)
                .update_columns([
                    audition::Column::StartsAt,
                    audition::Column::Place,
                    audition::Column::UpdatedAt,
                ])
                .value(
                    audition::Column::Sequence,
                    Expr::col((audition::Entity, audition::Column::Sequence)).add(1),
                )
                .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
    let sequence = audition::Entity::find_by_id(application_id)
        .one(&txn)
        .await?
        .map_or(0, |slot| slot.sequence);
    let content = content_of(&txn, &application).await?;
    let title = content.action.action_title.clone().unwrap_or_default();
    let mut audition = notify::paris_time(starts_at);
    audition["place"] = json!(place);
    let values = json!({
        "application": notify::application_summary(&content.action, application.submitted_at),
        "audition": audition,
    });
    let calendar = Attachment {
        name: "audition.ics".into(),
        media_type: "text/calendar; charset=utf-8; method=PUBLISH",
        content: notify::audition_calendar(application_id, (starts_at, sequence), &place, &title),
    };
    let kind = NotificationKind::AuditionScheduled;
    notify::send(
        &txn,
        &edition,
        kind,
        application.applicant_id,
        values,
        Some(calendar),
    )
    .await?;
    audit::record(
        &txn,
        AuditEntry::by(
            caller.id,
            "audition.scheduled",
            "application",
            application_id,
            json!({ "starts_at": starts_at, "place": place }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(AuditionSlot { starts_at, place })
}
