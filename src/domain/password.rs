use super::validation::{FieldError, check_length};

/// A new password that satisfies the policy. Never logged: `Debug` is redacted.
pub struct Password(String);

impl Password {
    pub const MIN_LENGTH: usize = 12;
    pub const MAX_LENGTH: usize = 128;

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        check_length(raw, Self::MIN_LENGTH, Self::MAX_LENGTH)?;
        if raw.trim().is_empty() {
            return Err(FieldError::new(
                "",
                "invalid_value",
                text!("field-must-not-be-only-spaces"),
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enforces_length_bounds() {
        assert_eq!(Password::parse("short").unwrap_err().code, "too_short");
        assert_eq!(
            Password::parse(&"x".repeat(129)).unwrap_err().code,
            "too_long"
        );
        assert!(Password::parse("correct horse battery").is_ok());
    }

    #[test]
    fn rejects_blank_passwords_and_never_prints_them() {
        assert_eq!(
            Password::parse(&" ".repeat(12)).unwrap_err().code,
            "invalid_value"
        );
        let password = Password::parse("correct horse battery").unwrap();
        assert_eq!(format!("{password:?}"), "Password(***)");
    }
}
