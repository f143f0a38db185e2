//! Editions: their criteria and prizes, set while the edition is a draft.
use super::*;

async fn find_configurable(
    txn: &impl ConnectionTrait,
    caller: &Principal,
    id: Uuid,
) -> Result<edition_entity::Model, ApiError> {
    let model = find_managed(txn, caller, id).await?;
    let status = model.status;
    if status.is_configurable() {
        Ok(model)
    } else {
        Err(status.locked().into())
    }
}

pub async fn replace_criteria(
    db: &DatabaseConnection,
    caller: &Principal,
    id: Uuid,
    criteria: Vec<CriterionSpec>,
) -> Result<Edition, ApiError> {
    let txn = db::begin_write(db).await?;
    let model = find_configurable(&txn, caller, id).await?;
    criterion::Entity::delete_many()
        .filter(criterion::Column::EditionId.eq(id))
        .exec(&txn)
        .await?;
    insert_criteria(&txn, id, &criteria).await?;
    let keys: Vec<&str> = criteria
        .iter()
        .map(|criterion| criterion.key.as_str())
        .collect();
    audit::record(
        &txn,
        AuditEntry::by(
            caller.id,
            "edition.criteria_replaced",
            "edition",
            id,
            json!({ "keys": keys }),
        ),
    )
    .await?;
    let edition = view(&txn, model).await?;
    txn.commit().await?;
    Ok(edition)
}

pub async fn add_prize(
    db: &DatabaseConnection,
    caller: &Principal,
    edition_id: Uuid,
    spec: PrizeSpec,
) -> Result<Prize, ApiError> {
    let txn = db::begin_write(db).await?;
    find_configurable(&txn, caller, edition_id).await?;
    let position = prize::Entity::find()
        .filter(prize::Column::EditionId.eq(edition_id))
        .count(&txn)
        .await? as i32;
    let active = prize_model(edition_id, position, &spec);
    let prize_id = active.id.clone().unwrap();
    prize::Entity::insert(active)
        .exec_without_returning(&txn)
        .await?;
    audit::record(
        &txn,
        AuditEntry::by(
            caller.id,
            "prize.created",
            "edition",
            edition_id,
            json!({ "prize_id": prize_id, "kind": spec.kind }),
        ),
    )
    .await?;
    let model = prize::Entity::find_by_id(prize_id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    txn.commit().await?;
    Ok(model.into())
}

async fn find_configurable_prize(
    txn: &impl ConnectionTrait,
    caller: &Principal,
    prize_id: Uuid,
) -> Result<prize::Model, ApiError> {
    let model = prize::Entity::find_by_id(prize_id)
        .one(txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    find_configurable(txn, caller, model.edition_id).await?;
    Ok(model)
}

/// A prize, as its edition is visible: anyone for a published edition, its staff for a draft.
pub async fn find_prize(
    db: &DatabaseConnection,
    caller: Option<&Principal>,
    prize_id: Uuid,
) -> Result<Prize, ApiError> {
    let model = prize::Entity::find_by_id(prize_id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    find_visible(db, caller, model.edition_id).await?;
    Ok(model.into())
}

pub async fn update_prize(
    db: &DatabaseConnection,
    caller: &Principal,
    prize_id: Uuid,
    spec: PrizeSpec,
) -> Result<Prize, ApiError> {
    let txn = db::begin_write(db).await?;
    let model = find_configurable_prize(&txn, caller, prize_id).await?;
    let mut active = prize_model(model.edition_id, model.position, &spec);
    active.id = Set(prize_id);
    let model = active.update(&txn).await?;
    audit::record(
        &txn,
        AuditEntry::by(
            caller.id,
            "prize.updated",
            "edition",
            model.edition_id,
            json!({ "prize_id": prize_id }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(model.into())
}

pub async fn delete_prize(
    db: &DatabaseConnection,
    caller: &Principal,
    prize_id: Uuid,
) -> Result<(), ApiError> {
    let txn = db::begin_write(db).await?;
    let model = find_configurable_prize(&txn, caller, prize_id).await?;
    prize::Entity::delete_by_id(prize_id).exec(&txn).await?;
    audit::record(
        &txn,
        AuditEntry::by(
            caller.id,
            "prize.deleted",
            "edition",
            model.edition_id,
            json!({ "prize_id": prize_id }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
