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
    // now that their account says so.
    app.execute(&format!("UPDATE users SET language = 'en' WHERE email = '{}'", setup.applicant.email)).await;
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
    assert!(ics.contains("BEGIN:VEVENT") && ics.contains("DTSTART:20261104T133000Z"), "{ics}");
});
