use super::validation::{FieldError, check_length, is_hidden_character};

/// The name shown for a user: trimmed, 1 to 100 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    pub const MAX_LENGTH: usize = 100;

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let trimmed = raw.trim();
        check_length(trimmed, 1, Self::MAX_LENGTH)?;
        if trimmed.chars().any(is_hidden_character) {
            return Err(FieldError::new(
                "",
                "invalid_format",
                text!("field-no-hidden-characters"),
            ));
        }
        Ok(Self(trimmed.to_owned()))
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_keeps_french_characters() {
        assert_eq!(
            DisplayName::parse("  Hélène Côté ").unwrap().into_inner(),
            "Hélène Côté"
        );
    }

    #[test]
    fn rejects_blank_control_and_overlong_names() {
        assert_eq!(DisplayName::parse("   ").unwrap_err().code, "required");
        for hidden in [
            "a\u{7}b",
            "zero\u{200b}width",
            "\u{202e}reversed",
            "a\u{feff}b",
        ] {
            assert_eq!(
                DisplayName::parse(hidden).unwrap_err().code,
                "invalid_format"
            );
        }
        assert_eq!(
            DisplayName::parse(&"é".repeat(101)).unwrap_err().code,
            "too_long"
        );
    }
}
