//! The jury: members.
use super::*;

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
    let edition = managed_running(&txn, caller, edition_id).await?;
    let account = user::Entity::find_by_id(user_id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    let juror = crate::services::accounts::active_principal(&txn, user_id)
        .await?
        .is_some_and(|p| p.has_role(Role::Jury));
    check_seat_holder(juror)?;
    crate::domain::address_proof::check_verified(account.email_verified_at.is_some())?;
    let held_by_another = jury_members_of(&txn, edition_id)
        .await?
        .iter()
        .any(|member| member.seat == seat && member.user_id != user_id);
    check_seat_available(seat, held_by_another)?;
    if previous_laureate {
        let previous = lookups::previous_edition(&txn, &edition).await?;
        check_previous_laureate(user_id, &account.email, seat, previous.as_ref())?;
    }
    match membership(&txn, edition_id, user_id).await? {
        Some(existing) => {
            let mut active = existing.into_active_model();
            active.seat = Set(seat);
            active.previous_laureate = Set(previous_laureate);
            active.update(&txn).await?;
        }
        None => {
            jury_member::Entity::insert(jury_member::ActiveModel {
                id: Set(Uuid::now_v7()),
                edition_id: Set(edition_id),
                user_id: Set(user_id),
                seat: Set(seat),
                previous_laureate: Set(previous_laureate),
                created_at: Set(db::now()),
            })
            .exec_without_returning(&txn)
            .await?;
        }
    }
    audit::record(
        &txn,
        AuditEntry::by(
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
    managed_running(&txn, caller, edition_id).await?;
    let member = membership(&txn, edition_id, user_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    jury_member::Entity::delete_by_id(member.id)
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        AuditEntry::by(
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

pub async fn members(
    db: &DatabaseConnection,
    caller: &Principal,
    edition_id: Uuid,
) -> Result<Vec<JuryMember>, ApiError> {
    let edition = find_edition(db, edition_id).await?;
    reach(db, caller, &edition).await?;
    let members = jury_members_of(db, edition_id).await?;
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
            seat: member.seat,
            previous_laureate: member.previous_laureate,
        })
        .collect())
}

pub async fn composition(
    db: &DatabaseConnection,
    caller: &Principal,
    edition_id: Uuid,
) -> Result<Vec<CompositionFinding>, ApiError> {
    editions::find_managed(db, caller, edition_id).await?;
    composition_findings_of(db, edition_id).await
}
