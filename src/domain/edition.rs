//! Editions: their statuses and settings (criteria, prizes, scale, window), and the Prix du
//! CESER defaults. The guards of the lifecycle are in `edition_lifecycle`.
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{
    calendar::Calendar,
    refusal::{ProblemCode, Refusal},
    validation::FieldError,
};

// Ordered as the lifecycle: `Draft < ApplicationsOpen < … < Archived`.
stored_state! {
    pub enum EditionStatus {
        Draft,
        ApplicationsOpen,
        Selection,
        Audition,
        Ceremony,
        ResultsPublished,
        Archived,
    }
}

impl EditionStatus {
    pub const ALL: [EditionStatus; 7] = [
        EditionStatus::Draft,
        EditionStatus::ApplicationsOpen,
        EditionStatus::Selection,
        EditionStatus::Audition,
        EditionStatus::Ceremony,
        EditionStatus::ResultsPublished,
        EditionStatus::Archived,
    ];

    /// The only status an edition may move to from this one.
    pub fn next(self) -> Option<Self> {
        let index = Self::ALL.iter().position(|status| *status == self)?;
        Self::ALL.get(index + 1).copied()
    }

    /// Drafts are seen by their organizer only; every later status is public.
    pub fn is_public(self) -> bool {
        self != EditionStatus::Draft
    }

    /// The edition's settings (window, départements, criteria, prizes) can change only in draft.
    pub fn is_configurable(self) -> bool {
        self == EditionStatus::Draft
    }

    /// Whether a change of the edition's settings reaching `widest` is allowed at this status:
    /// everything in draft; the calendar and the texts while applications are open (to extend
    /// a deadline, say); which notifications it sends until its results are out.
    pub fn check_change(self, widest: SettingsPart) -> Result<(), Refusal> {
        let allowed = match self {
            EditionStatus::Draft => true,
            EditionStatus::ApplicationsOpen => widest <= SettingsPart::CalendarAndTexts,
            status if status < EditionStatus::ResultsPublished => {
                widest <= SettingsPart::Notifications
            }
            _ => false,
        };
        if allowed { Ok(()) } else { Err(self.locked()) }
    }

    /// Refuses a change of settings the edition's status no longer allows.
    pub fn locked(self) -> Refusal {
        Refusal::new(
            ProblemCode::EditionLocked,
            text!("edition-locked", status = self.as_str()),
        )
    }
}

/// The parts of an edition's settings, from the one that may change longest to the one fixed
/// first (`EditionStatus::check_change`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SettingsPart {
    /// Nothing changes.
    Nothing,
    /// The notifications the edition does not send.
    Notifications,
    /// The calendar, the title and the theme.
    CalendarAndTexts,
    /// What the competition's rules depend on: number, year, action window, départements,
    /// shortlist size, scoring scale.
    Rules,
}

/// One criterion as configured on an edition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CriterionSpec {
    /// Stable identifier, lower case: `general_interest`.
    #[schema(pattern = r"^[a-z0-9_]{1,64}$")]
    #[schema(example = "general_interest")]
    pub key: String,
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    #[schema(example = "Intérêt général")]
    pub label_fr: String,
    /// The label in English (optional; visitors reading English see the French without it).
    #[serde(default)]
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    #[schema(example = "General interest")]
    pub label_en: Option<String>,
    #[serde(default)]
    pub description: String,
    /// The description in English (optional; visitors reading English see the French without it).
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub description_en: Option<String>,
    /// Relative weight in the total (default 1).
    #[serde(default = "default_weight")]
    #[schema(example = 1.0, exclusive_minimum = 0.0, maximum = 100.0)]
    pub weight: f64,
}

fn default_weight() -> f64 {
    1.0
}

impl CriterionSpec {
    pub fn validate(&self) -> Result<(), FieldError> {
        let key_ok = !self.key.is_empty()
            && self.key.len() <= 64
            && self
                .key
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !key_ok {
            return Err(FieldError::new(
                "key",
                "invalid_format",
                text!("field-key-format"),
            ));
        }
        super::validation::check_name(&self.label_fr, 1, 200).map_err(|e| e.on("label_fr"))?;
        // A blank English label is none, as a blank English description is.
        let label_en = self
            .label_en
            .as_deref()
            .filter(|label| !label.trim().is_empty());
        check_english_name(label_en, "label_en")?;
        check_description(Some(&self.description), "description")?;
        check_description(self.description_en.as_deref(), "description_en")?;
        check_translated(
            !self.description.trim().is_empty(),
            self.description_en.as_deref(),
            "description",
        )?;
        if !(self.weight.is_finite() && self.weight > 0.0 && self.weight <= 100.0) {
            return Err(FieldError::new(
                "weight",
                "out_of_range",
                text!("field-weight-range"),
            ));
        }
        Ok(())
    }
}

/// The five criteria of the Prix du CESER, which every new edition starts with.
pub fn default_criteria() -> Vec<CriterionSpec> {
    [
        (
            "general_interest",
            "Intérêt général",
            "General interest",
            "L'action sert l'intérêt général du territoire et de ses habitants.",
            "The action serves the general interest of the territory and its people.",
        ),
        (
            "reproducibility",
            "Caractère reproductible",
            "Reproducibility",
            "L'action peut être reproduite ailleurs ou par d'autres.",
            "The action can be carried out elsewhere or by others.",
        ),
        (
            "efficiency",
            "Efficience",
            "Efficiency",
            "Les résultats obtenus au regard des moyens engagés.",
            "The results achieved for the means committed.",
        ),
        (
            "sustainability",
            "Pérennité",
            "Sustainability",
            "L'action est durable et pérenne dans le temps.",
            "The action lasts over time.",
        ),
        (
            "innovativeness",
            "Caractère innovant",
            "Innovativeness",
            "L'action apporte une réponse nouvelle à un besoin social.",
            "The action brings a new answer to a social need.",
        ),
    ]
    .into_iter()
    .map(
        |(key, label_fr, label_en, description, description_en)| CriterionSpec {
            key: key.into(),
            label_fr: label_fr.into(),
            label_en: Some(label_en.into()),
            description: description.into(),
            description_en: Some(description_en.into()),
            weight: 1.0,
        },
    )
    .collect()
}

stored_state! {
    pub enum PrizeKind {
        /// Decided by the jury after the auditions.
        Jury,
        /// Voted by the councillors during the ceremony.
        Councillors,
        /// Voted online by the public.
        Public,
        /// A sponsored category prize decided by the jury (CRESS style).
        Category,
    }
}

stored_state! {
    pub enum CandidatePool {
        /// The shortlisted applications.
        Shortlisted,
        /// Every eligible application.
        Eligible,
    }
}

/// An inclusive range of civil dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"start": "2024-01-01", "end": "2025-12-31"}))]
pub struct DateRange {
    pub start: chrono::NaiveDate,
    pub end: chrono::NaiveDate,
}

impl DateRange {
    pub fn contains(&self, date: chrono::NaiveDate) -> bool {
        self.start <= date && date <= self.end
    }
}

/// The scale each criterion is scored on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"min": 0, "max": 20}))]
pub struct ScoreScale {
    pub min: i32,
    pub max: i32,
}

impl Default for ScoreScale {
    fn default() -> Self {
        Self { min: 0, max: 20 }
    }
}

/// A prize as configured on an edition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"kind": "jury", "name": "Prix du jury", "sponsors": [], "pool": "shortlisted", "laureate_count": 1, "mentions_allowed": false}))]
pub struct PrizeSpec {
    pub kind: PrizeKind,
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x1f\x7f-\x9f\xad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\u2800\u3164\ufe00-\ufe0f\ufeff\ufff9-\ufffb\uffa0]*[^\s\x00-\x1f\x7f-\x9f\xad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\u2800\u3164\ufe00-\ufe0f\ufeff\ufff9-\ufffb\uffa0][^\x00-\x1f\x7f-\x9f\xad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\u2800\u3164\ufe00-\ufe0f\ufeff\ufff9-\ufffb\uffa0]*$"
    )]
    pub name: String,
    #[serde(default)]
    #[schema(value_type = Option<crate::openapi::rules::EnglishName>)]
    pub name_en: Option<String>,
    /// What the prize rewards, for visitors (optional, at most 2,000 characters).
    #[serde(default)]
    #[schema(
        max_length = 2000,
        example = "Décerné par le jury après les auditions."
    )]
    pub description: Option<String>,
    /// The description in English (optional; visitors reading English see the French without it).
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub description_en: Option<String>,
    #[serde(default)]
    #[schema(max_items = 20, value_type = Vec<crate::openapi::rules::SponsorName>)]
    pub sponsors: Vec<String>,
    /// Which applications compete (default: the shortlisted ones).
    #[serde(default = "default_pool")]
    pub pool: CandidatePool,
    #[serde(default = "one")]
    #[schema(minimum = 1, maximum = 20)]
    pub laureate_count: i32,
    /// Whether honourable mentions may be awarded.
    #[serde(default)]
    pub mentions_allowed: bool,
}

fn default_pool() -> CandidatePool {
    CandidatePool::Shortlisted
}

fn one() -> i32 {
    1
}

impl PrizeSpec {
    pub fn validate(&self) -> Result<(), FieldError> {
        super::validation::check_name(&self.name, 1, 200).map_err(|e| e.on("name"))?;
        check_english_name(self.name_en.as_deref(), "name_en")?;
        check_description(self.description.as_deref(), "description")?;
        check_description(self.description_en.as_deref(), "description_en")?;
        let described = self
            .description
            .as_deref()
            .is_some_and(|text| !text.trim().is_empty());
        check_translated(described, self.description_en.as_deref(), "description")?;
        if self.sponsors.len() > 20 {
            return Err(FieldError::new(
                "sponsors",
                "too_long",
                text!("field-at-most-20-sponsors"),
            ));
        }
        for sponsor in &self.sponsors {
            super::validation::check_length(sponsor.trim(), 1, 200)
                .map_err(|e| e.on("sponsors"))?;
        }
        if !(1..=20).contains(&self.laureate_count) {
            return Err(FieldError::new(
                "laureate_count",
                "out_of_range",
                text!("field-between", min = 1, max = 20),
            ));
        }
        Ok(())
    }
}

/// The settings of an edition, checked together.
#[derive(Debug, Clone)]
pub struct EditionSettings {
    pub number: i32,
    pub year: i32,
    pub title: String,
    pub theme: Option<String>,
    pub title_en: Option<String>,
    pub theme_en: Option<String>,
    pub action_window: DateRange,
    pub departements: Vec<String>,
    pub shortlist_size: i32,
    pub scoring_scale: ScoreScale,
    pub calendar: Calendar,
    /// The notifications the edition does not send.
    pub notifications_off: Vec<super::notification::NotificationKind>,
}

impl EditionSettings {
    /// Every problem, each under its request field.
    pub fn violations(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if !(1..=1000).contains(&self.number) {
            errors.push(FieldError::new(
                "number",
                "out_of_range",
                text!("field-between", min = 1, max = 1000),
            ));
        }
        if !(2000..=2100).contains(&self.year) {
            errors.push(FieldError::new(
                "year",
                "out_of_range",
                text!("field-between", min = 2000, max = 2100),
            ));
        }
        if let Err(error) = super::validation::check_name(&self.title, 1, 200) {
            errors.push(error.on("title"));
        }
        if let Some(Err(error)) = self
            .theme
            .as_deref()
            .map(|theme| super::validation::check_name(theme, 1, 200))
        {
            errors.push(error.on("theme"));
        }
        errors.extend(check_english_name(self.title_en.as_deref(), "title_en").err());
        errors.extend(check_english_name(self.theme_en.as_deref(), "theme_en").err());
        errors.extend(
            check_translated(self.theme.is_some(), self.theme_en.as_deref(), "theme").err(),
        );
        if self.action_window.end < self.action_window.start {
            errors.push(FieldError::new(
                "action_window",
                "out_of_order",
                text!("field-end-must-not-be-before"),
            ));
        }
        if !(1..=50).contains(&self.shortlist_size) {
            errors.push(FieldError::new(
                "shortlist_size",
                "out_of_range",
                text!("field-between", min = 1, max = 50),
            ));
        }
        let scale = self.scoring_scale;
        if !(0 <= scale.min && scale.min < scale.max && scale.max <= 1000) {
            errors.push(FieldError::new(
                "scoring_scale",
                "out_of_range",
                text!("field-scale-range"),
            ));
        }
        if self.notifications_off.len() > super::notification::KINDS {
            errors.push(FieldError::new(
                "notifications_off",
                "too_long",
                text!("field-each-kind-once", kinds = super::notification::KINDS),
            ));
        }
        if let Err(error) = self.calendar.check_order() {
            errors.push(FieldError::new(
                &format!("calendar.{}", error.field),
                &error.code,
                error.message,
            ));
        }
        errors
    }
}

/// A name written in English beside the French one, when written: as a French name.
pub fn check_english_name(name: Option<&str>, field: &str) -> Result<(), FieldError> {
    name.map_or(Ok(()), |name| {
        super::validation::check_name(name, 1, 200).map_err(|e| e.on(field))
    })
}

/// A description for visitors, when written: at most 2,000 characters, in lines, without
/// hidden characters.
fn check_description(text: Option<&str>, field: &str) -> Result<(), FieldError> {
    text.map_or(Ok(()), |text| {
        super::validation::check_text(text, 2000).map_err(|e| e.on(field))
    })
}

/// An English version translates a French text: none without it (it would never be shown to a
/// reader of French, nor stand in for it).
fn check_translated(french: bool, english: Option<&str>, field: &str) -> Result<(), FieldError> {
    if !french && english.is_some_and(|english| !english.trim().is_empty()) {
        return Err(FieldError::new(
            field,
            "required",
            text!("field-required-with-english"),
        ));
    }
    Ok(())
}

/// Criteria as a whole: 1 to 20, each valid, keys unique.
pub fn criteria_violations(criteria: &[CriterionSpec]) -> Vec<FieldError> {
    let mut errors: Vec<FieldError> = criteria
        .iter()
        .enumerate()
        .filter_map(|(index, criterion)| {
            criterion.validate().err().map(|error| {
                let field = format!("criteria[{index}].{}", error.field);
                error.on(&field)
            })
        })
        .collect();
    if criteria.is_empty() || criteria.len() > 20 {
        errors.push(FieldError::new(
            "criteria",
            "out_of_range",
            text!("field-between-1-and-20-criteria"),
        ));
    }
    let mut keys: Vec<&str> = criteria
        .iter()
        .map(|criterion| criterion.key.as_str())
        .collect();
    keys.sort();
    if keys.windows(2).any(|pair| pair[0] == pair[1]) {
        errors.push(FieldError::new(
            "criteria",
            "duplicate",
            text!("field-criterion-keys-must-be-unique"),
        ));
    }
    errors
}

#[cfg(test)]
mod settings_tests {
    use super::*;

    #[test]
    fn settings_close_as_the_edition_goes_the_notifications_last() {
        use EditionStatus::*;
        use SettingsPart::*;
        let allowed = |status: EditionStatus, part| status.check_change(part).is_ok();
        assert!(allowed(Draft, Rules));
        assert!(!allowed(ApplicationsOpen, Rules));
        assert!(allowed(ApplicationsOpen, CalendarAndTexts));
        for running in [Selection, Audition, Ceremony] {
            assert!(!allowed(running, CalendarAndTexts), "{running}");
            assert!(allowed(running, Notifications), "{running}");
        }
        for concluded in [ResultsPublished, Archived] {
            assert!(!allowed(concluded, Notifications), "{concluded}");
            assert!(!allowed(concluded, Nothing), "{concluded}");
        }
    }

    #[test]
    fn the_default_criteria_are_the_five_of_the_prix_du_ceser() {
        let keys: Vec<String> = default_criteria().into_iter().map(|c| c.key).collect();
        assert_eq!(
            keys,
            [
                "general_interest",
                "reproducibility",
                "efficiency",
                "sustainability",
                "innovativeness"
            ]
        );
        assert!(default_criteria().iter().all(|c| c.validate().is_ok()));
    }

    #[test]
    fn english_texts_are_checked_as_the_french_ones() {
        assert!(sixth_edition().violations().is_empty());
        let mut hidden = sixth_edition();
        hidden.title_en = Some("CESER\u{202e} Prize".into());
        hidden.theme_en = Some("   ".into());
        let fields: Vec<String> = hidden.violations().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["title_en", "theme_en"]);
        let mut prize = PrizeSpec {
            kind: PrizeKind::Jury,
            name: "Prix du jury".into(),
            name_en: Some("\u{200b}".into()),
            description: Some("é".repeat(2001)),
            description_en: None,
            sponsors: vec![],
            pool: CandidatePool::Shortlisted,
            laureate_count: 1,
            mentions_allowed: false,
        };
        assert_eq!(prize.validate().unwrap_err().field, "name_en");
        prize.name_en = Some("Jury's prize".into());
        assert_eq!(prize.validate().unwrap_err().field, "description");
        prize.description = Some("é".repeat(2000));
        assert!(prize.validate().is_ok());
    }

    fn sixth_edition() -> EditionSettings {
        EditionSettings {
            number: 6,
            year: 2026,
            title: "Prix du CESER 2026".into(),
            theme: None,
            title_en: Some("CESER Prize 2026".into()),
            theme_en: None,
            notifications_off: vec![],
            action_window: DateRange {
                start: "2024-01-01".parse().unwrap(),
                end: "2025-12-31".parse().unwrap(),
            },
            departements: vec!["69".into()],
            shortlist_size: 5,
            scoring_scale: ScoreScale::default(),
            calendar: Calendar::default(),
        }
    }

    #[test]
    fn the_reference_edition_is_valid() {
        assert!(sixth_edition().violations().is_empty());
    }

    #[test]
    fn every_bad_setting_is_reported() {
        let mut settings = sixth_edition();
        settings.year = 1999;
        settings.action_window = DateRange {
            start: "2025-01-01".parse().unwrap(),
            end: "2024-01-01".parse().unwrap(),
        };
        settings.scoring_scale = ScoreScale { min: 20, max: 0 };
        settings.shortlist_size = 0;
        let fields: Vec<String> = settings.violations().into_iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            ["year", "action_window", "shortlist_size", "scoring_scale"]
        );
    }

    #[test]
    fn criteria_keys_must_be_unique_and_valid() {
        let mut criteria = default_criteria();
        assert!(criteria_violations(&criteria).is_empty());
        criteria[1].key = criteria[0].key.clone();
        criteria[2].weight = 0.0;
        let fields: Vec<String> = criteria_violations(&criteria)
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["criteria[2].weight", "criteria"]);
        assert_eq!(criteria_violations(&[])[0].code, "out_of_range");
    }
}
