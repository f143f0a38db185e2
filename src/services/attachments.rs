//! Attachments of applications: files on disk under the storage folder, metadata in the
//! database. An upload is streamed to a temporary file, checked, then moved in place in the
//! same step as its row is written: a failed upload leaves nothing behind.
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder,
};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{
    auth::Principal,
    db,
    domain::attachment as attachment_rules,
    entities::attachment,
    error::ApiError,
    services::{
        accounts, applications,
        audit::{self, AuditEntry},
    },
};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Attachment {
    pub id: Uuid,
    pub application_id: Uuid,
    #[schema(example = "budget-2025.pdf")]
    pub filename: String,
    /// Detected from the content: `application/pdf`, `image/jpeg` or `image/png`.
    #[schema(example = "application/pdf")]
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub created_at: DateTime<Utc>,
}

impl From<attachment::Model> for Attachment {
    fn from(model: attachment::Model) -> Self {
        Self {
            id: model.id,
            application_id: model.application_id,
            filename: model.filename,
            content_type: model.content_type,
            size_bytes: model.size_bytes,
            sha256: model.sha256,
            created_at: model.created_at,
        }
    }
}

/// Where files live: `<root>/<application id>/<attachment id>`, uploads in progress in `<root>/tmp`.
#[derive(Debug, Clone)]
pub struct Storage {
    root: PathBuf,
}

impl Storage {
    pub fn new(root: PathBuf) -> Self {
        Self { root }
    }

    pub fn temporary_path(&self) -> PathBuf {
        self.root.join("tmp").join(Uuid::new_v4().to_string())
    }

    fn path_of(&self, application_id: Uuid, attachment_id: Uuid) -> PathBuf {
        self.root
            .join(application_id.to_string())
            .join(attachment_id.to_string())
    }

    /// Removes an application's files (after its rows are gone).
    pub async fn remove_application(&self, application_id: Uuid) {
        let _ = tokio::fs::remove_dir_all(self.root.join(application_id.to_string())).await;
    }
}

/// A file being uploaded: removed from disk when dropped unless it was stored.
pub struct TemporaryFile {
    pub path: PathBuf,
    kept: bool,
}

impl TemporaryFile {
    pub fn new(path: PathBuf) -> Self {
        Self { path, kept: false }
    }
}

impl Drop for TemporaryFile {
    fn drop(&mut self) {
        if !self.kept {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// A checked upload, ready to be stored.
pub struct Upload {
    pub file: TemporaryFile,
    pub filename: String,
    pub content_type: &'static str,
    pub size_bytes: u64,
    pub sha256: String,
}

pub async fn store(
    db: &DatabaseConnection,
    storage: &Storage,
    caller: &Principal,
    application_id: Uuid,
    mut upload: Upload,
) -> Result<Attachment, ApiError> {
    let txn = db::begin_write(db).await?;
    applications::ensure_editable(&txn, caller, application_id).await?;
    // Files are stored by people who proved their address.
    accounts::ensure_verified(&txn, caller.id).await?;
    db::lock_on(&txn, application_id).await?;
    let count = attachment::Entity::find()
        .filter(attachment::Column::ApplicationId.eq(application_id))
        .count(&txn)
        .await? as usize;
    attachment_rules::check_room_for_attachment(count)?;
    let model = attachment::Model {
        id: Uuid::now_v7(),
        application_id,
        filename: upload.filename.clone(),
        content_type: upload.content_type.to_owned(),
        size_bytes: upload.size_bytes as i64,
        sha256: upload.sha256.clone(),
        created_at: db::now(),
    };
    attachment::Entity::insert(attachment::ActiveModel {
        id: Set(model.id),
        application_id: Set(model.application_id),
        filename: Set(model.filename.clone()),
        content_type: Set(model.content_type.clone()),
        size_bytes: Set(model.size_bytes),
        sha256: Set(model.sha256.clone()),
        created_at: Set(model.created_at),
    })
    .exec_without_returning(&txn)
    .await?;
    audit::record(&txn, AuditEntry::by(caller.id, "attachment.uploaded", "application", application_id, json!({ "attachment_id": model.id, "content_type": model.content_type, "size_bytes": model.size_bytes, "sha256": model.sha256 })))
    .await?;
    let destination = storage.path_of(application_id, model.id);
    move_into_place(&upload.file.path, &destination).await?;
    if let Err(error) = txn.commit().await {
        let _ = tokio::fs::remove_file(&destination).await;
        return Err(error.into());
    }
    upload.file.kept = true;
    Ok(model.into())
}

async fn move_into_place(from: &Path, to: &Path) -> Result<(), ApiError> {
    if let Some(parent) = to.parent() {
        tokio::fs::create_dir_all(parent)
            .await
            .map_err(anyhow::Error::from)?;
    }
    tokio::fs::rename(from, to)
        .await
        .map_err(|error| ApiError::Internal(anyhow::anyhow!("storing attachment: {error}")))
}

pub async fn list(
    db: &DatabaseConnection,
    caller: &Principal,
    application_id: Uuid,
) -> Result<Vec<Attachment>, ApiError> {
    applications::ensure_readable(db, caller, application_id).await?;
    Ok(attachment::Entity::find()
        .filter(attachment::Column::ApplicationId.eq(application_id))
        .order_by_asc(attachment::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(Attachment::from)
        .collect())
}

/// The attachment and its bytes, for whoever may read its application.
pub async fn read(
    db: &DatabaseConnection,
    storage: &Storage,
    caller: &Principal,
    id: Uuid,
) -> Result<(Attachment, Vec<u8>), ApiError> {
    let model = attachment::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    applications::ensure_readable(db, caller, model.application_id).await?;
    let bytes = tokio::fs::read(storage.path_of(model.application_id, model.id))
        .await
        .map_err(|error| ApiError::Internal(anyhow::anyhow!("reading attachment {id}: {error}")))?;
    Ok((model.into(), bytes))
}

pub async fn delete(
    db: &DatabaseConnection,
    storage: &Storage,
    caller: &Principal,
    id: Uuid,
) -> Result<(), ApiError> {
    let txn = db::begin_write(db).await?;
    let model = attachment::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    applications::ensure_editable(&txn, caller, model.application_id).await?;
    attachment::Entity::delete_by_id(id).exec(&txn).await?;
    audit::record(
        &txn,
        AuditEntry::by(
            caller.id,
            "attachment.deleted",
            "application",
            model.application_id,
            json!({ "attachment_id": id }),
        ),
    )
    .await?;
    txn.commit().await?;
    // The row is gone: the file follows (a leftover file would be unreachable anyway).
    let _ = tokio::fs::remove_file(storage.path_of(model.application_id, id)).await;
    Ok(())
}
