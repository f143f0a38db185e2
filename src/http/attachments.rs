//! Attachment upload (multipart), listing, download and deletion, with the access rules of
//! their application.
use crate::auth::access::authorize;
use actix_multipart::{Multipart, MultipartError};
use actix_web::middleware::from_fn;
use actix_web::{HttpResponse, delete, get, http::header, post, web};
use futures_util::StreamExt;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;
use utoipa::ToSchema;
use uuid::Uuid;

use super::API_PREFIX;
use crate::{
    auth::Principal,
    domain::{FieldError, attachment},
    error::{self, ApiError},
    services::{
        applications,
        attachments::{self, Attachment, TemporaryFile, Upload},
    },
    state::AppState,
};

/// A multipart form with one `file` part.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct UploadForm {
    /// A PDF, JPEG or PNG file (its type is read from its content).
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

fn multipart_error(error: MultipartError) -> ApiError {
    match error {
        MultipartError::ContentTypeMissing
        | MultipartError::ContentTypeParse
        | MultipartError::ContentTypeIncompatible => ApiError::UnsupportedMediaType {
            expected: "multipart/form-data",
        },
        other => ApiError::MalformedRequest(text!("detail-multipart-unreadable", reason = other)),
    }
}

fn unsupported_type() -> ApiError {
    ApiError::Validation(vec![FieldError::new(
        "file",
        "unsupported_type",
        text!(
            "field-only-files-are-accepted-recognised",
            accepted = attachment::ACCEPTED.join(", ")
        ),
    )])
}

/// What the other parts of an upload may weigh together: they are read and ignored, so a
/// client cannot make the server read more than this besides the file.
const OTHER_PARTS_LIMIT: usize = 16 * 1024;

/// Streams the `file` part to a temporary file, enforcing the size limit and checking the type.
async fn receive(mut form: Multipart, state: &AppState) -> Result<Upload, ApiError> {
    let limit = state.settings.max_upload_bytes;
    let mut other_parts = 0usize;
    while let Some(field) = form.next().await {
        let mut field = field.map_err(multipart_error)?;
        if field.name() != Some("file") {
            while let Some(chunk) = field.next().await {
                other_parts += chunk.map_err(multipart_error)?.len();
                if other_parts > OTHER_PARTS_LIMIT {
                    return Err(ApiError::PayloadTooLarge {
                        limit: OTHER_PARTS_LIMIT,
                    });
                }
            }
            continue;
        }
        let filename = attachment::sanitize_filename(
            field
                .content_disposition()
                .and_then(|d| d.get_filename())
                .unwrap_or_default(),
        );
        let file = TemporaryFile::new(state.storage.temporary_path());
        if let Some(parent) = file.path.parent() {
            tokio::fs::create_dir_all(parent)
                .await
                .map_err(anyhow::Error::from)?;
        }
        let mut output = tokio::fs::File::create(&file.path)
            .await
            .map_err(anyhow::Error::from)?;
        let (mut size, mut hasher, mut head) = (0usize, Sha256::new(), Vec::new());
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(multipart_error)?;
            size += chunk.len();
            if size > limit {
                return Err(ApiError::PayloadTooLarge { limit });
            }
            if head.len() < 64 {
                head.extend_from_slice(&chunk[..chunk.len().min(64 - head.len())]);
            }
            hasher.update(&chunk);
            output
                .write_all(&chunk)
                .await
                .map_err(anyhow::Error::from)?;
        }
        output.flush().await.map_err(anyhow::Error::from)?;
        if size == 0 {
            return Err(ApiError::invalid(
                "file",
                "required",
                text!("field-the-file-is-empty"),
            ));
        }
        let content_type = attachment::detect(&head).ok_or_else(unsupported_type)?;
        return Ok(Upload {
            file,
            filename,
            content_type,
            size_bytes: size as u64,
            sha256: hex::encode(hasher.finalize()),
        });
    }
    Err(ApiError::invalid(
        "file",
        "required",
        text!("field-send-the-file-in-a"),
    ))
}

/// Attach a file to a draft application
///
/// Its applicant only (staff get 403, others 404), on a draft (409 `not_a_draft`) while
/// applications are open (409 `applications_closed`), with a confirmed address (409
/// `email_unverified`). Send one `multipart/form-data` part named `file`: a PDF, JPEG or PNG,
/// recognised from its content (422 otherwise). At most 10 MiB by default (413 beyond) and 10 files
/// per application (409 `too_many_attachments`).
#[utoipa::path(
    tag = "applications",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Application id")),
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Stored", body = Attachment),
        error::JsonWriteErrors,
    )
)]
#[post("/applications/{id}/attachments", wrap = "from_fn(authorize)")]
pub async fn upload_attachment(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    form: Multipart,
) -> Result<HttpResponse, ApiError> {
    let application_id = id.into_inner();
    // Refuse before reading the body when the caller may not attach files here.
    applications::ensure_editable(&state.db, &caller, application_id).await?;
    let upload = receive(form, &state).await?;
    let stored =
        attachments::store(&state.db, &state.storage, &caller, application_id, upload).await?;
    Ok(super::created(
        format!("{API_PREFIX}/attachments/{}", stored.id),
        stored,
    ))
}

/// List an application's attachments
///
/// The files attached to an application: name, detected type, size and SHA-256. Its applicant, or
/// staff of its organization; anyone else gets 404.
#[utoipa::path(
    tag = "applications",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Application id")),
    responses(
        (status = 200, description = "The attachments", body = Vec<Attachment>),
        error::ResourceErrors,
    )
)]
#[get("/applications/{id}/attachments", wrap = "from_fn(authorize)")]
pub async fn list_attachments(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
) -> Result<web::Json<Vec<Attachment>>, ApiError> {
    Ok(web::Json(
        attachments::list(&state.db, &caller, id.into_inner()).await?,
    ))
}

/// The bytes of a downloaded file, as sent (this type only describes the body in the contract).
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct FileBytes(#[allow(dead_code)] Vec<u8>);

/// Download an attachment
///
/// The file, with the type detected at upload, as a download (`Content-Disposition: attachment`).
/// Its applicant, or staff of the application's organization; anyone else gets 404.
#[utoipa::path(
    tag = "applications",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Attachment id")),
    responses(
        (status = 200, description = "The file, with the type detected from its content (one of the accepted types)",
         content(
             (FileBytes = "application/pdf"),
             (FileBytes = "image/jpeg"),
             (FileBytes = "image/png"),
         )),
        error::ResourceErrors,
    )
)]
#[get("/attachments/{id}", wrap = "from_fn(authorize)")]
pub async fn download_attachment(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let (attachment, bytes) =
        attachments::read(&state.db, &state.storage, &caller, id.into_inner()).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, attachment.content_type))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{}\"", attachment.filename),
        ))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .body(bytes))
}

/// Delete an attachment of a draft application
///
/// Its applicant only (staff get 403, others 404), while the application is a draft (409
/// `not_a_draft`) and applications are open (409 `applications_closed`).
#[utoipa::path(
    tag = "applications",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Attachment id")),
    responses(
        (status = 204, description = "Deleted"),
        error::ActionErrors,
    )
)]
#[delete("/attachments/{id}", wrap = "from_fn(authorize)")]
pub async fn delete_attachment(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    attachments::delete(&state.db, &state.storage, &caller, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}
