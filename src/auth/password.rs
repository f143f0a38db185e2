//! Password hashing with argon2id (the crate's defaults: 19 MiB, 2 passes), off the async workers.
use std::sync::LazyLock;

use tokio::sync::Semaphore;

use argon2::{
    Argon2, PasswordHash, PasswordHasher, PasswordVerifier,
    password_hash::{SaltString, rand_core::OsRng},
};

use crate::domain::Password;

/// Verified against when the email is unknown, so that both cases take the same time.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_blocking("dummy password for timing").expect("argon2 hashing works"));

fn hash_blocking(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|error| anyhow::anyhow!("hashing password: {error}"))
}

/// Verifies `candidate` against `hash`. A stored value that is no hash (an invited account
/// without a password) is checked against the dummy hash: it fails in the same time.
fn verify_blocking(hash: Option<&str>, candidate: &str) -> bool {
    let parsed = hash.and_then(|hash| PasswordHash::new(hash).ok());
    let genuine = parsed.is_some();
    let parsed = parsed.unwrap_or_else(|| {
        PasswordHash::new(&DUMMY_HASH).expect("the dummy hash is a valid argon2 hash")
    });
    let matches = Argon2::default()
        .verify_password(candidate.as_bytes(), &parsed)
        .is_ok();
    genuine && matches
}

/// Concurrent hashes allowed: each takes 19 MiB and a core for tens of milliseconds, so a
/// burst of logins queues here instead of exhausting memory.
fn hashing_permits() -> &'static Semaphore {
    static PERMITS: LazyLock<Semaphore> = LazyLock::new(|| {
        let cores = std::thread::available_parallelism().map_or(2, |cores| cores.get());
        Semaphore::new(cores * 2)
    });
    &PERMITS
}

async fn bounded<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> anyhow::Result<T> {
    let _permit = hashing_permits().acquire().await?;
    Ok(tokio::task::spawn_blocking(work).await?)
}

pub async fn hash(password: Password) -> anyhow::Result<String> {
    bounded(move || hash_blocking(password.expose())).await?
}

/// Verifies `candidate` against `hash`, or against a dummy hash when there is no account (or
/// no password): every failure takes the same time.
pub async fn verify(hash: Option<String>, candidate: String) -> anyhow::Result<bool> {
    bounded(move || verify_blocking(hash.as_deref(), &candidate)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_only_the_right_password() {
        let hashed = hash(Password::parse("correct horse battery").unwrap())
            .await
            .unwrap();
        assert!(hashed.starts_with("$argon2id$"));
        assert!(
            verify(Some(hashed.clone()), "correct horse battery".into())
                .await
                .unwrap()
        );
        assert!(
            !verify(Some(hashed), "wrong horse battery".into())
                .await
                .unwrap()
        );
        assert!(!verify(None, "anything at all".into()).await.unwrap());
        // An invited account without a password: no match, even with the dummy's password.
        assert!(
            !verify(Some("!".into()), "dummy password for timing".into())
                .await
                .unwrap()
        );
    }
}
