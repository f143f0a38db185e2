//! The rules, as pure functions and types: no I/O here, everything unit-tested.

// First: its `text!` macro is used by every module after it, in the crate.
#[macro_use]
pub mod text;

/// Declares a state that is stored in a text column and sent as JSON, both by its snake_case
/// name: one declaration gives its storage (`DeriveActiveEnum`), its wire form and schema, and
/// `as_str`/`parse`. An unknown stored name is a read error, never another state.
macro_rules! stored_state {
    ($(#[$meta:meta])* pub enum $name:ident { $($(#[$variant_meta:meta])* $variant:ident,)* }) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash,
            serde::Serialize, serde::Deserialize, utoipa::ToSchema,
            sea_orm::EnumIter, sea_orm::DeriveActiveEnum,
            strum::IntoStaticStr, strum::EnumString, strum::Display,
        )]
        #[serde(rename_all = "snake_case")]
        #[strum(serialize_all = "snake_case")]
        #[sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")]
        pub enum $name {
            $($(#[$variant_meta])* $variant,)*
        }

        impl $name {
            pub fn as_str(self) -> &'static str {
                self.into()
            }

            pub fn parse(name: &str) -> Option<Self> {
                name.parse().ok()
            }
        }
    };
}

pub mod address_proof;
pub mod api_token;
pub mod application;
pub mod application_lifecycle;
pub mod attachment;
pub mod audit_chain;
pub mod ballot;
pub mod calendar;
pub mod college;
pub mod departement;
pub mod display_name;
pub mod edition;
pub mod edition_lifecycle;
pub mod email;
pub mod jury;
pub mod jury_rules;
pub mod language;
pub mod notification;
pub mod organization;
pub mod pagination;
pub mod password;
pub mod refusal;
pub mod role;
pub mod roster;
pub mod scoring;
pub mod validation;
pub mod voter;
pub mod webhook;

pub use display_name::DisplayName;
pub use email::Email;
pub use language::Lang;
pub use password::Password;
pub use role::Role;
pub use text::Text;
pub use validation::FieldError;

#[cfg(test)]
mod tests {
    use sea_orm::{ActiveEnum, Iterable};

    /// The stored, the sent and the named forms of a state are one and the same name.
    fn one_name_per_state<T>()
    where
        T: ActiveEnum<Value = String> + Iterable + serde::Serialize + Copy + Into<&'static str>,
    {
        for state in T::iter() {
            let name: &'static str = state.into();
            assert_eq!(state.to_value(), name);
            assert_eq!(serde_json::to_value(state).unwrap(), name);
            assert!(T::try_from_value(&name.to_owned()).is_ok());
        }
        assert!(T::try_from_value(&"not a state".to_owned()).is_err());
    }

    #[test]
    fn every_stored_state_has_one_name() {
        one_name_per_state::<super::edition::EditionStatus>();
        one_name_per_state::<super::edition::PrizeKind>();
        one_name_per_state::<super::edition::CandidatePool>();
        one_name_per_state::<super::application::ApplicantKind>();
        one_name_per_state::<super::application::ApplicationStatus>();
        one_name_per_state::<super::application::Eligibility>();
        one_name_per_state::<super::ballot::BallotState>();
        one_name_per_state::<super::jury::Seat>();
        one_name_per_state::<super::scoring::Round>();
        one_name_per_state::<super::scoring::ScorecardStatus>();
        one_name_per_state::<super::Role>();
    }
}
