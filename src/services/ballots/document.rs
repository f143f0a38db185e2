//! An edition's published results as one document: the laureates and the published tallies,
//! as the CSV download and the signed JWS carry them.
use super::*;
use crate::domain::voter::VoterKeys;

/// The edition a results document is about.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EditionHeading {
    pub id: Uuid,
    pub organization_id: Uuid,
    #[schema(example = 6)]
    pub number: i32,
    #[schema(example = 2026)]
    pub year: i32,
    #[schema(example = "Prix du CESER 2026")]
    pub title: String,
    /// The title in English as written (null: none).
    #[schema(example = "CESER Prize 2026")]
    pub title_en: Option<String>,
    /// The title in the answer's language (`Content-Language`): the English where written,
    /// else the French.
    #[schema(example = "Prix du CESER 2026")]
    pub localized_title: String,
}

impl EditionHeading {
    /// The heading with its title in `lang`.
    pub fn in_language(mut self, lang: Lang) -> Self {
        self.localized_title = in_language(lang, &self.title, self.title_en.as_deref()).to_owned();
        self
    }
}

/// A ballot's published count, each candidate named.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublishedBallot {
    pub prize_id: Uuid,
    #[serde(flatten)]
    pub name: PrizeName,
    pub kind: PrizeKind,
    pub turnout: u64,
    pub winner: Option<Uuid>,
    pub counts: Vec<PublishedCount>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublishedCount {
    pub application_id: Uuid,
    #[schema(example = "Résonansemble")]
    pub action_title: String,
    pub votes: u64,
}

/// What an edition has published: its laureates and its ballots' counts.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ResultsDocument {
    pub edition: EditionHeading,
    /// Whether the edition has published all its results (the document will not change).
    pub complete: bool,
    pub laureates: Vec<Laureate>,
    pub ballots: Vec<PublishedBallot>,
}

impl ResultsDocument {
    /// One row per counted candidate of each published ballot, then one per laureate and
    /// mention of the prizes decided without a ballot.
    pub fn csv_rows(&self) -> Vec<Vec<String>> {
        let mut rows = Vec::new();
        for ballot in &self.ballots {
            for count in &ballot.counts {
                let outcome = if ballot.winner == Some(count.application_id) {
                    "laureate"
                } else {
                    ""
                };
                rows.push(vec![
                    ballot.name.localized_prize_name.clone(),
                    ballot.kind.as_str().to_owned(),
                    count.action_title.clone(),
                    outcome.to_owned(),
                    count.votes.to_string(),
                    ballot.turnout.to_string(),
                ]);
            }
        }
        let balloted = |prize: Uuid| self.ballots.iter().any(|ballot| ballot.prize_id == prize);
        for laureate in self
            .laureates
            .iter()
            .filter(|laureate| !balloted(laureate.prize_id))
        {
            let named = |candidate: &Candidate, outcome: &str| {
                vec![
                    laureate.name.localized_prize_name.clone(),
                    laureate.kind.as_str().to_owned(),
                    candidate.action_title.clone(),
                    outcome.to_owned(),
                    String::new(),
                    String::new(),
                ]
            };
            rows.push(named(&laureate.laureate, "laureate"));
            rows.extend(
                laureate
                    .mentions
                    .iter()
                    .map(|mention| named(mention, "mention")),
            );
        }
        rows
    }
}

/// The results an edition has published so far (anyone may read them).
pub async fn results_document(
    db: &DatabaseConnection,
    keys: &VoterKeys,
    edition_id: Uuid,
) -> Result<ResultsDocument, ApiError> {
    let edition: edition::Model = editions::find_visible(db, None, edition_id).await?;
    let laureates = laureates(db, keys, edition_id).await?;
    let prizes = prize::Entity::find()
        .filter(prize::Column::EditionId.eq(edition_id))
        .order_by_asc(prize::Column::Position)
        .all(db)
        .await?;
    let mut ballots = Vec::new();
    for prize in prizes {
        let published = ballot_entity::Entity::find_by_id(prize.id)
            .one(db)
            .await?
            .is_some_and(|ballot| ballot.state == BallotState::Published);
        if !published {
            continue;
        }
        let results = results(db, keys, None, prize.id).await?;
        let Some(tally) = results.tally else { continue };
        let mut counts = Vec::with_capacity(tally.counts.len());
        for count in tally.counts {
            let application = application::Entity::find_by_id(count.application_id)
                .one(db)
                .await?
                .ok_or(ApiError::NotFound)?;
            counts.push(PublishedCount {
                application_id: count.application_id,
                action_title: applications::candidate_view(db, application)
                    .await?
                    .action_title,
                votes: count.votes,
            });
        }
        ballots.push(PublishedBallot {
            prize_id: prize.id,
            name: PrizeName::of(&prize),
            kind: prize.kind,
            turnout: tally.turnout,
            winner: results.winner,
            counts,
        });
    }
    Ok(ResultsDocument {
        complete: edition.status >= EditionStatus::ResultsPublished,
        edition: EditionHeading {
            id: edition.id,
            organization_id: edition.organization_id,
            number: edition.number,
            year: edition.year,
            localized_title: edition.title.clone(),
            title: edition.title,
            title_en: edition.title_en,
        }
        .in_language(Lang::default()),
        laureates,
        ballots,
    })
}
