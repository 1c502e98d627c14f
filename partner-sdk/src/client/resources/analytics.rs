//! The partner's analytics: its customers' RFM segments.

use crate::analytics::{SegmentPage, SegmentSummary};
use crate::client::transport::encode_component;
use crate::client::{Client, Error, PREFIX};

impl Client {
    /// The partner's segments and their sizes (`GET /v1/partner/segments`).
    pub async fn segments(&self) -> Result<SegmentSummary, Error> {
        self.get(&format!("{PREFIX}/segments")).await
    }

    /// A page of one of the partner's segments (`GET /v1/partner/segments/{segment}`), after
    /// `cursor` (the previous page's `next_cursor`).
    pub async fn segment_members(
        &self,
        segment: &str,
        cursor: Option<&str>,
    ) -> Result<SegmentPage, Error> {
        let mut path = format!("{PREFIX}/segments/{}", encode_component(segment));
        if let Some(c) = cursor {
            path.push_str(&format!("?cursor={}", encode_component(c)));
        }
        self.get(&path).await
    }
}

impl Client {
    /// The partner's own figures over the last 365 days (`GET /v1/partner/analytics`).
    pub async fn analytics(&self) -> Result<crate::analytics::ProgramSummary, Error> {
        self.get(&format!("{PREFIX}/analytics")).await
    }
}
