//! The jury: conflicts.
use super::*;
use crate::domain::refusal::ProblemCode;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Conflict {
    pub application_id: Uuid,
    pub user_id: Uuid,
    pub reason: String,
    pub declared_by: Uuid,
    pub declared_at: DateTime<Utc>,
}

/// A jury member declares a conflict on an application; staff may record one for a member. The
/// member's draft cards on the application are dropped; a submitted card is locked, so only staff may
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
    let application = application::Entity::find_by_id(application_id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    let edition = find_edition(&txn, application.edition_id).await?;
    check_not_concluded(edition.status)?;
    let (member, by_staff) = match for_user {
        Some(user_id) if user_id != caller.id => {
            staff::ensure_staff(&txn, caller, edition.organization_id).await?;
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
        .filter(|card| card.status == ScorecardStatus::Submitted)
        .map(|card| card.id)
        .collect();
    check_conflict_declaration(!submitted.is_empty(), by_staff)?;
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
                ProblemCode::ConflictAlreadyDeclared,
                text!("conflict-already-declared"),
            )
        } else {
            error.into()
        });
    }
    scorecard::Entity::delete_many()
        .filter(scorecard::Column::ApplicationId.eq(application_id))
        .filter(scorecard::Column::MemberId.eq(member.id))
        .filter(scorecard::Column::Status.eq(ScorecardStatus::Draft))
        .exec(&txn)
        .await?;
    scorecard::Entity::update_many()
        .col_expr(
            scorecard::Column::Status,
            Expr::value(ScorecardStatus::Withdrawn),
        )
        .filter(scorecard::Column::Id.is_in(submitted.iter().copied()))
        .exec(&txn)
        .await?;
    review_assignment::Entity::delete_many()
        .filter(review_assignment::Column::ApplicationId.eq(application_id))
        .filter(review_assignment::Column::MemberId.eq(member.id))
        .exec(&txn)
        .await?;
    audit::record(&txn, AuditEntry::by(caller.id, "jury.conflict_declared", "application", application_id, json!({ "user_id": member.user_id, "reason": reason, "recorded_by_staff": by_staff, "scorecards_withdrawn": submitted }))).await?;
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
    conflicts_of_edition(db, edition_id).await
}

/// Every conflict recorded in an edition's jury, in the order they were declared.
async fn conflicts_of_edition(
    db: &DatabaseConnection,
    edition_id: Uuid,
) -> Result<Vec<Conflict>, ApiError> {
    let members: HashMap<Uuid, Uuid> = jury_members_of(db, edition_id)
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

/// The conflicts recorded on one application: all of them for its organization's staff, their
/// own for a member of the edition's jury; 404 for anyone else.
pub async fn application_conflicts(
    db: &DatabaseConnection,
    caller: &Principal,
    application_id: Uuid,
) -> Result<Vec<Conflict>, ApiError> {
    let application = application::Entity::find_by_id(application_id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    let edition = find_edition(db, application.edition_id).await?;
    let staff = staff::staff_scope(db, caller)
        .await?
        .covers(edition.organization_id);
    let own = if staff {
        None
    } else {
        Some(
            membership(db, edition.id, caller.id)
                .await?
                .ok_or(ApiError::NotFound)?
                .user_id,
        )
    };
    Ok(conflicts_of_edition(db, edition.id)
        .await?
        .into_iter()
        .filter(|conflict| conflict.application_id == application_id)
        .filter(|conflict| own.is_none_or(|user| conflict.user_id == user))
        .collect())
}

pub(super) async fn conflicted_members(
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
