use super::text::Text;

/// One invalid field of a request, as listed in a `validation_failed` problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The request field, as named in the request (`email`, `roles`, …).
    pub field: String,
    /// Stable machine code: `required`, `too_short`, `too_long`, `invalid_format`, `invalid_value`, …
    pub code: String,
    /// The explanation for people, in any language.
    pub message: Text,
}

impl FieldError {
    pub fn new(field: &str, code: &str, message: Text) -> Self {
        Self {
            field: field.to_owned(),
            code: code.to_owned(),
            message,
        }
    }

    /// The same error reported under another field name.
    pub fn on(mut self, field: &str) -> Self {
        self.field = field.to_owned();
        self
    }
}

/// Collects field errors while parsing a request, so that all of them are reported at once.
#[derive(Debug, Default)]
pub struct Violations(Vec<FieldError>);

impl Violations {
    /// Keeps the parsed value, or records the error and yields `None`.
    pub fn check<T>(&mut self, field: &str, parsed: Result<T, FieldError>) -> Option<T> {
        parsed.map_err(|error| self.0.push(error.on(field))).ok()
    }

    pub fn push(&mut self, error: FieldError) {
        self.0.push(error);
    }

    /// `Ok(())` when nothing was recorded.
    pub fn finish(self) -> Result<(), Vec<FieldError>> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(self.0)
        }
    }
}

/// A character that changes how text shows without showing itself: controls, zero-width
/// characters and direction overrides, which would hide or reverse what a name says.
pub fn is_hidden_character(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{00ad}'
                | '\u{034f}'
                | '\u{061c}'
                | '\u{115f}'
                | '\u{1160}'
                | '\u{17b4}'
                | '\u{17b5}'
                | '\u{180e}'
                | '\u{200b}'..='\u{200f}'
                | '\u{2028}'..='\u{202e}'
                | '\u{2060}'..='\u{206f}'
                | '\u{2800}'
                | '\u{3164}'
                | '\u{fe00}'..='\u{fe0f}'
                | '\u{feff}'
                | '\u{fff9}'..='\u{fffb}'
                | '\u{ffa0}'
                | '\u{e0000}'..='\u{e007f}'
                | '\u{e0100}'..='\u{e01ef}'
        )
}

/// A name shown to others (an edition's title, a prize's, an organization's): its length once
/// trimmed, and no hidden character.
pub fn check_name(value: &str, min: usize, max: usize) -> Result<(), FieldError> {
    check_length(value.trim(), min, max)?;
    if value.chars().any(is_hidden_character) {
        return Err(FieldError::new(
            "",
            "invalid_format",
            text!("field-no-hidden-characters"),
        ));
    }
    Ok(())
}

/// A text in lines shown to others (a description): at most `max` characters, and no hidden
/// character but line breaks.
pub fn check_text(value: &str, max: usize) -> Result<(), FieldError> {
    check_length(value, 0, max)?;
    if value
        .chars()
        .any(|c| c != '\n' && c != '\r' && is_hidden_character(c))
    {
        return Err(FieldError::new(
            "",
            "invalid_format",
            text!("field-no-hidden-characters"),
        ));
    }
    Ok(())
}

/// Length of a text in characters, checked against inclusive bounds.
pub fn check_length(value: &str, min: usize, max: usize) -> Result<(), FieldError> {
    let length = value.chars().count();
    if length < min {
        if length == 0 {
            return Err(FieldError::new(
                "",
                "required",
                text!("field-must-not-be-empty"),
            ));
        }
        return Err(FieldError::new(
            "",
            "too_short",
            text!("field-must-be-at-least-characters", min),
        ));
    }
    if length > max {
        return Err(FieldError::new(
            "",
            "too_long",
            text!("field-must-be-at-most-characters", max),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_bounds_are_inclusive_and_count_characters() {
        assert!(check_length("éé", 2, 2).is_ok());
        assert_eq!(check_length("", 1, 5).unwrap_err().code, "required");
        assert_eq!(check_length("a", 2, 5).unwrap_err().code, "too_short");
        assert_eq!(check_length("abcdef", 1, 5).unwrap_err().code, "too_long");
    }

    #[test]
    fn violations_collect_every_error_with_its_field() {
        let mut violations = Violations::default();
        assert_eq!(violations.check("a", Ok::<_, FieldError>(1)), Some(1));
        assert_eq!(
            violations.check::<()>("b", check_length("", 1, 2).map(|_| ())),
            None
        );
        let errors = violations.finish().unwrap_err();
        assert_eq!(
            errors,
            vec![FieldError::new(
                "b",
                "required",
                text!("field-must-not-be-empty")
            )]
        );
    }
}
