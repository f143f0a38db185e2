//! The ceremony screen's live stream: one poller per prize reads the ballot once a second and
//! feeds every open stream of that prize, however many screens and browsers are watching.
use crate::domain::voter::VoterKeys;
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use sea_orm::DatabaseConnection;
use tokio::sync::watch;
use uuid::Uuid;

use crate::services::ballots::{self, LiveView};

/// One Server-Sent Event, ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveFrame {
    pub text: String,
    /// The result: the last frame of the stream.
    pub last: bool,
}

impl LiveFrame {
    fn of(view: &LiveView) -> Self {
        let (event, data, last) = match view {
            LiveView::Turnout(turnout) => ("turnout", serde_json::to_string(turnout), false),
            LiveView::Published(results) => ("result", serde_json::to_string(results), true),
        };
        Self {
            text: format!("event: {event}\ndata: {}\n\n", data.unwrap_or_default()),
            last,
        }
    }
}

type Channels = HashMap<Uuid, watch::Receiver<Option<LiveFrame>>>;

/// The pollers currently running, one per watched prize.
#[derive(Clone)]
pub struct LiveHub {
    channels: Arc<Mutex<Channels>>,
    /// Opens the choices to count them once a ballot's results are published.
    keys: VoterKeys,
}

impl LiveHub {
    pub fn new(keys: VoterKeys) -> Self {
        LiveHub {
            channels: Arc::default(),
            keys,
        }
    }

    /// The frames of this prize's stream, from a poller shared with every other watcher.
    pub fn watch(
        &self,
        db: &DatabaseConnection,
        prize_id: Uuid,
    ) -> watch::Receiver<Option<LiveFrame>> {
        let mut channels = self
            .channels
            .lock()
            .expect("the live hub's lock is never poisoned");
        if let Some(receiver) = channels.get(&prize_id) {
            return receiver.clone();
        }
        let (sender, receiver) = watch::channel(None);
        channels.insert(prize_id, receiver.clone());
        tokio::spawn(poll(self.clone(), db.clone(), prize_id, sender));
        receiver
    }
}

async fn poll(
    hub: LiveHub,
    db: DatabaseConnection,
    prize_id: Uuid,
    sender: watch::Sender<Option<LiveFrame>>,
) {
    loop {
        let frame = match ballots::live(&db, &hub.keys, prize_id).await {
            Ok(view) => Some(LiveFrame::of(&view)),
            Err(error) => {
                tracing::warn!(error = %error, %prize_id, "live stream stopped");
                None
            }
        };
        let last = frame.as_ref().is_none_or(|frame| frame.last);
        sender.send_replace(frame);
        // Decided under the hub's lock, so that no watcher joins a poller that is leaving:
        // the hub itself holds one receiver.
        let mut channels = hub
            .channels
            .lock()
            .expect("the live hub's lock is never poisoned");
        if last || sender.receiver_count() <= 1 {
            channels.remove(&prize_id);
            return;
        }
        drop(channels);
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}
