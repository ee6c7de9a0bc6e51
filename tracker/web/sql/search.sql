-- tracker_fts_query(text) is an SQL function of the tracker Datasette plugin (sql_fts_query in
-- tracker/corpus/search.py): it quotes any user text as a valid FTS5 query, as `tracker search`
-- does. In the snippet, char(2) and char(3) enclose each match (the HTML page shows them
-- highlighted) and appear nowhere else: tracker_snippet (sql_snippet, same file) compares two
-- snippets marked differently to tell the marks from the text's own characters, which it shows
-- as U+2402 and U+2403. Which versions hold a paragraph comes from paragraph_spans (its runs
-- of consecutive versions in each document, as `tracker search --all-versions` reads them), so
-- the cost follows the hits shown, not the size of the history.
with ranked as (
  -- ranking costs a score per match: a word found in most paragraphs is ranked among the
  -- 10,000 newest (FTS5 walks them newest first and stops)
  select paragraph_id, rank from (
    select rowid as paragraph_id, rank from paragraphs_fts
    where :q != '' and paragraphs_fts match tracker_fts_query(:q)
    order by rowid desc limit 10000
  )
  order by rank
  limit 100
),
shown as materialized (
  -- snippets of the 100 only, in one walk of the matches: picking rows by rowid instead would
  -- have FTS5 merge a prefix's words again for each
  select rowid as paragraph_id,
         tracker_snippet(snippet(paragraphs_fts, 0, char(2), char(3), '…', 24),
                         snippet(paragraphs_fts, 0, char(4), char(5), '…', 24)) as snippet
  from paragraphs_fts
  where :q != '' and paragraphs_fts match tracker_fts_query(:q)
    and +rowid in (select paragraph_id from ranked)
),
hits as (
  select r.paragraph_id, r.rank, s.snippet
  from ranked r join shown s on s.paragraph_id = r.paragraph_id
),
runs as (
  -- an open span (until_version null) runs to the document's latest version, which holds it
  select s.paragraph_id, s.document_id, s.first_version as low,
    coalesce(s.until_version - 1, (select max(lv.version) from versions lv
                                   where lv.document_id = s.document_id)) as high,
    (select v.captured_at from versions v
     where v.document_id = s.document_id and v.version = s.first_version) as since,
    s.until_version is null as open
  from paragraph_spans s
  where s.paragraph_id in (select paragraph_id from hits)
  order by s.paragraph_id, s.document_id, s.first_version
)
select d.name as document, h.snippet, r.paragraph_id,
  group_concat(case when r.low = r.high then 'v' || r.low
                    else 'v' || r.low || '-v' || r.high end, ', ') as versions,
  sum(r.high - r.low + 1) as version_count, min(r.since) as first_seen,
  max(r.open) as in_latest
from runs r
join hits h on h.paragraph_id = r.paragraph_id
join documents d on d.id = r.document_id
group by r.paragraph_id, r.document_id
order by h.rank, first_seen
