//! The jury of an edition: members and seats, conflicts of interest, reviewer assignment,
//! scorecards, rankings, the shortlist, auditions and the jury's prize decisions.
//!
//! Access: staff of the edition's organization manage everything; a jury member reaches only
//! the editions they sit on, and in them only the applications of the round (eligible applications for the
//! selection, shortlisted ones for the audition), without the applicants' contact details.

mod members;
pub use members::*;
mod conflicts;
pub use conflicts::*;
mod assignments;
pub use assignments::*;
mod reading;
pub use reading::*;
mod scorecards;
pub use scorecards::*;
mod rankings;
pub use rankings::*;
mod shortlist;
pub use shortlist::*;
mod decisions;
pub use decisions::*;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder,
    sea_query::{Expr, OnConflict},
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
        application::{ApplicationStatus, Eligibility},
        edition::{CandidatePool, EditionStatus, PrizeKind, ScoreScale},
        edition_lifecycle::check_not_concluded,
        jury::{
            CompositionFinding, Seat, check_assignment, check_conflict_declaration,
            check_may_see_others_scores, check_previous_laureate, check_seat_available,
            check_seat_holder,
        },
        scoring::{self, ApplicationToRank, Card, RankedApplication, Round, ScorecardStatus},
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
        lookups::{
            self, AuditionSlot, audition_of, composition_findings_of, find_edition, jury_members_of,
        },
        staff,
    },
};

/// The edition the caller manages, while its jury's work may still change: once the results
/// are published, seats, reviews, scorecards and conflicts stay as they were.
pub(super) async fn managed_running(
    db: &impl ConnectionTrait,
    caller: &Principal,
    edition_id: Uuid,
) -> Result<edition::Model, ApiError> {
    let edition = editions::find_managed(db, caller, edition_id).await?;
    check_not_concluded(edition.status)?;
    Ok(edition)
}

pub(super) async fn membership(
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

pub(super) async fn is_staff(
    db: &impl ConnectionTrait,
    caller: &Principal,
    organization_id: Uuid,
) -> Result<bool, ApiError> {
    Ok(staff::staff_scope(db, caller)
        .await?
        .covers(organization_id))
}

/// Who reaches an edition's jury business.
pub(super) enum Actor {
    Staff,
    Member(jury_member::Model),
}

/// Staff of the organization, or a member of this edition's jury; anyone else gets 404.
pub(super) async fn reach(
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
