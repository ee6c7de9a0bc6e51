-- tracker_fts_query(text) is an SQL function of the tracker Datasette plugin (sql_fts_query in
-- tracker/corpus/search.py): it quotes any user text as a valid FTS5 query, as `tracker search`
-- does. In the snippet, char(2) and char(3) enclose each match (the HTML page shows them
-- highlighted) and appear nowhere else: tracker_snippet (sql_snippet, same file) compares two
-- snippets marked differently to tell the marks from the text's own characters, which it shows
-- as U+2402 and U+2403.
with hits as (
  select rowid as paragraph_id, rank,
         tracker_snippet(snippet(paragraphs_fts, 0, char(2), char(3), '…', 24),
                         snippet(paragraphs_fts, 0, char(4), char(5), '…', 24)) as snippet
  from paragraphs_fts
  where :q != '' and paragraphs_fts match tracker_fts_query(:q)
  order by rank
  limit 100
),
occurrences as (
  select j.value as paragraph_id, v.document_id, v.version, v.captured_at
  from versions v, json_each(v.paragraph_ids) j
  where j.value in (select paragraph_id from hits)
),
runs as (
  select paragraph_id, document_id, version, captured_at,
         version - row_number() over (
           partition by paragraph_id, document_id order by version) as run
  from occurrences
),
ranges as (
  select paragraph_id, document_id, min(version) as low, max(version) as high,
         min(captured_at) as since, count(*) as n
  from runs
  group by paragraph_id, document_id, run
  order by paragraph_id, document_id, low
)
select d.name as document, h.snippet, r.paragraph_id,
  group_concat(case when r.low = r.high then 'v' || r.low
                    else 'v' || r.low || '-v' || r.high end, ', ') as versions,
  sum(r.n) as version_count, min(r.since) as first_seen,
  max(r.high) = (select max(lv.version) from versions lv
                 where lv.document_id = r.document_id) as in_latest
from ranges r
join hits h on h.paragraph_id = r.paragraph_id
join documents d on d.id = r.document_id
group by r.paragraph_id, r.document_id
order by h.rank, first_seen
