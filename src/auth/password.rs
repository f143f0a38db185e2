//! Password hashing with argon2id (the crate's defaults: 19 MiB, 2 passes), on dedicated
//! threads, off the async workers.
use std::sync::{Arc, LazyLock, Mutex, mpsc};

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

/// A hashing job, run on one of the hashing threads.
type Job = Box<dyn FnOnce() + Send>;

/// A few dedicated threads, one per core, do all the hashing. Each hash takes 19 MiB and a
/// core for tens of milliseconds; a thread keeps the memory it freed for its next hash, so the
/// server's memory is bounded by the number of these threads, however many requests hash at
/// once: they wait their turn here.
static HASHING_THREADS: LazyLock<mpsc::Sender<Job>> = LazyLock::new(|| {
    let (jobs, queue) = mpsc::channel::<Job>();
    let queue = Arc::new(Mutex::new(queue));
    let threads = std::thread::available_parallelism().map_or(2, |cores| cores.get());
    for index in 0..threads {
        let queue = Arc::clone(&queue);
        std::thread::Builder::new()
            .name(format!("argon2-{index}"))
            .spawn(move || {
                loop {
                    let job = queue
                        .lock()
                        .expect("the hashing queue's lock is never poisoned")
                        .recv();
                    match job {
                        Ok(job) => job(),
                        Err(_) => return,
                    }
                }
            })
            .expect("start a hashing thread");
    }
    jobs
});

async fn on_hashing_thread<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> anyhow::Result<T> {
    let (done, result) = tokio::sync::oneshot::channel();
    HASHING_THREADS
        .send(Box::new(move || {
            // The caller may have gone (a closed connection): the result is then dropped.
            let _ = done.send(work());
        }))
        .map_err(|_| anyhow::anyhow!("the hashing threads have stopped"))?;
    Ok(result.await?)
}

pub async fn hash(password: Password) -> anyhow::Result<String> {
    on_hashing_thread(move || hash_blocking(password.expose())).await?
}

/// Verifies `candidate` against `hash`, or against a dummy hash when there is no account (or
/// no password): every failure takes the same time.
pub async fn verify(hash: Option<String>, candidate: String) -> anyhow::Result<bool> {
    on_hashing_thread(move || verify_blocking(hash.as_deref(), &candidate)).await
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
