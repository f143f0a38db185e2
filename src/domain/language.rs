//! The languages the prize speaks: French first (its people's), English for visitors.
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A language of the catalogues, by its BCP 47 tag (`fr`, `en`).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Default,
    Serialize,
    Deserialize,
    ToSchema,
    strum::EnumIter,
    strum::IntoStaticStr,
    strum::EnumString,
)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum Lang {
    #[default]
    Fr,
    En,
}

impl Lang {
    pub fn tag(self) -> &'static str {
        self.into()
    }

    /// The language to answer in, from the caller's preferred languages (most wanted first,
    /// as `Accept-Language` ranks them): the first one spoken here, whatever its region
    /// (`fr-CH`, `en-GB`); French when none is, or when any language will do (`*`).
    pub fn negotiate<'a>(preferred: impl IntoIterator<Item = Option<&'a str>>) -> Lang {
        preferred
            .into_iter()
            .map_while(|tag| tag)
            .find_map(Lang::of_tag)
            .unwrap_or_default()
    }

    /// The language a tag names, whatever its region or case (`en-GB`, `EN`, `fr_CA`).
    pub fn of_tag(tag: &str) -> Option<Lang> {
        let primary = tag.split(['-', '_']).next().unwrap_or_default();
        primary.to_ascii_lowercase().parse().ok()
    }
}

/// A text organizers write for visitors: French required, English optional; a reader in
/// English sees the French when no English was written.
pub fn in_language<'a>(lang: Lang, french: &'a str, english: Option<&'a str>) -> &'a str {
    match (lang, english) {
        (Lang::En, Some(english)) if !english.trim().is_empty() => english,
        _ => french,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_spoken_language_wins_whatever_its_region() {
        assert_eq!(Lang::negotiate([Some("en-GB"), Some("fr")]), Lang::En);
        assert_eq!(Lang::negotiate([Some("de"), Some("EN")]), Lang::En);
        assert_eq!(Lang::negotiate([Some("fr-CH"), Some("en")]), Lang::Fr);
        assert_eq!(Lang::negotiate([Some("de"), Some("it")]), Lang::Fr);
        assert_eq!(Lang::negotiate([]), Lang::Fr);
    }

    #[test]
    fn any_language_means_french() {
        assert_eq!(Lang::negotiate([None, Some("en")]), Lang::Fr);
    }

    #[test]
    fn visitors_read_english_when_written_else_french() {
        assert_eq!(in_language(Lang::En, "Prix", Some("Prize")), "Prize");
        assert_eq!(in_language(Lang::En, "Prix", None), "Prix");
        assert_eq!(in_language(Lang::En, "Prix", Some("  ")), "Prix");
        assert_eq!(in_language(Lang::Fr, "Prix", Some("Prize")), "Prix");
    }
}
