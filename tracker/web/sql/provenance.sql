-- When a paragraph first appeared and every version that contains it. :paragraph is its id, its
-- hash, or its exact text; tracker_paragraph_hash(text) is an SQL function of the tracker
-- Datasette plugin (the store's content address), so that the text is found through the hash
-- index. Which versions hold the paragraph comes from the stored changes (where it came in and
-- went out); only those versions' paragraph lists are read, for its position.
with target as (
  select id, text from paragraphs where id = :paragraph
  union
  select id, text from paragraphs where hash = :paragraph
  union
  select id, text from paragraphs
  where hash in (tracker_paragraph_hash(:paragraph), tracker_paragraph_hash(trim(:paragraph)))
    and text in (:paragraph, trim(:paragraph))
),
events as (
  select c.new_paragraph_id as paragraph_id, v.document_id, v.version, 1 as delta
  from paragraph_changes c join versions v on v.id = c.version_id
  where c.new_paragraph_id in (select id from target)
    and c.old_paragraph_id is not c.new_paragraph_id
  union all
  select c.old_paragraph_id, v.document_id, v.version, -1
  from paragraph_changes c join versions v on v.id = c.version_id
  where c.old_paragraph_id in (select id from target)
    and c.new_paragraph_id is not c.old_paragraph_id
),
gaps as (
  -- a deletion holds no paragraph, and the version that brings the document back is compared
  -- with the text before the deletion: a paragraph's presence stops at the deletion and starts
  -- again after it, without any change row to say so
  select v.document_id, v.version, 1 as deleted from versions v
  where v.deleted and v.document_id in (select document_id from events)
  union all
  select n.document_id, n.version, 0 from versions v
  join versions n on n.document_id = v.document_id and n.version = v.version + 1
  where v.deleted and v.document_id in (select document_id from events)
),
steps as (
  select paragraph_id, document_id, version, sum(delta) as delta,
         max(deleted) as deleted
  from (
    select paragraph_id, document_id, version, delta, 0 as deleted from events
    union all
    select p.paragraph_id, g.document_id, g.version, 0, g.deleted
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
  select paragraph_id, document_id, version as low,
    coalesce(next - 1, (select max(lv.version) from versions lv
                        where lv.document_id = counted.document_id)) as high
  from counted
  where present > 0 and not deleted
),
occurrences as (
  select r.paragraph_id, j.key as position, v.id as version_id, v.document_id, v.version,
         v.captured_at
  from ranges r
  join versions v on v.document_id = r.document_id and v.version between r.low and r.high
  join json_each(v.paragraph_ids) j on j.value = r.paragraph_id
),
ordered as (
  select o.*,
    lag(o.version) over (partition by o.paragraph_id, o.document_id order by o.version)
      as previous,
    row_number() over (partition by o.paragraph_id order by o.captured_at, o.version_id)
      as nth
  from occurrences o
)
select d.name as document, o.version, o.captured_at, o.position + 1 as paragraph_number,
  case when o.previous is null then 'appeared'
       when o.previous = o.version - 1 or o.previous = o.version then 'kept'
       else 'appeared again' end as event,
  (select group_concat(c.op) from paragraph_changes c
   where c.version_id = o.version_id and c.new_paragraph_id = o.paragraph_id) as how,
  o.paragraph_id,
  case when o.nth = 1 then t.text else '' end as text
from ordered o
join target t on t.id = o.paragraph_id
join documents d on d.id = o.document_id
order by o.paragraph_id, o.captured_at, o.version_id, o.position
