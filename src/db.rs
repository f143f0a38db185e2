//! Connecting to SQLite or PostgreSQL, and the few places where the two differ.
use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    DbErr, RuntimeErr, SqlErr, SqliteTransactionMode, TransactionOptions, TransactionTrait,
    sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous},
};

pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(url);
    options
        .sqlx_logging(false)
        .acquire_timeout(Duration::from_secs(10))
        // A round trip saved on every checkout: only a connection idle long enough to have
        // been dropped by the server or a firewall is checked first.
        .test_before_acquire_if_idle_for(Duration::from_secs(30))
        .map_sqlx_sqlite_opts(|options| {
            options
                .journal_mode(SqliteJournalMode::Wal)
                // Every commit reaches the disk before it is acknowledged: a receipt must
                // survive a power loss, not only a crash of the process.
                .synchronous(SqliteSynchronous::Full)
                // Deleted and overwritten content is zeroed, not left in free space for a copy
                // of the file to show (an address erased from the outbox, for instance).
                .pragma("secure_delete", "ON")
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
        });
    if url.starts_with("sqlite:") {
        // One writer at a time in SQLite: a small pool avoids piling up on the write lock.
        options.max_connections(8);
    }
    Database::connect(options).await
}

pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}

/// Starts a transaction that will write. On SQLite it takes the write lock at once
/// (`BEGIN IMMEDIATE`), so concurrent writers queue on the busy timeout instead of failing.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}

/// Serialises writers of a chain (the audit trail) until the transaction ends.
/// SQLite needs nothing: `begin_write` already holds the database's only write lock.
pub async fn lock_for_chain(txn: &DatabaseTransaction, key: i64) -> Result<(), DbErr> {
    if txn.get_database_backend() == DbBackend::Postgres {
        txn.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({key})"))
            .await?;
    }
    Ok(())
}

/// Serialises the writers that count then add things belonging to `owner` (an applicant's
/// files, an application's attachments), so that two racing requests cannot both pass a bound,
/// or that read then change its state (an edition's stage).
pub async fn lock_on(txn: &DatabaseTransaction, owner: uuid::Uuid) -> Result<(), DbErr> {
    lock_for_chain(txn, owner.as_u64_pair().1 as i64).await
}

/// Advisory lock class of ballots: votes hold it shared while they write, a close takes it
/// exclusively (the two-key form, a keyspace apart from `lock_for_chain`'s).
const BALLOT_LOCK_CLASS: i32 = 0x766f_7465; // "vote"

/// Orders the writers of ballots without locking their hot rows: a batch of votes holds the
/// ballots `shared`, a close holds them exclusively, until the transaction ends. So a close
/// waits for the batches already writing, and the batches after it see the ballot closed.
/// SQLite needs nothing: `begin_write` already holds the database's only write lock.
pub async fn lock_ballots(
    txn: &DatabaseTransaction,
    prizes: &[uuid::Uuid],
    shared: bool,
) -> Result<(), DbErr> {
    if txn.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    let function = if shared {
        "pg_advisory_xact_lock_shared"
    } else {
        "pg_advisory_xact_lock"
    };
    // Always in the same order, so that two writers of several ballots cannot deadlock.
    let mut keys: Vec<i32> = prizes.iter().map(|prize| prize.as_u128() as i32).collect();
    keys.sort_unstable();
    keys.dedup();
    for key in keys {
        txn.execute_unprepared(&format!("SELECT {function}({BALLOT_LOCK_CLASS}, {key})"))
            .await?;
    }
    Ok(())
}

/// The current time at the precision both databases store (microseconds), so that a value
/// reads back exactly as written on SQLite and PostgreSQL alike.
pub fn now() -> chrono::DateTime<chrono::Utc> {
    crate::domain::audit_chain::truncate_to_micros(chrono::Utc::now())
}

/// Text PostgreSQL cannot store (a NUL character, SQLSTATE 22021) or convert (22P05).
pub fn is_unstorable_text(error: &DbErr) -> bool {
    let (DbErr::Exec(RuntimeErr::SqlxError(error)) | DbErr::Query(RuntimeErr::SqlxError(error))) =
        error
    else {
        return false;
    };
    error
        .as_database_error()
        .and_then(|error| error.code())
        .is_some_and(|code| code == "22021" || code == "22P05")
}

pub fn is_unique_violation(error: &DbErr) -> bool {
    matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
}
