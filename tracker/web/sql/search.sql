-- tracker_fts_query(text) is an SQL function of the tracker Datasette plugin (sql_fts_query in
-- tracker/corpus/search.py): it quotes any user text as a valid FTS5 query, as `tracker search`
-- does. In the snippet, char(2) and char(3) enclose each match (the HTML page shows them
-- highlighted) and appear nowhere else: tracker_snippet (sql_snippet, same file) compares two
-- snippets marked differently to tell the marks from the text's own characters, which it shows
-- as U+2402 and U+2403. Which versions hold a paragraph comes from the stored changes (where it
-- came in and went out), so the cost follows the number of changes, not of paragraphs in every
-- version.
with hits as (
  select rowid as paragraph_id, rank,
         tracker_snippet(snippet(paragraphs_fts, 0, char(2), char(3), '…', 24),
                         snippet(paragraphs_fts, 0, char(4), char(5), '…', 24)) as snippet
  from paragraphs_fts
  where :q != '' and paragraphs_fts match tracker_fts_query(:q)
  order by rank
  limit 100
),
events as (
  select c.new_paragraph_id as paragraph_id, v.document_id, v.version, v.captured_at, 1 as delta
  from paragraph_changes c join versions v on v.id = c.version_id
  where c.new_paragraph_id in (select paragraph_id from hits)
    and c.old_paragraph_id is not c.new_paragraph_id
  union all
  select c.old_paragraph_id, v.document_id, v.version, v.captured_at, -1
  from paragraph_changes c join versions v on v.id = c.version_id
  where c.old_paragraph_id in (select paragraph_id from hits)
    and c.new_paragraph_id is not c.old_paragraph_id
),
gaps as (
  -- a deletion holds no paragraph, and the version that brings the document back is compared
  -- with the text before the deletion: a paragraph's presence stops at the deletion and starts
  -- again after it, without any change row to say so
  select v.document_id, v.version, v.captured_at, 1 as deleted from versions v
  where v.deleted and v.document_id in (select document_id from events)
  union all
  select n.document_id, n.version, n.captured_at, 0 from versions v
  join versions n on n.document_id = v.document_id and n.version = v.version + 1
  where v.deleted and v.document_id in (select document_id from events)
),
steps as (
  select paragraph_id, document_id, version, min(captured_at) as captured_at, sum(delta) as delta,
         max(deleted) as deleted
  from (
    select paragraph_id, document_id, version, captured_at, delta, 0 as deleted from events
    union all
    select p.paragraph_id, g.document_id, g.version, g.captured_at, 0, g.deleted
    from gaps g join (select distinct paragraph_id, document_id from events) p
      on p.document_id = g.document_id
  )
  group by paragraph_id, document_id, version
),
counted as (
  select s.*,
    sum(delta) over (partition by paragraph_id, document_id order by version) as present,
    lead(version) over (partition by paragraph_id, document_id order by version) as next
  from steps s
),
ranges as (
  select c.paragraph_id, c.document_id, c.version as low,
    coalesce(c.next - 1, (select max(lv.version) from versions lv
                          where lv.document_id = c.document_id)) as high,
    c.captured_at as since, c.next is null as open
  from counted c
  where c.present > 0 and not c.deleted
),
merged as (
  -- consecutive ranges (a paragraph that changed place in between) read as one
  select r.*, r.low - coalesce(sum(r.high - r.low + 1) over (
      partition by r.paragraph_id, r.document_id order by r.low
      rows between unbounded preceding and 1 preceding), 0) as run
  from ranges r
),
runs as (
  select paragraph_id, document_id, min(low) as low, max(high) as high, min(since) as since,
         max(open) as open
  from merged
  group by paragraph_id, document_id, run
  order by paragraph_id, document_id, low
)
select d.name as document, h.snippet, r.paragraph_id,
  group_concat(case when r.low = r.high then 'v' || r.low
                    else 'v' || r.low || '-v' || r.high end, ', ') as versions,
  sum(r.high - r.low + 1) as version_count, min(r.since) as first_seen,
  max(r.open and not coalesce((select lv.deleted from versions lv
                              where lv.document_id = r.document_id
                              order by lv.version desc limit 1), 0)) as in_latest
from runs r
join hits h on h.paragraph_id = r.paragraph_id
join documents d on d.id = r.document_id
group by r.paragraph_id, r.document_id
order by h.rank, first_seen
