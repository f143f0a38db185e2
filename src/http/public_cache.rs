//! The public reads an embedded vote and third-party sites make (editions, candidates, ballot,
//! results, laureates) answered from memory, with `ETag`, `If-None-Match` (`304`) and
//! `Cache-Control`.
//!
//! Only anonymous reads are cached (a caller who sends a token may see more), keyed by the
//! exact path and query they were dispatched with, and the language they are answered in. Every successful write, except those that
//! change no public read (the vote path, sessions), invalidates the whole cache: writes are
//! rare next to these reads, and a coarse rule cannot forget a dependency. The invalidation is
//! a generation number, so a read that began before a write never stores its older answer;
//! on PostgreSQL it reaches the other processes through `NOTIFY` (see
//! [`PublicReads::listen`]). Ballots and results also change with time (a window opens):
//! their answers are kept one second.
use std::{
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use actix_web::{
    Error, HttpResponse,
    body::{self, EitherBody, MessageBody},
    dev::{ServiceRequest, ServiceResponse},
    http::{
        Method, StatusCode,
        header::{self, HeaderValue},
    },
    middleware::Next,
    web,
};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use sha2::{Digest, Sha256};
use utoipa::openapi::{
    OpenApi, RefOr,
    header::HeaderBuilder,
    response::{Response, ResponseBuilder},
};

use crate::state::AppState;

/// The cached operations, what browsers and proxies may do with their answers, and how long
/// this process keeps them at most. A ballot's state and results are revalidated every time
/// (`no-cache`: a `304` when unchanged), so that a widget never shows a closed ballot open.
const CACHED: &[(&str, &str, Duration)] = &[
    ("list_editions", "public, max-age=30", KEPT),
    ("get_edition", "public, max-age=30", KEPT),
    ("list_candidates", "public, max-age=30", KEPT),
    ("list_laureates", "public, max-age=30", KEPT),
    ("list_organizations", "public, max-age=30", KEPT),
    ("get_organization", "public, max-age=30", KEPT),
    ("get_prize", "public, max-age=30", KEPT),
    ("export_results", "public, max-age=30", KEPT),
    ("get_signed_results", "public, max-age=30", KEPT),
    ("get_ballot", "public, no-cache", TIMED),
    ("get_results", "public, no-cache", TIMED),
    ("list_receipt_hashes", "public, no-cache", TIMED),
];
/// A bound on staleness should a notification from another process be lost.
const KEPT: Duration = Duration::from_secs(60);
const TIMED: Duration = Duration::from_secs(1);
/// Writes after which every public read is still true: votes, voter codes and sessions.
const LEAVE_PUBLIC_READS: &[&str] = &[
    "cast_vote",
    "request_voter_code",
    "confirm_voter_code",
    "issue_token",
    "refresh_session",
    "logout",
];
/// The memory the cached answers may take.
const CAPACITY_BYTES: u64 = 64 * 1024 * 1024;
/// The PostgreSQL channel processes tell each other about writes on.
const CHANNEL: &str = "prix_ceser_public_reads";

struct Entry {
    generation: u64,
    fresh_until: Instant,
    body: web::Bytes,
    etag: HeaderValue,
    content_type: HeaderValue,
    cache_control: &'static str,
}

pub struct PublicReads {
    entries: moka::sync::Cache<String, Arc<Entry>>,
    generation: AtomicU64,
}

impl Default for PublicReads {
    fn default() -> Self {
        Self {
            entries: moka::sync::Cache::builder()
                .max_capacity(CAPACITY_BYTES)
                .weigher(|key: &String, entry: &Arc<Entry>| {
                    (key.len() + entry.body.len())
                        .try_into()
                        .unwrap_or(u32::MAX)
                })
                .time_to_live(KEPT)
                .build(),
            generation: AtomicU64::new(0),
        }
    }
}

impl PublicReads {
    fn lookup(&self, key: &str) -> Option<Arc<Entry>> {
        self.entries.get(key).filter(|entry| {
            entry.generation == self.generation.load(Ordering::Acquire)
                && entry.fresh_until > Instant::now()
        })
    }

    /// Every cached answer is stale from now on.
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }

    /// Invalidates, and tells the other processes on the same PostgreSQL database.
    async fn invalidate_everywhere(&self, db: &DatabaseConnection) {
        self.invalidate();
        if db.get_database_backend() == sea_orm::DatabaseBackend::Postgres
            && let Err(error) = db.execute_unprepared(&format!("NOTIFY {CHANNEL}")).await
        {
            tracing::warn!(%error, "other processes not told of a write: their public reads stay up to {KEPT:?} old");
        }
    }

    /// On PostgreSQL, invalidates this process's cache whenever another one writes (or when
    /// the listening connection was lost, since a notification may have been missed then).
    pub fn listen(self: &Arc<Self>, db: &DatabaseConnection) {
        if db.get_database_backend() != sea_orm::DatabaseBackend::Postgres {
            return;
        }
        let pool = db.get_postgres_connection_pool().clone();
        let reads = Arc::clone(self);
        tokio::spawn(async move {
            loop {
                let mut listener = match sqlx::postgres::PgListener::connect_with(&pool).await {
                    Ok(listener) => listener,
                    Err(error) => {
                        tracing::warn!(%error, "cannot listen for other processes' writes; retrying");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                        continue;
                    }
                };
                if let Err(error) = listener.listen(CHANNEL).await {
                    tracing::warn!(%error, "cannot listen for other processes' writes; retrying");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
                reads.invalidate();
                // `try_recv` is `Ok(None)` when the connection was lost (and is reopened).
                while let Ok(notification) = listener.try_recv().await {
                    reads.invalidate();
                    if notification.is_none() {
                        break;
                    }
                }
            }
        });
    }
}

/// Middleware on the cached operations (inside `authorize`): answers from memory when it can.
/// Every answer varies with `Authorization` (a caller with a token may see more, drafts for
/// instance), so that no browser or shared cache gives the anonymous one to them.
pub async fn serve(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    let mut response = from_memory(request, next).await?;
    response
        .headers_mut()
        .append(header::VARY, HeaderValue::from_static("Authorization"));
    Ok(response)
}

async fn from_memory(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    let cached = request
        .match_name()
        .and_then(|operation| CACHED.iter().find(|(name, ..)| *name == operation))
        .copied();
    let state = request.app_data::<web::Data<AppState>>().cloned();
    let (Some((_, cache_control, kept)), Some(state)) = (cached, state) else {
        return Ok(next.call(request).await?.map_into_left_body());
    };
    if request.method() != Method::GET || request.headers().contains_key(header::AUTHORIZATION) {
        return Ok(next.call(request).await?.map_into_left_body());
    }
    // Answers are written in the caller's language (`http::language`).
    let key = format!(
        "{} {}",
        super::language::of(request.request()).tag(),
        request.uri()
    );
    let reads = &state.public_reads;
    if let Some(entry) = reads.lookup(&key) {
        let answer = answer(&entry, request.headers().get(header::IF_NONE_MATCH));
        return Ok(request.into_response(answer).map_into_right_body());
    }
    let generation = reads.generation.load(Ordering::Acquire);
    let response = next.call(request).await?;
    if response.status() != StatusCode::OK {
        return Ok(response.map_into_left_body());
    }
    let (request, response) = response.into_parts();
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .cloned()
        .unwrap_or(HeaderValue::from_static("application/json"));
    let body = body::to_bytes(response.into_body())
        .await
        .map_err(|_| actix_web::error::ErrorInternalServerError("unreadable answer"))?;
    let digest = hex::encode(&Sha256::digest(&body)[..16]);
    let entry = Arc::new(Entry {
        generation,
        fresh_until: Instant::now() + kept,
        // Weak: the same answer compressed or not is the same version.
        etag: HeaderValue::from_str(&format!("W/\"{digest}\"")).expect("hex is a valid header"),
        body,
        content_type,
        cache_control,
    });
    // Stored under the generation it was read in: stale at once if a write came meanwhile.
    reads.entries.insert(key, Arc::clone(&entry));
    let answer = answer(&entry, request.headers().get(header::IF_NONE_MATCH));
    Ok(ServiceResponse::new(request, answer).map_into_right_body())
}

/// `304` when the caller holds this version (`If-None-Match`, weak validators included),
/// the cached answer otherwise.
fn answer(entry: &Entry, if_none_match: Option<&HeaderValue>) -> HttpResponse {
    let holds_it = if_none_match
        .and_then(|value| value.to_str().ok())
        .is_some_and(|tags| {
            // Weak comparison (RFC 9110 §8.8.3.2), as If-None-Match asks.
            let version = opaque_tag(entry.etag.to_str().unwrap_or_default());
            tags.split(',')
                .map(str::trim)
                .any(|tag| tag == "*" || opaque_tag(tag) == version)
        });
    let mut answer = if holds_it {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    answer
        .insert_header((header::ETAG, entry.etag.clone()))
        .insert_header((header::CACHE_CONTROL, entry.cache_control));
    if holds_it {
        answer.finish()
    } else {
        answer
            .insert_header((header::CONTENT_TYPE, entry.content_type.clone()))
            .body(entry.body.clone())
    }
}

fn opaque_tag(tag: &str) -> &str {
    tag.strip_prefix("W/").unwrap_or(tag)
}

/// Middleware on the whole application: a successful write invalidates the cached reads.
pub async fn invalidate_on_write(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let read = [Method::GET, Method::HEAD, Method::OPTIONS].contains(request.method());
    let response = next.call(request).await?;
    let operation = response.request().match_name().unwrap_or_default();
    if !read
        && response.status().is_success()
        && !LEAVE_PUBLIC_READS.contains(&operation)
        && let Some(state) = response.request().app_data::<web::Data<AppState>>()
    {
        state.public_reads.invalidate_everywhere(&state.db).await;
    }
    Ok(response)
}

/// Documents, on each cached operation, its `ETag` and `Cache-Control` and the `304` answer.
pub fn document(openapi: &mut OpenApi) {
    let header = |description: &str| {
        HeaderBuilder::new()
            .schema(Some(utoipa::openapi::schema::Object::with_type(
                utoipa::openapi::schema::Type::String,
            )))
            .description(Some(description))
            .build()
    };
    for item in openapi.paths.paths.values_mut() {
        let Some(operation) = item.get.as_mut() else {
            continue;
        };
        let Some((_, cache_control, _)) = CACHED
            .iter()
            .find(|(name, ..)| Some(*name) == operation.operation_id.as_deref())
        else {
            continue;
        };
        if let Some(RefOr::T(ok)) = operation.responses.responses.get_mut("200") {
            ok.headers.insert(
                "ETag".into(),
                header("Version of this answer: send it back in `If-None-Match` to get a `304`")
                    .into(),
            );
            ok.headers.insert(
                "Cache-Control".into(),
                header(&format!("`{cache_control}`")).into(),
            );
        }
        let not_modified: Response = ResponseBuilder::new()
            .description("Unchanged since the version sent in `If-None-Match` (no body)")
            .header("ETag", header("Version of this answer"))
            .build();
        operation
            .responses
            .responses
            .insert("304".into(), RefOr::T(not_modified));
    }
}
