//! Demo data: the CESER Auvergne-Rhône-Alpes with its archived 5th edition (2025 laureates)
//! and its 6th edition exactly as announced (its jury seated, its candidates' videos, its ballots
//! on the ceremony day), an open 7th edition to apply to, the CESER PACA,
//! the CRESS's first "Graines de l'innovation sociale" with its four sponsored categories,
//! and demo accounts. Loading it twice changes nothing.
use chrono::{DateTime, Days, NaiveDate, Utc};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::{
    auth::Principal,
    domain::{
        DisplayName, Email, Password, Role,
        application::{ActionPresentation, ApplicantKind, ApplicationContent, Location},
        calendar::{self, Calendar},
        edition::{
            self, CandidatePool, DateRange, EditionSettings, EditionStatus, PrizeKind, PrizeSpec,
            ScoreScale,
        },
        jury::Seat,
        voter::VoterKeys,
    },
    entities::{edition as edition_entity, organization, user},
    services::{accounts, applications, ballots, colleges, editions, jury, organizations, stages},
};

/// A demo account and its password, printed when the demo starts.
pub struct DemoAccount {
    pub email: &'static str,
    pub password: &'static str,
    pub display_name: &'static str,
    pub roles: &'static [Role],
    pub platform_admin: bool,
}

pub const ACCOUNTS: [DemoAccount; 11] = [
    DemoAccount {
        email: "admin@prix-ceser.example",
        password: "demo-admin-2026",
        display_name: "Administration de la plateforme",
        roles: &[Role::Admin],
        platform_admin: true,
    },
    DemoAccount {
        email: "secretariat@ceser-ara.example",
        password: "demo-secretariat-2026",
        display_name: "Secrétariat du CESER AURA",
        roles: &[Role::Admin],
        platform_admin: false,
    },
    DemoAccount {
        email: "claire.martin@example.org",
        password: "demo-candidat-2026",
        display_name: "Claire Martin",
        roles: &[Role::Applicant],
        platform_admin: false,
    },
    DemoAccount {
        email: "paul.durand@example.org",
        password: "demo-candidat-2026",
        display_name: "Paul Durand",
        roles: &[Role::Applicant],
        platform_admin: false,
    },
    DemoAccount {
        email: "presidence@ceser-ara.example",
        password: "demo-jury-2026",
        display_name: "Présidence du CESER",
        roles: &[Role::Jury, Role::Councillor],
        platform_admin: false,
    },
    DemoAccount {
        email: "jury.personnalite@example.org",
        password: "demo-jury-2026",
        display_name: "Personnalité qualifiée",
        roles: &[Role::Jury],
        platform_admin: false,
    },
    DemoAccount {
        email: "presidence.jeunes@ceser-ara.example",
        password: "demo-jury-2026",
        display_name: "Présidence du CESER des jeunes",
        roles: &[Role::Jury],
        platform_admin: false,
    },
    DemoAccount {
        email: "personnalite.b@example.org",
        password: "demo-jury-2026",
        display_name: "Personnalité qualifiée B",
        roles: &[Role::Jury],
        platform_admin: false,
    },
    DemoAccount {
        email: LAUREATE_2025,
        password: "demo-jury-2026",
        display_name: "Résonansemble, lauréat 2025",
        roles: &[Role::Applicant, Role::Jury],
        platform_admin: false,
    },
    DemoAccount {
        email: "conseillere.a@ceser-ara.example",
        password: "demo-conseil-2026",
        display_name: "Conseillère A",
        roles: &[Role::Councillor, Role::Jury],
        platform_admin: false,
    },
    DemoAccount {
        email: "conseiller.b@ceser-ara.example",
        password: "demo-conseil-2026",
        display_name: "Conseiller B",
        roles: &[Role::Councillor],
        platform_admin: false,
    },
];

/// The account that applied for Résonansemble, a laureate of the 5th edition, who sits on the
/// 6th edition's jury as its previous laureate.
const LAUREATE_2025: &str = "contact@resonansemble.example";

/// The 6th edition's jury as the sources describe it: the CESER's president, the youth CESER's
/// president, three qualified personalities (one the 5th edition's laureate), a councillor.
const SIXTH_JURY: [(&str, Seat, bool); 6] = [
    ("presidence@ceser-ara.example", Seat::President, false),
    (
        "presidence.jeunes@ceser-ara.example",
        Seat::YouthPresident,
        false,
    ),
    (
        "jury.personnalite@example.org",
        Seat::QualifiedPersonality,
        false,
    ),
    (
        "personnalite.b@example.org",
        Seat::QualifiedPersonality,
        false,
    ),
    (LAUREATE_2025, Seat::QualifiedPersonality, true),
    ("conseillere.a@ceser-ara.example", Seat::Councillor, false),
];

/// The four colleges of a CESER (the law's: companies and the self-employed, employees' unions,
/// associations and bodies of collective life, qualified personalities).
const CESER_COLLEGES: [&str; 4] = [
    "Collège 1 — entreprises",
    "Collège 2 — syndicats de salariés",
    "Collège 3 — associations",
    "Collège 4 — personnalités qualifiées",
];

const DEMO_COLLEGE: &str = CESER_COLLEGES[2];

const ARA: [&str; 12] = [
    "01", "03", "07", "15", "26", "38", "42", "43", "63", "69", "73", "74",
];

fn date(text: &str) -> NaiveDate {
    text.parse().expect("demo dates are valid")
}

/// A demo application: its structure, its action, where it takes place, and, where the
/// sources give them, its video and the demo account that applied.
struct DemoFile {
    name: &'static str,
    summary: &'static str,
    commune: &'static str,
    postal_code: &'static str,
    video: Option<&'static str>,
    applicant: Option<&'static str>,
}

const fn file(
    name: &'static str,
    summary: &'static str,
    commune: &'static str,
    postal_code: &'static str,
) -> DemoFile {
    DemoFile {
        name,
        summary,
        commune,
        postal_code,
        video: None,
        applicant: None,
    }
}

impl DemoFile {
    /// The candidate presented as a video (the public prize's gallery).
    const fn with_video(self, video: &'static str) -> DemoFile {
        DemoFile {
            video: Some(video),
            ..self
        }
    }

    /// The application made by this demo account.
    const fn by(self, email: &'static str) -> DemoFile {
        DemoFile {
            applicant: Some(email),
            ..self
        }
    }
}

fn codes(list: &[&str]) -> Vec<String> {
    list.iter().map(|code| code.to_string()).collect()
}

/// The English names of the prizes every CESER edition awards.
const ENGLISH_NAMES: &[(&str, &str)] = &[
    ("Prix des conseillers du CESER", "CESER councillors' prize"),
    ("Prix du jury", "Jury's prize"),
    ("Prix du public", "Public's prize"),
];

fn prize(kind: PrizeKind, name: &str, sponsors: &[&str]) -> PrizeSpec {
    let name_en = ENGLISH_NAMES
        .iter()
        .find(|(french, _)| *french == name)
        .map(|(_, english)| english.to_string());
    PrizeSpec {
        kind,
        name: name.to_owned(),
        name_en,
        description: None,
        description_en: None,
        sponsors: sponsors.iter().map(|s| s.to_string()).collect(),
        pool: if kind == PrizeKind::Category {
            CandidatePool::Eligible
        } else {
            CandidatePool::Shortlisted
        },
        laureate_count: 1,
        mentions_allowed: kind == PrizeKind::Category,
    }
}

fn ceser_prizes() -> Vec<PrizeSpec> {
    vec![
        prize(PrizeKind::Councillors, "Prix des conseillers du CESER", &[]),
        prize(PrizeKind::Jury, "Prix du jury", &[]),
        prize(PrizeKind::Public, "Prix du public", &[]),
    ]
}

/// Loads the demo data (idempotent) and returns the accounts to print.
/// What loading the demo data works with: the database, the voter key (publishing results
/// counts ballots) and the platform administrator it acts as.
struct Seeder<'a> {
    db: &'a DatabaseConnection,
    keys: &'a VoterKeys,
    platform: Principal,
    /// The demo accounts' ids, in the order of `ACCOUNTS`.
    accounts: Vec<Uuid>,
}

impl Seeder<'_> {
    fn account(&self, email: &str) -> Uuid {
        let index = ACCOUNTS
            .iter()
            .position(|account| account.email == email)
            .expect("a demo account");
        self.accounts[index]
    }
}

pub async fn seed(
    db: &DatabaseConnection,
    keys: &VoterKeys,
) -> anyhow::Result<&'static [DemoAccount]> {
    let mut ids = Vec::new();
    for account in &ACCOUNTS {
        ids.push(ensure_account(db, account).await?);
    }
    let platform = Principal {
        token: None,
        id: ids[0],
        roles: vec![Role::Admin],
        platform_admin: true,
        prize_scope: None,
    };
    let seeder = Seeder {
        db,
        keys,
        platform: platform.clone(),
        accounts: ids.clone(),
    };

    let ara = ensure_organization(
        db,
        &platform,
        organizations::OrganizationFields {
            short_name: "ceser-ara".into(),
            name: "CESER Auvergne-Rhône-Alpes".into(),
            region: "Auvergne-Rhône-Alpes".into(),
            default_departements: codes(&ARA),
            contact_email: "prix@ceser-ara.example".into(),
            postal_addresses: vec![
                "125 rue Smith, 69285 Lyon cedex 02".into(),
                "59 Bd Léon Jouhaux, 63050 Clermont-Ferrand".into(),
            ],
            embed_origins: vec![],
            name_en: None,
        },
    )
    .await?;
    organizations::add_admin(db, &platform, ara, ids[1]).await?;
    ensure_colleges(&seeder, ara).await?;
    // The CESER's councillors are on its roster (as if they had accepted its invitation).
    let txn = crate::db::begin_write(db).await?;
    for (account, id) in ACCOUNTS.iter().zip(&ids) {
        if account.roles.contains(&Role::Councillor) {
            crate::services::roster::put_on_roster(&txn, ara, *id, DEMO_COLLEGE).await?;
        }
    }
    txn.commit().await?;
    let paca = ensure_organization(
        db,
        &platform,
        organizations::OrganizationFields {
            short_name: "ceser-paca".into(),
            name: "CESER Provence-Alpes-Côte d'Azur".into(),
            region: "Provence-Alpes-Côte d'Azur".into(),
            default_departements: codes(&["04", "05", "06", "13", "83", "84"]),
            contact_email: "contact@ceser-paca.example".into(),
            postal_addresses: vec![],
            embed_origins: vec![],
            name_en: None,
        },
    )
    .await?;
    // 140 councillors in four colleges, as the sources describe it.
    ensure_colleges(&seeder, paca).await?;
    let cress = ensure_organization(
        db,
        &platform,
        organizations::OrganizationFields {
            short_name: "cress-aura".into(),
            name: "CRESS Auvergne-Rhône-Alpes".into(),
            region: "Auvergne-Rhône-Alpes".into(),
            default_departements: codes(&ARA),
            contact_email: "contact@cress-aura.example".into(),
            postal_addresses: vec![],
            embed_origins: vec![],
            name_en: None,
        },
    )
    .await?;

    let fifth = EditionSettings {
        number: 5,
        year: 2025,
        title: "Prix du CESER 2025".into(),
        theme: None,
        title_en: None,
        theme_en: None,
        notifications_off: vec![],
        action_window: DateRange {
            start: date("2023-01-01"),
            end: date("2024-12-31"),
        },
        departements: codes(&ARA),
        shortlist_size: 5,
        scoring_scale: ScoreScale::default(),
        calendar: Calendar {
            applications_open_on: Some(date("2025-03-31")),
            applications_deadline: Some(date("2025-06-09")),
            selection_on: Some(date("2025-06-26")),
            audition_on: Some(date("2025-11-05")),
            ceremony_on: Some(date("2025-12-15")),
        },
    };
    let laureates_2025 = [
        file(
            "Résonansemble",
            "De la musique vivante dans les EHPAD et les hôpitaux",
            "Lyon",
            "69003",
        )
        .by(LAUREATE_2025),
        file(
            "Concertina-Rencontres",
            "Trois jours de rencontres d'été sur l'enfermement : prison, rétention, psychiatrie",
            "Dieulefit",
            "26220",
        ),
        file(
            "Solivet",
            "Paw'sitive Job : une pension canine solidaire, atelier d'insertion pour jusqu'à 24 chiens",
            "Clermont-Ferrand",
            "63000",
        ),
    ];
    ensure_edition(
        &seeder,
        ara,
        fifth,
        ceser_prizes(),
        EditionStatus::Archived,
        &laureates_2025,
    )
    .await?;

    let sixth = EditionSettings {
        number: 6,
        year: 2026,
        title: "Prix du CESER 2026".into(),
        // The 6th edition's theme, as the sources announce it.
        theme: Some(
            "Actions améliorant les conditions de vie des habitants de la région Auvergne-Rhône-Alpes"
                .into(),
        ),
        title_en: Some("CESER Prize 2026".into()),
        theme_en: Some(
            "Actions improving the living conditions of the people of the Auvergne-Rhône-Alpes region"
                .into(),
        ),
        notifications_off: vec![],
        action_window: DateRange {
            start: date("2024-01-01"),
            end: date("2025-12-31"),
        },
        departements: codes(&ARA),
        shortlist_size: 5,
        scoring_scale: ScoreScale::default(),
        calendar: Calendar {
            applications_open_on: Some(date("2026-03-31")),
            applications_deadline: Some(date("2026-06-08")),
            selection_on: Some(date("2026-06-25")),
            audition_on: Some(date("2026-11-04")),
            ceremony_on: Some(date("2026-12-14")),
        },
    };
    let shortlisted_2026 = [
        file(
            "Jardins partagés du Plateau (démo)",
            "Des jardins nourriciers cultivés avec les habitants d'un quartier prioritaire",
            "Villeurbanne",
            "69100",
        )
        .with_video("https://vimeo.com/900000001"),
        file(
            "Répar'Vélo solidaire (démo)",
            "Un atelier de réparation de vélos qui forme des jeunes sans emploi",
            "Grenoble",
            "38000",
        )
        .with_video("https://vimeo.com/900000002"),
        file(
            "Le Bus des savoirs (démo)",
            "Une médiathèque itinérante dans les villages de montagne",
            "Aurillac",
            "15000",
        )
        .with_video("https://vimeo.com/900000003"),
        file(
            "Cuisine des deux rives (démo)",
            "Une cantine interculturelle tenue par des personnes réfugiées",
            "Saint-Étienne",
            "42000",
        )
        .with_video("https://vimeo.com/900000004"),
        file(
            "Répit aidants (démo)",
            "Des séjours de répit pour les proches aidants et leurs aidés",
            "Annecy",
            "74000",
        )
        .with_video("https://vimeo.com/900000005"),
    ];
    if let Some(created) = ensure_edition(
        &seeder,
        ara,
        sixth,
        ceser_prizes(),
        EditionStatus::Audition,
        &shortlisted_2026,
    )
    .await?
    {
        prepare_sixth_ceremony(&seeder, created).await?;
    }

    // The next edition, open today whatever the date, so that the walk-through can apply.
    let today = calendar::today(Utc::now());
    let after = |days: u64| today.checked_add_days(Days::new(days));
    let seventh = EditionSettings {
        number: 7,
        year: 2027,
        title: "Prix du CESER 2027".into(),
        theme: None,
        title_en: None,
        theme_en: None,
        notifications_off: vec![],
        action_window: DateRange {
            start: date("2025-01-01"),
            end: date("2026-12-31"),
        },
        departements: codes(&ARA),
        shortlist_size: 5,
        scoring_scale: ScoreScale::default(),
        calendar: Calendar {
            applications_open_on: Some(today),
            applications_deadline: after(120),
            selection_on: after(140),
            audition_on: after(300),
            ceremony_on: after(330),
        },
    };
    let applied_2027 = [
        file(
            "Ressourcerie des Monts (démo)",
            "Collecter, réparer et revendre à petit prix dans les villages",
            "Le Puy-en-Velay",
            "43000",
        ),
        file(
            "Pairs aidants numériques (démo)",
            "Des jeunes accompagnent des aînés dans leurs démarches en ligne",
            "Valence",
            "26000",
        ),
    ];
    ensure_edition(
        &seeder,
        ara,
        seventh,
        ceser_prizes(),
        EditionStatus::ApplicationsOpen,
        &applied_2027,
    )
    .await?;

    let graines = EditionSettings {
        number: 1,
        year: 2023,
        title: "Graines de l'innovation sociale".into(),
        theme: Some("L'ESS, levier de résilience territoriale".into()),
        title_en: None,
        theme_en: None,
        notifications_off: vec![],
        action_window: DateRange {
            start: date("2021-01-01"),
            end: date("2022-12-31"),
        },
        departements: codes(&ARA),
        shortlist_size: 5,
        scoring_scale: ScoreScale::default(),
        calendar: Calendar {
            applications_open_on: Some(date("2023-01-09")),
            applications_deadline: Some(date("2023-02-28")),
            selection_on: Some(date("2023-03-15")),
            audition_on: Some(date("2023-04-05")),
            ceremony_on: Some(date("2023-05-04")),
        },
    };
    let categories = vec![
        prize(
            PrizeKind::Category,
            "Entreprise inclusive",
            &["Agefiph", "Adepei63"],
        ),
        prize(PrizeKind::Category, "Développement local", &["VVF Village"]),
        prize(
            PrizeKind::Category,
            "Entreprise coopérative",
            &["Pix'n Prod"],
        ),
        prize(
            PrizeKind::Category,
            "Femmes engagées dans l'entrepreneuriat",
            &["Caisse d'Épargne Auvergne"],
        ),
    ];
    let graines_candidates = [
        file(
            "Simplon.Co",
            "Former au numérique pour en faire un levier d'inclusion",
            "Clermont-Ferrand",
            "63000",
        ),
        file(
            "Habitat et humanisme — Les escales solidaires",
            "Un tiers-lieu de rencontre solidaire et inclusif",
            "Clermont-Ferrand",
            "63000",
        ),
        file(
            "Coopérative auvergnate de l'alimentation de proximité (Caap)",
            "Revitaliser le territoire par les commerces alimentaires de proximité",
            "Clermont-Ferrand",
            "63000",
        ),
        file(
            "Artex",
            "Le réemploi des « pépites » du secteur artistique et culturel",
            "Clermont-Ferrand",
            "63000",
        ),
        file(
            "1 cabas pour 1 étudiant",
            "Une famille marraine offre des courses et du lien à un étudiant",
            "Clermont-Ferrand",
            "63000",
        ),
    ];
    ensure_edition(
        &seeder,
        cress,
        graines,
        categories,
        EditionStatus::Archived,
        &graines_candidates,
    )
    .await?;
    Ok(&ACCOUNTS)
}

/// The organization's colleges are the CESER's four, unless it has some.
async fn ensure_colleges(seeder: &Seeder<'_>, organization_id: Uuid) -> anyhow::Result<()> {
    if !colleges::names(seeder.db, organization_id)
        .await?
        .is_empty()
    {
        return Ok(());
    }
    for name in CESER_COLLEGES {
        colleges::create(
            seeder.db,
            &seeder.platform,
            organization_id,
            name.to_owned(),
        )
        .await
        .map_err(|error| anyhow::anyhow!("{}", error.problem(crate::domain::Lang::En).detail))?;
    }
    Ok(())
}

async fn ensure_account(db: &DatabaseConnection, account: &DemoAccount) -> anyhow::Result<Uuid> {
    let email = Email::parse(account.email)
        .map_err(|e| anyhow::anyhow!(crate::i18n::for_operators(&e.message)))?;
    if let Some(existing) = accounts::find_by_email(db, &email).await? {
        return Ok(existing.id);
    }
    let created = accounts::create(
        db,
        None,
        accounts::NewAccount {
            email,
            password: Password::parse(account.password)
                .map_err(|e| anyhow::anyhow!(crate::i18n::for_operators(&e.message)))?,
            display_name: DisplayName::parse(account.display_name)
                .map_err(|e| anyhow::anyhow!(crate::i18n::for_operators(&e.message)))?,
            roles: account.roles.to_vec(),
            platform_admin: account.platform_admin,
            email_verified: true,
            language: crate::domain::Lang::default(),
        },
    )
    .await
    .map_err(|error| anyhow::anyhow!("{}", error.problem(crate::domain::Lang::En).detail))?;
    Ok(created.id)
}

async fn ensure_organization(
    db: &DatabaseConnection,
    platform: &Principal,
    fields: organizations::OrganizationFields,
) -> anyhow::Result<Uuid> {
    if let Some(existing) = organization::Entity::find()
        .filter(organization::Column::ShortName.eq(fields.short_name.as_str()))
        .one(db)
        .await?
    {
        return Ok(existing.id);
    }
    let created = organizations::create(db, platform, fields)
        .await
        .map_err(|error| anyhow::anyhow!("{}", error.problem(crate::domain::Lang::En).detail))?;
    Ok(created.id)
}

/// Creates the edition with its applications (eligible, and shortlisted once the edition is past the
/// selection) and walks it to `status`, unless it exists.
async fn ensure_edition(
    seeder: &Seeder<'_>,
    organization_id: Uuid,
    settings: EditionSettings,
    prizes: Vec<PrizeSpec>,
    status: EditionStatus,
    demo_files: &[DemoFile],
) -> anyhow::Result<Option<Uuid>> {
    let (db, platform) = (seeder.db, &seeder.platform);
    let exists = edition_entity::Entity::find()
        .filter(edition_entity::Column::OrganizationId.eq(organization_id))
        .filter(edition_entity::Column::Number.eq(settings.number))
        .one(db)
        .await?
        .is_some();
    if exists {
        return Ok(None);
    }
    let failed = |error: crate::error::ApiError| {
        anyhow::anyhow!("{}", error.problem(crate::domain::Lang::En).detail)
    };
    let criteria = edition::default_criteria();
    let answers: std::collections::BTreeMap<String, String> = criteria
        .iter()
        .map(|criterion| {
            (
                criterion.key.clone(),
                format!("{} : voir la présentation du projet.", criterion.label_fr),
            )
        })
        .collect();
    let window = settings.action_window;
    let new = editions::NewEdition {
        settings,
        criteria,
        prizes,
    };
    let created = editions::create(db, platform, organization_id, new)
        .await
        .map_err(failed)?;
    let mut imported = Vec::new();
    for file in demo_files {
        let action = ActionPresentation {
            applicant_kind: Some(ApplicantKind::Association),
            structure_name: Some(file.name.to_string()),
            action_title: Some(file.name.to_string()),
            summary: Some(file.summary.to_string()),
            description: Some(file.summary.to_string()),
            action_start: Some(window.start),
            action_end: Some(window.end),
            locations: vec![Location {
                commune: file.commune.to_string(),
                postal_code: file.postal_code.to_string(),
            }],
            answers: answers.clone(),
            video_url: file.video.map(str::to_owned),
            ..Default::default()
        };
        let content = ApplicationContent {
            action,
            ..Default::default()
        };
        let shortlisted = status > EditionStatus::Selection;
        let applicant = file.applicant.map(|email| seeder.account(email));
        let id = applications::import(
            db,
            platform.id,
            applicant,
            created.id,
            &content,
            shortlisted,
        )
        .await
        .map_err(failed)?;
        imported.push(id);
    }
    if status >= EditionStatus::ResultsPublished {
        // Each prize, in order, goes to the application in the same place of the list; the
        // applications beyond the prizes are the jury's honourable mentions, on the first.
        let mentions = imported.get(created.prizes.len()..).unwrap_or_default();
        for (index, (prize, laureate)) in created.prizes.iter().zip(&imported).enumerate() {
            let mentions = if index == 0 { mentions } else { &[] };
            jury::import_decision(db, platform.id, prize.id, *laureate, mentions)
                .await
                .map_err(failed)?;
        }
    }
    let mut current = EditionStatus::Draft;
    while current != status {
        let Some(next) = current.next() else { break };
        let reason = Some("Données de démonstration chargées d'un coup.".to_owned());
        stages::transition(db, seeder.keys, platform, created.id, next, reason)
            .await
            .map_err(failed)?;
        current = next;
    }
    Ok(Some(created.id))
}

/// Seats the 6th edition's jury and sets its ballots' windows on the ceremony day (Paris
/// time): the public votes online during the day, the councillors during the ceremony.
async fn prepare_sixth_ceremony(seeder: &Seeder<'_>, edition_id: Uuid) -> anyhow::Result<()> {
    let failed = |error: crate::error::ApiError| {
        anyhow::anyhow!("{}", error.problem(crate::domain::Lang::En).detail)
    };
    for (email, seat, previous_laureate) in SIXTH_JURY {
        let account = seeder.account(email);
        jury::set_member(
            seeder.db,
            &seeder.platform,
            edition_id,
            account,
            seat,
            previous_laureate,
        )
        .await
        .map_err(failed)?;
    }
    let at = |text: &str| {
        DateTime::parse_from_rfc3339(text)
            .expect("demo times are valid")
            .with_timezone(&Utc)
    };
    let edition = editions::get(seeder.db, Some(&seeder.platform), edition_id)
        .await
        .map_err(failed)?;
    for prize in edition.prizes {
        let (opens, closes) = match prize.kind {
            PrizeKind::Public => ("2026-12-14T08:00:00+01:00", "2026-12-14T16:00:00+01:00"),
            PrizeKind::Councillors => ("2026-12-14T17:00:00+01:00", "2026-12-14T18:00:00+01:00"),
            _ => continue,
        };
        ballots::set_window(
            seeder.db,
            &seeder.platform,
            prize.id,
            Some(at(opens)),
            Some(at(closes)),
        )
        .await
        .map_err(failed)?;
    }
    Ok(())
}

/// Whether any demo account exists (used to tell first loads from re-runs).
pub async fn is_loaded(db: &DatabaseConnection) -> anyhow::Result<bool> {
    Ok(user::Entity::find()
        .filter(user::Column::Email.eq(ACCOUNTS[0].email))
        .one(db)
        .await?
        .is_some())
}
