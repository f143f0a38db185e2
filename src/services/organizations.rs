//! Organizers and their staff. An admin manages only the organizations they belong to; a
use crate::domain::{Lang, language::in_language, refusal::ProblemCode};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, DbErr, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, QuerySelect,
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
        pagination::{Page, PageRequest},
    },
    entities::{organization, organization_admin, user},
    error::ApiError,
    services::{
        audit::{self, AuditEntry},
        staff,
    },
};

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "01935f0e-8a47-7cc2-9f1e-3a6b2d4c5e61", "short_name": "ceser-ara",
    "name": "CESER Auvergne-Rhône-Alpes", "name_en": null,
    "localized_name": "CESER Auvergne-Rhône-Alpes", "region": "Auvergne-Rhône-Alpes",
    "default_departements": ["01", "03", "07", "15", "26", "38", "42", "43", "63", "69", "73", "74"],
    "contact_email": "prix@ceser-ara.example.fr",
    "postal_addresses": ["125 rue Smith, 69285 Lyon cedex 02", "59 Bd Léon Jouhaux, 63050 Clermont-Ferrand"],
    "embed_origins": ["https://ceser.auvergnerhonealpes.fr"],
    "created_at": "2026-01-05T09:00:00Z", "updated_at": "2026-01-05T09:00:00Z"
}))]
pub struct Organization {
    pub id: Uuid,
    pub short_name: String,
    pub name: String,
    /// The name in English as written (null: none).
    pub name_en: Option<String>,
    /// The name in the answer's language (`Content-Language`): the English where written, else
    /// the French.
    pub localized_name: String,
    pub region: String,
    pub default_departements: Vec<String>,
    pub contact_email: String,
    pub postal_addresses: Vec<String>,
    /// The sites that may embed the voting widget (empty: any site).
    pub embed_origins: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub fn split_codes(codes: &str) -> Vec<String> {
    codes
        .split(',')
        .filter(|code| !code.is_empty())
        .map(str::to_owned)
        .collect()
}

impl From<organization::Model> for Organization {
    fn from(model: organization::Model) -> Self {
        let embed_origins = embed_origins(&model).unwrap_or_default();
        Self {
            id: model.id,
            short_name: model.short_name,
            localized_name: in_language(Lang::default(), &model.name, model.name_en.as_deref())
                .to_owned(),
            name: model.name,
            name_en: model.name_en,
            region: model.region,
            default_departements: split_codes(&model.default_departements),
            contact_email: model.contact_email,
            postal_addresses: serde_json::from_str(&model.postal_addresses).unwrap_or_default(),
            embed_origins,
            created_at: model.created_at,
            updated_at: model.updated_at,
        }
    }
}

/// Validated organization fields.
#[derive(Debug, Clone)]
pub struct OrganizationFields {
    pub short_name: String,
    pub name: String,
    pub name_en: Option<String>,
    pub region: String,
    pub default_departements: Vec<String>,
    pub contact_email: String,
    pub postal_addresses: Vec<String>,
    pub embed_origins: Vec<String>,
}

/// The sites that may embed the organization's voting widget; `None` when the stored value
/// cannot be read (written around the API), which must close the widget, not open it.
pub fn embed_origins(model: &organization::Model) -> Option<Vec<String>> {
    serde_json::from_str(&model.embed_origins).ok()
}

fn platform_only(caller: &Principal) -> Result<(), ApiError> {
    if caller.platform_admin {
        Ok(())
    } else {
        Err(ApiError::Forbidden)
    }
}

fn taken() -> ApiError {
    ApiError::conflict(ProblemCode::ShortNameTaken, text!("short-name-taken"))
}

pub async fn create(
    db: &DatabaseConnection,
    caller: &Principal,
    fields: OrganizationFields,
) -> Result<Organization, ApiError> {
    platform_only(caller)?;
    let now = db::now();
    let model = organization::Model {
        id: Uuid::now_v7(),
        short_name: fields.short_name,
        name: fields.name,
        name_en: fields.name_en,
        region: fields.region,
        default_departements: fields.default_departements.join(","),
        contact_email: fields.contact_email,
        postal_addresses: json!(fields.postal_addresses).to_string(),
        embed_origins: json!(fields.embed_origins).to_string(),
        created_at: now,
        updated_at: now,
    };
    let txn = db::begin_write(db).await?;
    organization::Entity::insert(model.clone().into_active_model())
        .exec_without_returning(&txn)
        .await
        .map_err(|error| {
            if db::is_unique_violation(&error) {
                taken()
            } else {
                error.into()
            }
        })?;
    audit::record(
        &txn,
        AuditEntry::by(
            caller.id,
            "organization.created",
            "organization",
            model.id,
            json!({ "short_name": model.short_name }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(model.into())
}

pub async fn update(
    db: &DatabaseConnection,
    caller: &Principal,
    id: Uuid,
    fields: OrganizationFields,
) -> Result<Organization, ApiError> {
    let txn = db::begin_write(db).await?;
    staff::ensure_staff(&txn, caller, id).await?;
    let model = organization::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    let mut active = model.into_active_model();
    active.short_name = Set(fields.short_name);
    active.name = Set(fields.name);
    active.name_en = Set(fields.name_en);
    active.region = Set(fields.region);
    active.default_departements = Set(fields.default_departements.join(","));
    active.contact_email = Set(fields.contact_email);
    active.postal_addresses = Set(json!(fields.postal_addresses).to_string());
    active.embed_origins = Set(json!(fields.embed_origins).to_string());
    active.updated_at = Set(db::now());
    let model = active.update(&txn).await.map_err(|error| {
        if db::is_unique_violation(&error) {
            taken()
        } else {
            error.into()
        }
    })?;
    audit::record(
        &txn,
        AuditEntry::by(
            caller.id,
            "organization.updated",
            "organization",
            id,
            json!({}),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(model.into())
}

pub async fn find(db: &DatabaseConnection, id: Uuid) -> Result<Organization, ApiError> {
    Ok(organization::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?
        .into())
}

/// Organizers are public information: anyone can list them.
pub async fn list(
    db: &DatabaseConnection,
    page: PageRequest<Uuid>,
) -> Result<Page<Organization>, DbErr> {
    let mut query = organization::Entity::find()
        .order_by_asc(organization::Column::Id)
        .limit(page.fetch_limit());
    if let Some(after) = page.after {
        query = query.filter(organization::Column::Id.gt(after));
    }
    let rows = query
        .all(db)
        .await?
        .into_iter()
        .map(Organization::from)
        .collect();
    Ok(page.paginate(rows, |organization: &Organization| {
        organization.id.to_string()
    }))
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StaffMember {
    pub user_id: Uuid,
    pub email: String,
    pub display_name: String,
}

pub async fn list_admins(
    db: &DatabaseConnection,
    caller: &Principal,
    id: Uuid,
) -> Result<Vec<StaffMember>, ApiError> {
    staff::ensure_staff(db, caller, id).await?;
    let user_ids: Vec<Uuid> = organization_admin::Entity::find()
        .filter(organization_admin::Column::OrganizationId.eq(id))
        .all(db)
        .await?
        .into_iter()
        .map(|membership| membership.user_id)
        .collect();
    let users = user::Entity::find()
        .filter(user::Column::Id.is_in(user_ids))
        .order_by_asc(user::Column::Id)
        .all(db)
        .await?;
    Ok(users
        .into_iter()
        .map(|user| StaffMember {
            user_id: user.id,
            email: user.email,
            display_name: user.display_name,
        })
        .collect())
}

/// Adds an account holding the `admin` role to the organization's staff (idempotent): any
/// account for a platform admin, one of the organization's people for its staff.
pub async fn add_admin(
    db: &DatabaseConnection,
    caller: &Principal,
    id: Uuid,
    user_id: Uuid,
) -> Result<(), ApiError> {
    let txn = db::begin_write(db).await?;
    staff::ensure_staff(&txn, caller, id).await?;
    organization::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    // An organization's staff bring in only people they already manage (never a platform
    // admin, never another organization's staff): they must not learn or take anyone else.
    crate::services::accounts::ensure_manages(&txn, caller, user_id).await?;
    let target = crate::services::accounts::active_principal(&txn, user_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    crate::domain::organization::check_staff_candidate(target.has_role(Role::Admin))?;
    crate::services::accounts::ensure_verified(&txn, user_id).await?;
    let exists = organization_admin::Entity::find_by_id((id, user_id))
        .one(&txn)
        .await?
        .is_some();
    if !exists {
        organization_admin::Entity::insert(organization_admin::ActiveModel {
            organization_id: Set(id),
            user_id: Set(user_id),
        })
        .exec_without_returning(&txn)
        .await?;
        audit::record(
            &txn,
            AuditEntry::by(
                caller.id,
                "organization.admin_added",
                "organization",
                id,
                json!({ "user_id": user_id }),
            ),
        )
        .await?;
    }
    txn.commit().await?;
    Ok(())
}

pub async fn remove_admin(
    db: &DatabaseConnection,
    caller: &Principal,
    id: Uuid,
    user_id: Uuid,
) -> Result<(), ApiError> {
    let txn = db::begin_write(db).await?;
    staff::ensure_staff(&txn, caller, id).await?;
    crate::domain::organization::check_staff_removal(caller.id, user_id)?;
    let removed = organization_admin::Entity::delete_by_id((id, user_id))
        .exec(&txn)
        .await?
        .rows_affected;
    if removed == 0 {
        return Err(ApiError::NotFound);
    }
    audit::record(
        &txn,
        AuditEntry::by(
            caller.id,
            "organization.admin_removed",
            "organization",
            id,
            json!({ "user_id": user_id }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
