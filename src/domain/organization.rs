use uuid::Uuid;

use super::{
    refusal::{ProblemCode, Refusal, refuse},
    validation::FieldError,
};

/// A short name: 2 to 32 characters among a-z, 0-9 and `-` (used in addresses and exports).
pub fn parse_short_name(raw: &str) -> Result<String, FieldError> {
    let name = raw.trim();
    let valid = (2..=32).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-');
    if valid {
        Ok(name.to_owned())
    } else {
        Err(FieldError::new(
            "",
            "invalid_format",
            "must be 2 to 32 characters among a-z, 0-9 and -",
        ))
    }
}

/// Staff do not remove themselves from their organization's staff: another admin does, so
/// that an organization is never left without one by mistake.
pub fn check_staff_removal(caller: Uuid, removed: Uuid) -> Result<(), Refusal> {
    if caller == removed {
        return refuse(
            ProblemCode::CannotLockOutSelf,
            "You cannot remove yourself from the staff: ask another admin.",
        );
    }
    Ok(())
}

/// An organization's staff are accounts holding the admin role.
pub fn check_staff_candidate(holds_admin_role: bool) -> Result<(), Refusal> {
    if !holds_admin_role {
        return refuse(
            ProblemCode::NotAnAdmin,
            "Only accounts holding the admin role can join an organization's staff.",
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staff_are_admins() {
        assert!(check_staff_candidate(true).is_ok());
        assert_eq!(
            check_staff_candidate(false).unwrap_err().code,
            ProblemCode::NotAnAdmin
        );
    }

    #[test]
    fn staff_do_not_remove_themselves() {
        let (me, other) = (Uuid::from_u128(1), Uuid::from_u128(2));
        assert!(check_staff_removal(me, other).is_ok());
        assert_eq!(
            check_staff_removal(me, me).unwrap_err().code,
            ProblemCode::CannotLockOutSelf
        );
    }

    #[test]
    fn short_names_are_slugs() {
        assert_eq!(parse_short_name(" ceser-ara ").unwrap(), "ceser-ara");
        for bad in ["C", "ceser ara", "CESER", "-x", "x-", "é-a"] {
            assert!(parse_short_name(bad).is_err(), "{bad}");
        }
    }
}
