//! The server binary as separate processes on one database, as in production: killed with
//! SIGKILL in the middle of a burst of votes (nothing acknowledged is lost, nothing is counted
//! twice), and two processes serving one ballot on PostgreSQL.
use std::{
    path::Path,
    process::{Child, Command, Stdio},
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, AtomicUsize, Ordering},
    },
    time::Duration,
};

use prix_ceser::auth::JwtKeys;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::*;

const BIN: &str = env!("CARGO_BIN_EXE_prix-ceser");

/// One server process on the demo data.
struct Server {
    child: Child,
    base: String,
}

impl Server {
    async fn start(database_url: &str, dir: &Path, env: &[(&str, &str)]) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let log = std::fs::File::create(dir.join(format!("server-{port}.log"))).unwrap();
        let mut command = Command::new(BIN);
        command
            .args(["serve", "--demo"])
            .env_remove("PRIX_ENV")
            .env_remove("PRIX_REDIS_URL")
            .env("DATABASE_URL", database_url)
            .env("PRIX_JWT_SECRET", TEST_SECRET)
            .env("PRIX_VOTER_KEY", TEST_VOTER_KEY)
            .env("PRIX_ADDR", format!("127.0.0.1:{port}"))
            .env("PRIX_STORAGE_DIR", dir.join("files"))
            .env("PRIX_OUTBOX_WORKER", "false")
            .env("PRIX_WORKERS", "2")
            .env("RUST_LOG", "warn")
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(log);
        let server = Server {
            child: command.spawn().unwrap(),
            base: format!("http://127.0.0.1:{port}/api/v1"),
        };
        let ready = format!("http://127.0.0.1:{port}/health/ready");
        for _ in 0..300 {
            if reqwest::get(&ready)
                .await
                .is_ok_and(|response| response.status() == 200)
            {
                return server;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the server on port {port} did not start");
    }

    /// SIGKILL: no shutdown, no flush, as a crash or an out-of-memory kill.
    fn kill(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

/// The demo's 6th edition public ballot, opened by its secretariat.
struct Ballot {
    staff: String,
    prize: Uuid,
    candidates: Vec<String>,
}

impl Ballot {
    async fn open(base: &str) -> Ballot {
        let client = client();
        let login = client
            .post(format!("{base}/auth/token"))
            .json(&json!({"email": "secretariat@ceser-ara.example", "password": "demo-secretariat-2026"}))
            .send()
            .await
            .unwrap();
        let staff = json(login).await["access_token"]
            .as_str()
            .unwrap()
            .to_owned();
        let editions = json(
            client
                .get(format!("{base}/editions?status=audition"))
                .send()
                .await
                .unwrap(),
        )
        .await;
        let edition = editions["items"][0]["id"].as_str().unwrap().to_owned();
        let edition = json(
            client
                .get(format!("{base}/editions/{edition}"))
                .send()
                .await
                .unwrap(),
        )
        .await;
        let prize: Uuid = crate::helpers::prize_of_kind(&edition, "public")
            .parse()
            .unwrap();
        let opened = client
            .post(format!("{base}/prizes/{prize}/ballot/open"))
            .bearer_auth(&staff)
            .send()
            .await
            .unwrap();
        assert_eq!(opened.status(), 200, "{:?}", opened.text().await);
        let ballot = json(
            client
                .get(format!("{base}/prizes/{prize}/ballot"))
                .send()
                .await
                .unwrap(),
        )
        .await;
        let candidates = ballot["candidates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|candidate| candidate["id"].as_str().unwrap().to_owned())
            .collect();
        Ballot {
            staff,
            prize,
            candidates,
        }
    }

    /// Voter tokens as the confirmation of an emailed code issues them, one voter each.
    fn voters(&self, count: usize) -> Vec<String> {
        let keys = JwtKeys::new(TEST_SECRET.as_bytes(), Duration::from_secs(900));
        (0..count)
            .map(|_| keys.issue_voter(Uuid::new_v4(), self.prize).unwrap())
            .collect()
    }

    async fn vote(&self, base: &str, voter: &str, index: usize) -> Result<(u16, Value), String> {
        let response = client()
            .post(format!("{base}/prizes/{}/votes", self.prize))
            .bearer_auth(voter)
            .json(&json!({"application_id": self.candidates[index % self.candidates.len()]}))
            .send()
            .await
            .map_err(|error| error.to_string())?;
        let status = response.status().as_u16();
        let body = response.json().await.map_err(|error| error.to_string())?;
        Ok((status, body))
    }

    async fn post_staff(&self, base: &str, action: &str) -> Value {
        let response = client()
            .post(format!("{base}/prizes/{}/ballot/{action}", self.prize))
            .bearer_auth(&self.staff)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{action}");
        json(response).await
    }

    async fn results(&self, base: &str) -> Value {
        let response = client()
            .get(format!("{base}/prizes/{}/results", self.prize))
            .bearer_auth(&self.staff)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        json(response).await
    }

    async fn receipt_counted(&self, base: &str, receipt: &str) -> bool {
        client()
            .get(format!("{base}/prizes/{}/receipts/{receipt}", self.prize))
            .send()
            .await
            .unwrap()
            .status()
            == 200
    }
}

/// What each voter of a burst got: an answer (`Ok`), none because the connection broke
/// (`Err`), or nothing because the burst stopped before them (`None`).
type Answers = Vec<Option<Result<(u16, Value), String>>>;

/// Votes with every voter, `connections` at a time, spread over the servers; `stop` ends the
/// burst early (voters not yet tried keep `None`).
async fn burst(
    ballot: Arc<Ballot>,
    bases: Vec<String>,
    voters: Arc<Vec<String>>,
    connections: usize,
    stop: Arc<AtomicBool>,
) -> Answers {
    let answers = Arc::new(Mutex::new(vec![None; voters.len()]));
    let next = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..connections)
        .map(|_| {
            let (ballot, bases, voters) = (ballot.clone(), bases.clone(), voters.clone());
            let (answers, next, stop) = (answers.clone(), next.clone(), stop.clone());
            tokio::spawn(async move {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    if index >= voters.len() || stop.load(Ordering::Relaxed) {
                        return;
                    }
                    let base = &bases[index % bases.len()];
                    let answer = ballot.vote(base, &voters[index], index).await;
                    answers.lock().unwrap()[index] = Some(answer);
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    Arc::try_unwrap(answers).unwrap().into_inner().unwrap()
}

fn receipt_of(answer: &Option<Result<(u16, Value), String>>) -> Option<String> {
    match answer {
        Some(Ok((201, body))) => Some(body["receipt"].as_str().unwrap().to_owned()),
        _ => None,
    }
}

fn acknowledged(answers: &Answers) -> usize {
    answers.iter().filter_map(receipt_of).count()
}

macro_rules! process_test {
    (async fn $name:ident($backend:ident) $body:block) => {
        mod $name {
            use super::*;

            async fn run($backend: Backend) $body

            plain_test!(async fn sqlite() { run(Backend::Sqlite).await });
            plain_test!(async fn postgres() { run(Backend::Postgres).await });
        }
    };
}

process_test!(async fn a_killed_server_loses_no_acknowledged_vote_and_counts_none_twice(backend) {
    let Some(database) = TestDatabase::on(backend).await else {
        return eprintln!("TEST_POSTGRES_URL is not set: PostgreSQL run skipped");
    };
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start(&database.url, dir.path(), &[]).await;
    let ballot = Arc::new(Ballot::open(&server.base).await);
    let voters = Arc::new(ballot.voters(4000));
    let stop = Arc::new(AtomicBool::new(false));
    let burst = tokio::spawn(burst(
        ballot.clone(),
        vec![server.base.clone()],
        voters.clone(),
        64,
        stop.clone(),
    ));
    // Kill once some votes are acknowledged, while the others are on the wire.
    loop {
        tokio::time::sleep(Duration::from_millis(20)).await;
        let turnout = ballot.results(&server.base).await["turnout"].as_u64().unwrap();
        if turnout >= 300 {
            break;
        }
    }
    server.kill();
    stop.store(true, Ordering::Relaxed);
    let answers = burst.await.unwrap();
    let server = Server::start(&database.url, dir.path(), &[]).await;

    // Every acknowledged vote is counted: its receipt checks out after the restart.
    let receipts: Vec<String> = answers.iter().filter_map(receipt_of).collect();
    assert!(!receipts.is_empty());
    for receipt in &receipts {
        assert!(ballot.receipt_counted(&server.base, receipt).await, "lost: {receipt}");
    }
    // The votes without an answer: those committed before the kill are counted (the voter's
    // second try is refused as already voted), the others were not written (it is counted).
    let unanswered: Vec<usize> = (0..voters.len())
        .filter(|index| answers[*index].is_some() && receipt_of(&answers[*index]).is_none())
        .collect();
    let (mut committed, mut lost) = (0, 0);
    for &index in &unanswered {
        match ballot.vote(&server.base, &voters[index], index).await {
            Ok((409, body)) if body["code"] == "already_voted" => committed += 1,
            Ok((201, _)) => lost += 1,
            other => panic!("unexpected answer after the restart: {other:?}"),
        }
    }
    eprintln!(
        "{backend:?}: {} acknowledged before the kill; {} in flight: {committed} committed \
         without an answer, {lost} not written",
        receipts.len(),
        unanswered.len(),
    );
    ballot.post_staff(&server.base, "close").await;
    let results = ballot.results(&server.base).await;
    let voted = receipts.len() + unanswered.len();
    // Every voter who voted is counted exactly once, each with one choice and one receipt.
    assert_eq!(results["turnout"], voted as u64, "{results}");
    assert_eq!(results["tally"]["turnout"], voted as u64);
    let hashes = receipt_hashes(&client(), &server.base, &ballot.prize.to_string(), Some(&ballot.staff)).await;
    assert_eq!(hashes.len(), voted);
});

plain_test!(
    /// Two processes serving one ballot on one PostgreSQL database (SQLite is one process).
    async fn two_servers_on_one_postgres_database_share_one_vote_per_voter_and_the_close() {
        let Some(database) = TestDatabase::on(Backend::Postgres).await else {
            return eprintln!("TEST_POSTGRES_URL is not set: PostgreSQL run skipped");
        };
        let dir = tempfile::tempdir().unwrap();
        let first = Server::start(&database.url, dir.path(), &[]).await;
        let second = Server::start(&database.url, dir.path(), &[]).await;
        let bases = vec![first.base.clone(), second.base.clone()];
        let ballot = Arc::new(Ballot::open(&first.base).await);

        // Each voter votes on both servers at once: one vote is counted, the other refused.
        let voters = ballot.voters(200);
        let twice: Vec<_> = voters
            .iter()
            .enumerate()
            .map(|(index, voter)| {
                let (ballot, bases, voter) = (ballot.clone(), bases.clone(), voter.clone());
                tokio::spawn(async move {
                    let (a, b) = tokio::join!(
                        ballot.vote(&bases[0], &voter, index),
                        ballot.vote(&bases[1], &voter, index + 1)
                    );
                    let mut statuses = [a.unwrap().0, b.unwrap().0];
                    statuses.sort();
                    statuses
                })
            })
            .collect();
        for voter in twice {
            assert_eq!(voter.await.unwrap(), [201, 409]);
        }
        assert_eq!(ballot.results(&second.base).await["turnout"], 200);

        // A burst over both servers, closed on the second in the middle: every vote acknowledged
        // is counted, and none is accepted on the first once the close has answered.
        let voters = Arc::new(ballot.voters(3000));
        let burst = tokio::spawn(burst(
            ballot.clone(),
            bases.clone(),
            voters.clone(),
            64,
            Arc::new(AtomicBool::new(false)),
        ));
        loop {
            tokio::time::sleep(Duration::from_millis(20)).await;
            if ballot.results(&second.base).await["turnout"]
                .as_u64()
                .unwrap()
                >= 500
            {
                break;
            }
        }
        ballot.post_staff(&second.base, "close").await;
        let late = ballot.voters(1);
        let refused = ballot.vote(&first.base, &late[0], 0).await.unwrap();
        assert_eq!(
            (refused.0, refused.1["code"].as_str()),
            (409, Some("ballot_not_open"))
        );
        let answers = burst.await.unwrap();
        let results = ballot.results(&first.base).await;
        let acknowledged = 200 + acknowledged(&answers);
        assert!(
            acknowledged < 200 + voters.len(),
            "the close came after the burst"
        );
        assert_eq!(results["turnout"], acknowledged as u64, "{results}");
        assert_eq!(results["tally"]["turnout"], acknowledged as u64);
    }
);

/// Failed logins from one address, alternating between two servers (each on its own SQLite
/// database), until one is refused: the number of attempts let through.
async fn logins_until_limited(env: &[(&str, &str)], most: usize) -> Option<usize> {
    let dir = tempfile::tempdir().unwrap();
    let mut servers = Vec::new();
    for _ in 0..2 {
        let database = TestDatabase::on(Backend::Sqlite).await.unwrap();
        let server = Server::start(&database.url, dir.path(), env).await;
        servers.push((server, database));
    }
    for attempt in 0..most {
        let response = client()
            .post(format!("{}/auth/token", servers[attempt % 2].0.base))
            .json(
                &json!({"email": "secretariat@ceser-ara.example", "password": "not the password"}),
            )
            .send()
            .await
            .unwrap();
        match response.status().as_u16() {
            401 => continue,
            429 => {
                assert!(response.headers().contains_key("retry-after"));
                return Some(attempt);
            }
            other => panic!("unexpected status {other}"),
        }
    }
    None
}

plain_test!(
    /// Rate limits are counted in Redis when the processes share one (`TEST_REDIS_URL`), each
    /// process on its own otherwise; only Redis links the two servers.
    async fn two_servers_share_their_rate_limits_through_redis() {
        let Some(redis) = std::env::var("TEST_REDIS_URL")
            .ok()
            .filter(|url| !url.is_empty())
        else {
            return eprintln!("TEST_REDIS_URL is not set: shared rate limits not tested");
        };
        let prefix = format!("prix-test-{}", Uuid::new_v4().simple());
        let shared = [
            ("PRIX_AUTH_RATE_LIMIT", "4"),
            ("PRIX_REDIS_URL", redis.as_str()),
            ("PRIX_REDIS_PREFIX", prefix.as_str()),
        ];
        // Four attempts a minute for this address over both servers, not four on each.
        assert_eq!(logins_until_limited(&shared, 10).await, Some(4));
        // Without Redis, each server counts its own.
        assert_eq!(
            logins_until_limited(&[("PRIX_AUTH_RATE_LIMIT", "4")], 10).await,
            Some(8)
        );
    }
);
