//! Building the application: one factory for the server, the tests and the OpenAPI command.
use std::net::TcpListener;

use actix_cors::Cors;
use actix_web::{
    App, HttpServer,
    dev::{Server, ServiceFactory, ServiceRequest},
    http::{Method, header},
    middleware::{Condition, from_fn},
    web,
};
use sea_orm::DatabaseConnection;
use sha2::{Digest, Sha256};
use tracing_actix_web::TracingLogger;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

use crate::{
    auth::{JwtKeys, access::RouteTable},
    config::Settings,
    db,
    http::{
        self, extract,
        rate_limit::{IpRateLimiter, KeyedRateLimiter, StreamSlots},
        request_id,
    },
    openapi::ApiDoc,
    services::{
        attachments::Storage,
        ballots::BallotCache,
        live::LiveHub,
        mail::{self, Mailer},
    },
};

/// A venue may show the ceremony on several screens behind one address; more is abuse.
const LIVE_STREAMS_PER_ADDRESS: usize = 10;

/// Shared by every request.
pub struct AppState {
    pub db: DatabaseConnection,
    pub jwt: JwtKeys,
    pub settings: Settings,
    pub auth_limiter: IpRateLimiter,
    pub storage: Storage,
    /// Keys the voters' identities (derived from the JWT secret).
    pub voter_identity_key: Vec<u8>,
    pub voter_ip_limiter: IpRateLimiter,
    /// Code requests per voter address: 3 per 10 minutes.
    pub voter_address_limiter: KeyedRateLimiter<String>,
    /// Code requests per email domain (see `Settings::voter_codes_per_domain_per_hour`).
    pub voter_domain_limiter: KeyedRateLimiter<String>,
    /// Emails (confirmation, reset) sent to one address: 3 per 10 minutes.
    pub address_email_limiter: KeyedRateLimiter<String>,
    pub ballot_cache: BallotCache,
    pub live_hub: LiveHub,
    /// Live streams open at once per client address.
    pub live_slots: StreamSlots,
}

/// Registers the documented routes on `app`; returns the app and the OpenAPI document.
pub fn mount<T>(app: App<T>) -> (App<T>, utoipa::openapi::OpenApi)
where
    T: ServiceFactory<ServiceRequest, Config = (), Error = actix_web::Error, InitError = ()>,
{
    use utoipa::OpenApi;
    app.into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(http::routes)
        .split_for_parts()
}

fn cors(origins: &[String]) -> Cors {
    origins
        .iter()
        .fold(Cors::default(), |cors, origin| cors.allowed_origin(origin))
        .allowed_methods([
            Method::GET,
            Method::POST,
            Method::PATCH,
            Method::PUT,
            Method::DELETE,
        ])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::ACCEPT,
            header::ACCEPT_LANGUAGE,
            request_id::HEADER,
        ])
        .expose_headers([request_id::HEADER, header::RETRY_AFTER, header::LOCATION])
        .max_age(3600)
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
        Self::build_with_db(settings, db)
    }

    pub fn build_with_db(settings: Settings, db: DatabaseConnection) -> anyhow::Result<Self> {
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
        }
        let state = web::Data::new(AppState {
            jwt: JwtKeys::new(&settings.jwt_secret, settings.access_token_ttl),
            auth_limiter: IpRateLimiter::per_minute(settings.auth_rate_limit_per_minute),
            storage: Storage::new(settings.storage_dir.clone()),
            voter_identity_key: Sha256::digest(
                [
                    b"prix-ceser voter identity:".as_slice(),
                    &settings.jwt_secret,
                ]
                .concat(),
            )
            .to_vec(),
            voter_ip_limiter: IpRateLimiter::per_minute(settings.voter_rate_limit_per_minute),
            voter_address_limiter: KeyedRateLimiter::per_period(
                3,
                std::time::Duration::from_secs(600),
            ),
            voter_domain_limiter: KeyedRateLimiter::per_period(
                settings.voter_codes_per_domain_per_hour,
                std::time::Duration::from_secs(3600),
            ),
            address_email_limiter: KeyedRateLimiter::per_period(
                3,
                std::time::Duration::from_secs(600),
            ),
            ballot_cache: BallotCache::default(),
            live_hub: LiveHub::default(),
            live_slots: StreamSlots::new(LIVE_STREAMS_PER_ADDRESS),
            db,
            settings,
        });
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
                .wrap(Condition::new(
                    !settings.cors_origins.is_empty(),
                    cors(&settings.cors_origins),
                ))
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
