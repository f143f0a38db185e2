//! The jury of an edition: members and seats, conflicts of interest, reviewer assignment,
//! scorecards, rankings, the shortlist, auditions and the jury's prize decisions.
//!
//! Access: staff of the edition's organization manage everything; a jury member reaches only
//! the editions they sit on, and in them only the files of the round (eligible files for the
//! selection, shortlisted ones for the audition), without the applicants' contact details.
use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder, sea_query::Expr,
};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{
    auth::Principal,
    db,
    domain::{
        Role,
        application::{ApplicantKind, ApplicationStatus, Eligibility, Location},
        edition::{CandidatePool, EditionStatus, PrizeKind, ScoreScale},
        jury::{
            CompositionFinding, Seat, composition_findings, conflict_needs_staff,
            may_see_others_scores,
        },
        scoring::{self, Card, FileToRank, RankedFile, Round},
    },
    entities::{
        application, audition, conflict, criterion, edition, jury_member, prize, prize_decision,
        review_assignment, score, scorecard, user,
    },
    error::ApiError,
    services::{
        applications,
        audit::{self, AuditEntry},
        editions::{self, Edition},
        organizations,
    },
};

fn entry(
    actor: Uuid,
    action: &'static str,
    target_type: &'static str,
    target: Uuid,
    details: serde_json::Value,
) -> AuditEntry {
    AuditEntry {
        actor_id: Some(actor),
        action,
        target_type,
        target_id: Some(target.to_string()),
        details,
    }
}

fn edition_status(model: &edition::Model) -> EditionStatus {
    EditionStatus::parse(&model.status).unwrap_or(EditionStatus::Draft)
}

async fn find_edition(db: &impl ConnectionTrait, id: Uuid) -> Result<edition::Model, ApiError> {
    edition::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)
}

async fn membership(
    db: &impl ConnectionTrait,
    edition_id: Uuid,
    user_id: Uuid,
) -> Result<Option<jury_member::Model>, ApiError> {
    Ok(jury_member::Entity::find()
        .filter(jury_member::Column::EditionId.eq(edition_id))
        .filter(jury_member::Column::UserId.eq(user_id))
        .one(db)
        .await?)
}

async fn is_staff(
    db: &impl ConnectionTrait,
    caller: &Principal,
    organization_id: Uuid,
) -> Result<bool, ApiError> {
    Ok(organizations::staff_scope(db, caller)
        .await?
        .covers(organization_id))
}

/// Who reaches an edition's jury business.
enum Actor {
    Staff,
    Member(jury_member::Model),
}

/// Staff of the organization, or a member of this edition's jury; anyone else gets 404.
async fn reach(
    db: &impl ConnectionTrait,
    caller: &Principal,
    edition: &edition::Model,
) -> Result<Actor, ApiError> {
    if is_staff(db, caller, edition.organization_id).await? {
        return Ok(Actor::Staff);
    }
    match membership(db, edition.id, caller.id).await? {
        Some(member) => Ok(Actor::Member(member)),
        None => Err(ApiError::NotFound),
    }
}

// ----- Members -----

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct JuryMember {
    pub user_id: Uuid,
    pub display_name: String,
    pub seat: Seat,
    /// The previous edition's laureate, sitting as a qualified personality.
    pub previous_laureate: bool,
}

pub async fn set_member(
    db: &DatabaseConnection,
    caller: &Principal,
    edition_id: Uuid,
    user_id: Uuid,
    seat: Seat,
    previous_laureate: bool,
) -> Result<JuryMember, ApiError> {
    let txn = db::begin_write(db).await?;
    editions::find_managed(&txn, caller, edition_id).await?;
    let account = user::Entity::find_by_id(user_id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    let juror = crate::services::accounts::active_principal(&txn, user_id)
        .await?
        .is_some_and(|p| p.has_role(Role::Jury));
    if !juror {
        return Err(ApiError::conflict(
            "not_a_juror",
            "Only enabled accounts holding the jury role can sit on a jury.",
        ));
    }
    if account.email_verified_at.is_none() {
        return Err(crate::services::accounts::unverified());
    }
    match membership(&txn, edition_id, user_id).await? {
        Some(existing) => {
            let mut active = existing.into_active_model();
            active.seat = Set(seat.as_str().to_owned());
            active.previous_laureate = Set(previous_laureate);
            active.update(&txn).await?;
        }
        None => {
            jury_member::Entity::insert(jury_member::ActiveModel {
                id: Set(Uuid::now_v7()),
                edition_id: Set(edition_id),
                user_id: Set(user_id),
                seat: Set(seat.as_str().to_owned()),
                previous_laureate: Set(previous_laureate),
                created_at: Set(db::now()),
            })
            .exec_without_returning(&txn)
            .await?;
        }
    }
    audit::record(
        &txn,
        entry(
            caller.id,
            "jury.member_set",
            "edition",
            edition_id,
            json!({ "user_id": user_id, "seat": seat, "previous_laureate": previous_laureate }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(JuryMember {
        user_id,
        display_name: account.display_name,
        seat,
        previous_laureate,
    })
}

pub async fn remove_member(
    db: &DatabaseConnection,
    caller: &Principal,
    edition_id: Uuid,
    user_id: Uuid,
) -> Result<(), ApiError> {
    let txn = db::begin_write(db).await?;
    editions::find_managed(&txn, caller, edition_id).await?;
    let member = membership(&txn, edition_id, user_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    jury_member::Entity::delete_by_id(member.id)
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        entry(
            caller.id,
            "jury.member_removed",
            "edition",
            edition_id,
            json!({ "user_id": user_id }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

async fn members_of(
    db: &impl ConnectionTrait,
    edition_id: Uuid,
) -> Result<Vec<jury_member::Model>, ApiError> {
    Ok(jury_member::Entity::find()
        .filter(jury_member::Column::EditionId.eq(edition_id))
        .order_by_asc(jury_member::Column::Id)
        .all(db)
        .await?)
}

pub async fn members(
    db: &DatabaseConnection,
    caller: &Principal,
    edition_id: Uuid,
) -> Result<Vec<JuryMember>, ApiError> {
    let edition = find_edition(db, edition_id).await?;
    reach(db, caller, &edition).await?;
    let members = members_of(db, edition_id).await?;
    let names: HashMap<Uuid, String> = user::Entity::find()
        .filter(user::Column::Id.is_in(members.iter().map(|m| m.user_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|account| (account.id, account.display_name))
        .collect();
    Ok(members
        .into_iter()
        .map(|member| JuryMember {
            display_name: names.get(&member.user_id).cloned().unwrap_or_default(),
            user_id: member.user_id,
            seat: Seat::parse(&member.seat).unwrap_or(Seat::Councillor),
            previous_laureate: member.previous_laureate,
        })
        .collect())
}

pub async fn composition_findings_of(
    db: &impl ConnectionTrait,
    edition_id: Uuid,
) -> Result<Vec<CompositionFinding>, ApiError> {
    let seats: Vec<(Seat, bool)> = members_of(db, edition_id)
        .await?
        .into_iter()
        .map(|member| {
            (
                Seat::parse(&member.seat).unwrap_or(Seat::Councillor),
                member.previous_laureate,
            )
        })
        .collect();
    Ok(composition_findings(&seats))
}

pub async fn composition(
    db: &DatabaseConnection,
    caller: &Principal,
    edition_id: Uuid,
) -> Result<Vec<CompositionFinding>, ApiError> {
    editions::find_managed(db, caller, edition_id).await?;
    composition_findings_of(db, edition_id).await
}

pub async fn shortlisted_count(
    db: &impl ConnectionTrait,
    edition_id: Uuid,
) -> Result<usize, ApiError> {
    Ok(application::Entity::find()
        .filter(application::Column::EditionId.eq(edition_id))
        .filter(application::Column::Shortlisted.eq(true))
        .count(db)
        .await? as usize)
}

// ----- Conflicts -----

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Conflict {
    pub application_id: Uuid,
    pub user_id: Uuid,
    pub reason: String,
    pub declared_by: Uuid,
    pub declared_at: DateTime<Utc>,
}

/// A jury member declares a conflict on a file; staff may record one for a member. The
/// member's draft cards on the file are dropped; a submitted card is locked, so only staff may
/// record the conflict then (their reason is the approval), and the card is kept, marked
/// withdrawn, out of every aggregate.
pub async fn declare_conflict(
    db: &DatabaseConnection,
    caller: &Principal,
    application_id: Uuid,
    reason: String,
    for_user: Option<Uuid>,
) -> Result<Conflict, ApiError> {
    let txn = db::begin_write(db).await?;
    let file = application::Entity::find_by_id(application_id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    let edition = find_edition(&txn, file.edition_id).await?;
    let (member, by_staff) = match for_user {
        Some(user_id) if user_id != caller.id => {
            organizations::ensure_staff(&txn, caller, edition.organization_id).await?;
            let member = membership(&txn, edition.id, user_id)
                .await?
                .ok_or(ApiError::NotFound)?;
            (member, true)
        }
        _ => {
            let member = membership(&txn, edition.id, caller.id)
                .await?
                .ok_or(ApiError::NotFound)?;
            (member, false)
        }
    };
    let cards = scorecard::Entity::find()
        .filter(scorecard::Column::ApplicationId.eq(application_id))
        .filter(scorecard::Column::MemberId.eq(member.id))
        .all(&txn)
        .await?;
    let submitted: Vec<Uuid> = cards
        .iter()
        .filter(|card| card.status == SUBMITTED)
        .map(|card| card.id)
        .collect();
    if conflict_needs_staff(!submitted.is_empty(), by_staff) {
        return Err(ApiError::conflict(
            "scorecard_submitted",
            "Your scorecard on this file is submitted: ask the organizer's staff to record the \
             conflict, with its reason.",
        ));
    }
    let now = db::now();
    let inserted = conflict::Entity::insert(conflict::ActiveModel {
        id: Set(Uuid::now_v7()),
        application_id: Set(application_id),
        member_id: Set(member.id),
        reason: Set(reason.clone()),
        declared_by: Set(caller.id),
        created_at: Set(now),
    })
    .exec_without_returning(&txn)
    .await;
    if let Err(error) = inserted {
        return Err(if db::is_unique_violation(&error) {
            ApiError::conflict(
                "conflict_already_declared",
                "A conflict of interest is already recorded for this member and file.",
            )
        } else {
            error.into()
        });
    }
    scorecard::Entity::delete_many()
        .filter(scorecard::Column::ApplicationId.eq(application_id))
        .filter(scorecard::Column::MemberId.eq(member.id))
        .filter(scorecard::Column::Status.eq(DRAFT))
        .exec(&txn)
        .await?;
    scorecard::Entity::update_many()
        .col_expr(scorecard::Column::Status, Expr::value(WITHDRAWN))
        .filter(scorecard::Column::Id.is_in(submitted.iter().copied()))
        .exec(&txn)
        .await?;
    review_assignment::Entity::delete_many()
        .filter(review_assignment::Column::ApplicationId.eq(application_id))
        .filter(review_assignment::Column::MemberId.eq(member.id))
        .exec(&txn)
        .await?;
    audit::record(&txn, entry(caller.id, "jury.conflict_declared", "application", application_id, json!({ "user_id": member.user_id, "reason": reason, "recorded_by_staff": by_staff, "scorecards_withdrawn": submitted }))).await?;
    txn.commit().await?;
    Ok(Conflict {
        application_id,
        user_id: member.user_id,
        reason,
        declared_by: caller.id,
        declared_at: now,
    })
}

pub async fn conflicts(
    db: &DatabaseConnection,
    caller: &Principal,
    edition_id: Uuid,
) -> Result<Vec<Conflict>, ApiError> {
    editions::find_managed(db, caller, edition_id).await?;
    let members: HashMap<Uuid, Uuid> = members_of(db, edition_id)
        .await?
        .into_iter()
        .map(|m| (m.id, m.user_id))
        .collect();
    Ok(conflict::Entity::find()
        .filter(conflict::Column::MemberId.is_in(members.keys().copied()))
        .order_by_asc(conflict::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|row| Conflict {
            application_id: row.application_id,
            user_id: members[&row.member_id],
            reason: row.reason,
            declared_by: row.declared_by,
            declared_at: row.created_at,
        })
        .collect())
}

async fn conflicted_members(
    db: &impl ConnectionTrait,
    application_id: Uuid,
) -> Result<BTreeSet<Uuid>, ApiError> {
    Ok(conflict::Entity::find()
        .filter(conflict::Column::ApplicationId.eq(application_id))
        .all(db)
        .await?
        .into_iter()
        .map(|row| row.member_id)
        .collect())
}

// ----- Rounds and assignments -----

/// The files of a round: eligible files for the selection, shortlisted ones for the audition.
pub async fn round_files(
    db: &impl ConnectionTrait,
    edition_id: Uuid,
    round: Round,
) -> Result<Vec<application::Model>, ApiError> {
    let mut query = application::Entity::find()
        .filter(application::Column::EditionId.eq(edition_id))
        .filter(application::Column::Status.eq(ApplicationStatus::Submitted.as_str()));
    query = match round {
        Round::Selection => {
            query.filter(application::Column::ReviewDecision.eq(Eligibility::Eligible.as_str()))
        }
        Round::Audition => query.filter(application::Column::Shortlisted.eq(true)),
    };
    Ok(query.order_by_asc(application::Column::Id).all(db).await?)
}

/// Who should score each file of the round: its assigned reviewers when the round uses
/// assignments, every member otherwise; never a conflicted member.
async fn reviewers(
    db: &impl ConnectionTrait,
    edition_id: Uuid,
    round: Round,
    files: &[application::Model],
) -> Result<HashMap<Uuid, BTreeSet<Uuid>>, ApiError> {
    let members: BTreeSet<Uuid> = members_of(db, edition_id)
        .await?
        .into_iter()
        .map(|m| m.id)
        .collect();
    let file_ids: Vec<Uuid> = files.iter().map(|file| file.id).collect();
    let assignments = review_assignment::Entity::find()
        .filter(review_assignment::Column::Round.eq(round.as_str()))
        .filter(review_assignment::Column::ApplicationId.is_in(file_ids.clone()))
        .all(db)
        .await?;
    let conflicts = conflict::Entity::find()
        .filter(conflict::Column::ApplicationId.is_in(file_ids))
        .all(db)
        .await?;
    let uses_assignments = !assignments.is_empty();
    let mut result = HashMap::new();
    for file in files {
        let mut set: BTreeSet<Uuid> = if uses_assignments {
            assignments
                .iter()
                .filter(|a| a.application_id == file.id)
                .map(|a| a.member_id)
                .collect()
        } else {
            members.clone()
        };
        for row in conflicts.iter().filter(|c| c.application_id == file.id) {
            set.remove(&row.member_id);
        }
        result.insert(file.id, set);
    }
    Ok(result)
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Assignment {
    pub round: Round,
    pub application_id: Uuid,
    pub user_id: Uuid,
}

/// Assigns `per_file` reviewers to every file of the round, balancing the load and never
/// assigning a conflicted member. Replaces the round's previous assignments.
pub async fn assign(
    db: &DatabaseConnection,
    caller: &Principal,
    edition_id: Uuid,
    round: Round,
    per_file: usize,
) -> Result<Vec<Assignment>, ApiError> {
    let txn = db::begin_write(db).await?;
    editions::find_managed(&txn, caller, edition_id).await?;
    let members = members_of(&txn, edition_id).await?;
    if members.is_empty() {
        return Err(ApiError::conflict(
            "no_jury",
            "Set the jury of the edition first.",
        ));
    }
    let files = round_files(&txn, edition_id, round).await?;
    let file_ids: Vec<Uuid> = files.iter().map(|file| file.id).collect();
    review_assignment::Entity::delete_many()
        .filter(review_assignment::Column::Round.eq(round.as_str()))
        .filter(review_assignment::Column::ApplicationId.is_in(file_ids))
        .exec(&txn)
        .await?;
    let mut load: BTreeMap<Uuid, usize> = members.iter().map(|m| (m.id, 0)).collect();
    let mut rows = Vec::new();
    for file in &files {
        let conflicted = conflicted_members(&txn, file.id).await?;
        let mut candidates: Vec<(usize, Uuid)> = load
            .iter()
            .filter(|(member, _)| !conflicted.contains(member))
            .map(|(member, count)| (*count, *member))
            .collect();
        candidates.sort();
        for (_, member) in candidates.into_iter().take(per_file) {
            *load.get_mut(&member).expect("member is loaded") += 1;
            rows.push(review_assignment::ActiveModel {
                round: Set(round.as_str().to_owned()),
                application_id: Set(file.id),
                member_id: Set(member),
            });
        }
    }
    if !rows.is_empty() {
        review_assignment::Entity::insert_many(rows)
            .exec_without_returning(&txn)
            .await?;
    }
    audit::record(
        &txn,
        entry(
            caller.id,
            "jury.reviewers_assigned",
            "edition",
            edition_id,
            json!({ "round": round, "per_file": per_file }),
        ),
    )
    .await?;
    let result = assignments_of(&txn, edition_id, round).await?;
    txn.commit().await?;
    Ok(result)
}

async fn assignments_of(
    db: &impl ConnectionTrait,
    edition_id: Uuid,
    round: Round,
) -> Result<Vec<Assignment>, ApiError> {
    let members: HashMap<Uuid, Uuid> = members_of(db, edition_id)
        .await?
        .into_iter()
        .map(|m| (m.id, m.user_id))
        .collect();
    Ok(review_assignment::Entity::find()
        .filter(review_assignment::Column::Round.eq(round.as_str()))
        .filter(review_assignment::Column::MemberId.is_in(members.keys().copied()))
        .order_by_asc(review_assignment::Column::ApplicationId)
        .order_by_asc(review_assignment::Column::MemberId)
        .all(db)
        .await?
        .into_iter()
        .map(|row| Assignment {
            round,
            application_id: row.application_id,
            user_id: members[&row.member_id],
        })
        .collect())
}

pub async fn assignments(
    db: &DatabaseConnection,
    caller: &Principal,
    edition_id: Uuid,
    round: Round,
) -> Result<Vec<Assignment>, ApiError> {
    editions::find_managed(db, caller, edition_id).await?;
    assignments_of(db, edition_id, round).await
}

/// Adds (`assigned`) or removes one reviewer by hand.
pub async fn adjust_assignment(
    db: &DatabaseConnection,
    caller: &Principal,
    edition_id: Uuid,
    round: Round,
    application_id: Uuid,
    user_id: Uuid,
    assigned: bool,
) -> Result<(), ApiError> {
    let txn = db::begin_write(db).await?;
    editions::find_managed(&txn, caller, edition_id).await?;
    let member = membership(&txn, edition_id, user_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let file = application::Entity::find_by_id(application_id)
        .one(&txn)
        .await?
        .filter(|f| f.edition_id == edition_id)
        .ok_or(ApiError::NotFound)?;
    let key = (round.as_str().to_owned(), file.id, member.id);
    if assigned {
        if conflicted_members(&txn, file.id)
            .await?
            .contains(&member.id)
        {
            return Err(ApiError::conflict(
                "conflict_of_interest",
                "This member declared a conflict of interest on this file.",
            ));
        }
        if review_assignment::Entity::find_by_id(key.clone())
            .one(&txn)
            .await?
            .is_none()
        {
            review_assignment::Entity::insert(review_assignment::ActiveModel {
                round: Set(key.0),
                application_id: Set(key.1),
                member_id: Set(key.2),
            })
            .exec_without_returning(&txn)
            .await?;
        }
    } else if review_assignment::Entity::delete_by_id(key)
        .exec(&txn)
        .await?
        .rows_affected
        == 0
    {
        return Err(ApiError::NotFound);
    }
    audit::record(
        &txn,
        entry(
            caller.id,
            "jury.assignment_adjusted",
            "application",
            application_id,
            json!({ "round": round, "user_id": user_id, "assigned": assigned }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

// ----- Files as the jury sees them -----

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuditionSlot {
    pub starts_at: DateTime<Utc>,
    #[schema(example = "Hôtel de Région, Lyon — salle 3")]
    pub place: String,
}

/// A file as the jury sees it: no contact details.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct JuryFile {
    pub application_id: Uuid,
    pub applicant_kind: Option<ApplicantKind>,
    pub structure_name: Option<String>,
    pub action_title: Option<String>,
    pub summary: Option<String>,
    pub description: Option<String>,
    pub action_start: Option<NaiveDate>,
    pub action_end: Option<NaiveDate>,
    pub locations: Vec<Location>,
    pub answers: BTreeMap<String, String>,
    pub video_url: Option<String>,
    pub website: Option<String>,
    pub shortlisted: bool,
    pub audition: Option<AuditionSlot>,
    /// Whether the caller is expected to score it.
    pub to_score: bool,
    /// The caller declared a conflict of interest on it.
    pub conflict: bool,
    /// The status of the caller's scorecard, if any.
    pub my_scorecard: Option<String>,
}

pub async fn audition_of(
    db: &impl ConnectionTrait,
    application_id: Uuid,
) -> Result<Option<AuditionSlot>, ApiError> {
    Ok(audition::Entity::find_by_id(application_id)
        .one(db)
        .await?
        .map(|slot| AuditionSlot {
            starts_at: slot.starts_at,
            place: slot.place,
        }))
}

pub async fn files_for_jury(
    db: &DatabaseConnection,
    caller: &Principal,
    edition_id: Uuid,
    round: Round,
) -> Result<Vec<JuryFile>, ApiError> {
    let edition = find_edition(db, edition_id).await?;
    let member = membership(db, edition_id, caller.id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let files = round_files(db, edition.id, round).await?;
    let reviewers = reviewers(db, edition.id, round, &files).await?;
    let mut result = Vec::with_capacity(files.len());
    for file in files {
        let content = applications::content_of(db, &file).await?;
        let mine = scorecard::Entity::find()
            .filter(scorecard::Column::ApplicationId.eq(file.id))
            .filter(scorecard::Column::MemberId.eq(member.id))
            .filter(scorecard::Column::Round.eq(round.as_str()))
            .one(db)
            .await?;
        result.push(JuryFile {
            application_id: file.id,
            applicant_kind: content.applicant_kind,
            structure_name: content.structure_name,
            action_title: content.action_title,
            summary: content.summary,
            description: content.description,
            action_start: content.action_start,
            action_end: content.action_end,
            locations: content.locations,
            answers: content.answers,
            video_url: content.video_url,
            website: content.website,
            shortlisted: file.shortlisted,
            audition: audition_of(db, file.id).await?,
            to_score: reviewers
                .get(&file.id)
                .is_some_and(|set| set.contains(&member.id)),
            conflict: conflicted_members(db, file.id).await?.contains(&member.id),
            my_scorecard: mine.map(|card| card.status),
        });
    }
    Ok(result)
}

// ----- Scorecards -----

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Scorecard {
    pub id: Uuid,
    pub application_id: Uuid,
    pub user_id: Uuid,
    pub round: Round,
    /// `draft`, `submitted`, or `withdrawn` (a conflict recorded after submission: kept, out
    /// of every aggregate).
    #[schema(example = "submitted")]
    pub status: String,
    #[schema(example = json!({"general_interest": 16, "reproducibility": 12}))]
    pub scores: BTreeMap<String, i32>,
    pub comment: String,
    pub submitted_at: Option<DateTime<Utc>>,
}

const DRAFT: &str = "draft";
const SUBMITTED: &str = "submitted";
/// A submitted card whose juror was later found conflicted: kept, counted nowhere.
const WITHDRAWN: &str = "withdrawn";

async fn scores_of(
    db: &impl ConnectionTrait,
    scorecard_id: Uuid,
) -> Result<BTreeMap<String, i32>, ApiError> {
    Ok(score::Entity::find()
        .filter(score::Column::ScorecardId.eq(scorecard_id))
        .all(db)
        .await?
        .into_iter()
        .map(|row| (row.criterion_key, row.value))
        .collect())
}

async fn scorecard_view(
    db: &impl ConnectionTrait,
    model: scorecard::Model,
    user_id: Uuid,
) -> Result<Scorecard, ApiError> {
    Ok(Scorecard {
        scores: scores_of(db, model.id).await?,
        id: model.id,
        application_id: model.application_id,
        user_id,
        round: if model.round == Round::Audition.as_str() {
            Round::Audition
        } else {
            Round::Selection
        },
        status: model.status,
        comment: model.comment,
        submitted_at: model.submitted_at,
    })
}

/// The scoring context of a member on a file: checks every rule before a scorecard is written.
async fn scoring_context(
    db: &impl ConnectionTrait,
    caller: &Principal,
    application_id: Uuid,
    round: Round,
) -> Result<(edition::Model, jury_member::Model, Vec<String>, ScoreScale), ApiError> {
    let file = application::Entity::find_by_id(application_id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    let edition = find_edition(db, file.edition_id).await?;
    let member = membership(db, edition.id, caller.id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let files = round_files(db, edition.id, round).await?;
    if !files.iter().any(|candidate| candidate.id == file.id) {
        return Err(ApiError::NotFound);
    }
    let open = match round {
        Round::Selection => edition_status(&edition) == EditionStatus::Selection,
        Round::Audition => edition_status(&edition) == EditionStatus::Audition,
    };
    if !open {
        return Err(ApiError::conflict(
            "scoring_closed",
            "This round is not being scored now.",
        ));
    }
    if conflicted_members(db, file.id).await?.contains(&member.id) {
        return Err(ApiError::conflict(
            "conflict_of_interest",
            "You declared a conflict of interest on this file.",
        ));
    }
    let reviewers = reviewers(db, edition.id, round, &files).await?;
    if !reviewers
        .get(&file.id)
        .is_some_and(|set| set.contains(&member.id))
    {
        return Err(ApiError::conflict(
            "not_assigned",
            "This file is assigned to other reviewers.",
        ));
    }
    let criteria = editions::criteria_of(db, edition.id)
        .await?
        .into_iter()
        .map(|c| c.key)
        .collect();
    let scale = ScoreScale {
        min: edition.score_min,
        max: edition.score_max,
    };
    Ok((edition, member, criteria, scale))
}

async fn own_scorecard(
    db: &impl ConnectionTrait,
    application_id: Uuid,
    member_id: Uuid,
    round: Round,
) -> Result<Option<scorecard::Model>, ApiError> {
    Ok(scorecard::Entity::find()
        .filter(scorecard::Column::ApplicationId.eq(application_id))
        .filter(scorecard::Column::MemberId.eq(member_id))
        .filter(scorecard::Column::Round.eq(round.as_str()))
        .one(db)
        .await?)
}

/// Saves the caller's draft scorecard (scores may be partial in a draft, but each must be
/// within the scale and name a criterion).
pub async fn save_scorecard(
    db: &DatabaseConnection,
    caller: &Principal,
    application_id: Uuid,
    round: Round,
    scores: BTreeMap<String, i32>,
    comment: String,
) -> Result<Scorecard, ApiError> {
    let txn = db::begin_write(db).await?;
    let (_, member, criteria, scale) = scoring_context(&txn, caller, application_id, round).await?;
    let errors: Vec<_> = scoring::check_scores(&scores, &criteria, scale)
        .into_iter()
        .filter(|error| error.code != "required")
        .collect();
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let now = db::now();
    let model = match own_scorecard(&txn, application_id, member.id, round).await? {
        Some(existing) if existing.status == SUBMITTED => {
            return Err(ApiError::conflict(
                "scorecard_submitted",
                "This scorecard is submitted and locked; staff can reopen it.",
            ));
        }
        Some(existing) => {
            let mut active = existing.into_active_model();
            active.comment = Set(comment);
            active.updated_at = Set(now);
            active.update(&txn).await?
        }
        None => {
            let id = Uuid::now_v7();
            scorecard::Entity::insert(scorecard::ActiveModel {
                id: Set(id),
                application_id: Set(application_id),
                member_id: Set(member.id),
                round: Set(round.as_str().to_owned()),
                status: Set(DRAFT.to_owned()),
                comment: Set(comment),
                submitted_at: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
            })
            .exec_without_returning(&txn)
            .await
            .map_err(|error| {
                if db::is_unique_violation(&error) {
                    ApiError::conflict(
                        "scorecard_exists",
                        "Save again: a scorecard was just created.",
                    )
                } else {
                    error.into()
                }
            })?;
            scorecard::Entity::find_by_id(id)
                .one(&txn)
                .await?
                .ok_or(ApiError::NotFound)?
        }
    };
    score::Entity::delete_many()
        .filter(score::Column::ScorecardId.eq(model.id))
        .exec(&txn)
        .await?;
    if !scores.is_empty() {
        score::Entity::insert_many(scores.iter().map(|(key, value)| score::ActiveModel {
            scorecard_id: Set(model.id),
            criterion_key: Set(key.clone()),
            value: Set(*value),
        }))
        .exec_without_returning(&txn)
        .await?;
    }
    let view = scorecard_view(&txn, model, caller.id).await?;
    txn.commit().await?;
    Ok(view)
}

/// Submits the caller's complete scorecard; it is then locked.
pub async fn submit_scorecard(
    db: &DatabaseConnection,
    caller: &Principal,
    application_id: Uuid,
    round: Round,
) -> Result<Scorecard, ApiError> {
    let txn = db::begin_write(db).await?;
    let (_, member, criteria, scale) = scoring_context(&txn, caller, application_id, round).await?;
    let model = own_scorecard(&txn, application_id, member.id, round)
        .await?
        .ok_or(ApiError::NotFound)?;
    if model.status == SUBMITTED {
        return Err(ApiError::conflict(
            "scorecard_submitted",
            "This scorecard is already submitted.",
        ));
    }
    let errors = scoring::check_scores(&scores_of(&txn, model.id).await?, &criteria, scale);
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let mut active = model.into_active_model();
    active.status = Set(SUBMITTED.to_owned());
    active.submitted_at = Set(Some(db::now()));
    active.updated_at = Set(db::now());
    let model = active.update(&txn).await?;
    audit::record(
        &txn,
        entry(
            caller.id,
            "scorecard.submitted",
            "application",
            application_id,
            json!({ "round": round, "scorecard_id": model.id }),
        ),
    )
    .await?;
    let view = scorecard_view(&txn, model, caller.id).await?;
    txn.commit().await?;
    Ok(view)
}

pub async fn reopen_scorecard(
    db: &DatabaseConnection,
    caller: &Principal,
    scorecard_id: Uuid,
    reason: String,
) -> Result<Scorecard, ApiError> {
    let txn = db::begin_write(db).await?;
    let model = scorecard::Entity::find_by_id(scorecard_id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    let member = jury_member::Entity::find_by_id(model.member_id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    editions::find_managed(&txn, caller, member.edition_id).await?;
    if model.status != SUBMITTED {
        return Err(ApiError::conflict(
            "scorecard_not_submitted",
            "Only a submitted scorecard can be reopened.",
        ));
    }
    let mut active = model.into_active_model();
    active.status = Set(DRAFT.to_owned());
    active.submitted_at = Set(None);
    active.updated_at = Set(db::now());
    let model = active.update(&txn).await?;
    audit::record(
        &txn,
        entry(
            caller.id,
            "scorecard.reopened",
            "application",
            model.application_id,
            json!({ "scorecard_id": scorecard_id, "reason": reason }),
        ),
    )
    .await?;
    let view = scorecard_view(&txn, model, member.user_id).await?;
    txn.commit().await?;
    Ok(view)
}

/// The scorecards of a file. Staff see them all; a jury member sees the submitted ones only
/// once their own is submitted, and nothing on a file they are conflicted on.
pub async fn scorecards(
    db: &DatabaseConnection,
    caller: &Principal,
    application_id: Uuid,
    round: Round,
) -> Result<Vec<Scorecard>, ApiError> {
    let file = application::Entity::find_by_id(application_id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    let edition = find_edition(db, file.edition_id).await?;
    let staff = match reach(db, caller, &edition).await? {
        Actor::Staff => true,
        Actor::Member(member) => {
            if conflicted_members(db, file.id).await?.contains(&member.id) {
                return Err(ApiError::NotFound);
            }
            let own = own_scorecard(db, file.id, member.id, round).await?;
            let submitted: BTreeSet<Uuid> = own
                .filter(|card| card.status == SUBMITTED)
                .map(|card| card.application_id)
                .into_iter()
                .collect();
            if !may_see_others_scores(&BTreeSet::from([file.id]), &submitted) {
                return Err(own_scorecards_pending());
            }
            false
        }
    };
    let members: HashMap<Uuid, Uuid> = members_of(db, edition.id)
        .await?
        .into_iter()
        .map(|m| (m.id, m.user_id))
        .collect();
    let mut query = scorecard::Entity::find()
        .filter(scorecard::Column::ApplicationId.eq(file.id))
        .filter(scorecard::Column::Round.eq(round.as_str()));
    if !staff {
        query = query.filter(scorecard::Column::Status.eq(SUBMITTED));
    }
    let mut result = Vec::new();
    for model in query.order_by_asc(scorecard::Column::Id).all(db).await? {
        let user_id = members.get(&model.member_id).copied().unwrap_or_default();
        result.push(scorecard_view(db, model, user_id).await?);
    }
    Ok(result)
}

// ----- Rankings -----

async fn ranking_of(
    db: &impl ConnectionTrait,
    edition: &edition::Model,
    round: Round,
) -> Result<Vec<RankedFile>, ApiError> {
    let files = round_files(db, edition.id, round).await?;
    let reviewers = reviewers(db, edition.id, round, &files).await?;
    let weights: Vec<(String, f64)> = criterion::Entity::find()
        .filter(criterion::Column::EditionId.eq(edition.id))
        .order_by_asc(criterion::Column::Position)
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.key, c.weight))
        .collect();
    let file_ids: Vec<Uuid> = files.iter().map(|file| file.id).collect();
    let cards_models = scorecard::Entity::find()
        .filter(scorecard::Column::ApplicationId.is_in(file_ids))
        .filter(scorecard::Column::Round.eq(round.as_str()))
        .filter(scorecard::Column::Status.eq(SUBMITTED))
        .all(db)
        .await?;
    let mut cards = Vec::with_capacity(cards_models.len());
    for model in cards_models {
        // Conflicted members' cards are withdrawn on declaration; stay safe anyway.
        if reviewers
            .get(&model.application_id)
            .is_some_and(|set| set.contains(&model.member_id))
        {
            cards.push(Card {
                juror: model.member_id,
                file: model.application_id,
                scores: scores_of(db, model.id).await?,
            });
        }
    }
    let to_rank: Vec<FileToRank> = files
        .iter()
        .map(|file| FileToRank {
            file: file.id,
            expected: reviewers.get(&file.id).map_or(0, BTreeSet::len),
        })
        .collect();
    Ok(scoring::rank(&weights, &to_rank, &cards))
}

/// Staff, and the jury's president once their own cards of the round are submitted; the
/// president does not see the files they are conflicted on.
pub async fn rankings(
    db: &DatabaseConnection,
    caller: &Principal,
    edition_id: Uuid,
    round: Round,
) -> Result<Vec<RankedFile>, ApiError> {
    let edition = find_edition(db, edition_id).await?;
    let Actor::Member(member) = reach(db, caller, &edition).await? else {
        return ranking_of(db, &edition, round).await;
    };
    if member.seat != Seat::President.as_str() {
        return Err(ApiError::Forbidden);
    }
    ensure_own_cards_submitted(db, &edition, &member, round).await?;
    let conflicted = conflicted_files(db, member.id).await?;
    Ok(scoring::without_files(
        ranking_of(db, &edition, round).await?,
        &conflicted,
    ))
}

/// The files a member declared (or staff recorded) a conflict of interest on.
async fn conflicted_files(
    db: &impl ConnectionTrait,
    member_id: Uuid,
) -> Result<BTreeSet<Uuid>, ApiError> {
    Ok(conflict::Entity::find()
        .filter(conflict::Column::MemberId.eq(member_id))
        .all(db)
        .await?
        .into_iter()
        .map(|row| row.application_id)
        .collect())
}

/// A juror sees anything derived from the other jurors' scores of a round (rankings, the jury
/// prize's decision) only once their own cards of that round are all submitted.
async fn ensure_own_cards_submitted(
    db: &impl ConnectionTrait,
    edition: &edition::Model,
    member: &jury_member::Model,
    round: Round,
) -> Result<(), ApiError> {
    let files = round_files(db, edition.id, round).await?;
    let owed: BTreeSet<Uuid> = reviewers(db, edition.id, round, &files)
        .await?
        .into_iter()
        .filter(|(_, members)| members.contains(&member.id))
        .map(|(file, _)| file)
        .collect();
    let submitted: BTreeSet<Uuid> = scorecard::Entity::find()
        .filter(scorecard::Column::MemberId.eq(member.id))
        .filter(scorecard::Column::Round.eq(round.as_str()))
        .filter(scorecard::Column::Status.eq(SUBMITTED))
        .all(db)
        .await?
        .into_iter()
        .map(|card| card.application_id)
        .collect();
    if may_see_others_scores(&owed, &submitted) {
        Ok(())
    } else {
        Err(own_scorecards_pending())
    }
}

/// The round whose ranking informs a prize's decision: the selection for a prize open to every
/// eligible file, the auditions otherwise.
fn decision_round(prize: &prize::Model) -> Round {
    match CandidatePool::parse(&prize.pool) {
        Some(CandidatePool::Eligible) => Round::Selection,
        _ => Round::Audition,
    }
}

fn own_scorecards_pending() -> ApiError {
    ApiError::conflict(
        "own_scorecard_pending",
        "Submit your own scorecards of this round before seeing the others'.",
    )
}

// ----- Shortlist and auditions -----

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
    if edition_status(&edition) != EditionStatus::Selection {
        return Err(ApiError::conflict(
            "not_in_selection",
            "The shortlist is confirmed during the selection.",
        ));
    }
    let eligible: BTreeSet<Uuid> = round_files(&txn, edition_id, Round::Selection)
        .await?
        .into_iter()
        .map(|f| f.id)
        .collect();
    let chosen_set: BTreeSet<Uuid> = chosen.iter().copied().collect();
    if chosen_set.len() != chosen.len() || chosen.is_empty() {
        return Err(ApiError::invalid(
            "application_ids",
            "invalid_value",
            "list each shortlisted file once, at least one",
        ));
    }
    if let Some(stranger) = chosen.iter().find(|id| !eligible.contains(id)) {
        return Err(ApiError::invalid(
            "application_ids",
            "invalid_value",
            format!("{stranger} is not an eligible file of this edition"),
        ));
    }
    let ranking = ranking_of(&txn, &edition, Round::Selection).await?;
    let proposed: BTreeSet<Uuid> = ranking
        .iter()
        .filter(|file| file.rank.is_some())
        .take(edition.shortlist_size as usize)
        .map(|file| file.application_id)
        .collect();
    if proposed != chosen_set && reason.is_none() {
        return Err(ApiError::invalid(
            "reason",
            "required",
            "the shortlist differs from the proposed top of the ranking: give a written reason",
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
        entry(
            caller.id,
            "edition.shortlist_confirmed",
            "edition",
            edition_id,
            json!({ "shortlisted": chosen, "proposed": proposed, "reason": reason }),
        ),
    )
    .await?;
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
    let file = application::Entity::find_by_id(application_id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    editions::find_managed(&txn, caller, file.edition_id).await?;
    if !file.shortlisted {
        return Err(ApiError::conflict(
            "not_shortlisted",
            "Only shortlisted candidates are auditioned.",
        ));
    }
    let starts_at = crate::domain::audit_chain::truncate_to_micros(starts_at);
    let slot = audition::ActiveModel {
        application_id: Set(application_id),
        starts_at: Set(starts_at),
        place: Set(place.clone()),
        updated_at: Set(db::now()),
    };
    if audition::Entity::find_by_id(application_id)
        .one(&txn)
        .await?
        .is_some()
    {
        slot.update(&txn).await?;
    } else {
        audition::Entity::insert(slot)
            .exec_without_returning(&txn)
            .await?;
    }
    audit::record(
        &txn,
        entry(
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

// ----- Decisions -----

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Decision {
    pub prize_id: Uuid,
    pub laureate_id: Uuid,
    /// The president's casting vote broke a tie for first place.
    pub casting_vote: bool,
    /// Honourable mentions.
    pub mentions: Vec<Uuid>,
    pub decided_by: Uuid,
    pub decided_at: DateTime<Utc>,
    /// Why a decision was changed.
    pub reason: Option<String>,
}

impl From<prize_decision::Model> for Decision {
    fn from(model: prize_decision::Model) -> Self {
        Self {
            prize_id: model.prize_id,
            laureate_id: model.laureate_id,
            casting_vote: model.casting_vote,
            mentions: serde_json::from_str(&model.mentions).unwrap_or_default(),
            decided_by: model.decided_by,
            decided_at: model.decided_at,
            reason: model.reason,
        }
    }
}

pub struct DecisionRequest {
    pub laureate: Uuid,
    pub casting_vote: bool,
    pub mentions: Vec<Uuid>,
    pub reason: Option<String>,
}

/// The jury's decision on a jury or category prize, by the jury's president or staff.
/// A jury prize goes to the top of the ranking of its pool; a tie for first place needs the
/// president's casting vote. An existing decision is changed by staff only, with a reason,
/// until results are published.
pub async fn decide(
    db: &DatabaseConnection,
    caller: &Principal,
    prize_id: Uuid,
    request: DecisionRequest,
) -> Result<Decision, ApiError> {
    let txn = db::begin_write(db).await?;
    let prize = prize::Entity::find_by_id(prize_id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    let edition = find_edition(&txn, prize.edition_id).await?;
    let round = decision_round(&prize);
    let staff = match reach(&txn, caller, &edition).await? {
        Actor::Staff => true,
        Actor::Member(member) if member.seat == Seat::President.as_str() => {
            // Every answer below is derived from the ranking: the president's own
            // judgement comes first, and a president conflicted on a candidate leaves the
            // decision to staff (its answers would tell how that candidate ranks).
            ensure_own_cards_submitted(&txn, &edition, &member, round).await?;
            let candidates: BTreeSet<Uuid> = round_files(&txn, edition.id, round)
                .await?
                .iter()
                .map(|file| file.id)
                .collect();
            if !conflicted_files(&txn, member.id)
                .await?
                .is_disjoint(&candidates)
            {
                return Err(ApiError::conflict(
                    "president_conflicted",
                    "You declared a conflict of interest on a candidate of this prize: the \
                     organizer's staff record the jury's decision.",
                ));
            }
            false
        }
        Actor::Member(_) => return Err(ApiError::Forbidden),
    };
    if !matches!(
        edition_status(&edition),
        EditionStatus::Audition | EditionStatus::Ceremony
    ) {
        return Err(ApiError::conflict(
            "decisions_closed",
            "Prizes are decided after the auditions and before the results are published.",
        ));
    }
    let kind = PrizeKind::parse(&prize.kind).unwrap_or(PrizeKind::Category);
    if matches!(kind, PrizeKind::Councillors | PrizeKind::Public) {
        return Err(ApiError::conflict(
            "decided_by_ballot",
            "This prize is decided by a ballot, not by the jury.",
        ));
    }
    let pool: BTreeSet<Uuid> = round_files(&txn, edition.id, round)
        .await?
        .into_iter()
        .map(|f| f.id)
        .collect();
    if !pool.contains(&request.laureate) {
        return Err(ApiError::invalid(
            "laureate",
            "invalid_value",
            "the laureate must be a candidate of this prize's pool",
        ));
    }
    if !request.mentions.is_empty() && !prize.mentions_allowed {
        return Err(ApiError::invalid(
            "mentions",
            "invalid_value",
            "this prize has no honourable mentions",
        ));
    }
    if request
        .mentions
        .iter()
        .any(|id| !pool.contains(id) || *id == request.laureate)
    {
        return Err(ApiError::invalid(
            "mentions",
            "invalid_value",
            "mentions go to other candidates of the pool",
        ));
    }
    if kind == PrizeKind::Jury {
        let ranking: Vec<RankedFile> = ranking_of(&txn, &edition, round).await?;
        let first = scoring::first_place(&ranking);
        if first.is_empty() {
            return Err(ApiError::conflict(
                "no_ranking",
                "No scorecard has been submitted for this round yet.",
            ));
        }
        if !first.contains(&request.laureate) {
            return Err(ApiError::conflict(
                "not_top_ranked",
                "The jury prize goes to the top of the audition ranking.",
            ));
        }
        if first.len() > 1 && !request.casting_vote {
            return Err(ApiError::conflict(
                "tie_needs_casting_vote",
                "Several candidates share the first place: the president's casting vote decides (`casting_vote: true`).",
            ));
        }
        if first.len() == 1 && request.casting_vote {
            return Err(ApiError::invalid(
                "casting_vote",
                "invalid_value",
                "there is no tie to break",
            ));
        }
    }
    let existing = prize_decision::Entity::find_by_id(prize_id)
        .one(&txn)
        .await?;
    if existing.is_some() && (!staff || request.reason.is_none()) {
        return Err(ApiError::conflict(
            "decision_exists",
            "This prize is decided; staff can change the decision with a written reason.",
        ));
    }
    let model = prize_decision::ActiveModel {
        prize_id: Set(prize_id),
        laureate_id: Set(request.laureate),
        casting_vote: Set(request.casting_vote),
        mentions: Set(json!(request.mentions).to_string()),
        decided_by: Set(caller.id),
        decided_at: Set(db::now()),
        reason: Set(request.reason.clone()),
    };
    let previous = existing.as_ref().map(|decision| decision.laureate_id);
    if existing.is_some() {
        model.update(&txn).await?;
    } else {
        prize_decision::Entity::insert(model)
            .exec_without_returning(&txn)
            .await?;
    }
    audit::record(&txn, entry(caller.id, "prize.decided", "prize", prize_id, json!({
        "laureate": request.laureate, "casting_vote": request.casting_vote, "mentions": request.mentions,
        "reason": request.reason, "previous_laureate": previous,
    })))
    .await?;
    let decision = prize_decision::Entity::find_by_id(prize_id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    txn.commit().await?;
    Ok(decision.into())
}

/// Staff and the edition's jury (the public sees results once published).
pub async fn decision(
    db: &DatabaseConnection,
    caller: &Principal,
    prize_id: Uuid,
) -> Result<Decision, ApiError> {
    let prize = prize::Entity::find_by_id(prize_id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    let edition = find_edition(db, prize.edition_id).await?;
    if let Actor::Member(member) = reach(db, caller, &edition).await? {
        ensure_own_cards_submitted(db, &edition, &member, decision_round(&prize)).await?;
    }
    Ok(prize_decision::Entity::find_by_id(prize_id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?
        .into())
}

/// Records the decision of a past edition (the demo's archived editions). Command line only.
pub async fn import_decision(
    db: &DatabaseConnection,
    actor: Uuid,
    prize_id: Uuid,
    laureate: Uuid,
) -> Result<(), ApiError> {
    let txn = db::begin_write(db).await?;
    prize_decision::Entity::insert(prize_decision::ActiveModel {
        prize_id: Set(prize_id),
        laureate_id: Set(laureate),
        casting_vote: Set(false),
        mentions: Set("[]".to_owned()),
        decided_by: Set(actor),
        decided_at: Set(db::now()),
        reason: Set(None),
    })
    .exec_without_returning(&txn)
    .await?;
    audit::record(
        &txn,
        entry(
            actor,
            "prize.decision_imported",
            "prize",
            prize_id,
            json!({ "laureate": laureate }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
