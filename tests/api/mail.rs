//! Emails as a mail client reads them: delivered over SMTP to a server on loopback, then
//! decoded by a mail parser.
use mail_parser::{MessageParser, MimeHeaders};
use prix_ceser::services::mail::{Mailer, deliver_due};
use tokio::{
    io::{AsyncBufReadExt, AsyncWriteExt, BufReader},
    net::TcpListener,
    sync::mpsc,
};

/// An SMTP server on loopback that accepts every message and hands over what it received.
async fn smtp_server() -> (u16, mpsc::UnboundedReceiver<Vec<u8>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (received, receiver) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let received = received.clone();
            tokio::spawn(async move {
                let (read, mut write) = stream.into_split();
                let mut read = BufReader::new(read);
                write.write_all(b"220 loopback ESMTP\r\n").await.unwrap();
                loop {
                    let mut line = String::new();
                    if read.read_line(&mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    let command = line.trim_end().to_ascii_uppercase();
                    let reply: &[u8] = if command.starts_with("EHLO") {
                        b"250-loopback\r\n250 8BITMIME\r\n"
                    } else if command == "DATA" {
                        write.write_all(b"354 end with .\r\n").await.unwrap();
                        let mut message = Vec::new();
                        loop {
                            let mut data = Vec::new();
                            read.read_until(b'\n', &mut data).await.unwrap();
                            if data == b".\r\n" || data.is_empty() {
                                break;
                            }
                            // Dot-stuffing undone, as RFC 5321 says.
                            let data = data
                                .strip_prefix(b".")
                                .filter(|rest| rest.starts_with(b"."))
                                .unwrap_or(&data);
                            message.extend_from_slice(data);
                        }
                        received.send(message).unwrap();
                        b"250 queued\r\n"
                    } else if command == "QUIT" {
                        write.write_all(b"221 bye\r\n").await.unwrap();
                        return;
                    } else {
                        b"250 OK\r\n"
                    };
                    write.write_all(reply).await.unwrap();
                }
            });
        }
    });
    (port, receiver)
}

api_test!(async fn an_email_is_utf8_text_and_html_in_french_as_a_mail_client_reads_it(app) {
    let ara = app.create_organization("ceser-ara").await;
    let csv = "email,name,college\nanne.dupont@example.fr,Anne Dupont,Collège 1\n";
    let imported = app.request(reqwest::Method::POST, &format!("/api/v1/organizations/{}/councillors/import", ara.id)).header("content-type", "text/csv").body(csv).bearer_auth(&ara.admin.token).send().await.unwrap();
    assert_eq!(imported.status(), 200);
    let (port, mut received) = smtp_server().await;
    let mailer = Mailer::new(Some(&format!("smtp://127.0.0.1:{port}")), "Prix du CESER <no-reply@prix-ceser.example>").unwrap();
    assert_eq!(deliver_due(&app.db, &mailer).await.unwrap(), 1);
    let raw = received.recv().await.unwrap();
    // Declared, not guessed: a client that assumes ASCII would show "Ã©tÃ©".
    let headers = String::from_utf8_lossy(&raw);
    assert!(headers.contains("text/plain; charset=utf-8") && headers.contains("text/html; charset=utf-8"), "{headers}");
    let message = MessageParser::default().parse(&raw).unwrap();
    assert_eq!(message.subject(), Some("Votre invitation au Prix du CESER"));
    assert_eq!(message.to().unwrap().first().unwrap().address(), Some("anne.dupont@example.fr"));
    assert_eq!(message.header_raw("Content-Language").map(str::trim), Some("fr"));
    let text = message.body_text(0).unwrap();
    assert!(text.contains("Bonjour Anne Dupont") && text.contains("Choisissez votre mot de passe"), "{text}");
    let html = message.body_html(0).unwrap();
    assert!(html.contains("<html lang=\"fr\">") && html.contains("<a href=\"http://127.0.0.1:8080/invitation?token="), "{html}");
    // Accents arrive as written, declared UTF-8, in both parts.
    assert!(text.contains("été ouvert") && html.contains("été ouvert"), "{text}");
});

/// Every queued message, delivered to an SMTP server on loopback: the raw messages received.
async fn deliver_all(app: &crate::helpers::TestApp) -> Vec<Vec<u8>> {
    let (port, mut received) = smtp_server().await;
    let mailer = Mailer::new(
        Some(&format!("smtp://127.0.0.1:{port}")),
        "Prix du CESER <no-reply@prix-ceser.example>",
    )
    .unwrap();
    let mut messages = Vec::new();
    loop {
        let delivered = deliver_due(&app.db, &mailer).await.unwrap();
        if delivered == 0 {
            return messages;
        }
        for _ in 0..delivered {
            messages.push(received.recv().await.unwrap());
        }
    }
}

/// The one message among `raw` whose subject starts with `subject`, read as a mail client does:
/// (language, text, HTML).
fn read_one(raw: &[Vec<u8>], subject: &str) -> (String, String, String) {
    let found: Vec<_> = raw
        .iter()
        .map(|raw| MessageParser::default().parse(raw).unwrap())
        .filter(|message| message.subject().is_some_and(|s| s.starts_with(subject)))
        .collect();
    assert_eq!(
        found.len(),
        1,
        "one message `{subject}` among {:?}",
        raw.iter()
            .map(|r| MessageParser::default()
                .parse(r)
                .unwrap()
                .subject()
                .map(str::to_owned))
            .collect::<Vec<_>>()
    );
    let message = &found[0];
    (
        message
            .header_raw("Content-Language")
            .unwrap_or_default()
            .trim()
            .to_owned(),
        message.body_text(0).unwrap().into_owned(),
        message.body_html(0).unwrap().into_owned(),
    )
}

api_test!(async fn an_account_registered_in_english_is_written_to_in_english(app) {
    let body = serde_json::json!({"email": "jane.doe@example.org", "password": crate::helpers::PASSWORD, "display_name": "Jane Doe"});
    let registered = app.post("/api/v1/auth/register", &body).header("accept-language", "en-GB,en;q=0.9").send().await.unwrap();
    assert_eq!(registered.status(), 202);
    let raw = deliver_all(&app).await;
    let (lang, text, html) = read_one(&raw, "Confirm your address");
    assert_eq!(lang, "en");
    assert!(text.contains("To confirm your address") && text.contains("verify-email?token="), "{text}");
    assert!(html.contains("<html lang=\"en\">"), "{html}");
    // Registering again with the address: the account is told, in its language.
    app.post("/api/v1/auth/register", &body).send().await.unwrap();
    let (lang, text, _) = read_one(&deliver_all(&app).await, "Your account at the Prix du CESER");
    assert_eq!(lang, "en");
    assert!(text.contains("you already have one"), "{text}");
});

api_test!(async fn applicants_hear_of_their_submission_and_of_the_eligibility_decision(app) {
    use crate::applications::{complete_file, draft, setup};
    let setup = setup(&app).await;
    let created = crate::helpers::json(draft(&app, &setup, &complete_file()).await).await;
    let id = created["id"].as_str().unwrap().to_owned();
    let submit = app.post(&format!("/api/v1/applications/{id}/submit"), &serde_json::json!({})).bearer_auth(&setup.applicant.token).send().await.unwrap();
    assert_eq!(submit.status(), 200);
    let raw = deliver_all(&app).await;
    let (lang, text, _) = read_one(&raw, "Candidature reçue — Prix du CESER 2026");
    assert_eq!(lang, "fr");
    assert!(text.contains("Action : De la musique live à l'hôpital") && text.contains("Lieux : Lyon (69003)") && text.contains("Structure : Résonansemble"), "{text}");

    // Staff contradict the automatic check, with a reason: the applicant reads it, in English
    // now that they chose it for their account.
    let chosen = app.patch("/api/v1/me", &serde_json::json!({"language": "en"})).bearer_auth(&setup.applicant.token).send().await.unwrap();
    assert_eq!(chosen.status(), 200);
    assert_eq!(crate::helpers::json(chosen).await["language"], "en");
    let reason = "The action is not carried out in the region.";
    let review = app.post(&format!("/api/v1/applications/{id}/review"), &serde_json::json!({"decision": "ineligible", "reason": reason}))
        .bearer_auth(&setup.organization.admin.token).send().await.unwrap();
    assert_eq!(review.status(), 200);
    let (lang, text, html) = read_one(&deliver_all(&app).await, "Application not eligible — Prix du CESER 2026");
    assert_eq!(lang, "en");
    assert!(text.contains("is not eligible") && text.contains(&format!("Reason for the decision: {reason}")), "{text}");
    assert!(html.contains("<html lang=\"en\">"), "{html}");
});

api_test!(async fn an_edition_may_switch_a_notification_off(app) {
    use crate::applications::{complete_file, draft, setup};
    let setup = setup(&app).await;
    let path = format!("/api/v1/editions/{}", setup.edition_id);
    let switched = app.patch(&path, &serde_json::json!({"notifications_off": ["application_submitted", "application_submitted"]}))
        .bearer_auth(&setup.organization.admin.token).send().await.unwrap();
    assert_eq!(switched.status(), 200);
    assert_eq!(crate::helpers::json(switched).await["notifications_off"], serde_json::json!(["application_submitted"]));
    let unknown = app.patch(&path, &serde_json::json!({"notifications_off": ["everything"]})).bearer_auth(&setup.organization.admin.token).send().await.unwrap();
    crate::helpers::assert_problem(unknown, 422, "validation_failed").await;
    let created = crate::helpers::json(draft(&app, &setup, &complete_file()).await).await;
    let id = created["id"].as_str().unwrap();
    let submit = app.post(&format!("/api/v1/applications/{id}/submit"), &serde_json::json!({})).bearer_auth(&setup.applicant.token).send().await.unwrap();
    assert_eq!(submit.status(), 200);
    let subjects: Vec<String> = deliver_all(&app).await.iter().filter_map(|raw| MessageParser::default().parse(raw).unwrap().subject().map(str::to_owned)).collect();
    assert!(!subjects.iter().any(|subject| subject.starts_with("Candidature reçue")), "{subjects:?}");
});

api_test!(async fn candidates_hear_of_the_shortlist_and_of_their_audition_with_a_calendar_entry(app) {
    let (run, _) = crate::jury::shortlisted(&app, "public").await;
    let raw = deliver_all(&app).await;
    let parsed: Vec<_> = raw.iter().map(|raw| MessageParser::default().parse(raw).unwrap()).collect();
    let on = parsed.iter().filter(|m| m.subject().is_some_and(|s| s.starts_with("Votre candidature est présélectionnée"))).count();
    let off = parsed.iter().filter(|m| m.subject().is_some_and(|s| s.starts_with("Présélection du prix"))).count();
    assert_eq!((on, off), (5, run.files.len() - 5), "each eligible candidate hears once");

    let slot = serde_json::json!({"starts_at": "2026-11-04T13:30:00Z", "place": "Hôtel de Région, Lyon"});
    let scheduled = app.request(reqwest::Method::PUT, &format!("/api/v1/applications/{}/audition", run.files[0]))
        .json(&slot).bearer_auth(&run.organization.admin.token).send().await.unwrap();
    assert_eq!(scheduled.status(), 200);
    let raw = deliver_all(&app).await;
    let (lang, text, _) = read_one(&raw, "Votre audition");
    assert_eq!(lang, "fr");
    assert!(text.contains("le 04/11/2026 à 14:30 (heure de Paris)") && text.contains("Lieu : Hôtel de Région, Lyon"), "{text}");
    let message = MessageParser::default().parse(&raw[0]).unwrap();
    let calendar = message.attachment(0).expect("the calendar entry");
    assert_eq!(calendar.attachment_name(), Some("audition.ics"));
    let ics = String::from_utf8_lossy(calendar.contents());
    assert!(ics.contains("BEGIN:VEVENT") && ics.contains("DTSTART:20261104T133000Z") && ics.contains("SEQUENCE:0"), "{ics}");
    // Moved: the same entry (its UID), a later version of it (its SEQUENCE), at the new time.
    let moved = serde_json::json!({"starts_at": "2026-11-04T15:00:00Z", "place": "Hôtel de Région, Lyon"});
    let rescheduled = app.request(reqwest::Method::PUT, &format!("/api/v1/applications/{}/audition", run.files[0]))
        .json(&moved).bearer_auth(&run.organization.admin.token).send().await.unwrap();
    assert_eq!(rescheduled.status(), 200);
    let raw = deliver_all(&app).await;
    let message = MessageParser::default().parse(&raw[0]).unwrap();
    let again = String::from_utf8_lossy(message.attachment(0).unwrap().contents()).into_owned();
    let uid = |ics: &str| ics.lines().find(|line| line.starts_with("UID:")).map(str::to_owned);
    assert_eq!(uid(&again), uid(&ics));
    assert!(again.contains("SEQUENCE:1") && again.contains("DTSTART:20261104T150000Z"), "{again}");
});

/// Each message among `raw` as (recipient, subject, text), as a mail client reads them.
fn letters(raw: &[Vec<u8>]) -> Vec<(String, String, String)> {
    raw.iter()
        .map(|raw| {
            let message = MessageParser::default().parse(raw).unwrap();
            let to = message
                .to()
                .and_then(|to| to.first())
                .and_then(|to| to.address())
                .unwrap_or_default()
                .to_owned();
            (
                to,
                message.subject().unwrap_or_default().to_owned(),
                message.body_text(0).unwrap().into_owned(),
            )
        })
        .collect()
}

/// The one message to `to` among `letters`: its subject and text.
fn letter_to<'a>(letters: &'a [(String, String, String)], to: &str) -> (&'a str, &'a str) {
    let found: Vec<_> = letters
        .iter()
        .filter(|(address, _, _)| address == to)
        .collect();
    assert_eq!(found.len(), 1, "one message to {to} among {letters:?}");
    (&found[0].1, &found[0].2)
}

fn schedule(days: u32) -> prix_ceser::services::schedule::Schedule {
    prix_ceser::services::schedule::Schedule {
        ballot_url: "https://prix.example.fr/vote?prize=".into(),
        reminder_days: days,
    }
}

async fn run_due(
    app: &crate::helpers::TestApp,
    days: u32,
    now: &str,
) -> prix_ceser::services::schedule::Done {
    prix_ceser::services::schedule::run_due(&app.db, &schedule(days), now.parse().unwrap())
        .await
        .unwrap()
}

api_test!(async fn jurors_hear_of_their_files_and_are_reminded_before_the_deadline_once(app) {
    use serde_json::json;
    let run = crate::jury::prepare(&app).await;
    let admin = &run.organization.admin.token;
    deliver_all(&app).await;
    let assign = |per_file: u32| app.post(&format!("/api/v1/editions/{}/assignments", run.edition), &json!({"round": "selection", "reviewers_per_file": per_file})).bearer_auth(admin).send();
    let assigned = crate::helpers::json(assign(2).await.unwrap()).await;
    let assigned = assigned.as_array().unwrap();
    let sent = letters(&deliver_all(&app).await);
    // 6 files, 2 reviewers each, over 7 jurors: each juror with files hears which, and by when.
    let with_files: std::collections::BTreeSet<&str> = assigned.iter().map(|a| a["user_id"].as_str().unwrap()).collect();
    assert_eq!(sent.len(), with_files.len(), "{sent:?}");
    let juror = run.jury.iter().find(|j| with_files.contains(j.id.to_string().as_str())).unwrap();
    let theirs: Vec<&str> = assigned.iter().filter(|a| a["user_id"] == juror.id.to_string()).map(|a| a["application_id"].as_str().unwrap()).collect();
    let (subject, text) = letter_to(&sent, &juror.email);
    assert_eq!(subject, "Dossiers à évaluer — Prix du CESER 2026");
    assert!(text.contains(&format!("{} dossiers vous sont confiés pour la présélection", theirs.len())) || (theirs.len() == 1 && text.contains("Un dossier vous est confié")), "{text}");
    assert!(text.contains("au plus tard le 25/06/2099"), "{text}");
    for file in &theirs {
        let index = run.files.iter().position(|f| f == file).unwrap();
        assert!(text.contains(&format!("- Initiative numéro {index}")), "{text}");
    }
    // The same assignment again changes nobody's files: nobody hears of it.
    assert_eq!(assign(2).await.unwrap().status(), 200);
    assert!(deliver_all(&app).await.is_empty());
    // One file given by hand: its juror hears of that one; given again, nothing.
    let unassigned = run.files.iter().find(|f| !theirs.contains(&f.as_str())).unwrap();
    let add = || app.request(reqwest::Method::PUT, &format!("/api/v1/editions/{}/assignments/{unassigned}/{}?round=selection", run.edition, juror.id)).bearer_auth(admin).send();
    assert_eq!(add().await.unwrap().status(), 204);
    let sent = letters(&deliver_all(&app).await);
    assert!(letter_to(&sent, &juror.email).1.contains("Un dossier vous est confié pour la présélection"), "{sent:?}");
    assert_eq!(add().await.unwrap().status(), 204);
    assert!(deliver_all(&app).await.is_empty());

    // The juror scores every file of theirs; the others have files left.
    let mut files: Vec<&str> = theirs.clone();
    files.push(unassigned);
    for file in &files {
        assert_eq!(crate::jury::score(&app, juror, file, "selection", 12).await.status(), 200);
    }
    app.execute(&format!("UPDATE users SET language = 'en' WHERE email = '{}'", run.jury[0].email)).await;
    // Four days before the selection meeting (25 June): not yet.
    assert_eq!(run_due(&app, 3, "2099-06-21T10:00:00Z").await.editions_reminded, 0);
    assert_eq!(run_due(&app, 3, "2099-06-22T10:00:00Z").await.editions_reminded, 1);
    let sent = letters(&deliver_all(&app).await);
    let left: std::collections::BTreeSet<&str> = assigned.iter().map(|a| a["user_id"].as_str().unwrap()).filter(|id| *id != juror.id.to_string()).collect();
    assert_eq!(sent.len(), left.len(), "everyone with files left, nobody else: {sent:?}");
    assert!(sent.iter().all(|(to, _, _)| to != &juror.email));
    let reminded = run.jury.iter().find(|j| j.id != juror.id && left.contains(j.id.to_string().as_str()) && j.id != run.jury[0].id).unwrap();
    let (subject, text) = letter_to(&sent, &reminded.email);
    assert_eq!(subject, "Rappel : notes attendues le 25/06/2099 — Prix du CESER 2026");
    assert!(text.contains("Il vous reste") && text.contains("- Initiative numéro"), "{text}");
    if left.contains(run.jury[0].id.to_string().as_str()) {
        let (subject, _) = letter_to(&sent, &run.jury[0].email);
        assert_eq!(subject, "Reminder: scores due on 2099-06-25 — Prix du CESER 2026");
    }
    // Once per edition and round, however often the schedule runs.
    assert_eq!(run_due(&app, 3, "2099-06-23T10:00:00Z").await, prix_ceser::services::schedule::Done::default());
    assert!(deliver_all(&app).await.is_empty());
});

api_test!(async fn a_reminder_switched_off_or_past_its_deadline_is_not_sent(app) {
    use serde_json::json;
    let run = crate::jury::prepare(&app).await;
    let path = format!("/api/v1/editions/{}", run.edition);
    // In selection, only the notifications an edition sends still change.
    let retitled = app.patch(&path, &json!({"title": "Prix du CESER 2026 bis", "notifications_off": []})).bearer_auth(&run.organization.admin.token).send().await.unwrap();
    crate::helpers::assert_problem(retitled, 409, "edition_locked").await;
    let off = app.patch(&path, &json!({"notifications_off": ["scoring_reminder"]})).bearer_auth(&run.organization.admin.token).send().await.unwrap();
    assert_eq!(off.status(), 200);
    deliver_all(&app).await;
    assert_eq!(run_due(&app, 3, "2099-06-24T10:00:00Z").await.editions_reminded, 0);
    // Switched on again in time, it is sent; after the deadline day, it would be no use.
    let on = app.patch(&path, &json!({"notifications_off": []})).bearer_auth(&run.organization.admin.token).send().await.unwrap();
    assert_eq!(on.status(), 200);
    assert_eq!(run_due(&app, 3, "2099-06-26T08:00:00Z").await.editions_reminded, 0);
    assert_eq!(run_due(&app, 3, "2099-06-25T20:00:00Z").await.editions_reminded, 1);
    // Without assignments every juror reviews every file: all seven are reminded of six.
    let sent = letters(&deliver_all(&app).await);
    assert_eq!(sent.len(), run.jury.len());
    assert!(letter_to(&sent, &run.jury[1].email).1.contains("Il vous reste 6 dossiers à noter"), "{sent:?}");
});

api_test!(async fn councillors_hear_once_that_their_ballot_opened_by_its_window_with_the_link(app) {
    use serde_json::json;
    let (run, prize) = crate::ballots::ceremony(&app).await;
    let voters = crate::ballots::councillors(&app, &run, 2).await;
    app.execute(&format!("UPDATE users SET language = 'en' WHERE email = '{}'", voters[1].email)).await;
    let window = json!({"opens_at": "2099-12-14T17:30:00Z", "closes_at": "2099-12-14T19:00:00Z"});
    let set = app.request(reqwest::Method::PUT, &format!("/api/v1/prizes/{prize}/ballot")).json(&window).bearer_auth(&run.organization.admin.token).send().await.unwrap();
    assert_eq!(set.status(), 200);
    deliver_all(&app).await;
    assert_eq!(run_due(&app, 3, "2099-12-14T17:29:00Z").await.ballots_announced, 0);
    assert_eq!(run_due(&app, 3, "2099-12-14T17:31:00Z").await.ballots_announced, 1);
    let sent = letters(&deliver_all(&app).await);
    assert_eq!(sent.len(), 2, "{sent:?}");
    let (subject, text) = letter_to(&sent, &voters[0].email);
    assert_eq!(subject, "Le vote des conseillers est ouvert — Prix du CESER 2026");
    assert!(text.contains(&format!("https://prix.example.fr/vote?prize={prize}")), "{text}");
    assert!(text.contains("pour le Prix des conseillers du CESER") && text.contains("jusqu'au 14/12/2099 à 20:00 (heure de Paris)"), "{text}");
    let (subject, text) = letter_to(&sent, &voters[1].email);
    assert_eq!(subject, "The councillors' ballot is open — Prix du CESER 2026");
    assert!(text.contains("until 2099-12-14 at 20:00 (Paris time)"), "{text}");
    // Once, and audited as opened by its window, with no actor.
    assert_eq!(run_due(&app, 3, "2099-12-14T17:40:00Z").await.ballots_announced, 0);
    assert!(deliver_all(&app).await.is_empty());
    use prix_ceser::entities::audit_event;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let opened = audit_event::Entity::find().filter(audit_event::Column::Action.eq("ballot.opened")).all(&app.db).await.unwrap();
    assert_eq!(opened.len(), 1);
    assert_eq!((opened[0].actor_id, opened[0].details.contains("\"window\"")), (None, true), "{:?}", opened[0]);
    // Its window closes it: that too is audited once, with no actor (and its webhook fires).
    assert_eq!(run_due(&app, 3, "2099-12-14T18:59:00Z").await.ballots_closed, 0);
    assert_eq!(run_due(&app, 3, "2099-12-14T19:01:00Z").await.ballots_closed, 1);
    assert_eq!(run_due(&app, 3, "2099-12-14T19:05:00Z").await.ballots_closed, 0);
    let closed = audit_event::Entity::find().filter(audit_event::Column::Action.eq("ballot.closed")).all(&app.db).await.unwrap();
    assert_eq!(closed.len(), 1);
    assert_eq!((closed[0].actor_id, closed[0].details.contains("\"window\"")), (None, true), "{:?}", closed[0]);
});

api_test!(async fn councillors_hear_at_once_that_staff_opened_their_ballot(app) {
    let (run, prize) = crate::ballots::ceremony(&app).await;
    let voters = crate::ballots::councillors(&app, &run, 1).await;
    deliver_all(&app).await;
    crate::ballots::staff(&app, &run, "ballot/open", &prize).await;
    let sent = letters(&deliver_all(&app).await);
    assert!(letter_to(&sent, &voters[0].email).1.contains(&format!("http://127.0.0.1:8080/vote?prize={prize}")), "{sent:?}");
    assert_eq!(run_due(&app, 3, "2099-12-14T17:40:00Z").await.ballots_announced, 0);
    assert!(deliver_all(&app).await.is_empty());
});

api_test!(async fn applicants_hear_the_laureates_as_they_are_made_public(app) {
    let (run, prize) = crate::ballots::ceremony(&app).await;
    let voters = crate::ballots::councillors(&app, &run, 2).await;
    crate::ballots::staff(&app, &run, "ballot/open", &prize).await;
    for voter in &voters {
        assert_eq!(crate::ballots::vote(&app, &prize, voter, &run.files[1]).await.status(), 201);
    }
    crate::ballots::staff(&app, &run, "ballot/close", &prize).await;
    app.execute(&format!("UPDATE users SET language = 'en' WHERE email = '{}'", run.applicants[0].email)).await;
    app.execute("UPDATE prizes SET name_en = 'Jury''s prize' WHERE name = 'Prix du jury'").await;
    deliver_all(&app).await;
    crate::ballots::publish_results(&app, &run).await;
    // The five shortlisted applicants hear of the jury's laureate; the sixth, not shortlisted,
    // does not; the councillors' ballot, not yet published, is not told.
    let sent = letters(&deliver_all(&app).await);
    assert_eq!(sent.len(), 5, "{sent:?}");
    assert!(sent.iter().all(|(to, _, _)| to != &run.applicants[5].email));
    let (subject, text) = letter_to(&sent, &run.applicants[0].email);
    assert_eq!(subject, "You are a laureate — Prix du CESER 2026");
    assert!(text.contains("your action \"Initiative numéro 0\" receives the Jury's prize."), "{text}");
    let (subject, text) = letter_to(&sent, &run.applicants[1].email);
    assert_eq!(subject, "Les lauréats sont connus — Prix du CESER 2026");
    assert!(text.contains("Prix du jury : « Initiative numéro 0 »") && !text.contains("Prix des conseillers"), "{text}");
    // The councillors' ballot published after the edition's results: its laureate is news.
    crate::ballots::staff(&app, &run, "results/publish", &prize).await;
    let sent = letters(&deliver_all(&app).await);
    assert_eq!(sent.len(), 5, "{sent:?}");
    let (subject, text) = letter_to(&sent, &run.applicants[1].email);
    assert_eq!(subject, "Vous êtes lauréat — Prix du CESER 2026");
    assert!(text.contains("votre action « Initiative numéro 1 » reçoit le Prix des conseillers du CESER.") && !text.contains("Prix du jury"), "{text}");

    // Visitors read the prizes' names in their language, the French where no English is written.
    let read = |path: String, lang: &'static str| app.get(&path).header("accept-language", lang).send();
    let laureates = crate::helpers::json(read(format!("/api/v1/editions/{}/laureates", run.edition), "en").await.unwrap()).await;
    let names: Vec<(&str, &str)> = laureates.as_array().unwrap().iter().map(|l| (l["prize_name"].as_str().unwrap(), l["localized_prize_name"].as_str().unwrap())).collect();
    assert!(names.contains(&("Prix du jury", "Jury's prize")) && names.contains(&("Prix des conseillers du CESER", "Prix des conseillers du CESER")), "{names:?}");
    let french = crate::helpers::json(read(format!("/api/v1/editions/{}/laureates", run.edition), "fr").await.unwrap()).await;
    assert!(french.as_array().unwrap().iter().all(|l| l["localized_prize_name"] == l["prize_name"]), "{french}");
    let csv = read(format!("/api/v1/editions/{}/results.csv", run.edition), "en").await.unwrap().text().await.unwrap();
    assert!(csv.starts_with("Prize,") && csv.contains("\nJury's prize,jury,Initiative numéro 0,laureate"), "{csv}");
    let ballot = crate::helpers::json(read(format!("/api/v1/prizes/{prize}/ballot"), "en").await.unwrap()).await;
    assert_eq!((&ballot["prize_name_en"], &ballot["localized_prize_name"]), (&serde_json::json!(null), &serde_json::json!("Prix des conseillers du CESER")));
});

api_test!(async fn a_disabled_or_erased_account_gets_none_of_the_mail_still_queued_for_it(app) {
    use crate::applications::{complete_file, draft, setup};
    use serde_json::json;
    let setup = setup(&app).await;
    let submit = |id: String| app.post(&format!("/api/v1/applications/{id}/submit"), &json!({})).bearer_auth(&setup.applicant.token).send();
    let created = crate::helpers::json(draft(&app, &setup, &complete_file()).await).await;
    assert_eq!(submit(created["id"].as_str().unwrap().to_owned()).await.unwrap().status(), 200);
    // Queued, not yet delivered (the mail server was down, say), when an admin disables the account.
    let admin = app.create_platform_admin().await;
    let disabled = app.patch(&format!("/api/v1/users/{}", setup.applicant.id), &json!({"disabled": true}))
        .bearer_auth(&admin.token).send().await.unwrap();
    assert_eq!(disabled.status(), 200);
    assert!(deliver_all(&app).await.is_empty());
    let kept: Vec<_> = app.outbox().await.into_iter().filter(|message| message.subject.starts_with("Candidature reçue")).collect();
    assert_eq!(kept.len(), 1);
    assert_eq!((&kept[0].recipient, kept[0].body.as_str(), &kept[0].sent_at), (&None, "", &None), "neither the address nor the content is kept");

    // Erased: the same.
    let other = app.create_user(&[prix_ceser::domain::Role::Applicant]).await;
    let reset = app.post("/api/v1/auth/password/forgot", &json!({"email": other.email})).send().await.unwrap();
    assert!(reset.status().is_success());
    let erased = app.request(reqwest::Method::DELETE, "/api/v1/me").json(&json!({"password": crate::helpers::PASSWORD})).bearer_auth(&other.token).send().await.unwrap();
    assert_eq!(erased.status(), 204);
    assert!(deliver_all(&app).await.is_empty());
    assert!(app.outbox().await.iter().all(|message| message.recipient.as_deref() != Some(other.email.as_str())));
});

api_test!(async fn the_same_decision_or_slot_again_is_not_news(app) {
    use serde_json::json;
    let (run, _) = crate::jury::shortlisted(&app, "public").await;
    deliver_all(&app).await;
    let admin = &run.organization.admin.token;
    // Five identical reviews at once: the applicant hears once.
    let review = json!({"decision": "eligible"});
    let reviews: Vec<_> = (0..5).map(|_| app.post(&format!("/api/v1/applications/{}/review", run.files[5]), &review).bearer_auth(admin).send()).collect();
    for response in futures::future::join_all(reviews).await {
        let status = response.unwrap().status();
        assert!(status == 200 || status == 409, "{status}");
    }
    assert!(deliver_all(&app).await.is_empty(), "already told it is eligible");
    // The same slot three times, at once: one message, one calendar entry.
    let slot = json!({"starts_at": "2026-11-04T13:30:00Z", "place": "Salle A"});
    let puts: Vec<_> = (0..3).map(|_| app.request(reqwest::Method::PUT, &format!("/api/v1/applications/{}/audition", run.files[0])).json(&slot).bearer_auth(admin).send()).collect();
    for response in futures::future::join_all(puts).await {
        assert_eq!(response.unwrap().status(), 200);
    }
    assert_eq!(deliver_all(&app).await.len(), 1);
    // A place is written as people write names: no line break for a calendar to split on.
    for place in ["Salle\u{0007} 3", "Salle 3\r\nEND:VEVENT", "Salle\u{202e} 3"] {
        let refused = app.request(reqwest::Method::PUT, &format!("/api/v1/applications/{}/audition", run.files[0]))
            .json(&json!({"starts_at": "2026-11-04T13:30:00Z", "place": place})).bearer_auth(admin).send().await.unwrap();
        assert_eq!(crate::helpers::assert_problem(refused, 422, "validation_failed").await["errors"][0]["field"], "place");
    }
});

api_test!(async fn concurrent_assignments_replace_each_other_whole(app) {
    use serde_json::json;
    let run = crate::jury::prepare(&app).await;
    let admin = &run.organization.admin.token;
    let assigns: Vec<_> = (0..8).map(|i| app.post(&format!("/api/v1/editions/{}/assignments", run.edition), &json!({"round": "selection", "reviewers_per_file": 1 + i % 3})).bearer_auth(admin).send()).collect();
    for response in futures::future::join_all(assigns).await {
        assert_eq!(response.unwrap().status(), 200);
    }
    let assigned = crate::helpers::json(app.get(&format!("/api/v1/editions/{}/assignments?round=selection&limit=100", run.edition)).bearer_auth(admin).send().await.unwrap()).await;
    let count = assigned["items"].as_array().unwrap().len();
    assert!([6, 12, 18].contains(&count), "one assignment whole, not a mix: {count}");
});

api_test!(async fn a_ballot_its_window_opened_is_said_open_before_staff_close_it(app) {
    use prix_ceser::entities::audit_event;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    let (run, prize) = crate::ballots::ceremony(&app).await;
    let admin = &run.organization.admin.token;
    // Opened by its window a moment ago; staff close it before the schedule's pass comes.
    let opens_at = (chrono::Utc::now() - chrono::Duration::seconds(5)).to_rfc3339();
    let window = serde_json::json!({"opens_at": opens_at, "closes_at": "2099-12-14T19:00:00Z"});
    let set = app.request(reqwest::Method::PUT, &format!("/api/v1/prizes/{prize}/ballot")).json(&window).bearer_auth(admin).send().await.unwrap();
    assert_eq!(set.status(), 200);
    crate::ballots::staff(&app, &run, "ballot/close", &prize).await;
    let said: Vec<(String, Option<uuid::Uuid>)> = audit_event::Entity::find()
        .filter(audit_event::Column::Action.is_in(["ballot.opened", "ballot.closed"]))
        .order_by_asc(audit_event::Column::Seq).all(&app.db).await.unwrap()
        .into_iter().map(|event| (event.action, event.actor_id)).collect();
    assert_eq!(said, [("ballot.opened".to_owned(), None), ("ballot.closed".to_owned(), Some(run.organization.admin.id))]);
    let done = run_due(&app, 3, &chrono::Utc::now().to_rfc3339()).await;
    assert_eq!((done.ballots_announced, done.ballots_closed), (0, 0), "said once");
});

api_test!(async fn a_ballot_staff_open_before_its_window_opened_then(app) {
    let (run, prize) = crate::ballots::ceremony(&app).await;
    let window = serde_json::json!({"opens_at": "2099-12-14T17:30:00Z", "closes_at": "2099-12-14T19:00:00Z"});
    let set = app.request(reqwest::Method::PUT, &format!("/api/v1/prizes/{prize}/ballot")).json(&window).bearer_auth(&run.organization.admin.token).send().await.unwrap();
    assert_eq!(set.status(), 200);
    let opened = crate::ballots::staff(&app, &run, "ballot/open", &prize).await;
    let closed = crate::ballots::staff(&app, &run, "ballot/close", &prize).await;
    let time = |value: &serde_json::Value| value.as_str().unwrap().parse::<chrono::DateTime<chrono::Utc>>().unwrap();
    assert!(time(&opened["opens_at"]) < chrono::Utc::now() && time(&opened["opens_at"]) <= time(&closed["closes_at"]), "{opened} {closed}");
});
