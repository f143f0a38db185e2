use validator::ValidateEmail;

use super::validation::{FieldError, check_length};

/// An email address, trimmed and lower-cased so that uniqueness is case-insensitive, its
/// domain in the ASCII form mail servers route on (UTS #46: `Café.example`, `café．example`
/// and `xn--caf-dma.example` are one domain). Addresses at a bare IP are refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub const MAX_LENGTH: usize = 254;

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let invalid =
            || FieldError::new("", "invalid_format", text!("field-must-be-a-valid-email"));
        let trimmed = raw.trim().to_lowercase();
        check_length(&trimmed, 1, Self::MAX_LENGTH)?;
        if !trimmed.validate_email() {
            return Err(invalid());
        }
        let (local, domain) = trimmed.rsplit_once('@').ok_or_else(invalid)?;
        if domain.starts_with('[') {
            return Err(invalid());
        }
        let domain = idna::domain_to_ascii(domain).map_err(|_| invalid())?;
        let normalised = format!("{local}@{domain}");
        check_length(&normalised, 1, Self::MAX_LENGTH)?;
        if !normalised.validate_email() {
            return Err(invalid());
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
    fn one_domain_has_one_spelling() {
        for spelling in [
            "z@catch.exam\u{ad}ple",
            "z@catch\u{ff0e}example",
            "z@catch\u{3002}example",
            "z@\u{ff43}atch.example",
        ] {
            assert_eq!(
                Email::parse(spelling).unwrap().as_str(),
                "z@catch.example",
                "{spelling}"
            );
        }
        assert_eq!(
            Email::parse("z@Café.example").unwrap(),
            Email::parse("z@xn--caf-dma.example").unwrap()
        );
        assert!(Email::parse("a@[192.0.2.1]").is_err());
    }

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
