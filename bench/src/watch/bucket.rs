//! Reading the results bucket incrementally: each poll lists the bucket and returns only
//! the objects that appeared since the last one, so no object is read twice.
//!
//! Keys are not time-ordered (`results/<service>/<run_id>/<request_id>.jsonl`), so a
//! listing cannot start after the last key read. Instead the reader remembers the keys it
//! has returned, and forgets a key once its `LastModified` is older than [`SETTLE`]:
//! an object is listed as soon as its PUT completes, so one that old was either seen
//! already or is from before the watch.

use std::collections::HashMap;

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};

/// How long after its `LastModified` an object is still looked for (clock skew included).
pub const SETTLE: chrono::TimeDelta = chrono::TimeDelta::minutes(5);

/// An object that appeared since the last poll.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewObject {
    pub key: String,
    pub last_modified: DateTime<Utc>,
}

/// Lists a bucket and returns each object once.
#[derive(Debug)]
pub struct BucketReader {
    s3: aws_sdk_s3::Client,
    bucket: String,
    page_size: Option<i32>,
    /// Keys returned and read, with their `LastModified`, while younger than [`SETTLE`].
    read: HashMap<String, DateTime<Utc>>,
    /// Keys returned by the last poll and not yet marked read: returned again next time.
    unread: HashMap<String, DateTime<Utc>>,
    /// Objects older than this are not looked at.
    floor: DateTime<Utc>,
    primed: bool,
    last_listed: u64,
}

impl BucketReader {
    /// A reader that counts what appears after `since`: its first poll only notes what is there.
    pub fn new(s3: aws_sdk_s3::Client, bucket: impl Into<String>, since: DateTime<Utc>) -> Self {
        Self {
            s3,
            bucket: bucket.into(),
            page_size: None,
            read: HashMap::new(),
            unread: HashMap::new(),
            floor: since - SETTLE,
            primed: false,
            last_listed: 0,
        }
    }

    /// Keys per listing page (S3's default and maximum is 1,000).
    #[must_use]
    pub fn page_size(mut self, keys: i32) -> Self {
        self.page_size = Some(keys);
        self
    }

    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    /// Keys in the last listing.
    pub fn last_listed(&self) -> u64 {
        self.last_listed
    }

    /// Keys held so that none is read twice.
    pub fn remembered(&self) -> usize {
        self.read.len() + self.unread.len()
    }

    /// The objects that appeared since the last poll (none on the first), oldest first.
    /// Each must be [`mark_read`](Self::mark_read) once handled, or it is returned again.
    pub async fn poll(&mut self, now: DateTime<Utc>) -> Result<Vec<NewObject>> {
        let oldest_unread = self.unread.values().min().copied();
        let floor = oldest_unread
            .map_or(now - SETTLE, |t| t.min(now - SETTLE))
            .max(self.floor);
        let mut pages = self
            .s3
            .list_objects_v2()
            .bucket(&self.bucket)
            .set_max_keys(self.page_size)
            .into_paginator()
            .send();
        let mut fresh = Vec::new();
        let mut listed = 0;
        while let Some(page) = pages.next().await {
            let page = page
                .map_err(eventlab_client::sdk_error)
                .with_context(|| format!("listing s3://{}", self.bucket))?;
            listed += page.contents().len() as u64;
            for object in page.contents() {
                let Some(key) = object.key() else { continue };
                let last_modified = object
                    .last_modified()
                    .and_then(|t| DateTime::from_timestamp(t.secs(), t.subsec_nanos()))
                    .unwrap_or(now);
                if last_modified < self.floor || self.read.contains_key(key) {
                    continue;
                }
                fresh.push(NewObject {
                    key: key.to_owned(),
                    last_modified,
                });
            }
        }
        self.last_listed = listed;
        self.read.retain(|_, at| *at >= floor);
        self.floor = floor;
        self.unread.clear();
        if !self.primed {
            self.primed = true;
            self.read.extend(fresh.into_iter().map(|o| (o.key, o.last_modified)));
            return Ok(Vec::new());
        }
        fresh.sort_by(|a, b| a.last_modified.cmp(&b.last_modified).then_with(|| a.key.cmp(&b.key)));
        self.unread
            .extend(fresh.iter().map(|o| (o.key.clone(), o.last_modified)));
        Ok(fresh)
    }

    /// `object` was handled: never return it again.
    pub fn mark_read(&mut self, object: &NewObject) {
        self.unread.remove(&object.key);
        self.read.insert(object.key.clone(), object.last_modified);
    }

    /// The object's bytes.
    pub async fn get(&self, key: &str) -> Result<Vec<u8>> {
        eventlab_client::results::read_bytes(&self.s3, &self.bucket, key).await
    }
}
