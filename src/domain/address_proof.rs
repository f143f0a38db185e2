//! Proving that a person owns their address: single-use tokens emailed to it, each for one
//! purpose and for a limited time.
use chrono::{DateTime, Duration, Utc};

use super::refusal::{ProblemCode, Refusal, refuse};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenPurpose {
    /// Confirms the address given at registration.
    VerifyEmail,
    /// Sets a new password (and so also proves the address).
    ResetPassword,
}

impl TokenPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenPurpose::VerifyEmail => "verify_email",
            TokenPurpose::ResetPassword => "reset_password",
        }
    }

    /// How long the emailed link works: a reset link is a key to the account, so it is short.
    pub fn lifetime(self) -> Duration {
        match self {
            TokenPurpose::VerifyEmail => Duration::hours(48),
            TokenPurpose::ResetPassword => Duration::hours(1),
        }
    }
}

/// An invitation (to a roster, to set a password) is valid this long.
pub const INVITATION_LIFETIME_DAYS: i64 = 14;

/// A token works once, until it expires.
pub fn is_usable(
    used_at: Option<DateTime<Utc>>,
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> bool {
    used_at.is_none() && now < expires_at
}

/// Roles, seats and submissions go to people who proved their address.
pub fn check_verified(verified: bool) -> Result<(), Refusal> {
    if !verified {
        return refuse(ProblemCode::EmailUnverified, text!("email-unverified"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_proved_addresses_get_roles() {
        assert!(check_verified(true).is_ok());
        assert_eq!(
            check_verified(false).unwrap_err().code,
            ProblemCode::EmailUnverified
        );
    }

    #[test]
    fn a_token_works_once_until_it_expires() {
        let now = Utc::now();
        assert!(is_usable(None, now + Duration::seconds(1), now));
        assert!(!is_usable(None, now, now));
        assert!(!is_usable(Some(now), now + Duration::hours(1), now));
    }

    #[test]
    fn a_reset_link_lives_shorter_than_a_verification_link() {
        assert!(TokenPurpose::ResetPassword.lifetime() < TokenPurpose::VerifyEmail.lifetime());
        assert_ne!(
            TokenPurpose::ResetPassword.as_str(),
            TokenPurpose::VerifyEmail.as_str()
        );
    }
}
