//! Demo data: the CESER Auvergne-Rhône-Alpes with its archived 5th edition (2025 laureates)
//! and its 6th edition exactly as announced, an open 7th edition to apply to, the CESER PACA,
//! the CRESS's first "Graines de l'innovation sociale" with its four sponsored categories,
//! and demo accounts. Loading it twice changes nothing.
use chrono::{Days, NaiveDate, Utc};
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
        voter::VoterKeys,
    },
    entities::{edition as edition_entity, organization, user},
    services::{accounts, applications, editions, jury, organizations, stages},
};

/// A demo account and its password, printed when the demo starts.
pub struct DemoAccount {
    pub email: &'static str,
    pub password: &'static str,
    pub display_name: &'static str,
    pub roles: &'static [Role],
    pub platform_admin: bool,
}

pub const ACCOUNTS: [DemoAccount; 8] = [
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

const DEMO_COLLEGE: &str = "Collège 3 — associations";

const ARA: [&str; 12] = [
    "01", "03", "07", "15", "26", "38", "42", "43", "63", "69", "73", "74",
];

fn date(text: &str) -> NaiveDate {
    text.parse().expect("demo dates are valid")
}

fn codes(list: &[&str]) -> Vec<String> {
    list.iter().map(|code| code.to_string()).collect()
}

fn prize(kind: PrizeKind, name: &str, sponsors: &[&str]) -> PrizeSpec {
    PrizeSpec {
        kind,
        name: name.to_owned(),
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
        },
    )
    .await?;
    organizations::add_admin(db, &platform, ara, ids[1]).await?;
    // The CESER's councillors are on its roster (as if they had accepted its invitation).
    let txn = crate::db::begin_write(db).await?;
    for (account, id) in ACCOUNTS.iter().zip(&ids) {
        if account.roles.contains(&Role::Councillor) {
            crate::services::roster::put_on_roster(&txn, ara, *id, DEMO_COLLEGE).await?;
        }
    }
    txn.commit().await?;
    ensure_organization(
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
        },
    )
    .await?;
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
        },
    )
    .await?;

    let fifth = EditionSettings {
        number: 5,
        year: 2025,
        title: "Prix du CESER 2025".into(),
        theme: None,
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
        (
            "Résonansemble",
            "De la musique vivante dans les EHPAD et les hôpitaux",
            "Lyon",
            "69003",
        ),
        (
            "Concertina-Rencontres",
            "Trois jours de rencontres d'été sur l'enfermement : prison, rétention, psychiatrie",
            "Dieulefit",
            "26220",
        ),
        (
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
        (
            "Jardins partagés du Plateau (démo)",
            "Des jardins nourriciers cultivés avec les habitants d'un quartier prioritaire",
            "Villeurbanne",
            "69100",
        ),
        (
            "Répar'Vélo solidaire (démo)",
            "Un atelier de réparation de vélos qui forme des jeunes sans emploi",
            "Grenoble",
            "38000",
        ),
        (
            "Le Bus des savoirs (démo)",
            "Une médiathèque itinérante dans les villages de montagne",
            "Aurillac",
            "15000",
        ),
        (
            "Cuisine des deux rives (démo)",
            "Une cantine interculturelle tenue par des personnes réfugiées",
            "Saint-Étienne",
            "42000",
        ),
        (
            "Répit aidants (démo)",
            "Des séjours de répit pour les proches aidants et leurs aidés",
            "Annecy",
            "74000",
        ),
    ];
    ensure_edition(
        &seeder,
        ara,
        sixth,
        ceser_prizes(),
        EditionStatus::Audition,
        &shortlisted_2026,
    )
    .await?;

    // The next edition, open today whatever the date, so that the walk-through can apply.
    let today = calendar::today(Utc::now());
    let after = |days: u64| today.checked_add_days(Days::new(days));
    let seventh = EditionSettings {
        number: 7,
        year: 2027,
        title: "Prix du CESER 2027".into(),
        theme: None,
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
        (
            "Ressourcerie des Monts (démo)",
            "Collecter, réparer et revendre à petit prix dans les villages",
            "Le Puy-en-Velay",
            "43000",
        ),
        (
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
        (
            "Simplon.Co",
            "Former au numérique pour en faire un levier d'inclusion",
            "Clermont-Ferrand",
            "63000",
        ),
        (
            "Habitat et humanisme — Les escales solidaires",
            "Un tiers-lieu de rencontre solidaire et inclusif",
            "Clermont-Ferrand",
            "63000",
        ),
        (
            "Coopérative auvergnate de l'alimentation de proximité (Caap)",
            "Revitaliser le territoire par les commerces alimentaires de proximité",
            "Clermont-Ferrand",
            "63000",
        ),
        (
            "Artex",
            "Le réemploi des « pépites » du secteur artistique et culturel",
            "Clermont-Ferrand",
            "63000",
        ),
        (
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

async fn ensure_account(db: &DatabaseConnection, account: &DemoAccount) -> anyhow::Result<Uuid> {
    let email = Email::parse(account.email).map_err(|e| anyhow::anyhow!(e.message))?;
    if let Some(existing) = accounts::find_by_email(db, &email).await? {
        return Ok(existing.id);
    }
    let created = accounts::create(
        db,
        None,
        accounts::NewAccount {
            email,
            password: Password::parse(account.password).map_err(|e| anyhow::anyhow!(e.message))?,
            display_name: DisplayName::parse(account.display_name)
                .map_err(|e| anyhow::anyhow!(e.message))?,
            roles: account.roles.to_vec(),
            platform_admin: account.platform_admin,
            email_verified: true,
        },
    )
    .await
    .map_err(|error| anyhow::anyhow!("{}", error.problem().detail))?;
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
        .map_err(|error| anyhow::anyhow!("{}", error.problem().detail))?;
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
    demo_applications: &[(&str, &str, &str, &str)],
) -> anyhow::Result<()> {
    let (db, platform) = (seeder.db, &seeder.platform);
    let exists = edition_entity::Entity::find()
        .filter(edition_entity::Column::OrganizationId.eq(organization_id))
        .filter(edition_entity::Column::Number.eq(settings.number))
        .one(db)
        .await?
        .is_some();
    if exists {
        return Ok(());
    }
    let failed = |error: crate::error::ApiError| anyhow::anyhow!("{}", error.problem().detail);
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
    for (name, summary, commune, postal_code) in demo_applications {
        let action = ActionPresentation {
            applicant_kind: Some(ApplicantKind::Association),
            structure_name: Some(name.to_string()),
            action_title: Some(name.to_string()),
            summary: Some(summary.to_string()),
            description: Some(summary.to_string()),
            action_start: Some(window.start),
            action_end: Some(window.end),
            locations: vec![Location {
                commune: commune.to_string(),
                postal_code: postal_code.to_string(),
            }],
            answers: answers.clone(),
            ..Default::default()
        };
        let content = ApplicationContent {
            action,
            ..Default::default()
        };
        let shortlisted = status > EditionStatus::Selection;
        let id = applications::import(db, platform.id, created.id, &content, shortlisted)
            .await
            .map_err(failed)?;
        imported.push(id);
    }
    if status >= EditionStatus::ResultsPublished {
        // Each prize, in order, goes to the application in the same place of the list.
        for (prize, laureate) in created.prizes.iter().zip(&imported) {
            jury::import_decision(db, platform.id, prize.id, *laureate)
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
