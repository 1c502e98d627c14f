//! The partner's journal entries, paged.

use crate::client::pagination::page_path;
use crate::client::{Client, Error, MAX_ALL_ENTRIES, PREFIX};
use crate::types::{PartnerEntry, PartnerEntryPage};

impl Client {
    /// One page of the partner's journal entries (`GET /v1/partner/entries`); pass the
    /// page's `next_cursor` as `cursor` for the next one.
    pub async fn entries(
        &self,
        cursor: Option<&str>,
        limit: Option<u32>,
    ) -> Result<PartnerEntryPage, Error> {
        let path = page_path(&format!("{PREFIX}/entries"), cursor, limit);
        self.get(&path).await
    }

    /// All of the partner's journal entries, following the cursors to the last page. Fails with
    /// [`Error::Limit`] beyond [`MAX_ALL_ENTRIES`] items.
    pub async fn all_entries(&self) -> Result<Vec<PartnerEntry>, Error> {
        let mut items = Vec::new();
        let mut cursor: Option<String> = None;
        // Bounds the loop even if the server kept answering empty pages with new cursors.
        for _ in 0..=MAX_ALL_ENTRIES {
            let page = self.entries(cursor.as_deref(), None).await?;
            if items.len().saturating_add(page.items.len()) > MAX_ALL_ENTRIES {
                return Err(Error::Limit(format!(
                    "more than {MAX_ALL_ENTRIES} entries; page with `entries`"
                )));
            }
            items.extend(page.items);
            match page.next_cursor {
                None => return Ok(items),
                Some(next) if cursor.as_deref() == Some(next.as_str()) => {
                    return Err(Error::Decode(format!("the server repeated cursor {next}")));
                }
                Some(next) => cursor = Some(next),
            }
        }
        Err(Error::Limit(format!(
            "more than {MAX_ALL_ENTRIES} pages of entries"
        )))
    }
}
