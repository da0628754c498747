//! Ranking weights of both searches, in one place: the CLI's tantivy queries use them
//! directly, the browser index bakes the field boosts into its postings and writes the
//! rest into `search/idx/entry.js` for `search.js`. Change them here and both follow.

/// Field boosts of a free-text match: the title and root cause above the labels (cause,
/// service, team and tag values) above the summary above the body.
pub(crate) const TITLE: f32 = 3.0;
pub(crate) const ROOT_CAUSE: f32 = 2.5;
pub(crate) const LABELS: f32 = 2.0;
pub(crate) const SUMMARY: f32 = 1.5;
pub(crate) const BODY: f32 = 1.0;

/// A typo match scores this fraction of an exact one, so it ranks only when nothing
/// exact does (the CLI: a word found nowhere, searched as its nearest words; the
/// browser: a term within one edit in the same shard).
pub(crate) const TYPO: f32 = 0.3;
/// Words shorter than this are never matched within a typo, only offered their nearest
/// words (too many false friends: `bgp`, `oom`).
pub(crate) const TYPO_MIN_CHARS: usize = 5;
/// A synonym match, relative to the word typed (CLI only).
pub(crate) const SYNONYM: f32 = 0.4;
/// A post-mortem whose cause (labelled or inferred) the query's words name or describe
/// ("lost power" → power failure) scores this times the match score (0.6..1): about a
/// strong title match, so incidents of that cause come first, ordered among themselves
/// by their words.
pub(crate) const CAUSE: f32 = 20.0;
/// A post-mortem whose text only suggests that cause, below the cut-off of inferred
/// causes (a *possible* class, see `causes`), scores this fraction of `CAUSE`: after
/// the post-mortems of that cause, about a good body match.
pub(crate) const CAUSE_POSSIBLE: f32 = 0.35;
/// A completion of the word still being typed, relative to an exact match (browser only).
pub(crate) const PREFIX: f32 = 0.5;

/// BM25's term-frequency saturation and length normalisation: tantivy's fixed values,
/// which the browser index computes with too.
pub(crate) const BM25_K1: f64 = 1.2;
pub(crate) const BM25_B: f64 = 0.75;
