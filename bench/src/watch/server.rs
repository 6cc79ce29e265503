//! The watch's page and its live feed, served on 127.0.0.1 only.
//!
//! - `GET /` the page: one self-contained HTML file (styles, script and charts inline),
//!   so it works offline.
//! - `GET /events` server-sent events: the current snapshot at once, then one per poll.
//! - `GET /snapshot.json` the current snapshot, for scripts.

use std::convert::Infallible;

use anyhow::{Context, Result};
use axum::Router;
use axum::http::header;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use futures_util::Stream;
use tokio::sync::watch;

use super::board::Snapshot;

/// The page with the current snapshot inside, so its first paint shows the counters
/// (the live feed takes over from there).
pub fn page(snapshot: &Snapshot) -> String {
    eventlab_render::watch::page(&serde_json::to_string(snapshot).expect("a snapshot serialises"))
}

fn live(mut snapshots: watch::Receiver<Snapshot>) -> impl Stream<Item = Result<Event, Infallible>> {
    snapshots.mark_changed();
    futures_util::stream::unfold(snapshots, |mut snapshots| async move {
        // Ends the stream when the poller stops.
        snapshots.changed().await.ok()?;
        let json = serde_json::to_string(&*snapshots.borrow_and_update()).expect("a snapshot serialises");
        Some((Ok(Event::default().data(json)), snapshots))
    })
}

pub fn router(snapshots: watch::Receiver<Snapshot>) -> Router {
    let for_events = snapshots.clone();
    Router::new()
        .route(
            "/",
            get({
                let snapshots = snapshots.clone();
                move || {
                    let page = page(&snapshots.borrow());
                    async move { ([(header::CACHE_CONTROL, "no-store")], Html(page)) }
                }
            }),
        )
        .route(
            "/events",
            get(move || {
                let snapshots = for_events.clone();
                async move { Sse::new(live(snapshots)).keep_alive(KeepAlive::default()) }
            }),
        )
        .route(
            "/snapshot.json",
            get(move || {
                let snapshot = snapshots.borrow().clone();
                async move { axum::Json(snapshot).into_response() }
            }),
        )
}

/// Serves until the process ends.
pub async fn serve(listener: tokio::net::TcpListener, snapshots: watch::Receiver<Snapshot>) -> Result<()> {
    axum::serve(listener, router(snapshots))
        .await
        .context("serving the watch page")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_carries_the_snapshot_and_it_cannot_end_the_script_early() {
        let snapshot = Snapshot {
            bucket: "</script><script>alert(1)</script>".into(),
            ..Snapshot::default()
        };
        let page = page(&snapshot);
        assert!(
            page.contains("const initial = {"),
            "the snapshot is the page's first data"
        );
        assert_eq!(page.matches("</script>").count(), 1, "only the page's own script ends");
        assert!(
            page.contains(r#""bucket":"<\/script><script>alert(1)<\/script>""#),
            "{page}"
        );
    }
}
