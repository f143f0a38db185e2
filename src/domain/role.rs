use super::refusal::{ProblemCode, Refusal, refuse};

stored_state! {
    /// What an account may do. One person can hold several roles.
    pub enum Role {
        /// Organizer staff.
        Admin,
        /// A person or organization applying for a prize.
        Applicant,
        /// A jury member.
        Jury,
        /// A councillor of the organizer's assembly.
        Councillor,
        /// A public voter (tokens issued for the public ballot only).
        Public,
    }
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Admin,
        Role::Applicant,
        Role::Jury,
        Role::Councillor,
        Role::Public,
    ];

    /// Roles an account can hold; `public` belongs to public voter tokens only.
    pub fn is_assignable_to_account(self) -> bool {
        self != Role::Public
    }

    /// Roles that come with an organization: a place on its jury, on its councillors' roster.
    pub fn is_granted_by_organization(self) -> bool {
        matches!(self, Role::Jury | Role::Councillor)
    }
}

/// Whether an organization's staff may change an account's roles from `before` to `after`.
/// They may withdraw the roles an organization grants; they give none directly: a role is
/// given by an invitation its holder accepts (or by a platform admin).
pub fn organization_may_change_roles(before: &[Role], after: &[Role]) -> bool {
    let added = after.iter().any(|role| !before.contains(role));
    let mut removed = before.iter().filter(|role| !after.contains(role));
    !added && removed.all(|role| role.is_granted_by_organization())
}

/// Staff do not lock themselves out: they neither drop their own admin role nor disable
/// their own account (another admin does).
pub fn check_own_account_change(
    own_account: bool,
    drops_admin: bool,
    disables: bool,
) -> Result<(), Refusal> {
    if own_account && (drops_admin || disables) {
        return refuse(ProblemCode::CannotLockOutSelf, text!("cannot-demote-self"));
    }
    Ok(())
}

/// An erased account is changed by nobody: its holder asked for it to be gone.
pub fn check_not_erased(erased: bool) -> Result<(), Refusal> {
    if erased {
        return refuse(ProblemCode::AccountErased, text!("account-erased"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nobody_changes_an_erased_account() {
        assert!(check_not_erased(false).is_ok());
        assert_eq!(
            check_not_erased(true).unwrap_err().code,
            ProblemCode::AccountErased
        );
    }

    #[test]
    fn staff_do_not_lock_themselves_out() {
        assert!(check_own_account_change(false, true, true).is_ok());
        assert!(check_own_account_change(true, false, false).is_ok());
        for (drops_admin, disables) in [(true, false), (false, true)] {
            assert_eq!(
                check_own_account_change(true, drops_admin, disables)
                    .unwrap_err()
                    .code,
                ProblemCode::CannotLockOutSelf
            );
        }
    }

    #[test]
    fn organizations_only_withdraw_jury_and_councillor_roles() {
        use Role::*;
        assert!(!organization_may_change_roles(
            &[Applicant],
            &[Applicant, Jury]
        ));
        assert!(!organization_may_change_roles(
            &[Admin],
            &[Admin, Councillor]
        ));
        assert!(organization_may_change_roles(&[Jury, Councillor], &[]));
        assert!(organization_may_change_roles(&[Admin, Jury], &[Admin]));
        assert!(organization_may_change_roles(&[Jury], &[Jury]));
        assert!(!organization_may_change_roles(&[Admin], &[]));
        assert!(!organization_may_change_roles(&[Applicant], &[]));
    }

    #[test]
    fn round_trips_through_its_name() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>().unwrap(), role);
            assert_eq!(serde_json::to_value(role).unwrap(), role.as_str());
        }
        assert!("root".parse::<Role>().is_err());
    }

    #[test]
    fn public_is_not_an_account_role() {
        assert!(!Role::Public.is_assignable_to_account());
        assert!(Role::Jury.is_assignable_to_account());
    }
}
