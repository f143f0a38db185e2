//! Configuration from the environment. A bad value is reported in one line naming the variable.
use std::{net::SocketAddr, time::Duration};

use rand::RngCore;

use crate::{domain::notification::REMINDER_DAYS_BEFORE, http::client_ip::TrustedProxies};

pub const DEFAULT_DATABASE_URL: &str = "sqlite://prix-ceser.db?mode=rwc";
const MIN_SECRET_BYTES: usize = 32;
/// Large webmail providers, whose voters are many and distinct people: not limited per domain.
const DEFAULT_OPEN_DOMAINS: &str = "gmail.com,googlemail.com,hotmail.com,hotmail.fr,outlook.com,\
    outlook.fr,live.fr,live.com,msn.com,yahoo.com,yahoo.fr,icloud.com,me.com,orange.fr,wanadoo.fr,\
    free.fr,sfr.fr,neuf.fr,laposte.net,bbox.fr,gmx.fr,gmx.com,proton.me,protonmail.com";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Development,
    Production,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Pretty,
    Json,
}

#[derive(Clone)]
pub struct Settings {
    pub database_url: String,
    pub addr: SocketAddr,
    pub environment: Environment,
    pub jwt_secret: Vec<u8>,
    /// True when no secret was configured and a random one was made for this run.
    pub jwt_secret_generated: bool,
    /// Keys voters' participation and identities (`PRIX_VOTER_KEY`); `None` in development
    /// without it (a key file beside the database is used, see `voter_key_file`).
    pub voter_key: Option<Vec<u8>>,
    pub access_token_ttl: Duration,
    pub refresh_token_ttl: Duration,
    pub cors_origins: Vec<String>,
    pub log_format: LogFormat,
    /// Login and registration attempts allowed per client IP and minute.
    pub auth_rate_limit_per_minute: u32,
    pub max_body_bytes: usize,
    /// Where attachments are stored.
    pub storage_dir: std::path::PathBuf,
    pub max_upload_bytes: usize,
    /// SMTP server for outgoing email; `None` writes emails to the log.
    pub smtp_url: Option<String>,
    /// `Strict-Transport-Security` max-age, when the API is served over HTTPS only.
    pub hsts_max_age: Option<u64>,
    pub mail_from: String,
    /// Invitation emails link here, followed by the token (the front end's page that sets
    /// the password with `POST /api/v1/auth/invitations/accept`).
    pub invitation_url: String,
    /// Verification emails link here, the token appended (`POST /api/v1/auth/email/verify`).
    pub verify_email_url: String,
    /// Password reset emails link here, the token appended (`POST /api/v1/auth/password/reset`).
    pub password_reset_url: String,
    /// The councillors' "ballot open" emails link here, the prize's id appended (the front
    /// end's voting page).
    pub ballot_url: String,
    /// How many days before a round's scoring deadline jurors with files left are reminded.
    pub scoring_reminder_days: u32,
    /// Whether this process delivers the outbox (one instance is enough in a cluster).
    pub outbox_worker: bool,
    /// Whether webhooks may reach loopback, private and link-local addresses over plain HTTP
    /// (`PRIX_WEBHOOK_PRIVATE_DESTINATIONS`, development only: refused in production).
    pub webhook_private_destinations: bool,
    /// The wait before a failed webhook delivery's second try; each later wait is four times
    /// longer (`PRIX_WEBHOOK_RETRY_BASE_MS`, default 5 s).
    pub webhook_retry_base: Duration,
    /// Voter verification requests per client IP and minute.
    pub voter_rate_limit_per_minute: u32,
    /// Reverse proxies whose `X-Forwarded-For` entries are believed.
    pub trusted_proxies: TrustedProxies,
    /// Voter codes sent per email domain and hour (webmail domains in `voter_open_domains`
    /// excepted), so that one catch-all domain cannot mint voters by the thousand.
    pub voter_codes_per_domain_per_hour: u32,
    pub voter_open_domains: Vec<String>,
    pub workers: Option<usize>,
    /// Rate limits are shared by every process through this Redis server (`PRIX_REDIS_URL`);
    /// without it, each process limits on its own.
    pub redis_url: Option<String>,
    /// Prefixes this installation's keys in Redis (`PRIX_REDIS_PREFIX`, default `prix-ceser`),
    /// so that several installations can share a server.
    pub redis_prefix: String,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("addr", &self.addr)
            .field("environment", &self.environment)
            .field("jwt_secret", &"***")
            .field("voter_key", &"***")
            .finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("invalid configuration: {variable}: {message}")]
pub struct ConfigError {
    pub variable: &'static str,
    pub message: String,
}

/// Not obviously typed: at least 8 different bytes (hexadecimal has 16) and no short pattern
/// repeated (`aaaa…`, `0123…f0123…f`). Whether it is random cannot be told; SECURITY.md says
/// how to make one.
fn varied(secret: &str) -> bool {
    let bytes = secret.as_bytes();
    let distinct = bytes
        .iter()
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    let repeats =
        (1..=bytes.len() / 2).any(|period| bytes.iter().zip(&bytes[period..]).all(|(a, b)| a == b));
    distinct >= 8 && !repeats
}

fn invalid(variable: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        variable,
        message: message.into(),
    }
}

impl Settings {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads settings through `lookup`, so tests can supply their own environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| lookup(name).filter(|value| !value.trim().is_empty());

        let environment = match get("PRIX_ENV").as_deref() {
            None | Some("development") => Environment::Development,
            Some("production") => Environment::Production,
            Some(other) => {
                return Err(invalid(
                    "PRIX_ENV",
                    format!("expected `development` or `production`, got `{other}`"),
                ));
            }
        };
        let database_url = get("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned());
        if !(database_url.starts_with("sqlite:")
            || database_url.starts_with("postgres://")
            || database_url.starts_with("postgresql://"))
        {
            return Err(invalid(
                "DATABASE_URL",
                "expected a sqlite:// or postgres:// URL",
            ));
        }
        let addr = get("PRIX_ADDR")
            .unwrap_or_else(|| "127.0.0.1:8080".to_owned())
            .parse()
            .map_err(|_| invalid("PRIX_ADDR", "expected host:port, e.g. 127.0.0.1:8080"))?;

        let (jwt_secret, jwt_secret_generated) =
            match secret("PRIX_JWT_SECRET", get("PRIX_JWT_SECRET"), environment)? {
                Some(secret) => (secret, false),
                None => {
                    let mut secret = vec![0u8; MIN_SECRET_BYTES];
                    rand::rng().fill_bytes(&mut secret);
                    (secret, true)
                }
            };
        // Independent of the JWT secret: tokens can be rotated without letting past voters
        // vote again. In development, without it, a key file beside the database is used.
        let voter_key = secret("PRIX_VOTER_KEY", get("PRIX_VOTER_KEY"), environment)?;

        let seconds =
            |name: &'static str, default: u64, max: u64| -> Result<Duration, ConfigError> {
                parse_number(name, get(name), default, 1, max).map(Duration::from_secs)
            };
        let access_token_ttl = seconds("PRIX_ACCESS_TOKEN_TTL", 900, 24 * 3600)?;
        let refresh_token_ttl = seconds("PRIX_REFRESH_TOKEN_TTL", 30 * 24 * 3600, 365 * 24 * 3600)?;

        let cors_origins = get("PRIX_CORS_ORIGINS")
            .map(|list| {
                list.split(',')
                    .map(|origin| origin.trim().to_owned())
                    .filter(|o| !o.is_empty())
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
        if let Some(bad) = cors_origins
            .iter()
            .find(|o| !(o.starts_with("http://") || o.starts_with("https://")))
        {
            return Err(invalid(
                "PRIX_CORS_ORIGINS",
                format!("`{bad}` is not an http(s) origin"),
            ));
        }

        let log_format = match get("PRIX_LOG_FORMAT").as_deref() {
            None if environment == Environment::Production => LogFormat::Json,
            None | Some("pretty") => LogFormat::Pretty,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(invalid(
                    "PRIX_LOG_FORMAT",
                    format!("expected `pretty` or `json`, got `{other}`"),
                ));
            }
        };

        let auth_rate_limit_per_minute = parse_number(
            "PRIX_AUTH_RATE_LIMIT",
            get("PRIX_AUTH_RATE_LIMIT"),
            10,
            1,
            100_000,
        )? as u32;
        let max_body_bytes = parse_number(
            "PRIX_MAX_BODY_BYTES",
            get("PRIX_MAX_BODY_BYTES"),
            // An application at its documented maxima (10,000 characters of description, 20
            // answers of 5,000) fits, escaped.
            1024 * 1024,
            1024,
            64 * 1024 * 1024,
        )? as usize;
        let storage_dir = get("PRIX_STORAGE_DIR")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| default_storage_dir(&database_url));
        let max_upload_bytes = parse_number(
            "PRIX_MAX_UPLOAD_BYTES",
            get("PRIX_MAX_UPLOAD_BYTES"),
            10 * 1024 * 1024,
            1024,
            100 * 1024 * 1024,
        )? as usize;
        let smtp_url = get("PRIX_SMTP_URL");
        match &smtp_url {
            Some(url) if !(url.starts_with("smtp://") || url.starts_with("smtps://")) => {
                return Err(invalid(
                    "PRIX_SMTP_URL",
                    "expected smtp://host:port or smtps://user:password@host",
                ));
            }
            // Without it emails, with their codes and links, would be written to the log.
            None if environment == Environment::Production => {
                return Err(invalid("PRIX_SMTP_URL", "is required in production"));
            }
            _ => {}
        }
        let hsts_max_age = get("PRIX_HSTS_MAX_AGE")
            .map(|_| {
                parse_number(
                    "PRIX_HSTS_MAX_AGE",
                    get("PRIX_HSTS_MAX_AGE"),
                    0,
                    0,
                    63_072_000,
                )
            })
            .transpose()?
            .filter(|seconds| *seconds > 0);
        let mail_from = get("PRIX_MAIL_FROM")
            .unwrap_or_else(|| "Prix du CESER <no-reply@prix-ceser.example>".to_owned());
        if mail_from.parse::<lettre::message::Mailbox>().is_err() {
            return Err(invalid(
                "PRIX_MAIL_FROM",
                "expected an address such as Prix <no-reply@example.fr>",
            ));
        }
        // Emailed links: the front end's page, to which a token or an id is appended.
        let link_base = |variable: &'static str, default: &str| {
            // In production an email must never link to this machine's loopback address.
            let url = match get(variable) {
                Some(url) => url,
                None if environment == Environment::Production => {
                    return Err(invalid(
                        variable,
                        "is required in production: the front end's page the emails link to",
                    ));
                }
                None => default.to_owned(),
            };
            if url.starts_with("http://") || url.starts_with("https://") {
                Ok(url)
            } else {
                Err(invalid(
                    variable,
                    "expected an http(s) address, to which the emails append a token or an id",
                ))
            }
        };
        let invitation_url = link_base(
            "PRIX_INVITATION_URL",
            "http://127.0.0.1:8080/invitation?token=",
        )?;
        let verify_email_url = link_base(
            "PRIX_VERIFY_EMAIL_URL",
            "http://127.0.0.1:8080/verify-email?token=",
        )?;
        let password_reset_url = link_base(
            "PRIX_PASSWORD_RESET_URL",
            "http://127.0.0.1:8080/reset-password?token=",
        )?;
        let ballot_url = link_base("PRIX_BALLOT_URL", "http://127.0.0.1:8080/vote?prize=")?;
        let scoring_reminder_days = parse_number(
            "PRIX_SCORING_REMINDER_DAYS",
            get("PRIX_SCORING_REMINDER_DAYS"),
            REMINDER_DAYS_BEFORE.into(),
            0,
            60,
        )? as u32;
        let outbox_worker = parse_bool("PRIX_OUTBOX_WORKER", get("PRIX_OUTBOX_WORKER"), true)?;
        let webhook_private_destinations = parse_bool(
            "PRIX_WEBHOOK_PRIVATE_DESTINATIONS",
            get("PRIX_WEBHOOK_PRIVATE_DESTINATIONS"),
            false,
        )?;
        if webhook_private_destinations && environment == Environment::Production {
            return Err(invalid(
                "PRIX_WEBHOOK_PRIVATE_DESTINATIONS",
                "webhooks reach only public HTTPS hosts in production",
            ));
        }
        let webhook_retry_base = Duration::from_millis(parse_number(
            "PRIX_WEBHOOK_RETRY_BASE_MS",
            get("PRIX_WEBHOOK_RETRY_BASE_MS"),
            5_000,
            100,
            3_600_000,
        )?);
        let voter_rate_limit_per_minute = parse_number(
            "PRIX_VOTER_RATE_LIMIT",
            get("PRIX_VOTER_RATE_LIMIT"),
            10,
            1,
            100_000,
        )? as u32;
        let trusted_proxies =
            TrustedProxies::parse(&get("PRIX_TRUSTED_PROXIES").unwrap_or_default())
                .map_err(|reason| invalid("PRIX_TRUSTED_PROXIES", reason))?;
        let voter_codes_per_domain_per_hour = parse_number(
            "PRIX_VOTER_CODES_PER_DOMAIN",
            get("PRIX_VOTER_CODES_PER_DOMAIN"),
            200,
            1,
            1_000_000,
        )? as u32;
        let voter_open_domains = get("PRIX_VOTER_OPEN_DOMAINS")
            .unwrap_or_else(|| DEFAULT_OPEN_DOMAINS.to_owned())
            .split(',')
            .map(|domain| domain.trim().to_lowercase())
            .filter(|domain| !domain.is_empty())
            .collect();
        let workers = get("PRIX_WORKERS")
            .map(|_| parse_number("PRIX_WORKERS", get("PRIX_WORKERS"), 1, 1, 256))
            .transpose()?
            .map(|n| n as usize);
        let redis_url = get("PRIX_REDIS_URL").filter(|url| !url.is_empty());
        if let Some(url) = &redis_url
            && !(url.starts_with("redis://") || url.starts_with("rediss://"))
        {
            return Err(invalid(
                "PRIX_REDIS_URL",
                "expected redis://host:port or rediss://host:port",
            ));
        }
        let redis_prefix = get("PRIX_REDIS_PREFIX").unwrap_or_else(|| "prix-ceser".to_owned());

        Ok(Settings {
            database_url,
            addr,
            environment,
            jwt_secret,
            jwt_secret_generated,
            voter_key,
            access_token_ttl,
            refresh_token_ttl,
            cors_origins,
            log_format,
            auth_rate_limit_per_minute,
            max_body_bytes,
            storage_dir,
            max_upload_bytes,
            smtp_url,
            hsts_max_age,
            mail_from,
            invitation_url,
            verify_email_url,
            password_reset_url,
            ballot_url,
            scoring_reminder_days,
            outbox_worker,
            webhook_private_destinations,
            webhook_retry_base,
            voter_rate_limit_per_minute,
            trusted_proxies,
            voter_codes_per_domain_per_hour,
            voter_open_domains,
            workers,
            redis_url,
            redis_prefix,
        })
    }
}

/// A secret from the environment: strong enough in production, required there; `None` when
/// absent in development.
fn secret(
    variable: &'static str,
    raw: Option<String>,
    environment: Environment,
) -> Result<Option<Vec<u8>>, ConfigError> {
    match raw {
        Some(secret) if secret.len() >= MIN_SECRET_BYTES && varied(&secret) => {
            Ok(Some(secret.into_bytes()))
        }
        Some(_) if environment == Environment::Production => Err(invalid(
            variable,
            format!(
                "must be at least {MIN_SECRET_BYTES} random bytes in production \
                 (e.g. `openssl rand -base64 48`)"
            ),
        )),
        None if environment == Environment::Production => {
            Err(invalid(variable, "is required in production"))
        }
        Some(secret) => Ok(Some(secret.into_bytes())),
        None => Ok(None),
    }
}

/// A folder beside the SQLite database file, or in the working directory.
fn default_storage_dir(database_url: &str) -> std::path::PathBuf {
    beside_database(database_url).join("prix-ceser-files")
}

/// Where the development voter key is kept: a file beside the SQLite database (never inside
/// it), or in the working directory.
pub fn voter_key_file(database_url: &str) -> std::path::PathBuf {
    beside_database(database_url).join("prix-ceser.voter-key")
}

fn beside_database(database_url: &str) -> std::path::PathBuf {
    let beside = database_url
        .strip_prefix("sqlite://")
        .or_else(|| database_url.strip_prefix("sqlite:"))
        .map(|rest| rest.split('?').next().unwrap_or_default())
        .filter(|path| !path.is_empty() && !path.contains(":memory:"))
        .and_then(|path| {
            std::path::Path::new(path)
                .parent()
                .map(std::path::Path::to_path_buf)
        });
    beside.unwrap_or_default()
}

fn parse_bool(
    variable: &'static str,
    raw: Option<String>,
    default: bool,
) -> Result<bool, ConfigError> {
    match raw.as_deref() {
        None => Ok(default),
        Some("true") => Ok(true),
        Some("false") => Ok(false),
        Some(other) => Err(invalid(
            variable,
            format!("expected `true` or `false`, got `{other}`"),
        )),
    }
}

fn parse_number(
    variable: &'static str,
    raw: Option<String>,
    default: u64,
    min: u64,
    max: u64,
) -> Result<u64, ConfigError> {
    let Some(raw) = raw else { return Ok(default) };
    match raw.trim().parse::<u64>() {
        Ok(value) if (min..=max).contains(&value) => Ok(value),
        _ => Err(invalid(
            variable,
            format!("expected a whole number between {min} and {max}, got `{raw}`"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn settings(pairs: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let env: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::from_lookup(|name| env.get(name).cloned())
    }

    #[test]
    fn defaults_are_the_embedded_development_setup() {
        let settings = settings(&[]).unwrap();
        assert_eq!(settings.database_url, DEFAULT_DATABASE_URL);
        assert_eq!(settings.addr.to_string(), "127.0.0.1:8080");
        assert_eq!(settings.environment, Environment::Development);
        assert!(settings.jwt_secret_generated);
        assert_eq!(settings.access_token_ttl, Duration::from_secs(900));
    }

    #[test]
    fn attachments_go_beside_the_database_by_default() {
        let beside =
            settings(&[("DATABASE_URL", "sqlite:///var/lib/prix/prix.db?mode=rwc")]).unwrap();
        assert_eq!(
            beside.storage_dir,
            std::path::PathBuf::from("/var/lib/prix/prix-ceser-files")
        );
        assert_eq!(
            settings(&[]).unwrap().storage_dir,
            std::path::PathBuf::from("prix-ceser-files")
        );
        let explicit = settings(&[("PRIX_STORAGE_DIR", "/srv/files")]).unwrap();
        assert_eq!(explicit.storage_dir, std::path::PathBuf::from("/srv/files"));
    }

    #[test]
    fn production_refuses_a_missing_or_weak_secret() {
        assert_eq!(
            settings(&[("PRIX_ENV", "production")])
                .unwrap_err()
                .variable,
            "PRIX_JWT_SECRET"
        );
        let weak = settings(&[("PRIX_ENV", "production"), ("PRIX_JWT_SECRET", "short")]);
        assert_eq!(weak.unwrap_err().variable, "PRIX_JWT_SECRET");
        for typed in ["a".repeat(48), "0123456789abcdef".repeat(2)] {
            let refused = settings(&[("PRIX_ENV", "production"), ("PRIX_JWT_SECRET", &typed)]);
            assert_eq!(refused.unwrap_err().variable, "PRIX_JWT_SECRET", "{typed}");
        }
        // Hexadecimal from a generator passes.
        let hex = "9f3c2a7be1d04856c7a9e2f1b3d5c8a0e6f4b2d1c9a7e5f3b1d8c6a4e2f0b9d7";
        assert!(varied(hex));
        let strong = "kP3x9QvL2mZr7TcW1yHs5NbF8dJg4AeU6oXi0Rw";
        let voter_key = "Zt8qW2nR5vK9xB3mJ7cL1pH6sD4fG0aY2uE8iO5";
        let without_voter_key =
            settings(&[("PRIX_ENV", "production"), ("PRIX_JWT_SECRET", strong)]);
        assert_eq!(without_voter_key.unwrap_err().variable, "PRIX_VOTER_KEY");
        let without_smtp = settings(&[
            ("PRIX_ENV", "production"),
            ("PRIX_JWT_SECRET", strong),
            ("PRIX_VOTER_KEY", voter_key),
        ]);
        assert_eq!(without_smtp.unwrap_err().variable, "PRIX_SMTP_URL");
        // Emailed links must reach the front end, never this machine's loopback address.
        let mut production = vec![
            ("PRIX_ENV", "production"),
            ("PRIX_JWT_SECRET", strong),
            ("PRIX_VOTER_KEY", voter_key),
            ("PRIX_SMTP_URL", "smtp://mail.example.fr:25"),
        ];
        for (variable, page) in [
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
        ] {
            assert_eq!(settings(&production).unwrap_err().variable, variable);
            production.push((variable, page));
        }
        assert!(settings(&production).is_ok());
    }

    #[test]
    fn bad_values_name_their_variable() {
        for (variable, value) in [
            ("PRIX_ENV", "staging"),
            ("PRIX_ADDR", "nowhere"),
            ("DATABASE_URL", "mysql://x"),
            ("PRIX_ACCESS_TOKEN_TTL", "-5"),
            ("PRIX_ACCESS_TOKEN_TTL", "0"),
            ("PRIX_CORS_ORIGINS", "example.org"),
            ("PRIX_LOG_FORMAT", "xml"),
            ("PRIX_AUTH_RATE_LIMIT", "many"),
            ("PRIX_TRUSTED_PROXIES", "yes"),
            ("PRIX_HSTS_MAX_AGE", "forever"),
            ("PRIX_VOTER_CODES_PER_DOMAIN", "0"),
            ("PRIX_SMTP_URL", "mail.example.fr"),
            ("PRIX_MAIL_FROM", "nobody"),
        ] {
            let error = settings(&[(variable, value)]).unwrap_err();
            assert_eq!(error.variable, variable, "{value}");
            assert!(
                error
                    .to_string()
                    .starts_with(&format!("invalid configuration: {variable}: "))
            );
        }
    }
}
