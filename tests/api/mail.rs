//! Emails as a mail client reads them: delivered over SMTP to a server on loopback, then
//! decoded by a mail parser.
use mail_parser::MessageParser;
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
