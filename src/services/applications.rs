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
        application::{
            ActionPresentation, ApplicationContent, ApplicationPatch, ApplicationStatus,
            AutomaticCheck, Eligibility, Location, PrivateDetails, check_eligibility,
        },
        application_lifecycle::{self, EditionPhase},
        edition::DateRange,
        pagination::{Page, PageRequest},
    },
    entities::{application, application_answer, application_location, edition},
    error::ApiError,
    services::{
        accounts,
        audit::{self, AuditEntry},
        editions::{self, calendar_of},
        lookups,
        organizations::split_codes,
        staff::{self, StaffScope},
    },
};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Review {
    pub decision: Eligibility,
    pub reason: Option<String>,
    pub reviewed_at: DateTime<Utc>,
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
    pub automatic_check: Option<AutomaticCheck>,
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
    let automatic_check = model.auto_eligible.map(|eligible| AutomaticCheck {
        eligible,
        findings: model
            .auto_findings
            .as_deref()
            .and_then(|f| serde_json::from_str(f).ok())
            .unwrap_or_default(),
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
async fn save_and_record(
    txn: DatabaseTransaction,
    mut active: application::ActiveModel,
    entry: AuditEntry,
) -> Result<Application, ApiError> {
    active.updated_at = Set(db::now());
    let model = active.update(&txn).await?;
    audit::record(&txn, entry).await?;
    let application = view(&txn, model).await?;
    txn.commit().await?;
    Ok(application)
}

fn record(
    actor: Uuid,
    action: &'static str,
    application_id: Uuid,
    details: serde_json::Value,
) -> AuditEntry {
    AuditEntry {
        actor_id: Some(actor),
        action,
        target_type: "application",
        target_id: Some(application_id.to_string()),
        details,
    }
}

pub async fn create(
    db: &DatabaseConnection,
    caller: &Principal,
    edition_id: Uuid,
    patch: ApplicationPatch,
) -> Result<Application, ApiError> {
    let txn = db::begin_write(db).await?;
    let edition = editions::find_visible(&txn, Some(caller), edition_id).await?;
    application_lifecycle::check_accepting(&phase(&edition))?;
    db::lock_on(&txn, caller.id).await?;
    let applications = application::Entity::find()
        .filter(application::Column::EditionId.eq(edition_id))
        .filter(application::Column::ApplicantId.eq(caller.id))
        .count(&txn)
        .await?;
    application_lifecycle::check_room_for_another(applications)?;
    let mut content = ApplicationContent::default();
    content.apply(patch);
    let inconsistencies = content.inconsistencies(&criteria_keys(&txn, edition_id).await?);
    if !inconsistencies.is_empty() {
        return Err(ApiError::Validation(inconsistencies));
    }
    let now = db::now();
    let id = Uuid::now_v7();
    let active = application::ActiveModel {
        id: Set(id),
        edition_id: Set(edition_id),
        applicant_id: Set(Some(caller.id)),
        status: Set(ApplicationStatus::Draft),
        public: Set(false),
        shortlisted: Set(false),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    application::Entity::insert(active)
        .exec_without_returning(&txn)
        .await?;
    let model = application::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    let model = store_content(&txn, model.into_active_model(), &content).await?;
    audit::record(
        &txn,
        record(
            caller.id,
            "application.created",
            id,
            json!({ "edition_id": edition_id }),
        ),
    )
    .await?;
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

pub async fn update(
    db: &DatabaseConnection,
    caller: &Principal,
    id: Uuid,
    patch: ApplicationPatch,
) -> Result<Application, ApiError> {
    let txn = db::begin_write(db).await?;
    let (model, edition) = reach_as_owner(&txn, caller, id).await?;
    application_lifecycle::check_draft(model.status)?;
    application_lifecycle::check_accepting(&phase(&edition))?;
    let mut content = content_of(&txn, &model).await?;
    content.apply(patch);
    let inconsistencies = content.inconsistencies(&criteria_keys(&txn, edition.id).await?);
    if !inconsistencies.is_empty() {
        return Err(ApiError::Validation(inconsistencies));
    }
    let model = store_content(&txn, model.into_active_model(), &content).await?;
    audit::record(
        &txn,
        record(caller.id, "application.updated", id, json!({})),
    )
    .await?;
    let application = view(&txn, model).await?;
    txn.commit().await?;
    Ok(application)
}

/// Submits a complete draft before the deadline and records the automatic eligibility check.
pub async fn submit(
    db: &DatabaseConnection,
    caller: &Principal,
    id: Uuid,
) -> Result<Application, ApiError> {
    let txn = db::begin_write(db).await?;
    let (model, edition) = reach_as_owner(&txn, caller, id).await?;
    application_lifecycle::check_draft(model.status)?;
    application_lifecycle::check_accepting(&phase(&edition))?;
    // An application is submitted by someone who proved they own the account's address.
    accounts::ensure_verified(&txn, caller.id).await?;
    let content = content_of(&txn, &model).await?;
    let missing = content.missing(&criteria_keys(&txn, edition.id).await?);
    if !missing.is_empty() {
        return Err(ApiError::Validation(missing));
    }
    let (Some(start), Some(end)) = (content.action.action_start, content.action.action_end) else {
        unreachable!("checked by `missing`")
    };
    let window = DateRange {
        start: edition.action_start,
        end: edition.action_end,
    };
    let check = check_eligibility(
        &window,
        &split_codes(&edition.departements),
        start,
        end,
        &content.action.locations,
    );
    let mut active = model.into_active_model();
    active.status = Set(ApplicationStatus::Submitted);
    active.submitted_at = Set(Some(db::now()));
    active.auto_eligible = Set(Some(check.eligible));
    active.auto_findings = Set(Some(json!(check.findings).to_string()));
    save_and_record(
        txn,
        active,
        record(
            caller.id,
            "application.submitted",
            id,
            json!({ "automatic_check": check }),
        ),
    )
    .await
}

/// The applicant withdraws, until the selection day.
pub async fn withdraw(
    db: &DatabaseConnection,
    caller: &Principal,
    id: Uuid,
) -> Result<Application, ApiError> {
    let txn = db::begin_write(db).await?;
    let (model, edition) = reach_as_owner(&txn, caller, id).await?;
    application_lifecycle::check_withdrawal(model.status, &phase(&edition))?;
    let mut active = model.into_active_model();
    active.status = Set(ApplicationStatus::Withdrawn);
    active.public = Set(false);
    save_and_record(
        txn,
        active,
        record(caller.id, "application.withdrawn", id, json!({})),
    )
    .await
}

/// Staff send a submitted application back to draft, before the deadline, with a reason.
pub async fn reopen(
    db: &DatabaseConnection,
    caller: &Principal,
    id: Uuid,
    reason: String,
) -> Result<Application, ApiError> {
    let txn = db::begin_write(db).await?;
    let (model, edition) = reach_as_staff(&txn, caller, id).await?;
    application_lifecycle::check_reopening(model.status, &phase(&edition))?;
    let mut active = model.into_active_model();
    active.status = Set(ApplicationStatus::Draft);
    active.submitted_at = Set(None);
    active.auto_eligible = Set(None);
    active.auto_findings = Set(None);
    active.review_decision = Set(None);
    active.review_reason = Set(None);
    active.reviewed_by = Set(None);
    active.reviewed_at = Set(None);
    active.public = Set(false);
    save_and_record(
        txn,
        active,
        record(
            caller.id,
            "application.reopened",
            id,
            json!({ "reason": reason }),
        ),
    )
    .await
}

/// Staff confirm or override the automatic check; overriding needs a written reason.
pub async fn review(
    db: &DatabaseConnection,
    caller: &Principal,
    id: Uuid,
    decision: Eligibility,
    reason: Option<String>,
) -> Result<Application, ApiError> {
    let txn = db::begin_write(db).await?;
    let (model, edition) = reach_as_staff(&txn, caller, id).await?;
    application_lifecycle::check_reviewable(model.status, edition.status)?;
    if decision == Eligibility::Pending {
        return Err(ApiError::invalid(
            "decision",
            "invalid_value",
            "must be `eligible` or `ineligible`",
        ));
    }
    let contradicts = model.auto_eligible != Some(decision == Eligibility::Eligible);
    if contradicts && reason.is_none() {
        return Err(ApiError::invalid(
            "reason",
            "required",
            "a written reason is required to contradict the automatic check",
        ));
    }
    let mut active = model.into_active_model();
    active.review_decision = Set(Some(decision));
    active.review_reason = Set(reason.clone());
    active.reviewed_by = Set(Some(caller.id));
    active.reviewed_at = Set(Some(db::now()));
    if decision == Eligibility::Ineligible {
        active.public = Set(false);
    }
    save_and_record(txn, active, record(caller.id, "application.reviewed", id, json!({ "decision": decision, "overrides_automatic_check": contradicts, "reason": reason }))).await
}

/// Staff show or hide an eligible application in the public gallery.
pub async fn set_public(
    db: &DatabaseConnection,
    caller: &Principal,
    id: Uuid,
    public: bool,
) -> Result<Application, ApiError> {
    let txn = db::begin_write(db).await?;
    let (model, edition) = reach_as_staff(&txn, caller, id).await?;
    application_lifecycle::check_visibility_change(
        model.status,
        eligibility_of(&model),
        edition.status,
        public,
    )?;
    let mut active = model.into_active_model();
    active.public = Set(public);
    save_and_record(
        txn,
        active,
        record(
            caller.id,
            "application.visibility_changed",
            id,
            json!({ "public": public }),
        ),
    )
    .await
}

#[derive(Debug, Default)]
pub struct ApplicationFilter {
    pub edition_id: Option<Uuid>,
    pub status: Option<ApplicationStatus>,
    pub eligibility: Option<Eligibility>,
}

/// The caller's own applications, and those of the editions of the organizations they manage.
pub async fn list(
    db: &DatabaseConnection,
    caller: &Principal,
    filter: ApplicationFilter,
    page: PageRequest<Uuid>,
) -> Result<Page<Application>, ApiError> {
    let managed = match staff::staff_scope(db, caller).await? {
        StaffScope::All => Condition::all(),
        StaffScope::Only(ids) => Condition::all().add(
            application::Column::EditionId.in_subquery(
                Query::select()
                    .column(edition::Column::Id)
                    .from(edition::Entity)
                    .and_where(edition::Column::OrganizationId.is_in(ids))
                    .to_owned(),
            ),
        ),
    };
    let mut query = application::Entity::find()
        .filter(
            Condition::any()
                .add(application::Column::ApplicantId.eq(caller.id))
                .add(managed),
        )
        .order_by_asc(application::Column::Id)
        .limit(page.fetch_limit());
    if let Some(after) = page.after {
        query = query.filter(application::Column::Id.gt(after));
    }
    if let Some(edition_id) = filter.edition_id {
        query = query.filter(application::Column::EditionId.eq(edition_id));
    }
    if let Some(status) = filter.status {
        query = query.filter(application::Column::Status.eq(status.as_str()));
    }
    match filter.eligibility {
        Some(Eligibility::Pending) => {
            query = query.filter(application::Column::ReviewDecision.is_null())
        }
        Some(decision) => {
            query = query.filter(application::Column::ReviewDecision.eq(decision.as_str()))
        }
        None => {}
    }
    let mut applications = Vec::new();
    for model in query.all(db).await? {
        applications.push(view(db, model).await?);
    }
    Ok(page.paginate(applications, |application: &Application| {
        application.id.to_string()
    }))
}

/// Every application of an edition (staff), oldest first, for the CSV export.
pub async fn all_of_edition(
    db: &DatabaseConnection,
    caller: &Principal,
    edition_id: Uuid,
) -> Result<(Vec<String>, Vec<Application>), ApiError> {
    editions::find_managed(db, caller, edition_id).await?;
    let models = application::Entity::find()
        .filter(application::Column::EditionId.eq(edition_id))
        .order_by_asc(application::Column::Id)
        .all(db)
        .await?;
    let mut applications = Vec::with_capacity(models.len());
    for model in models {
        applications.push(view(db, model).await?);
    }
    Ok((criteria_keys(db, edition_id).await?, applications))
}

/// A candidate as the public gallery shows it: no personal data.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Candidate {
    pub id: Uuid,
    #[schema(example = "Résonansemble")]
    pub action_title: String,
    pub summary: Option<String>,
    /// Communes where the action takes place.
    #[schema(example = json!(["Lyon", "Villeurbanne"]))]
    pub communes: Vec<String>,
    #[schema(example = "https://www.youtube.com/watch?v=dQw4w9WgXcQ")]
    pub video_url: Option<String>,
    pub shortlisted: bool,
}

/// The candidates the organizer made public (and the shortlisted ones), of a public edition.
pub async fn candidates(
    db: &DatabaseConnection,
    edition_id: Uuid,
) -> Result<Vec<Candidate>, ApiError> {
    editions::find_visible(db, None, edition_id).await?;
    let models = application::Entity::find()
        .filter(application::Column::EditionId.eq(edition_id))
        .filter(application::Column::Status.eq(ApplicationStatus::Submitted.as_str()))
        .filter(
            Condition::any()
                .add(application::Column::Public.eq(true))
                .add(application::Column::Shortlisted.eq(true)),
        )
        .order_by_asc(application::Column::Id)
        .all(db)
        .await?;
    let mut candidates = Vec::with_capacity(models.len());
    for model in models {
        candidates.push(candidate_view(db, model).await?);
    }
    Ok(candidates)
}

/// The public view of an application.
pub async fn candidate_view(
    db: &impl ConnectionTrait,
    model: application::Model,
) -> Result<Candidate, ApiError> {
    let content = content_of(db, &model).await?;
    Ok(Candidate {
        id: model.id,
        action_title: content.action.action_title.unwrap_or_default(),
        summary: content.action.summary,
        communes: content
            .action
            .locations
            .into_iter()
            .map(|location| location.commune)
            .collect(),
        video_url: content.action.video_url,
        shortlisted: model.shortlisted,
    })
}

/// Brings in an application decided elsewhere (a previous edition, the demo): submitted, reviewed
/// eligible, public, optionally shortlisted. Only for the command line.
pub async fn import(
    db: &DatabaseConnection,
    actor: Uuid,
    edition_id: Uuid,
    content: &ApplicationContent,
    shortlisted: bool,
) -> Result<Uuid, ApiError> {
    let txn = db::begin_write(db).await?;
    let now = db::now();
    let id = Uuid::now_v7();
    application::Entity::insert(application::ActiveModel {
        id: Set(id),
        edition_id: Set(edition_id),
        applicant_id: Set(None),
        status: Set(ApplicationStatus::Submitted),
        auto_eligible: Set(Some(true)),
        auto_findings: Set(Some("[]".to_owned())),
        review_decision: Set(Some(Eligibility::Eligible)),
        reviewed_by: Set(Some(actor)),
        reviewed_at: Set(Some(now)),
        public: Set(true),
        shortlisted: Set(shortlisted),
        submitted_at: Set(Some(now)),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    })
    .exec_without_returning(&txn)
    .await?;
    let model = application::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    store_content(&txn, model.into_active_model(), content).await?;
    audit::record(
        &txn,
        record(
            actor,
            "application.imported",
            id,
            json!({ "edition_id": edition_id, "shortlisted": shortlisted }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(id)
}
