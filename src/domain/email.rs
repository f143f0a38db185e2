use validator::ValidateEmail;

use super::validation::{FieldError, check_length};

/// An email address, trimmed and lower-cased so that uniqueness is case-insensitive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub const MAX_LENGTH: usize = 254;

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let normalised = raw.trim().to_lowercase();
        check_length(&normalised, 1, Self::MAX_LENGTH)?;
        if !normalised.validate_email() {
            return Err(FieldError::new(
                "",
                "invalid_format",
                "must be a valid email address",
            ));
        }
        Ok(Self(normalised))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_case_and_spaces() {
        assert_eq!(
            Email::parse("  Alice@Example.FR ").unwrap().as_str(),
            "alice@example.fr"
        );
    }

    #[test]
    fn rejects_malformed_addresses() {
        for raw in [
            "",
            "alice",
            "alice@",
            "@example.fr",
            "a b@example.fr",
            "alice@@example.fr",
        ] {
            assert!(Email::parse(raw).is_err(), "{raw:?} should be rejected");
        }
    }

    #[test]
    fn rejects_overlong_addresses() {
        let raw = format!("{}@example.fr", "a".repeat(250));
        assert_eq!(Email::parse(&raw).unwrap_err().code, "too_long");
    }
}
