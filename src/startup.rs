//! Building the application: one factory for the server, the tests and the OpenAPI command.
use std::net::TcpListener;

use actix_web::{
    App, HttpServer,
    dev::{Server, ServiceFactory, ServiceRequest},
    middleware::{Compress, from_fn},
    web,
};
use sea_orm::DatabaseConnection;
use tracing_actix_web::TracingLogger;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

use crate::{
    auth::access::RouteTable,
    config::Settings,
    db,
    domain::{voter::VoterKeys, webhook::SecretSeal},
    http::{self, extract, rate_limit::SharedLimits, request_id},
    openapi::ApiDoc,
    services::{
        mail::{self, Mailer},
        schedule, webhooks,
    },
    state::AppState,
};

/// Registers the documented routes on `app`; returns the app and the OpenAPI document.
pub fn mount<T>(app: App<T>) -> (App<T>, utoipa::openapi::OpenApi)
where
    T: ServiceFactory<ServiceRequest, Config = (), Error = actix_web::Error, InitError = ()>,
{
    use utoipa::OpenApi;
    let (app, mut document) = app
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(http::routes)
        .split_for_parts();
    http::problem_codes::document(&mut document);
    http::public_cache::document(&mut document);
    crate::auth::policy::document(&mut document);
    http::document_headers(&mut document);
    crate::openapi::reference_page_items(&mut document);
    crate::openapi::require_answer_fields(&mut document);
    crate::openapi::document_bounded_lists(&mut document);
    (app, document)
}

pub struct Application {
    port: u16,
    server: Server,
}

impl Application {
    /// Connects, migrates and binds; `PRIX_ADDR` with port 0 picks a free port (tests).
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let db = db::connect(&settings.database_url).await?;
        db::migrate(&db).await?;
        let keys = VoterKeys::derive(&crate::state::voter_key(&settings)?);
        let keyed = crate::services::ballots::key_participation(&db, &keys).await?;
        let sealed = crate::services::ballots::seal_choices(&db, &keys).await?;
        if keyed + sealed > 0 {
            tracing::info!(
                keyed,
                sealed,
                "votes of an earlier version secured with the voter key"
            );
        }
        let shared_limits = SharedLimits::configured(&settings).await?;
        Self::build_with_db(settings, db, keys, shared_limits)
    }

    pub fn build_with_db(
        settings: Settings,
        db: DatabaseConnection,
        voter_keys: VoterKeys,
        shared_limits: Option<SharedLimits>,
    ) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(settings.addr)?;
        let port = listener.local_addr()?.port();
        let (_, document) = mount(App::new());
        let routes =
            web::Data::new(RouteTable::from_openapi(&document).map_err(anyhow::Error::msg)?);
        let workers = settings.workers;
        if settings.outbox_worker {
            mail::spawn_worker(
                db.clone(),
                Mailer::new(settings.smtp_url.as_deref(), &settings.mail_from)?,
            );
            schedule::spawn_worker(db.clone(), schedule::Schedule::of(&settings));
            webhooks::spawn_worker(
                db.clone(),
                webhooks::Sender::new(
                    settings.webhook_private_destinations,
                    settings.webhook_retry_base,
                    SecretSeal::new(&voter_keys.webhook_secrets),
                )?,
            );
        }
        let state = web::Data::new(AppState::new(settings, db, voter_keys, shared_limits));
        state.public_reads.listen(&state.db);
        let mut server = HttpServer::new(move || {
            let settings = &state.settings;
            let (app, document) = mount(
                App::new()
                    .app_data(state.clone())
                    .app_data(routes.clone())
                    .app_data(extract::json_config(settings.max_body_bytes))
                    .app_data(extract::path_config()),
            );
            app.service(web::redirect("/docs", "/docs/"))
                .service(SwaggerUi::new("/docs/{_:.*}").url("/api-docs/openapi.json", document))
                .default_service(web::to(http::fallback))
                .wrap(from_fn(http::head_as_get))
                .wrap(from_fn(http::public_cache::invalidate_on_write))
                // Inside compression: a problem document is rendered again before it is compressed.
                .wrap(from_fn(http::language::negotiate))
                // gzip, brotli or zstd, as the caller's Accept-Encoding asks.
                .wrap(Compress::default())
                .wrap(from_fn(http::cors::apply))
                .wrap(TracingLogger::<request_id::RequestSpan>::new())
                .wrap(from_fn(request_id::propagate))
                .wrap(from_fn(http::security_headers::apply))
        })
        .listen(listener)?
        .shutdown_timeout(20);
        if let Some(workers) = workers {
            server = server.workers(workers);
        }
        Ok(Self {
            port,
            server: server.run(),
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until SIGINT/SIGTERM, then finishes in-flight requests (graceful shutdown).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}
