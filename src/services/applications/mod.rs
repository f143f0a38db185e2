//! Applications: drafting, submission with the automatic eligibility check, withdrawal,
//! staff review, publication in the gallery, listing and export.
//!
//! Access: an applicant reaches only their own applications, staff only those of their
//! organizations' editions; anything else is 404.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait,
    DatabaseConnection, DatabaseTransaction, EntityTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, sea_query::Query,
};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{
    auth::Principal,
    db,
    domain::{
        Lang,
        application::{
            ActionPresentation, ApplicationContent, ApplicationPatch, ApplicationStatus,
            AutomaticCheck, Eligibility, Finding, Location, PrivateDetails, check_eligibility,
        },
        application_lifecycle::{self, EditionPhase},
        edition::DateRange,
        notification::{self, NotificationKind},
        pagination::{Page, PageRequest},
    },
    entities::{application, application_answer, application_location, edition},
    error::ApiError,
    services::{
        accounts,
        audit::{self, AuditEntry},
        editions::{self, calendar_of},
        lookups, notify,
        organizations::split_codes,
        staff::{self, StaffScope},
    },
};

mod lifecycle;
mod listing;
pub use lifecycle::*;
pub use listing::*;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Review {
    pub decision: Eligibility,
    pub reason: Option<String>,
    pub reviewed_at: DateTime<Utc>,
}

/// The automatic eligibility check as a reader sees it: its findings told in their language.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = AutomaticCheck)]
pub struct CheckView {
    pub eligible: bool,
    /// Why it is not eligible (empty when it is).
    pub findings: Vec<FindingView>,
}

/// One reason of the automatic eligibility check.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Finding)]
pub struct FindingView {
    #[schema(example = "action_outside_window")]
    pub code: String,
    /// In the answer's language (`Content-Language`).
    #[schema(example = "Au moins un lieu doit se trouver dans les départements 01, 03, 07.")]
    pub message: String,
    #[serde(skip)]
    kept: Finding,
}

impl CheckView {
    pub fn of(lang: Lang, check: AutomaticCheck) -> Self {
        CheckView {
            eligible: check.eligible,
            findings: check
                .findings
                .into_iter()
                .map(|finding| FindingView {
                    code: finding.code.clone(),
                    message: told(lang, &finding),
                    kept: finding,
                })
                .collect(),
        }
    }

    /// The same check, told in `lang`.
    pub fn in_language(mut self, lang: Lang) -> Self {
        for finding in &mut self.findings {
            finding.message = told(lang, &finding.kept);
        }
        self
    }
}

/// A finding in `lang`: its catalogue message, or the English one kept by an earlier version.
fn told(lang: Lang, finding: &Finding) -> String {
    finding
        .text()
        .map(|text| crate::i18n::render(lang, &text))
        .or_else(|| finding.message.clone())
        .unwrap_or_else(|| finding.code.clone())
}

/// An application as its applicant and the organizer's staff see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Application {
    pub id: Uuid,
    pub edition_id: Uuid,
    /// `null` once the applicant erased their account.
    pub applicant_id: Option<Uuid>,
    pub status: ApplicationStatus,
    #[serde(flatten)]
    pub content: ApplicationContent,
    /// The staff's decision, or `pending`.
    pub eligibility: Eligibility,
    /// The automatic check made at submission.
    pub automatic_check: Option<CheckView>,
    pub review: Option<Review>,
    /// Shown in the public gallery.
    pub public: bool,
    pub shortlisted: bool,
    /// The audition slot, once a shortlisted application is scheduled.
    pub audition: Option<lookups::AuditionSlot>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Not reviewed yet is pending.
fn eligibility_of(model: &application::Model) -> Eligibility {
    model.review_decision.unwrap_or(Eligibility::Pending)
}

/// What the applicant filled in, with the application's locations and answers.
pub async fn content_of(
    db: &impl ConnectionTrait,
    model: &application::Model,
) -> Result<ApplicationContent, ApiError> {
    let locations = application_location::Entity::find()
        .filter(application_location::Column::ApplicationId.eq(model.id))
        .order_by_asc(application_location::Column::Position)
        .all(db)
        .await?
        .into_iter()
        .map(|row| Location {
            commune: row.commune,
            postal_code: row.postal_code,
        })
        .collect();
    let answers = application_answer::Entity::find()
        .filter(application_answer::Column::ApplicationId.eq(model.id))
        .all(db)
        .await?
        .into_iter()
        .map(|row| (row.criterion_key, row.answer))
        .collect();
    Ok(ApplicationContent {
        action: ActionPresentation {
            applicant_kind: model.applicant_kind,
            structure_name: model.structure_name.clone(),
            action_title: model.action_title.clone(),
            summary: model.summary.clone(),
            description: model.description.clone(),
            action_start: model.action_start,
            action_end: model.action_end,
            locations,
            answers,
            video_url: model.video_url.clone(),
            website: model.website.clone(),
        },
        private: PrivateDetails {
            siret: model.siret.clone(),
            rna: model.rna.clone(),
            contact_name: model.contact_name.clone(),
            contact_email: model.contact_email.clone(),
            contact_phone: model.contact_phone.clone(),
        },
    })
}

async fn view(
    db: &impl ConnectionTrait,
    model: application::Model,
) -> Result<Application, ApiError> {
    let content = content_of(db, &model).await?;
    let automatic_check = model.auto_eligible.map(|eligible| {
        let check = AutomaticCheck {
            eligible,
            findings: model
                .auto_findings
                .as_deref()
                .and_then(|f| serde_json::from_str(f).ok())
                .unwrap_or_default(),
        };
        CheckView::of(Lang::default(), check)
    });
    let review = match (eligibility_of(&model), model.reviewed_at) {
        (Eligibility::Pending, _) | (_, None) => None,
        (decision, Some(reviewed_at)) => Some(Review {
            decision,
            reason: model.review_reason.clone(),
            reviewed_at,
        }),
    };
    Ok(Application {
        id: model.id,
        edition_id: model.edition_id,
        applicant_id: model.applicant_id,
        status: model.status,
        content,
        eligibility: eligibility_of(&model),
        automatic_check,
        review,
        public: model.public,
        shortlisted: model.shortlisted,
        audition: lookups::audition_of(db, model.id).await?,
        submitted_at: model.submitted_at,
        created_at: model.created_at,
        updated_at: model.updated_at,
    })
}

/// Writes the content columns and replaces locations and answers.
async fn store_content(
    db: &impl ConnectionTrait,
    mut active: application::ActiveModel,
    content: &ApplicationContent,
) -> Result<application::Model, ApiError> {
    let (action, private) = (&content.action, &content.private);
    active.applicant_kind = Set(action.applicant_kind);
    active.structure_name = Set(action.structure_name.clone());
    active.action_title = Set(action.action_title.clone());
    active.summary = Set(action.summary.clone());
    active.description = Set(action.description.clone());
    active.action_start = Set(action.action_start);
    active.action_end = Set(action.action_end);
    active.video_url = Set(action.video_url.clone());
    active.website = Set(action.website.clone());
    active.siret = Set(private.siret.clone());
    active.rna = Set(private.rna.clone());
    active.contact_name = Set(private.contact_name.clone());
    active.contact_email = Set(private.contact_email.clone());
    active.contact_phone = Set(private.contact_phone.clone());
    active.updated_at = Set(db::now());
    let model = active.update(db).await?;
    application_location::Entity::delete_many()
        .filter(application_location::Column::ApplicationId.eq(model.id))
        .exec(db)
        .await?;
    if !content.action.locations.is_empty() {
        application_location::Entity::insert_many(content.action.locations.iter().enumerate().map(
            |(position, location)| application_location::ActiveModel {
                id: Set(Uuid::now_v7()),
                application_id: Set(model.id),
                position: Set(position as i32),
                commune: Set(location.commune.clone()),
                postal_code: Set(location.postal_code.clone()),
            },
        ))
        .exec_without_returning(db)
        .await?;
    }
    application_answer::Entity::delete_many()
        .filter(application_answer::Column::ApplicationId.eq(model.id))
        .exec(db)
        .await?;
    if !content.action.answers.is_empty() {
        application_answer::Entity::insert_many(content.action.answers.iter().map(
            |(key, answer)| application_answer::ActiveModel {
                application_id: Set(model.id),
                criterion_key: Set(key.clone()),
                answer: Set(answer.clone()),
            },
        ))
        .exec_without_returning(db)
        .await?;
    }
    Ok(model)
}

async fn criteria_keys(
    db: &impl ConnectionTrait,
    edition_id: Uuid,
) -> Result<Vec<String>, ApiError> {
    Ok(editions::criteria_of(db, edition_id)
        .await?
        .into_iter()
        .map(|criterion| criterion.key)
        .collect())
}

/// Where the edition stands now, as the application rules see it.
fn phase(edition: &edition::Model) -> EditionPhase {
    EditionPhase {
        status: edition.status,
        calendar: calendar_of(edition),
        now: Utc::now(),
    }
}

/// Saves a change to an application with its audit event, commits, and returns the application.
/// Saves a change to an application, records `action` by `actor` on it, commits, and returns
/// the application as staff see it.
async fn save_and_record(
    txn: DatabaseTransaction,
    mut active: application::ActiveModel,
    actor: Uuid,
    action: &'static str,
    details: serde_json::Value,
) -> Result<Application, ApiError> {
    active.updated_at = Set(db::now());
    let model = active.update(&txn).await?;
    let entry = AuditEntry::by(actor, action, "application", model.id, details);
    audit::record(&txn, entry).await?;
    let application = view(&txn, model).await?;
    txn.commit().await?;
    Ok(application)
}

/// Who is reaching an application.
enum Access {
    Owner,
    Staff,
}

/// The application and its edition, if the caller owns it or manages its organization; else 404.
async fn reach(
    db: &impl ConnectionTrait,
    caller: &Principal,
    id: Uuid,
) -> Result<(application::Model, edition::Model, Access), ApiError> {
    let model = application::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    let edition = edition::Entity::find_by_id(model.edition_id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    if model.applicant_id == Some(caller.id) {
        return Ok((model, edition, Access::Owner));
    }
    staff::ensure_staff(db, caller, edition.organization_id).await?;
    Ok((model, edition, Access::Staff))
}

async fn reach_as_owner(
    db: &impl ConnectionTrait,
    caller: &Principal,
    id: Uuid,
) -> Result<(application::Model, edition::Model), ApiError> {
    match reach(db, caller, id).await? {
        (model, edition, Access::Owner) => Ok((model, edition)),
        // Staff may read an application, not write in the applicant's name.
        (_, _, Access::Staff) => Err(ApiError::Forbidden),
    }
}

async fn reach_as_staff(
    db: &impl ConnectionTrait,
    caller: &Principal,
    id: Uuid,
) -> Result<(application::Model, edition::Model), ApiError> {
    let model = application::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    let edition = edition::Entity::find_by_id(model.edition_id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    staff::ensure_staff(db, caller, edition.organization_id).await?;
    Ok((model, edition))
}

/// Whether the caller may read this application (its owner or its organization's staff).
pub async fn ensure_readable(
    db: &impl ConnectionTrait,
    caller: &Principal,
    id: Uuid,
) -> Result<(), ApiError> {
    reach(db, caller, id).await.map(|_| ())
}

/// Whether the caller may change this application's attachments (its owner, while it is a draft).
pub async fn ensure_editable(
    db: &impl ConnectionTrait,
    caller: &Principal,
    id: Uuid,
) -> Result<(), ApiError> {
    let (model, edition) = reach_as_owner(db, caller, id).await?;
    application_lifecycle::check_draft(model.status)?;
    Ok(application_lifecycle::check_accepting(&phase(&edition))?)
}

pub async fn get(
    db: &DatabaseConnection,
    caller: &Principal,
    id: Uuid,
) -> Result<Application, ApiError> {
    let (model, _, _) = reach(db, caller, id).await?;
    view(db, model).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_finding_is_told_in_each_language_and_an_older_one_as_it_was_kept() {
        let kept: Finding = serde_json::from_str(
            r#"{"code": "no_location_in_region", "values": {"departements": "01, 03"}}"#,
        )
        .unwrap();
        assert_eq!(
            told(Lang::Fr, &kept),
            "Au moins un lieu doit se trouver dans les départements 01, 03."
        );
        assert_eq!(
            told(Lang::En, &kept),
            "At least one location must be in the départements 01, 03."
        );
        let older: Finding = serde_json::from_str(
            r#"{"code": "no_location_in_region", "message": "At least one location must be in the départements 01."}"#,
        )
        .unwrap();
        assert_eq!(
            told(Lang::Fr, &older),
            "At least one location must be in the départements 01."
        );
    }
}
