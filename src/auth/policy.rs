//! Who may call each operation: the one table of access rules.
//!
//! Every operation of the OpenAPI document must have a row here: the server refuses to start
//! otherwise, and the role test walks the document against this table. Ownership checks
//! ("only your own …") are done by the services and noted in the comments.
use std::{collections::HashMap, sync::LazyLock};

use crate::domain::Role;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Anyone, without a token. The `Authorization` header is not even read.
    Public,
    /// Anyone; a bearer token, when sent, must be valid and identifies the caller (who may
    /// then see more, e.g. their organization's drafts).
    Optional,
    /// Any valid bearer token, whatever its roles.
    Authenticated,
    /// A valid bearer token with at least one of these roles.
    AnyOf(&'static [Role]),
}

impl Rule {
    pub fn allows(self, roles: &[Role]) -> bool {
        match self {
            Rule::Public | Rule::Optional | Rule::Authenticated => true,
            Rule::AnyOf(allowed) => roles.iter().any(|role| allowed.contains(role)),
        }
    }
}

const ADMIN: &[Role] = &[Role::Admin];
const APPLICANT: &[Role] = &[Role::Applicant];
const APPLICANT_OR_ADMIN: &[Role] = &[Role::Applicant, Role::Admin];
const JURY: &[Role] = &[Role::Jury];
const VOTER: &[Role] = &[Role::Councillor, Role::Public];
const JURY_OR_ADMIN: &[Role] = &[Role::Jury, Role::Admin];

/// `(operationId, rule)` for every operation of the API.
pub const RULES: &[(&str, Rule)] = &[
    ("health_live", Rule::Public),
    ("health_ready", Rule::Public),
    ("register", Rule::Public),
    ("issue_token", Rule::Public),
    ("refresh_session", Rule::Public),
    ("logout", Rule::Public),
    // The account's holder, logged in, with the emailed link.
    ("verify_email", Rule::Authenticated),
    // The holder of an emailed link; answers never tell whether an address has an account.
    ("resend_verification", Rule::Public),
    ("forgot_password", Rule::Public),
    ("reset_password", Rule::Public),
    // The caller's own account.
    ("get_me", Rule::Authenticated),
    ("update_me", Rule::Authenticated),
    ("export_me", Rule::Authenticated),
    ("delete_me", Rule::Authenticated),
    // The caller's own API tokens, from a session (a token does not make tokens: 403).
    ("create_api_token", Rule::Authenticated),
    ("list_api_tokens", Rule::Authenticated),
    ("get_api_token", Rule::Authenticated),
    ("revoke_api_token", Rule::Authenticated),
    ("create_user", Rule::AnyOf(ADMIN)),
    ("list_users", Rule::AnyOf(ADMIN)),
    ("get_user", Rule::AnyOf(ADMIN)),
    ("update_user", Rule::AnyOf(ADMIN)),
    ("list_audit_events", Rule::AnyOf(ADMIN)),
    ("list_organizations", Rule::Public),
    ("get_organization", Rule::Public),
    // Platform admins only (checked by the service: 403 for other admins).
    ("create_organization", Rule::AnyOf(ADMIN)),
    // Staff of that organization (others get 404).
    ("update_organization", Rule::AnyOf(ADMIN)),
    ("list_organization_admins", Rule::AnyOf(ADMIN)),
    ("add_organization_admin", Rule::AnyOf(ADMIN)),
    ("remove_organization_admin", Rule::AnyOf(ADMIN)),
    // An organization's colleges: public; kept by its staff (others get 404).
    ("list_colleges", Rule::Public),
    ("create_college", Rule::AnyOf(ADMIN)),
    ("rename_college", Rule::AnyOf(ADMIN)),
    ("delete_college", Rule::AnyOf(ADMIN)),
    // Staff of that organization (others get 404).
    ("create_webhook", Rule::AnyOf(ADMIN)),
    ("list_webhooks", Rule::AnyOf(ADMIN)),
    ("get_webhook", Rule::AnyOf(ADMIN)),
    ("update_webhook", Rule::AnyOf(ADMIN)),
    ("delete_webhook", Rule::AnyOf(ADMIN)),
    ("rotate_webhook_secret", Rule::AnyOf(ADMIN)),
    ("list_webhook_deliveries", Rule::AnyOf(ADMIN)),
    ("redeliver_webhook_delivery", Rule::AnyOf(ADMIN)),
    // Published editions are public; drafts are visible to their organization's staff only.
    ("list_editions", Rule::Optional),
    ("get_prize", Rule::Optional),
    ("get_edition", Rule::Optional),
    // Staff of the edition's organization (others get 404).
    ("create_edition", Rule::AnyOf(ADMIN)),
    ("update_edition", Rule::AnyOf(ADMIN)),
    ("transition_edition", Rule::AnyOf(ADMIN)),
    ("replace_criteria", Rule::AnyOf(ADMIN)),
    ("create_prize", Rule::AnyOf(ADMIN)),
    ("update_prize", Rule::AnyOf(ADMIN)),
    ("delete_prize", Rule::AnyOf(ADMIN)),
    // Applicants act on their own applications only (another's is 404).
    ("create_application", Rule::AnyOf(APPLICANT)),
    ("update_application", Rule::AnyOf(APPLICANT)),
    ("submit_application", Rule::AnyOf(APPLICANT)),
    ("withdraw_application", Rule::AnyOf(APPLICANT)),
    // Their own applications for applicants, their organizations' applications for staff.
    ("list_applications", Rule::AnyOf(APPLICANT_OR_ADMIN)),
    ("get_application", Rule::AnyOf(APPLICANT_OR_ADMIN)),
    // Staff of the application's organization (others get 404).
    ("reopen_application", Rule::AnyOf(ADMIN)),
    ("review_application", Rule::AnyOf(ADMIN)),
    ("set_application_visibility", Rule::AnyOf(ADMIN)),
    ("export_applications", Rule::AnyOf(ADMIN)),
    // Attachments follow their application: the owner uploads and deletes (drafts only),
    // the owner and the organization's staff read.
    ("upload_attachment", Rule::AnyOf(APPLICANT)),
    ("delete_attachment", Rule::AnyOf(APPLICANT)),
    ("list_attachments", Rule::AnyOf(APPLICANT_OR_ADMIN)),
    ("download_attachment", Rule::AnyOf(APPLICANT_OR_ADMIN)),
    // The jury. Staff of the edition's organization manage it; jury members reach only the
    // editions they sit on (others get 404).
    ("set_jury_member", Rule::AnyOf(ADMIN)),
    ("remove_jury_member", Rule::AnyOf(ADMIN)),
    ("list_jury_members", Rule::AnyOf(JURY_OR_ADMIN)),
    ("check_jury_composition", Rule::AnyOf(ADMIN)),
    // A member for themselves, staff for a member.
    ("list_application_conflicts", Rule::AnyOf(JURY_OR_ADMIN)),
    ("declare_conflict", Rule::AnyOf(JURY_OR_ADMIN)),
    ("list_conflicts", Rule::AnyOf(ADMIN)),
    ("assign_reviewers", Rule::AnyOf(ADMIN)),
    ("list_assignments", Rule::AnyOf(ADMIN)),
    ("add_assignment", Rule::AnyOf(ADMIN)),
    ("remove_assignment", Rule::AnyOf(ADMIN)),
    ("list_jury_files", Rule::AnyOf(JURY)),
    ("save_scorecard", Rule::AnyOf(JURY)),
    ("submit_scorecard", Rule::AnyOf(JURY)),
    // Staff; a member only after submitting their own, never when conflicted.
    ("list_scorecards", Rule::AnyOf(JURY_OR_ADMIN)),
    ("reopen_scorecard", Rule::AnyOf(ADMIN)),
    // Staff and the jury's president.
    ("get_rankings", Rule::AnyOf(JURY_OR_ADMIN)),
    ("export_rankings", Rule::AnyOf(JURY_OR_ADMIN)),
    ("confirm_shortlist", Rule::AnyOf(ADMIN)),
    ("schedule_audition", Rule::AnyOf(ADMIN)),
    // The jury's president or staff.
    ("decide_prize", Rule::AnyOf(JURY_OR_ADMIN)),
    ("get_prize_decision", Rule::AnyOf(JURY_OR_ADMIN)),
    // Ballots. The ballot, receipts and laureates are public; results show what the caller may
    // see (turnout to staff while open, the tally to staff once closed, all once published).
    ("get_ballot", Rule::Public),
    ("check_receipt", Rule::Public),
    ("list_laureates", Rule::Public),
    // What an edition has published, as CSV and signed; the key that verifies it.
    ("export_results", Rule::Public),
    ("get_signed_results", Rule::Public),
    ("get_jwks", Rule::Public),
    ("get_results", Rule::Optional),
    ("list_receipt_hashes", Rule::Optional),
    // The ceremony screen: turnout, then the result once published.
    ("live_results", Rule::Public),
    // Staff of the prize's organization (others get 404).
    ("set_ballot_window", Rule::AnyOf(ADMIN)),
    ("open_ballot", Rule::AnyOf(ADMIN)),
    ("close_ballot", Rule::AnyOf(ADMIN)),
    ("break_tie", Rule::AnyOf(ADMIN)),
    ("publish_results", Rule::AnyOf(ADMIN)),
    ("set_councillor", Rule::AnyOf(ADMIN)),
    ("list_councillors", Rule::AnyOf(ADMIN)),
    ("remove_councillor", Rule::AnyOf(ADMIN)),
    ("import_councillors", Rule::AnyOf(ADMIN)),
    // The holder of an invitation token (rate-limited like logins): a new account sets its
    // password; an existing one accepts while logged in as the invited account.
    ("accept_invitation", Rule::Optional),
    // Anyone may ask for a code and confirm it (rate-limited).
    ("request_voter_code", Rule::Public),
    ("confirm_voter_code", Rule::Public),
    // Councillors on the roster of the prize's organization; public voter tokens of this prize.
    ("cast_vote", Rule::AnyOf(VOTER)),
    // The public gallery of a published edition.
    ("list_candidates", Rule::Public),
    // The embeddable vote and the ceremony screen: pages and files, for anyone.
    ("get_widget_asset", Rule::Public),
    ("get_widget_page", Rule::Public),
    ("get_ceremony_screen", Rule::Public),
];

/// The operations any web origin may call (CORS, `http::cors`): the public reads an embedded
/// vote or a third-party site makes, the receipt check, and the public vote itself. Every other
/// operation answers only the origins of `PRIX_CORS_ORIGINS`.
pub const ANY_ORIGIN: &[&str] = &[
    "list_organizations",
    "get_organization",
    "list_colleges",
    "list_editions",
    "get_edition",
    "list_candidates",
    "get_ballot",
    "get_results",
    "list_receipt_hashes",
    "list_laureates",
    "export_results",
    "get_signed_results",
    "get_jwks",
    "live_results",
    "check_receipt",
    "request_voter_code",
    "confirm_voter_code",
    "cast_vote",
];

pub fn any_origin(operation_id: &str) -> bool {
    ANY_ORIGIN.contains(&operation_id)
}

/// The rule of an operation, by its OpenAPI `operationId`; `None` for an unknown operation.
/// A map lookup: it runs on every request, votes included.
pub fn rule_for(operation_id: &str) -> Option<Rule> {
    static BY_OPERATION: LazyLock<HashMap<&str, Rule>> =
        LazyLock::new(|| RULES.iter().copied().collect());
    BY_OPERATION.get(operation_id).copied()
}

/// Writes each operation's rule into the contract: `security: []` where no token is read, an
/// optional bearer token where one may be sent, the bearer token everywhere else.
pub fn document(openapi: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::security::SecurityRequirement;
    for operation in crate::openapi::operations_mut(openapi) {
        let Some(rule) = operation.operation_id.as_deref().and_then(rule_for) else {
            continue;
        };
        let bearer = || SecurityRequirement::new("bearer", Vec::<String>::new());
        operation.security = Some(match rule {
            Rule::Public => Vec::new(),
            Rule::Optional => vec![SecurityRequirement::default(), bearer()],
            Rule::Authenticated | Rule::AnyOf(_) => vec![bearer()],
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_rules_need_one_matching_role() {
        let admin_only = Rule::AnyOf(ADMIN);
        assert!(admin_only.allows(&[Role::Jury, Role::Admin]));
        assert!(!admin_only.allows(&[Role::Jury, Role::Councillor]));
        assert!(!admin_only.allows(&[]));
        assert!(Rule::Authenticated.allows(&[]));
    }

    #[test]
    fn each_operation_has_one_row() {
        let mut ids: Vec<&str> = RULES.iter().map(|(id, _)| *id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), RULES.len());
    }

    #[test]
    fn operations_open_to_any_origin_exist_and_need_no_staff_role() {
        for operation in ANY_ORIGIN {
            let rule = rule_for(operation).unwrap_or_else(|| panic!("{operation} has no rule"));
            assert!(
                matches!(rule, Rule::Public | Rule::Optional)
                    || matches!(rule, Rule::AnyOf(roles) if roles.contains(&Role::Public)),
                "{operation}"
            );
        }
        assert!(!any_origin("issue_token") && !any_origin("list_users"));
    }

    #[test]
    fn unknown_operations_have_no_rule() {
        assert_eq!(rule_for("drop_everything"), None);
        assert_eq!(rule_for("list_users"), Some(Rule::AnyOf(ADMIN)));
    }
}
