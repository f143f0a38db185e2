//! French départements: codes, and the département a postal code belongs to.
use super::validation::FieldError;

/// A département code: "01" to "95", "2A"/"2B" (Corsica), "971" to "976" (overseas).
pub fn parse_code(raw: &str) -> Result<String, FieldError> {
    let code = raw.trim().to_uppercase();
    let valid = match code.as_str() {
        "2A" | "2B" => true,
        c if c.len() == 2 => c
            .parse::<u8>()
            .is_ok_and(|n| (1..=95).contains(&n) && n != 20),
        c if c.len() == 3 => c.parse::<u16>().is_ok_and(|n| (971..=976).contains(&n)),
        _ => false,
    };
    if valid {
        Ok(code)
    } else {
        Err(FieldError::new(
            "",
            "invalid_value",
            text!("field-unknown-departement", raw),
        ))
    }
}

/// Parses a list of codes, sorted and without duplicates; at least one.
pub fn parse_list(raw: &[String]) -> Result<Vec<String>, FieldError> {
    let mut codes = raw
        .iter()
        .map(|code| parse_code(code))
        .collect::<Result<Vec<_>, _>>()?;
    codes.sort();
    codes.dedup();
    if codes.is_empty() {
        return Err(FieldError::new(
            "",
            "required",
            text!("field-departement-required"),
        ));
    }
    Ok(codes)
}

/// A French postal code: five digits.
pub fn parse_postal_code(raw: &str) -> Result<String, FieldError> {
    let code = raw.trim();
    if code.len() == 5 && code.bytes().all(|b| b.is_ascii_digit()) {
        Ok(code.to_owned())
    } else {
        Err(FieldError::new(
            "",
            "invalid_format",
            text!("field-must-be-a-french-postal"),
        ))
    }
}

/// The département a postal code usually belongs to. A few communes have the postal code of
/// a neighbouring département: that is why staff review the automatic eligibility check.
pub fn of_postal_code(postal_code: &str) -> Option<String> {
    let code = parse_postal_code(postal_code).ok()?;
    let prefix = &code[..2];
    match prefix {
        "00" => None,
        "20" => Some(if code.as_str() < "20200" { "2A" } else { "2B" }.to_owned()),
        "97" => Some(code[..3].to_owned()).filter(|d| parse_code(d).is_ok()),
        "98" => None,
        _ => Some(prefix.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postal_codes_map_to_their_departement() {
        assert_eq!(of_postal_code("69002").as_deref(), Some("69"));
        assert_eq!(of_postal_code("63050").as_deref(), Some("63"));
        assert_eq!(of_postal_code("01000").as_deref(), Some("01"));
        assert_eq!(of_postal_code("20000").as_deref(), Some("2A"));
        assert_eq!(of_postal_code("20200").as_deref(), Some("2B"));
        assert_eq!(of_postal_code("97400").as_deref(), Some("974"));
        assert_eq!(of_postal_code("98000"), None, "Monaco is not a département");
        assert_eq!(of_postal_code("6900"), None);
        assert_eq!(of_postal_code("69OO2"), None);
    }

    #[test]
    fn codes_are_validated_and_normalised() {
        assert_eq!(
            parse_list(&["69".into(), "01".into(), "2a".into(), "69".into()]).unwrap(),
            ["01", "2A", "69"]
        );
        for bad in ["00", "20", "96", "977", "1", "ABC", ""] {
            assert!(parse_code(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_list(&[]).unwrap_err().code, "required");
    }
}
