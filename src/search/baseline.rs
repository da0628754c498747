//! A baseline for the relevance evaluation (`tests/it/search.rs`): plain BM25 over all
//! the text of a post-mortem in one field, with tantivy's English stemmer, any word
//! matching (tantivy's default query parser behaviour). Not used by the CLI.

use anyhow::Result;
use tantivy::Index;
use tantivy::collector::TopDocs;
use tantivy::query::QueryParser;
use tantivy::schema::{
    IndexRecordOption, STORED, STRING, Schema, TantivyDocument, TextFieldIndexing, TextOptions,
    Value,
};

use crate::model::Archive;

/// Index `archive` in memory as one text field and return the ids for `query`.
pub fn rank(archive: &Archive, queries: &[&str], limit: usize) -> Result<Vec<Vec<String>>> {
    let mut b = Schema::builder();
    let id = b.add_text_field("id", STRING | STORED);
    let text = b.add_text_field(
        "text",
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer("en_stem")
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        ),
    );
    let index = Index::create_in_ram(b.build());
    let mut writer = index.writer_with_num_threads::<TantivyDocument>(1, 20_000_000)?;
    for i in &archive.incidents {
        let mut doc = TantivyDocument::new();
        doc.add_text(id, &i.id);
        let all = format!(
            "{}\n{}\n{}\n{}\n{}",
            i.title,
            i.summary.as_deref().unwrap_or(""),
            i.root_cause_text(),
            i.body_text,
            i.causes.join(" ")
        );
        doc.add_text(text, all);
        writer.add_document(doc)?;
    }
    writer.commit()?;
    let searcher = index.reader()?.searcher();
    let parser = QueryParser::for_index(&index, vec![text]);
    let mut out = Vec::new();
    for q in queries {
        let (query, _) = parser.parse_query_lenient(q);
        let top = searcher.search(&query, &TopDocs::with_limit(limit).order_by_score())?;
        let mut ids = Vec::new();
        for (_, addr) in top {
            let doc: TantivyDocument = searcher.doc(addr)?;
            ids.push(
                doc.get_first(id)
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default(),
            );
        }
        out.push(ids);
    }
    Ok(out)
}
