//! The binary: configuration errors, create-admin, audit verify, logs and graceful shutdown.
use std::{
    io::Write,
    process::{Command, Output, Stdio},
    time::Duration,
};

use prix_ceser::domain::Role;

use crate::helpers::*;

const BIN: &str = env!("CARGO_BIN_EXE_prix-ceser");

fn prix(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(BIN);
    command.args(args).current_dir(env!("CARGO_MANIFEST_DIR"));
    for variable in [
        "RUST_LOG",
        "PRIX_ENV",
        "PRIX_JWT_SECRET",
        "PRIX_VOTER_KEY",
        "PRIX_ADDR",
        "DATABASE_URL",
        "PRIX_ADMIN_PASSWORD",
    ] {
        command.env_remove(variable);
    }
    command.envs(env.iter().copied()).output().unwrap()
}

plain_test!(
    fn openapi_check_passes_on_the_committed_document() {
        let output = prix(&["openapi", "--check"], &[]);
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
);

plain_test!(
    fn bad_configuration_is_one_line_naming_the_variable() {
        for (variable, value, args) in [
            ("PRIX_ADDR", "nowhere", vec!["serve"]),
            ("PRIX_ENV", "staging", vec!["migrate", "status"]),
            ("PRIX_LOG_FORMAT", "xml", vec![]),
            ("RUST_LOG", "info,[[[", vec!["serve"]),
        ] {
            let output = prix(&args, &[(variable, value)]);
            assert!(!output.status.success(), "{variable}={value} should fail");
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert_eq!(stderr.lines().count(), 1, "{stderr}");
            assert!(stderr.contains(variable), "{stderr}");
        }
        let output = prix(&["serve"], &[("PRIX_ENV", "production")]);
        assert!(!output.status.success());
        assert!(
            String::from_utf8_lossy(&output.stderr)
                .contains("PRIX_JWT_SECRET: is required in production")
        );
        // Production never loads the demo, whose passwords are published.
        let production = [
            ("PRIX_ENV", "production"),
            ("PRIX_JWT_SECRET", "kP3x9QvL2mZr7TcW1yHs5NbF8dJg4AeU6oXi0Rw"),
            ("PRIX_VOTER_KEY", "Zt8qW2nR5vK9xB3mJ7cL1pH6sD4fG0aY2uE8iO5"),
            ("PRIX_SMTP_URL", "smtp://127.0.0.1:25"),
            (
                "PRIX_INVITATION_URL",
                "https://prix.example.fr/invitation?token=",
            ),
            (
                "PRIX_VERIFY_EMAIL_URL",
                "https://prix.example.fr/verify-email?token=",
            ),
            (
                "PRIX_PASSWORD_RESET_URL",
                "https://prix.example.fr/reset-password?token=",
            ),
            ("PRIX_BALLOT_URL", "https://prix.example.fr/vote?prize="),
            ("DATABASE_URL", "sqlite::memory:"),
        ];
        let output = prix(&["seed-demo"], &production);
        assert!(!output.status.success());
        assert!(String::from_utf8_lossy(&output.stderr).contains("never loaded in production"));
    }
);

plain_test!(
    fn passwords_are_never_taken_as_arguments() {
        let output = prix(
            &[
                "create-admin",
                "--email",
                "a@example.fr",
                "--password",
                "secret secret secret",
            ],
            &[],
        );
        assert!(!output.status.success());
    }
);

api_test!(async fn create_admin_then_log_in(app) {
    let from_env = prix(
        &["create-admin", "--email", "Root@Example.fr"],
        &[("DATABASE_URL", &app.database_url), ("PRIX_ADMIN_PASSWORD", "a strong admin password")],
    );
    assert!(from_env.status.success(), "{}", String::from_utf8_lossy(&from_env.stderr));

    let mut child = Command::new(BIN)
        .args(["create-admin", "--email", "second@example.fr"])
        .env("DATABASE_URL", &app.database_url)
        .env_remove("PRIX_ADMIN_PASSWORD")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"another strong password\n").unwrap();
    assert!(child.wait_with_output().unwrap().status.success());

    for (email, password) in [("root@example.fr", "a strong admin password"), ("second@example.fr", "another strong password")] {
        let response = app.login(email, password).await;
        assert_eq!(response.status(), 200, "{email}");
        let token = json(response).await["access_token"].as_str().unwrap().to_owned();
        let me = json(app.get("/api/v1/me").bearer_auth(token).send().await.unwrap()).await;
        assert_eq!(me["roles"], serde_json::json!(["admin"]));
    }

    let weak = prix(&["create-admin", "--email", "weak@example.fr"], &[("DATABASE_URL", &app.database_url), ("PRIX_ADMIN_PASSWORD", "short")]);
    assert!(!weak.status.success());
    let duplicate = prix(&["create-admin", "--email", "root@example.fr"], &[("DATABASE_URL", &app.database_url), ("PRIX_ADMIN_PASSWORD", "a strong admin password")]);
    assert!(!duplicate.status.success());
    assert!(String::from_utf8_lossy(&duplicate.stderr).contains("already exists"));
});

api_test!(async fn audit_verify_and_migrate_status(app) {
    app.create_user(&[Role::Applicant]).await;
    app.create_user(&[Role::Jury]).await;
    let env = [("DATABASE_URL", app.database_url.as_str())];
    let ok = prix(&["audit", "verify"], &env);
    assert!(ok.status.success());
    assert_eq!(String::from_utf8_lossy(&ok.stdout).trim(), "audit trail intact: 2 events verified");

    let status = prix(&["migrate", "status"], &env);
    let listing = String::from_utf8_lossy(&status.stdout);
    assert!(listing.lines().count() >= 3 && listing.lines().all(|line| line.starts_with("applied")), "{listing}");

    app.execute("UPDATE audit_events SET action = 'user.deleted' WHERE seq = 1").await;
    let broken = prix(&["audit", "verify"], &env);
    assert!(!broken.status.success());
    assert!(String::from_utf8_lossy(&broken.stderr).contains("audit chain broken at event 1"));
});

api_test!(async fn the_latest_migrations_roll_back_and_forward_keeping_the_data(app) {
    use serde_json::json;
    let organization = app.create_organization("ceser-migrations").await;
    let edition = app.create_edition(&organization, open_calendar()).await;
    let id = edition["id"].as_str().unwrap();
    let criteria = json!([{"key": "impact", "label_fr": "Impact social"}]);
    let saved = app.request(reqwest::Method::PUT, &format!("/api/v1/editions/{id}/criteria")).json(&criteria).bearer_auth(&organization.admin.token).send().await.unwrap();
    assert_eq!(saved.status(), 200);
    let env = [("DATABASE_URL", app.database_url.as_str())];
    // Down: the ballots' closing announcements and the auditions' sequence go; a criterion
    // without English takes its French label.
    for _ in 0..3 {
        let down = prix(&["migrate", "down"], &env);
        assert!(down.status.success(), "{}", String::from_utf8_lossy(&down.stderr));
    }
    let status = String::from_utf8_lossy(&prix(&["migrate", "status"], &env).stdout).into_owned();
    assert_eq!(status.lines().filter(|line| !line.starts_with("applied")).count(), 3, "{status}");
    let up = prix(&["migrate", "up"], &env);
    assert!(up.status.success(), "{}", String::from_utf8_lossy(&up.stderr));
    let read = json(app.get(&format!("/api/v1/editions/{id}")).bearer_auth(&organization.admin.token).send().await.unwrap()).await;
    assert_eq!((&read["criteria"][0]["label_fr"], &read["criteria"][0]["label_en"]), (&json!("Impact social"), &json!("Impact social")));
    // The unique key of an edition's criteria came back with the table.
    use sea_orm::{ConnectionTrait, Statement};
    let backend = app.db.get_database_backend();
    let sql = match backend {
        sea_orm::DbBackend::Sqlite => "SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'uq_criteria_edition_key'",
        _ => "SELECT indexname FROM pg_indexes WHERE indexname = 'uq_criteria_edition_key'",
    };
    let found = app.db.query_all_raw(Statement::from_string(backend, sql)).await.unwrap();
    assert_eq!(found.len(), 1);
});

plain_test!(
    /// The real binary: request ids on every log line, no secrets in logs, clean stop on SIGTERM.
    fn serve_logs_request_ids_without_secrets_and_stops_on_sigterm() {
        let dir = tempfile::tempdir().unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let database_url = format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("serve.db").display()
        );
        let log_path = dir.path().join("serve.log");
        let child = Command::new(BIN)
            .arg("serve")
            .env("DATABASE_URL", &database_url)
            .env("PRIX_ADDR", format!("127.0.0.1:{port}"))
            .env("PRIX_LOG_FORMAT", "json")
            .env("RUST_LOG", "debug")
            .env_remove("PRIX_JWT_SECRET")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log_path).unwrap())
            .spawn()
            .unwrap();
        let base = format!("http://127.0.0.1:{port}");
        let client = reqwest::Client::new();
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(async {
        for _ in 0..100 {
            if client.get(format!("{base}/health/live")).send().await.is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let body = serde_json::json!({"email": "log@example.fr", "password": "sup3r-secret-passw0rd", "display_name": "Log"});
        let response = client.post(format!("{base}/api/v1/auth/register")).json(&body).send().await.unwrap();
        assert_eq!(response.status(), 202);
        let login = serde_json::json!({"email": "log@example.fr", "password": "sup3r-secret-passw0rd"});
        let response = client.post(format!("{base}/api/v1/auth/token")).header("x-request-id", "req-login-1").json(&login).send().await.unwrap();
        let tokens: serde_json::Value = response.json().await.unwrap();
        let me = client.get(format!("{base}/api/v1/me")).bearer_auth(tokens["access_token"].as_str().unwrap()).send().await.unwrap();
        assert_eq!(me.status(), 200);
        std::fs::write(dir.path().join("tokens"), tokens.to_string()).unwrap();
    });
        let status = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let output = child.wait_with_output().unwrap();
        assert!(
            output.status.success(),
            "graceful stop exits 0: {:?}",
            output.status
        );

        let log = std::fs::read_to_string(&log_path).unwrap();
        let tokens: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.path().join("tokens")).unwrap())
                .unwrap();
        assert!(
            !log.contains("sup3r-secret-passw0rd"),
            "a password reached the log"
        );
        assert!(
            !log.contains(tokens["access_token"].as_str().unwrap()),
            "an access token reached the log"
        );
        assert!(
            !log.contains(tokens["refresh_token"].as_str().unwrap()),
            "a refresh token reached the log"
        );
        let login_lines: Vec<&str> = log
            .lines()
            .filter(|line| line.contains("\"/api/v1/auth/token\""))
            .collect();
        assert!(!login_lines.is_empty());
        assert!(
            login_lines
                .iter()
                .all(|line| line.contains("\"request_id\":\"req-login-1\"")),
            "{login_lines:?}"
        );
        assert!(
            log.contains("\"logged in\""),
            "events inside the request are logged with its span"
        );
        assert!(
            log.contains("\"stopped\""),
            "the server logs its graceful stop"
        );
    }
);
