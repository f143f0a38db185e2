//! Whoever holds a copy of the database, without the server's secrets, cannot tell what anyone
//! voted: the rows the votes write hold no candidate, no account and no address in clear.
use std::collections::HashSet;

use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::json;

use crate::{
    ballots::{ceremony, councillors, staff, vote},
    helpers::*,
    public_vote::voter_token,
};

/// Every row of a copy of the database, as text, each prefixed with its table.
async fn copy_rows(app: &TestApp) -> HashSet<String> {
    match app.db.get_database_backend() {
        DbBackend::Postgres => postgres_dump(&app.database_url),
        _ => sqlite_copy(app).await,
    }
}

/// `pg_dump`, as an administrator would take it: each data line of each table's `COPY`.
fn postgres_dump(url: &str) -> HashSet<String> {
    let output = std::process::Command::new("pg_dump")
        .args(["--data-only", "--no-owner", url])
        .output()
        .expect("pg_dump");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut rows = HashSet::new();
    let mut table = None;
    for line in String::from_utf8(output.stdout).unwrap().lines() {
        if let Some(copy) = line.strip_prefix("COPY ") {
            table = copy.split_whitespace().next().map(str::to_owned);
        } else if line == "\\." {
            table = None;
        } else if let Some(table) = &table {
            rows.insert(format!("{table}: {line}"));
        }
    }
    rows
}

/// The file copied while the server runs (`VACUUM INTO`), then read with SQLite itself:
/// blobs as `X'…'`, as a curious administrator would list them.
async fn sqlite_copy(app: &TestApp) -> HashSet<String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("copy.db");
    app.execute(&format!("VACUUM INTO '{}'", path.display()))
        .await;
    let copy = prix_ceser::db::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    let query = |sql: String| {
        let copy = copy.clone();
        async move {
            copy.query_all_raw(Statement::from_string(DbBackend::Sqlite, sql))
                .await
                .unwrap()
        }
    };
    let mut rows = HashSet::new();
    let tables = query("SELECT name FROM sqlite_master WHERE type = 'table'".into()).await;
    for table in tables {
        let table: String = table.try_get("", "name").unwrap();
        let columns: Vec<String> = query(format!("SELECT name FROM pragma_table_info('{table}')"))
            .await
            .iter()
            .map(|column| {
                format!(
                    "quote(\"{}\")",
                    column.try_get::<String>("", "name").unwrap()
                )
            })
            .collect();
        let sql = format!(
            "SELECT {} AS row FROM \"{table}\"",
            columns.join(" || '|' || ")
        );
        for row in query(sql).await {
            rows.insert(format!(
                "{table}: {}",
                row.try_get::<String>("", "row").unwrap()
            ));
        }
    }
    copy.close().await.unwrap();
    rows
}

/// The forms an id takes in a copy: text with or without dashes, blob or bytea hex, any case.
fn forms(id: &str) -> Vec<String> {
    let simple = id.replace('-', "");
    vec![
        id.to_lowercase(),
        id.to_uppercase(),
        simple.to_lowercase(),
        simple.to_uppercase(),
    ]
}

/// The rows the votes wrote (those not in `before`) name nothing in `secrets`.
fn assert_nothing_in_clear(before: &HashSet<String>, after: &HashSet<String>, secrets: &[String]) {
    let written: Vec<&String> = after.difference(before).collect();
    assert!(!written.is_empty(), "the votes wrote no row");
    for row in written {
        for secret in secrets {
            assert!(!row.contains(secret.as_str()), "{secret} in clear in {row}");
        }
    }
}

api_test!(async fn a_copy_of_the_database_does_not_tell_what_anyone_voted(app) {
    let (run, councillors_prize) = ceremony(&app).await;
    let edition = json(app.get(&format!("/api/v1/editions/{}", run.edition)).send().await.unwrap()).await;
    let public_prize = crate::helpers::prize_of_kind(&edition, "public");
    let voters = councillors(&app, &run, 3).await;
    staff(&app, &run, "ballot/open", &councillors_prize).await;
    staff(&app, &run, "ballot/open", &public_prize).await;
    let address = "electrice.secrete@example.org";
    let public_voter = voter_token(&app, &public_prize, address).await;

    let before = copy_rows(&app).await;
    for (voter, file) in voters.iter().zip(&run.files) {
        assert_eq!(vote(&app, &councillors_prize, voter, file).await.status(), 201);
    }
    let voted = app
        .post(&format!("/api/v1/prizes/{public_prize}/votes"), &json!({"application_id": run.files[3]}))
        .bearer_auth(&public_voter)
        .send()
        .await
        .unwrap();
    assert_eq!(voted.status(), 201);

    let mut secrets: Vec<String> = run.files[..5].iter().flat_map(|file| forms(file)).collect();
    secrets.extend(voters.iter().flat_map(|voter| forms(&voter.id.to_string())));
    secrets.extend([address.to_owned(), "electrice.secrete".to_owned()]);
    // While the ballots are open…
    assert_nothing_in_clear(&before, &copy_rows(&app).await, &secrets);
    // …and once they are closed (the count is made in memory, and stored only when published).
    staff(&app, &run, "ballot/close", &councillors_prize).await;
    staff(&app, &run, "ballot/close", &public_prize).await;
    let results = app
        .get(&format!("/api/v1/prizes/{councillors_prize}/results"))
        .bearer_auth(&run.organization.admin.token)
        .send()
        .await
        .unwrap();
    assert_eq!(json(results).await["tally"]["turnout"], 3);
    assert_nothing_in_clear(&before, &copy_rows(&app).await, &secrets);
});
