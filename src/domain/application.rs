//! Applications: the fields an applicant fills in, their formats, completeness, and the
//! automatic eligibility check.
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{
    departement,
    edition::DateRange,
    text::Text,
    validation::{FieldError, check_length},
};

stored_state! {
    pub enum ApplicantKind {
        NaturalPerson,
        Association,
        Company,
        Cooperative,
        PublicBody,
        Other,
    }
}

impl ApplicantKind {
    /// Legal entities give their structure's name and an identifier (a natural person neither).
    pub fn is_legal_entity(self) -> bool {
        self != ApplicantKind::NaturalPerson
    }
}

stored_state! {
    pub enum ApplicationStatus {
        Draft,
        Submitted,
        Withdrawn,
    }
}

stored_state! {
    pub enum Eligibility {
        /// Not reviewed by staff yet.
        Pending,
        Eligible,
        Ineligible,
    }
}

/// An association's number in the Répertoire national des associations: `W` and nine digits
/// (an association may give it instead of a SIRET).
pub fn parse_rna(raw: &str) -> Result<String, FieldError> {
    let number = raw.trim().to_uppercase();
    let valid = number.len() == 10
        && number.starts_with('W')
        && number[1..].bytes().all(|b| b.is_ascii_digit());
    if valid {
        Ok(number)
    } else {
        Err(FieldError::new(
            "",
            "invalid_format",
            text!("field-rna-format"),
        ))
    }
}

/// A SIRET: 14 digits whose Luhn checksum is right (La Poste's establishments use their own
/// rule: the sum of the digits is a multiple of 5).
pub fn parse_siret(raw: &str) -> Result<String, FieldError> {
    let digits: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.len() != 14 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(FieldError::new(
            "",
            "invalid_format",
            text!("field-siret-digits"),
        ));
    }
    let values: Vec<u32> = digits.bytes().map(|b| u32::from(b - b'0')).collect();
    let luhn: u32 = values
        .iter()
        .rev()
        .enumerate()
        .map(|(index, &digit)| match (index % 2, digit * 2) {
            (1, doubled) if doubled > 9 => doubled - 9,
            (1, doubled) => doubled,
            _ => digit,
        })
        .sum();
    let la_poste = digits.starts_with("356000000") && values.iter().sum::<u32>().is_multiple_of(5);
    let valid = luhn.is_multiple_of(10) || la_poste;
    if valid {
        Ok(digits)
    } else {
        Err(FieldError::new(
            "",
            "invalid_checksum",
            text!("field-siret-check-digit"),
        ))
    }
}

/// A phone number: French (0X XX XX XX XX or +33 X XX XX XX XX) or international (+ and 8 to
/// 15 digits). Spaces, dots and dashes are ignored.
pub fn parse_phone(raw: &str) -> Result<String, FieldError> {
    let compact: String = raw
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-'))
        .collect();
    let digits = compact.strip_prefix('+').unwrap_or(&compact);
    let valid = digits.bytes().all(|b| b.is_ascii_digit())
        && if compact.starts_with('+') {
            (8..=15).contains(&digits.len())
        } else {
            digits.len() == 10 && digits.starts_with('0') && !digits.starts_with("00")
        };
    if valid {
        Ok(compact)
    } else {
        Err(FieldError::new(
            "",
            "invalid_format",
            text!("field-must-be-a-phone-number"),
        ))
    }
}

/// Applications one applicant may make in one edition, withdrawn ones included: a structure
/// may present a few actions, but nobody makes the server store unbounded applications (each may
/// carry attachments, which a withdrawn application keeps).
pub const MAX_APPLICATIONS_PER_EDITION: u64 = 5;

/// Hosts whose videos the organizer's website can embed.
pub const VIDEO_HOSTS: [&str; 8] = [
    "youtube.com",
    "www.youtube.com",
    "youtu.be",
    "vimeo.com",
    "player.vimeo.com",
    "dailymotion.com",
    "www.dailymotion.com",
    "dai.ly",
];

pub fn parse_video_url(raw: &str) -> Result<String, FieldError> {
    let url = parse_web_url(raw)?;
    let parsed = url::Url::parse(&url).expect("checked by parse_web_url");
    if parsed.scheme() != "https" {
        return Err(FieldError::new(
            "",
            "invalid_value",
            text!("field-the-video-address-must-use"),
        ));
    }
    if !parsed
        .host_str()
        .is_some_and(|host| VIDEO_HOSTS.contains(&host))
    {
        return Err(FieldError::new(
            "",
            "invalid_value",
            text!(
                "field-videos-must-be-hosted-on",
                video_hosts = VIDEO_HOSTS.join(", ")
            ),
        ));
    }
    Ok(url)
}

/// Where a video of an accepted host plays embedded, on the host's privacy-enhanced player
/// (no cookies before the visitor plays it): YouTube through youtube-nocookie.com, Vimeo with
/// `dnt=1`, Dailymotion through its geo player. `None` for an address that names no video.
pub fn video_embed_url(video_url: &str) -> Option<String> {
    let url = url::Url::parse(video_url).ok()?;
    let segments: Vec<&str> = url.path_segments()?.filter(|s| !s.is_empty()).collect();
    let query = |name: &str| {
        url.query_pairs()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.into_owned())
    };
    let valid = |id: &str| {
        (1..=64).contains(&id.len())
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    // The player, the video's id, and for an unlisted Vimeo video the hash that unlocks it.
    let (player, id, hash) = match (url.host_str()?, segments.as_slice()) {
        ("youtube.com" | "www.youtube.com", ["watch"]) => ("youtube", query("v")?, None),
        ("youtube.com" | "www.youtube.com", ["embed" | "shorts" | "live", id]) => {
            ("youtube", (*id).to_owned(), None)
        }
        ("youtu.be", [id]) => ("youtube", (*id).to_owned(), None),
        ("vimeo.com", [id]) | ("player.vimeo.com", ["video", id]) => {
            ("vimeo", (*id).to_owned(), None)
        }
        ("vimeo.com", [id, hash]) => ("vimeo", (*id).to_owned(), Some(*hash)),
        ("dailymotion.com" | "www.dailymotion.com", ["video" | "embed", .., id])
        | ("dai.ly", [id]) => ("dailymotion", (*id).to_owned(), None),
        _ => return None,
    };
    let numeric = |text: &str| text.bytes().all(|b| b.is_ascii_digit());
    let alphanumeric = |text: &str| text.bytes().all(|b| b.is_ascii_alphanumeric());
    if !valid(&id)
        || (player == "vimeo" && !numeric(&id))
        || hash.is_some_and(|hash| !valid(hash) || !alphanumeric(hash))
    {
        return None;
    }
    Some(match player {
        "youtube" => format!("https://www.youtube-nocookie.com/embed/{id}"),
        "vimeo" => match hash {
            Some(hash) => format!("https://player.vimeo.com/video/{id}?h={hash}&dnt=1"),
            None => format!("https://player.vimeo.com/video/{id}?dnt=1"),
        },
        _ => format!("https://geo.dailymotion.com/player.html?video={id}"),
    })
}

/// The players [`video_embed_url`] points to (a widget page's `frame-src`).
pub const VIDEO_PLAYERS: &str =
    "https://www.youtube-nocookie.com https://player.vimeo.com https://geo.dailymotion.com";

/// An http(s) address of at most 500 characters.
pub fn parse_web_url(raw: &str) -> Result<String, FieldError> {
    let trimmed = raw.trim();
    check_length(trimmed, 1, 500)?;
    match url::Url::parse(trimmed) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host_str().is_some() => {
            Ok(trimmed.to_owned())
        }
        _ => Err(FieldError::new(
            "",
            "invalid_format",
            text!("field-http-address"),
        )),
    }
}

/// A text field: trimmed, within its length limits.
pub fn parse_text(raw: &str, min: usize, max: usize) -> Result<String, FieldError> {
    let trimmed = raw.trim();
    check_length(trimmed, min, max)?;
    Ok(trimmed.to_owned())
}

/// Length limits, in characters.
pub mod limits {
    pub const NAME: usize = 200;
    pub const TITLE: usize = 200;
    pub const SUMMARY: usize = 500;
    pub const DESCRIPTION: usize = 10_000;
    pub const ANSWER: usize = 5_000;
    pub const COMMUNE: usize = 100;
    pub const LOCATIONS: usize = 20;
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"commune": "Lyon", "postal_code": "69002"}))]
pub struct Location {
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub commune: String,
    #[schema(pattern = r"^\s*\d{5}\s*$")]
    pub postal_code: String,
}

impl Location {
    pub fn parse(&self) -> Result<Location, FieldError> {
        Ok(Location {
            commune: parse_text(&self.commune, 1, limits::COMMUNE).map_err(|e| e.on("commune"))?,
            postal_code: departement::parse_postal_code(&self.postal_code)
                .map_err(|e| e.on("postal_code"))?,
        })
    }
}

/// One reason of the automatic eligibility check, as kept: a stable code and the values its
/// message shows, told in each reader's language (`Finding::text`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub code: String,
    #[serde(default)]
    pub values: std::collections::BTreeMap<String, String>,
    /// The message in English, as versions before the catalogue kept it, without values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

impl Finding {
    fn new(code: &str, values: &[(&str, String)]) -> Self {
        Finding {
            code: code.to_owned(),
            values: values
                .iter()
                .map(|(name, value)| ((*name).to_owned(), value.clone()))
                .collect(),
            message: None,
        }
    }

    /// What to tell of it (`None` for a finding kept without its values).
    pub fn text(&self) -> Option<Text> {
        let value = |name: &str| self.values.get(name).cloned();
        // A day kept as ISO 8601, written as each language writes days.
        let day = |name: &str| {
            let day: NaiveDate = self.values.get(name)?.parse().ok()?;
            let part = |format: &str| day.format(format).to_string();
            Some(text!(
                "date",
                day = part("%d"),
                month = part("%m"),
                year = part("%Y")
            ))
        };
        Some(match self.code.as_str() {
            "action_outside_window" => text!(
                "finding-action-outside-window",
                start = day("start")?,
                end = day("end")?,
                window_start = day("window_start")?,
                window_end = day("window_end")?
            ),
            "no_location_in_region" => text!(
                "finding-no-location-in-region",
                departements = value("departements")?
            ),
            _ => return None,
        })
    }
}

/// The automatic eligibility check of a submitted application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AutomaticCheck {
    pub eligible: bool,
    /// Why it is not eligible (empty when it is).
    pub findings: Vec<Finding>,
}

/// An action that ran during the edition's window (the sources: "actions carried out between
/// 2024-01-01 and 2025-12-31": one begun earlier, or still going on, counts if it ran then), and
/// at least one location in its départements.
pub fn check_eligibility(
    window: &DateRange,
    departements: &[String],
    start: NaiveDate,
    end: NaiveDate,
    locations: &[Location],
) -> AutomaticCheck {
    let mut findings = Vec::new();
    let ran_during_window = start <= window.end && end >= window.start;
    if !ran_during_window {
        findings.push(Finding::new(
            "action_outside_window",
            &[
                ("start", start.to_string()),
                ("end", end.to_string()),
                ("window_start", window.start.to_string()),
                ("window_end", window.end.to_string()),
            ],
        ));
    }
    let in_region = locations.iter().any(|location| {
        departement::of_postal_code(&location.postal_code)
            .is_some_and(|d| departements.contains(&d))
    });
    if !in_region {
        findings.push(Finding::new(
            "no_location_in_region",
            &[("departements", departements.join(", "))],
        ));
    }
    AutomaticCheck {
        eligible: findings.is_empty(),
        findings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sirets_need_14_digits_and_a_right_checksum() {
        assert_eq!(parse_siret("732 829 320 00074").unwrap(), "73282932000074");
        assert_eq!(
            parse_siret("73282932000075").unwrap_err().code,
            "invalid_checksum"
        );
        assert_eq!(
            parse_siret("7328293200007").unwrap_err().code,
            "invalid_format"
        );
        assert_eq!(
            parse_siret("7328293200007A").unwrap_err().code,
            "invalid_format"
        );
        // La Poste: sum of digits multiple of 5.
        assert!(parse_siret("35600000049837").is_ok());
        assert!(parse_siret("35600000049838").is_err());
    }

    #[test]
    fn phones_french_or_international() {
        assert_eq!(parse_phone("04 72 00 00 00").unwrap(), "0472000000");
        assert_eq!(parse_phone("+33 4.72.00.00.00").unwrap(), "+33472000000");
        for bad in ["12345", "0072000000", "04 72 00 00", "phone"] {
            assert!(parse_phone(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn videos_play_on_privacy_enhanced_players() {
        for (video, embed) in [
            (
                "https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=10",
                Some("https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
            ),
            (
                "https://youtu.be/dQw4w9WgXcQ",
                Some("https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
            ),
            (
                "https://www.youtube.com/shorts/abc_-1",
                Some("https://www.youtube-nocookie.com/embed/abc_-1"),
            ),
            (
                "https://vimeo.com/123456",
                Some("https://player.vimeo.com/video/123456?dnt=1"),
            ),
            (
                "https://player.vimeo.com/video/42",
                Some("https://player.vimeo.com/video/42?dnt=1"),
            ),
            (
                "https://www.dailymotion.com/video/x8abc12",
                Some("https://geo.dailymotion.com/player.html?video=x8abc12"),
            ),
            (
                "https://dai.ly/x8abc12",
                Some("https://geo.dailymotion.com/player.html?video=x8abc12"),
            ),
            ("https://www.youtube.com/channel/UC123", None),
            ("https://www.youtube.com/watch?v=%22onload%3D", None),
            ("https://vimeo.com/channels/staffpicks", None),
            ("https://evil.example/watch?v=abc", None),
        ] {
            assert_eq!(video_embed_url(video).as_deref(), embed, "{video}");
        }
    }

    #[test]
    fn videos_come_from_known_hosts_over_https() {
        assert!(parse_video_url("https://www.youtube.com/watch?v=abc").is_ok());
        assert!(parse_video_url("https://vimeo.com/123").is_ok());
        assert_eq!(
            parse_video_url("http://www.youtube.com/watch?v=abc")
                .unwrap_err()
                .code,
            "invalid_value"
        );
        assert_eq!(
            parse_video_url("https://evil.example/video.mp4")
                .unwrap_err()
                .code,
            "invalid_value"
        );
        assert_eq!(
            parse_video_url("javascript:alert(1)").unwrap_err().code,
            "invalid_format"
        );
    }

    fn window() -> DateRange {
        DateRange {
            start: "2024-01-01".parse().unwrap(),
            end: "2025-12-31".parse().unwrap(),
        }
    }

    fn at(postal_code: &str) -> Location {
        Location {
            commune: "X".into(),
            postal_code: postal_code.into(),
        }
    }

    #[test]
    fn eligible_inside_the_window_and_the_region() {
        let ara: Vec<String> = ["01", "38", "63", "69"].map(String::from).to_vec();
        let check = check_eligibility(
            &window(),
            &ara,
            "2024-03-01".parse().unwrap(),
            "2025-06-30".parse().unwrap(),
            &[at("13001"), at("69002")],
        );
        assert_eq!(
            check,
            AutomaticCheck {
                eligible: true,
                findings: vec![]
            }
        );
    }

    #[test]
    fn ineligible_outside_the_window_or_the_region_with_both_reasons() {
        let ara: Vec<String> = ["69".to_owned()].to_vec();
        let check = check_eligibility(
            &window(),
            &ara,
            "2022-01-01".parse().unwrap(),
            "2023-12-31".parse().unwrap(),
            &[at("13001")],
        );
        assert!(!check.eligible);
        let codes: Vec<&str> = check.findings.iter().map(|f| f.code.as_str()).collect();
        assert_eq!(codes, ["action_outside_window", "no_location_in_region"]);
        let after = check_eligibility(
            &window(),
            &ara,
            "2026-01-01".parse().unwrap(),
            "2026-06-01".parse().unwrap(),
            &[at("69001")],
        );
        assert_eq!(after.findings[0].code, "action_outside_window");
    }

    #[test]
    fn an_action_that_ran_during_the_window_is_eligible_whenever_it_began_or_ends() {
        let ara: Vec<String> = ["69".to_owned()].to_vec();
        for (start, end) in [
            ("2019-09-01", "2027-06-30"),
            ("2023-12-31", "2024-01-01"),
            ("2025-12-31", "2026-03-01"),
            ("2024-03-01", "2024-03-02"),
        ] {
            let check = check_eligibility(
                &window(),
                &ara,
                start.parse().unwrap(),
                end.parse().unwrap(),
                &[at("69001")],
            );
            assert!(check.eligible, "{start} to {end}: {:?}", check.findings);
        }
    }
}

/// The action an application presents: what the jury reads, and everyone once the application is
/// public.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct ActionPresentation {
    pub applicant_kind: Option<ApplicantKind>,
    pub structure_name: Option<String>,
    pub action_title: Option<String>,
    pub summary: Option<String>,
    pub description: Option<String>,
    pub action_start: Option<NaiveDate>,
    pub action_end: Option<NaiveDate>,
    pub locations: Vec<Location>,
    /// Criterion key → how the action meets it.
    pub answers: std::collections::BTreeMap<String, String>,
    pub video_url: Option<String>,
    pub website: Option<String>,
}

/// What only the applicant and the organizer's staff read: the structure's identifiers and the
/// contact person.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct PrivateDetails {
    pub siret: Option<String>,
    /// An association's RNA number (`W` and nine digits), instead of or beside its SIRET.
    #[schema(example = "W691234567")]
    pub rna: Option<String>,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
}

/// What an applicant has filled in so far: the one definition of an application's content,
/// stored, shown (flattened into the views) and exported.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct ApplicationContent {
    #[serde(flatten)]
    pub action: ActionPresentation,
    #[serde(flatten)]
    pub private: PrivateDetails,
}

/// A change to the content: each `Some` replaces the field (lists are replaced whole).
#[derive(Debug, Clone, Default)]
pub struct ApplicationPatch {
    pub applicant_kind: Option<ApplicantKind>,
    pub structure_name: Option<String>,
    pub siret: Option<String>,
    pub rna: Option<String>,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    pub action_title: Option<String>,
    pub summary: Option<String>,
    pub description: Option<String>,
    pub action_start: Option<NaiveDate>,
    pub action_end: Option<NaiveDate>,
    pub locations: Option<Vec<Location>>,
    pub answers: Option<std::collections::BTreeMap<String, String>>,
    pub video_url: Option<String>,
    pub website: Option<String>,
}

impl ApplicationContent {
    pub fn apply(&mut self, patch: ApplicationPatch) {
        macro_rules! replace {
            ($($part:ident: $($field:ident),*;)*) => {
                $($(if patch.$field.is_some() { self.$part.$field = patch.$field; })*)*
            };
        }
        replace!(
            action: applicant_kind, structure_name, action_title, summary, description,
                action_start, action_end, video_url, website;
            private: siret, rna, contact_name, contact_email, contact_phone;
        );
        if let Some(locations) = patch.locations {
            self.action.locations = locations;
        }
        if let Some(answers) = patch.answers {
            self.action.answers = answers;
        }
    }

    /// Problems that can be seen while drafting: dates in the wrong order, answers to criteria
    /// the edition does not have.
    pub fn inconsistencies(&self, criteria: &[String]) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if let (Some(start), Some(end)) = (self.action.action_start, self.action.action_end)
            && end < start
        {
            errors.push(FieldError::new(
                "action_end",
                "out_of_order",
                text!("field-not-before-action-start"),
            ));
        }
        for key in self
            .action
            .answers
            .keys()
            .filter(|key| !criteria.contains(key))
        {
            errors.push(FieldError::new(
                &format!("answers.{key}"),
                "unknown_criterion",
                text!("field-this-edition-has-no-such"),
            ));
        }
        errors
    }

    /// What is still missing before the application can be submitted.
    pub fn missing(&self, criteria: &[String]) -> Vec<FieldError> {
        let required =
            |field: &str| FieldError::new(field, "required", text!("field-required-to-submit"));
        let mut errors = Vec::new();
        let present = [
            ("applicant_kind", self.action.applicant_kind.is_some()),
            ("contact_name", self.private.contact_name.is_some()),
            ("contact_email", self.private.contact_email.is_some()),
            ("contact_phone", self.private.contact_phone.is_some()),
            ("action_title", self.action.action_title.is_some()),
            ("summary", self.action.summary.is_some()),
            ("description", self.action.description.is_some()),
            ("action_start", self.action.action_start.is_some()),
            ("action_end", self.action.action_end.is_some()),
            ("locations", !self.action.locations.is_empty()),
        ];
        errors.extend(
            present
                .iter()
                .filter(|(_, present)| !present)
                .map(|(field, _)| required(field)),
        );
        if self
            .action
            .applicant_kind
            .is_some_and(ApplicantKind::is_legal_entity)
        {
            if self.action.structure_name.is_none() {
                errors.push(required("structure_name"));
            }
            // An association may be known by its RNA number alone; other legal entities by
            // their SIRET.
            let identified = self.private.siret.is_some()
                || (self.action.applicant_kind == Some(ApplicantKind::Association)
                    && self.private.rna.is_some());
            if !identified {
                errors.push(required("siret"));
            }
        }
        for key in criteria
            .iter()
            .filter(|key| !self.action.answers.contains_key(*key))
        {
            errors.push(required(&format!("answers.{key}")));
        }
        errors.extend(self.inconsistencies(criteria));
        errors
    }
}

#[cfg(test)]
mod content_tests {
    use super::*;

    fn complete() -> ApplicationContent {
        ApplicationContent {
            action: ActionPresentation {
                applicant_kind: Some(ApplicantKind::Association),
                structure_name: Some("Résonansemble".into()),
                action_title: Some("Musique à l'hôpital".into()),
                summary: Some("Des concerts".into()),
                description: Some("Longue description".into()),
                action_start: "2024-03-01".parse().ok(),
                action_end: "2025-06-30".parse().ok(),
                locations: vec![Location {
                    commune: "Lyon".into(),
                    postal_code: "69002".into(),
                }],
                answers: [("impact".to_owned(), "Beaucoup".to_owned())].into(),
                video_url: None,
                website: None,
            },
            private: PrivateDetails {
                siret: Some("73282932000074".into()),
                rna: None,
                contact_name: Some("Claire Martin".into()),
                contact_email: Some("claire@example.fr".into()),
                contact_phone: Some("0472000000".into()),
            },
        }
    }

    #[test]
    fn a_complete_file_misses_nothing() {
        assert!(complete().missing(&["impact".into()]).is_empty());
    }

    #[test]
    fn legal_entities_need_a_structure_and_a_siret_and_every_criterion_an_answer() {
        let mut content = complete();
        content.private.siret = None;
        content.action.locations.clear();
        let fields: Vec<String> = content
            .missing(&["impact".into(), "innovation".into()])
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["locations", "siret", "answers.innovation"]);
        content.action.applicant_kind = Some(ApplicantKind::NaturalPerson);
        content.action.locations = complete().action.locations;
        assert!(
            content.missing(&["impact".into()]).is_empty(),
            "a natural person has no SIRET"
        );
    }

    #[test]
    fn an_association_may_give_its_rna_number_instead_of_a_siret() {
        let mut content = complete();
        content.private.siret = None;
        content.private.rna = Some("W691234567".into());
        assert!(content.missing(&["impact".into()]).is_empty());
        // A company has no RNA number: its SIRET is required.
        content.action.applicant_kind = Some(ApplicantKind::Company);
        let fields: Vec<String> = content
            .missing(&["impact".into()])
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["siret"]);
        assert_eq!(parse_rna(" w691234567 ").unwrap(), "W691234567");
        for bad in [
            "691234567",
            "W69123456",
            "W6912345678",
            "X691234567",
            "W69123456A",
        ] {
            assert_eq!(parse_rna(bad).unwrap_err().code, "invalid_format", "{bad}");
        }
    }

    #[test]
    fn patches_replace_only_what_they_carry() {
        let mut content = complete();
        content.apply(ApplicationPatch {
            summary: Some("Autre".into()),
            ..Default::default()
        });
        assert_eq!(content.action.summary.as_deref(), Some("Autre"));
        assert_eq!(content.action.action_title, complete().action.action_title);
        content.apply(ApplicationPatch {
            action_end: "2024-01-01".parse().ok(),
            answers: Some([("ghost".to_owned(), "x".to_owned())].into()),
            ..Default::default()
        });
        let codes: Vec<String> = content
            .inconsistencies(&["impact".into()])
            .into_iter()
            .map(|e| e.code)
            .collect();
        assert_eq!(codes, ["out_of_order", "unknown_criterion"]);
    }
}
