use std::{
    collections::HashMap,
    path::{Path, PathBuf},
    time::Duration,
};

use prix_ceser::{
    auth::JwtKeys,
    config::Settings,
    db,
    domain::{DisplayName, Email, Password, Role, voter::VoterKeys},
    http::rate_limit::SharedLimits,
    services::accounts::{self, NewAccount},
    startup::Application,
};
use reqwest::{Method, RequestBuilder, Response};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection};
use serde_json::Value;
use sha2::{Digest, Sha256};
use tokio::sync::OnceCell;
use uuid::Uuid;

pub const TEST_SECRET: &str = "test secret of at least thirty-two bytes";
pub const TEST_VOTER_KEY: &str = "a test voter key, other than the JWT secret";
pub const PASSWORD: &str = "correct horse battery staple";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// One test of the suite, registered by [`api_test!`] or [`plain_test!`] and run by the
/// harness in `main.rs`.
pub struct ApiTest {
    /// `module::test::backend`, as filters and reports show it.
    pub name: &'static str,
    pub run: fn(),
}

inventory::collect!(ApiTest);

/// Runs a test's future as `#[tokio::test]` would: on its own single-threaded runtime.
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
        .block_on(future)
}

/// Registers a test that needs no server (`async` ones get a runtime).
macro_rules! plain_test {
    ($(#[$attribute:meta])* async fn $name:ident() $body:block) => {
        plain_test!($(#[$attribute])* fn $name() { crate::helpers::block_on(async $body) });
    };
    ($(#[$attribute:meta])* fn $name:ident() $body:block) => {
        $(#[$attribute])*
        fn $name() $body
        inventory::submit! {
            crate::helpers::ApiTest { name: concat!(module_path!(), "::", stringify!($name)), run: $name }
        }
    };
}

/// Runs a test body on SQLite, and on PostgreSQL when `TEST_POSTGRES_URL` is set.
/// `env [..]` overrides configuration variables for that test's server.
macro_rules! api_test {
    (async fn $name:ident($app:ident) $body:block) => {
        api_test!(async fn $name($app) env [] $body);
    };
    (async fn $name:ident($app:ident) env [$($key:literal = $value:literal),*] $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            use crate::helpers::{Backend, TestApp, spawn_app};

            const ENV: &[(&str, &str)] = &[$(($key, $value)),*];

            async fn run($app: TestApp) $body

            plain_test!(async fn sqlite() {
                run(spawn_app(Backend::Sqlite, ENV).await.expect("SQLite is always available")).await;
            });

            plain_test!(async fn postgres() {
                match spawn_app(Backend::Postgres, ENV).await {
                    Some(app) => run(app).await,
                    None => eprintln!("TEST_POSTGRES_URL is not set: PostgreSQL run skipped"),
                }
            });
        }
    };
}

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub db: DatabaseConnection,
    pub database_url: String,
    /// Where this server stores attachments.
    pub storage_dir: PathBuf,
    /// The keys this server seals and counts votes with.
    pub voter_keys: VoterKeys,
    jwt: JwtKeys,
    _database: Option<TestDatabase>,
    _files: tempfile::TempDir,
}

/// A user made directly through the service layer, with a ready access token.
pub struct TestUser {
    pub id: Uuid,
    pub email: String,
    pub token: String,
}

pub async fn spawn_app(backend: Backend, env: &[(&str, &str)]) -> Option<TestApp> {
    let database = TestDatabase::on(backend).await?;
    let url = database.url.clone();
    Some(serve(&url, Some(database), env).await)
}

impl TestApp {
    /// Another server process's stand-in: a second server on this one's database.
    pub async fn another_server(&self, env: &[(&str, &str)]) -> TestApp {
        serve(&self.database_url, None, env).await
    }
}

/// Starts a server on the database at `url`; `database`, when given, is dropped with it.
async fn serve(url: &str, database: Option<TestDatabase>, env: &[(&str, &str)]) -> TestApp {
    let mut vars: HashMap<String, String> = [
        ("PRIX_ADDR", "127.0.0.1:0"),
        ("PRIX_JWT_SECRET", TEST_SECRET),
        ("PRIX_VOTER_KEY", TEST_VOTER_KEY),
        ("PRIX_WORKERS", "2"),
        ("PRIX_AUTH_RATE_LIMIT", "10000"),
        // Tests read emails from the outbox, then deliver them themselves when they need to:
        // a delivered message keeps neither its address nor its content.
        ("PRIX_OUTBOX_WORKER", "false"),
    ]
    .into_iter()
    .chain(env.iter().copied())
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    vars.insert("DATABASE_URL".into(), url.to_owned());
    let files = tempfile::tempdir().unwrap();
    vars.entry("PRIX_STORAGE_DIR".into())
        .or_insert_with(|| files.path().display().to_string());
    let settings =
        Settings::from_lookup(|name| vars.get(name).cloned()).expect("valid test settings");
    let jwt = JwtKeys::new(&settings.jwt_secret, settings.access_token_ttl);
    let db = db::connect(url)
        .await
        .expect("connect to the test database");
    let shared_limits = SharedLimits::configured(&settings)
        .await
        .expect("Redis reachable");
    let voter_keys = VoterKeys::derive(&prix_ceser::state::voter_key(&settings).unwrap());
    let application =
        Application::build_with_db(settings, db.clone(), voter_keys.clone(), shared_limits)
            .expect("build the application");
    let port = application.port();
    tokio::spawn(application.run_until_stopped());
    TestApp {
        address: format!("http://127.0.0.1:{port}"),
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(60))
            .build()
            .unwrap(),
        db,
        database_url: url.to_owned(),
        storage_dir: PathBuf::from(&vars["PRIX_STORAGE_DIR"]),
        voter_keys,
        jwt,
        _database: database,
        _files: files,
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.client.request(method, self.url(path))
    }

    pub fn get(&self, path: &str) -> RequestBuilder {
        self.request(Method::GET, path)
    }

    pub fn post(&self, path: &str, body: &Value) -> RequestBuilder {
        self.request(Method::POST, path).json(body)
    }

    pub fn patch(&self, path: &str, body: &Value) -> RequestBuilder {
        self.request(Method::PATCH, path).json(body)
    }

    /// Creates an account with these roles, without going through HTTP.
    pub async fn create_user(&self, roles: &[Role]) -> TestUser {
        self.create_account(roles, false).await
    }

    /// An admin who manages every organization.
    pub async fn create_platform_admin(&self) -> TestUser {
        self.create_account(&[Role::Admin], true).await
    }

    async fn create_account(&self, roles: &[Role], platform_admin: bool) -> TestUser {
        let email = format!("{}@example.fr", Uuid::new_v4().simple());
        let account = accounts::create(
            &self.db,
            None,
            NewAccount {
                email: Email::parse(&email).unwrap(),
                password: Password::parse(PASSWORD).unwrap(),
                display_name: DisplayName::parse("Test User").unwrap(),
                roles: roles.to_vec(),
                platform_admin,
                email_verified: true,
                language: Default::default(),
            },
        )
        .await
        .expect("create the test user");
        TestUser {
            id: account.id,
            email,
            token: self.token_for(account.id, roles),
        }
    }

    /// A valid access token signed with the test secret.
    pub fn token_for(&self, id: Uuid, roles: &[Role]) -> String {
        self.jwt.issue(id, roles).unwrap()
    }

    /// A public voter token for `prize`, as the confirmation endpoint issues them: a new voter.
    pub fn new_voter_token(&self, prize: &str) -> String {
        self.jwt
            .issue_voter(Uuid::new_v4(), prize.parse().unwrap())
            .unwrap()
    }

    pub async fn login(&self, email: &str, password: &str) -> Response {
        self.post(
            "/api/v1/auth/token",
            &serde_json::json!({"email": email, "password": password}),
        )
        .send()
        .await
        .unwrap()
    }

    /// The access token of a login that must succeed.
    pub async fn login_token(&self, email: &str, password: &str) -> String {
        let response = self.login(email, password).await;
        assert_eq!(response.status(), 200, "{email}");
        json(response).await["access_token"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// Files in the attachment storage folder (uploads in progress included).
    pub fn stored_files(&self) -> Vec<PathBuf> {
        fn walk(dir: &Path, found: &mut Vec<PathBuf>) {
            for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                if entry.path().is_dir() {
                    walk(&entry.path(), found);
                } else {
                    found.push(entry.path());
                }
            }
        }
        let mut found = Vec::new();
        walk(&self.storage_dir, &mut found);
        found
    }

    pub async fn execute(&self, sql: &str) {
        self.db.execute_unprepared(sql).await.expect("test SQL");
    }
}

/// Reads a JSON body, failing with the status and text when it is not JSON.
pub async fn json(response: Response) -> Value {
    let status = response.status();
    let text = response.text().await.unwrap();
    serde_json::from_str(&text)
        .unwrap_or_else(|_| panic!("status {status}: body is not JSON: {text}"))
}

/// Asserts the status and the problem's `code`, and returns the problem.
pub async fn assert_problem(response: Response, status: u16, code: &str) -> Value {
    assert_eq!(
        response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/problem+json")
    );
    let actual = response.status().as_u16();
    let problem = json(response).await;
    assert_eq!(
        (actual, problem["code"].as_str().unwrap_or_default()),
        (status, code),
        "{problem}"
    );
    assert_eq!(problem["status"], status);
    problem
}

/// A database of its own for one test, copied from a migrated template.
pub struct TestDatabase {
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Directory(#[allow(dead_code)] tempfile::TempDir),
    PostgresDatabase { admin_url: String, name: String },
}

static SQLITE_TEMPLATE: OnceCell<PathBuf> = OnceCell::const_new();
static POSTGRES_TEMPLATE: OnceCell<String> = OnceCell::const_new();

/// Identifies the schema: a changed migration gives a new template.
fn schema_fingerprint() -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("migration/src");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    files.sort();
    let mut hasher = Sha256::new();
    for file in files {
        hasher.update(std::fs::read(file).unwrap());
    }
    hex::encode(&hasher.finalize()[..6])
}

impl TestDatabase {
    /// A fresh database on `backend`; `None` for PostgreSQL without `TEST_POSTGRES_URL`.
    pub async fn on(backend: Backend) -> Option<Self> {
        match backend {
            Backend::Sqlite => Some(Self::sqlite().await),
            Backend::Postgres => Self::postgres().await,
        }
    }

    async fn sqlite() -> Self {
        let template = SQLITE_TEMPLATE
            .get_or_init(|| async {
                let dir = std::env::temp_dir()
                    .join(format!("prix-ceser-template-{}", std::process::id()));
                std::fs::create_dir_all(&dir).unwrap();
                let path = dir.join("template.db");
                let _ = std::fs::remove_file(&path);
                let db = db::connect(&format!("sqlite://{}?mode=rwc", path.display()))
                    .await
                    .unwrap();
                db::migrate(&db).await.unwrap();
                db.execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)")
                    .await
                    .unwrap();
                db.close().await.unwrap();
                path
            })
            .await;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("test.db");
        std::fs::copy(template, &path).unwrap();
        Self {
            url: format!("sqlite://{}?mode=rwc", path.display()),
            cleanup: Cleanup::Directory(dir),
        }
    }

    async fn postgres() -> Option<Self> {
        let admin_url = std::env::var("TEST_POSTGRES_URL")
            .ok()
            .filter(|url| !url.is_empty())?;
        let template = POSTGRES_TEMPLATE
            .get_or_init(|| create_postgres_template(admin_url.clone()))
            .await;
        let name = format!("prix_test_{}", Uuid::new_v4().simple());
        let admin = admin_connection(&admin_url).await;
        // Concurrent clones of one template can collide briefly; retry.
        let mut attempt = 0;
        while let Err(error) = admin
            .execute_unprepared(&format!("CREATE DATABASE {name} TEMPLATE {template}"))
            .await
        {
            attempt += 1;
            assert!(attempt < 20, "cannot create a test database: {error}");
            tokio::time::sleep(Duration::from_millis(100 * attempt)).await;
        }
        admin.close().await.unwrap();
        Some(Self {
            url: database_url(&admin_url, &name),
            cleanup: Cleanup::PostgresDatabase { admin_url, name },
        })
    }
}

/// One connection, so that session-level statements (advisory locks) stay on it.
fn single_connection(url: &str) -> ConnectOptions {
    let mut options = ConnectOptions::new(url);
    options.max_connections(1).sqlx_logging(false);
    options
}

async fn admin_connection(url: &str) -> DatabaseConnection {
    Database::connect(single_connection(url))
        .await
        .expect("TEST_POSTGRES_URL must be reachable")
}

fn database_url(admin_url: &str, name: &str) -> String {
    let (base, query) = admin_url
        .split_once('?')
        .map_or((admin_url, None), |(b, q)| (b, Some(q)));
    let (server, _) = base
        .rsplit_once('/')
        .expect("TEST_POSTGRES_URL ends with /database");
    match query {
        Some(query) => format!("{server}/{name}?{query}"),
        None => format!("{server}/{name}"),
    }
}

/// Creates (once per schema) the migrated template; other test processes may race for it.
async fn create_postgres_template(admin_url: String) -> String {
    let name = format!("prix_template_{}", schema_fingerprint());
    let admin = admin_connection(&admin_url).await;
    admin
        .execute_unprepared("SELECT pg_advisory_lock(424242)")
        .await
        .unwrap();
    let exists = admin
        .query_one_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Postgres,
            format!("SELECT 1 FROM pg_database WHERE datname = '{name}'"),
        ))
        .await
        .unwrap()
        .is_some();
    if !exists {
        let building = format!("{name}_building");
        admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS {building}"))
            .await
            .unwrap();
        admin
            .execute_unprepared(&format!("CREATE DATABASE {building}"))
            .await
            .unwrap();
        let db = db::connect(&database_url(&admin_url, &building))
            .await
            .unwrap();
        db::migrate(&db).await.unwrap();
        db.close().await.unwrap();
        admin
            .execute_unprepared(&format!("ALTER DATABASE {building} RENAME TO {name}"))
            .await
            .unwrap();
    }
    admin
        .execute_unprepared("SELECT pg_advisory_unlock(424242)")
        .await
        .unwrap();
    admin.close().await.unwrap();
    name
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Cleanup::PostgresDatabase { admin_url, name } = &self.cleanup {
            let (admin_url, name) = (admin_url.clone(), name.clone());
            // Drop runs inside the test's runtime: do the async cleanup on a thread of its own.
            let _ = std::thread::spawn(move || {
                tokio::runtime::Runtime::new().unwrap().block_on(async {
                    if let Ok(admin) = Database::connect(single_connection(&admin_url)).await {
                        let _ = admin
                            .execute_unprepared(&format!(
                                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                            ))
                            .await;
                        let _ = admin.close().await;
                    }
                })
            })
            .join();
        }
    }
}

/// The departements of Auvergne-Rhône-Alpes.
pub const ARA: [&str; 12] = [
    "01", "03", "07", "15", "26", "38", "42", "43", "63", "69", "73", "74",
];

/// An organization made by a platform admin, and an admin of its staff.
pub struct TestOrganization {
    pub id: String,
    pub admin: TestUser,
}

impl TestApp {
    pub async fn create_organization(&self, short_name: &str) -> TestOrganization {
        let platform = self.create_platform_admin().await;
        let body = serde_json::json!({
            "short_name": short_name, "name": format!("CESER {short_name}"), "region": "Auvergne-Rhône-Alpes",
            "default_departements": ARA, "contact_email": "prix@example.fr",
            "postal_addresses": ["125 rue Smith, 69285 Lyon cedex 02"]
        });
        let response = self
            .post("/api/v1/organizations", &body)
            .bearer_auth(&platform.token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
        let id = json(response).await["id"].as_str().unwrap().to_owned();
        let admin = self.create_user(&[Role::Admin]).await;
        let added = self
            .request(
                Method::PUT,
                &format!("/api/v1/organizations/{id}/admins/{}", admin.id),
            )
            .bearer_auth(&platform.token)
            .send()
            .await
            .unwrap();
        assert_eq!(added.status(), 204);
        // The four colleges of a CESER, named as the tests put councillors in them.
        for college in COLLEGES {
            let created = self
                .post(
                    &format!("/api/v1/organizations/{id}/colleges"),
                    &serde_json::json!({ "name": college }),
                )
                .bearer_auth(&admin.token)
                .send()
                .await
                .unwrap();
            assert_eq!(created.status(), 201);
        }
        TestOrganization { id, admin }
    }

    /// The 6th edition in draft, with the given calendar.
    pub async fn create_edition(&self, organization: &TestOrganization, calendar: Value) -> Value {
        self.create_numbered_edition(organization, 6, calendar)
            .await
    }

    pub async fn create_numbered_edition(
        &self,
        organization: &TestOrganization,
        number: i32,
        calendar: Value,
    ) -> Value {
        let body = serde_json::json!({
            "number": number, "year": 2026, "title": "Prix du CESER 2026",
            "action_window": {"start": "2024-01-01", "end": "2025-12-31"},
            "calendar": calendar,
            "prizes": [
                {"kind": "councillors", "name": "Prix des conseillers du CESER"},
                {"kind": "jury", "name": "Prix du jury"},
                {"kind": "public", "name": "Prix du public"}
            ]
        });
        let response = self
            .post(
                &format!("/api/v1/organizations/{}/editions", organization.id),
                &body,
            )
            .bearer_auth(&organization.admin.token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
        json(response).await
    }

    /// An edition whose applications are open now.
    pub async fn open_edition(&self, organization: &TestOrganization) -> Value {
        static NUMBER: std::sync::atomic::AtomicI32 = std::sync::atomic::AtomicI32::new(100);
        let number = NUMBER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let edition = self
            .create_numbered_edition(organization, number, open_calendar())
            .await;
        let response = self
            .post(
                &format!(
                    "/api/v1/editions/{}/transitions",
                    edition["id"].as_str().unwrap()
                ),
                &serde_json::json!({"to": "applications_open"}),
            )
            .bearer_auth(&organization.admin.token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        json(response).await
    }
}

/// The colleges of every test organization.
pub const COLLEGES: [&str; 4] = ["Collège 1", "Collège 2", "Collège 3", "Collège 4"];

/// A calendar whose application phase includes today.
pub fn open_calendar() -> Value {
    serde_json::json!({
        "applications_open_on": "2026-01-01", "applications_deadline": "2099-06-08",
        "selection_on": "2099-06-25", "audition_on": "2099-11-04", "ceremony_on": "2099-12-14"
    })
}

/// The 6th edition's real calendar: its deadline has passed.
pub fn sixth_edition_calendar() -> Value {
    serde_json::json!({
        "applications_open_on": "2026-03-31", "applications_deadline": "2026-06-08",
        "selection_on": "2026-06-25", "audition_on": "2026-11-04", "ceremony_on": "2026-12-14"
    })
}

impl TestApp {
    /// Sends `method target` exactly as written, byte for byte, as a proxy or a hand-written
    /// client may (a client library would normalise the path first); returns the status and
    /// the response head.
    pub async fn raw_request(
        &self,
        method: &str,
        target: &str,
        token: Option<&str>,
    ) -> (u16, String) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let host = self.address.trim_start_matches("http://");
        let mut stream = tokio::net::TcpStream::connect(host).await.unwrap();
        let mut head =
            format!("{method} {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
        if let Some(token) = token {
            head.push_str(&format!("Authorization: Bearer {token}\r\n"));
        }
        let body = if ["POST", "PUT", "PATCH"].contains(&method) {
            "{}"
        } else {
            ""
        };
        if !body.is_empty() {
            head.push_str("Content-Type: application/json\r\n");
        }
        head.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
        stream.write_all(head.as_bytes()).await.unwrap();
        let mut response = Vec::new();
        stream.read_to_end(&mut response).await.unwrap();
        let response = String::from_utf8_lossy(&response);
        let head = response
            .split("\r\n\r\n")
            .next()
            .unwrap_or_default()
            .to_owned();
        let status = head
            .split(' ')
            .nth(1)
            .and_then(|code| code.parse().ok())
            .unwrap_or_else(|| panic!("no status line in {head:?}"));
        (status, head)
    }
}

impl TestApp {
    /// Puts an existing account on the organization's roster as the API allows it: staff
    /// import its address, and its holder accepts the emailed invitation while logged in.
    pub async fn join_roster(
        &self,
        organization: &TestOrganization,
        user: &TestUser,
        college: &str,
    ) {
        let imported = self
            .request(
                Method::POST,
                &format!(
                    "/api/v1/organizations/{}/councillors/import",
                    organization.id
                ),
            )
            .header("content-type", "text/csv")
            .body(format!(
                "email,name,college\n{},Conseiller,{college}\n",
                user.email
            ))
            .bearer_auth(&organization.admin.token)
            .send()
            .await
            .unwrap();
        assert_eq!(imported.status(), 200);
        let invitation = self
            .outbox()
            .await
            .pop()
            .expect("an invitation was emailed");
        let token = link_token(&invitation.body, "/invitation?token=").unwrap();
        let accepted = self
            .post(
                "/api/v1/auth/invitations/accept",
                &serde_json::json!({"token": token}),
            )
            .bearer_auth(&user.token)
            .send()
            .await
            .unwrap();
        assert_eq!(accepted.status(), 204);
    }
}

impl TestApp {
    /// The emails queued so far, oldest first. Tests run without the outbox worker, so they
    /// read them here, as the log or the mailbox would show them.
    /// Every receipt hash of a ballot's count, page after page, as `token` may read them.
    pub async fn receipt_hashes(&self, prize: &str, token: Option<&str>) -> Vec<String> {
        receipt_hashes(
            &self.client,
            &format!("{}/api/v1", self.address),
            prize,
            token,
        )
        .await
    }

    pub async fn outbox(&self) -> Vec<prix_ceser::entities::outbox_message::Model> {
        use prix_ceser::entities::outbox_message;
        use sea_orm::{EntityTrait, QueryOrder};
        outbox_message::Entity::find()
            .order_by_asc(outbox_message::Column::Id)
            .all(&self.db)
            .await
            .unwrap()
    }
}

/// The token of a link in an email's body: what follows `page` up to the first blank.
pub fn link_token(body: &str, page: &str) -> Option<String> {
    body.split(page)
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .map(str::to_owned)
}

/// A documented path with fresh ids for its parameters: a resource that does not exist, so
/// that the rule must be applied before anything else.
pub fn with_new_ids(path: &str) -> String {
    path.split('/')
        .map(|segment| {
            if segment.starts_with('{') {
                uuid::Uuid::new_v4().to_string()
            } else {
                segment.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// The id of an edition's prize of this kind (`public`, `councillors`…), from its JSON.
pub fn prize_of_kind(edition: &Value, kind: &str) -> String {
    edition["prizes"]
        .as_array()
        .expect("an edition lists its prizes")
        .iter()
        .find(|prize| prize["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind} prize"))["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Every receipt hash of a ballot's count from the API at `base`, following `next_cursor`.
pub async fn receipt_hashes(
    client: &reqwest::Client,
    base: &str,
    prize: &str,
    token: Option<&str>,
) -> Vec<String> {
    let mut hashes = Vec::new();
    let mut cursor = String::new();
    loop {
        let mut request = client.get(format!(
            "{base}/prizes/{prize}/results/receipts?limit=200&cursor={cursor}"
        ));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let page = json(request.send().await.unwrap()).await;
        hashes.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|hash| hash.as_str().unwrap().to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(next) => cursor = next.to_owned(),
            None => return hashes,
        }
    }
}
