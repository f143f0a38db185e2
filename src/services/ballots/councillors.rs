//! Ballots: the councillors who vote, and their colleges.
use super::*;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Councillor {
    pub user_id: Uuid,
    #[schema(example = "Collège 2 — syndicats de salariés")]
    pub college: String,
}

/// Changes the college of a councillor on the organization's roster (staff). Nobody is put on
/// a roster from here: the roster import invites them, and they accept.
pub async fn set_councillor(
    db: &DatabaseConnection,
    caller: &Principal,
    organization_id: Uuid,
    user_id: Uuid,
    college: String,
) -> Result<Councillor, ApiError> {
    let txn = db::begin_write(db).await?;
    staff::ensure_staff(&txn, caller, organization_id).await?;
    let councillor_role = crate::services::accounts::active_principal(&txn, user_id)
        .await?
        .ok_or(ApiError::NotFound)?
        .has_role(Role::Councillor);
    let on_roster = councillor::Entity::find_by_id((organization_id, user_id))
        .one(&txn)
        .await?
        .is_some();
    crate::domain::roster::check_college_change(councillor_role, on_roster)?;
    // The colleges held still until the councillor is written in one.
    db::lock_on(&txn, organization_id).await?;
    let known = crate::services::colleges::names(&txn, organization_id).await?;
    let college = crate::domain::college::check_known(&college, &known)
        .map_err(|error| ApiError::Validation(vec![error.on("college")]))?;
    crate::services::roster::put_on_roster(&txn, organization_id, user_id, &college).await?;
    audit::record(
        &txn,
        AuditEntry::by(
            caller.id,
            "councillor.set",
            "organization",
            organization_id,
            json!({ "user_id": user_id, "college": college }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(Councillor { user_id, college })
}

pub async fn councillors(
    db: &DatabaseConnection,
    caller: &Principal,
    organization_id: Uuid,
) -> Result<Vec<Councillor>, ApiError> {
    staff::ensure_staff(db, caller, organization_id).await?;
    Ok(councillor::Entity::find()
        .filter(councillor::Column::OrganizationId.eq(organization_id))
        .order_by_asc(councillor::Column::UserId)
        .all(db)
        .await?
        .into_iter()
        .map(|row| Councillor {
            user_id: row.user_id,
            college: row.college,
        })
        .collect())
}

pub async fn remove_councillor(
    db: &DatabaseConnection,
    caller: &Principal,
    organization_id: Uuid,
    user_id: Uuid,
) -> Result<(), ApiError> {
    let txn = db::begin_write(db).await?;
    staff::ensure_staff(&txn, caller, organization_id).await?;
    // Off the roster, and no pending invitation to come back on it.
    let removed = councillor::Entity::delete_by_id((organization_id, user_id))
        .exec(&txn)
        .await?
        .rows_affected
        > 0;
    let cancelled =
        crate::services::roster::cancel_invitations(&txn, organization_id, user_id).await?;
    if !removed && !cancelled {
        return Err(ApiError::NotFound);
    }
    audit::record(
        &txn,
        AuditEntry::by(
            caller.id,
            "councillor.removed",
            "organization",
            organization_id,
            json!({ "user_id": user_id, "invitation_cancelled": cancelled }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
