with target as (
  select id, text from paragraphs
  where id = :paragraph or hash = :paragraph or text = :paragraph or text = trim(:paragraph)
),
occurrences as (
  select j.value as paragraph_id, j.key as position, v.id as version_id, v.document_id,
         v.version, v.captured_at
  from versions v, json_each(v.paragraph_ids) j
  where j.value in (select id from target)
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
       when o.previous = o.version - 1 then 'kept'
       else 'appeared again' end as event,
  (select group_concat(c.op) from paragraph_changes c
   where c.version_id = o.version_id and c.new_paragraph_id = o.paragraph_id) as how,
  o.paragraph_id,
  case when o.nth = 1 then t.text else '' end as text
from ordered o
join target t on t.id = o.paragraph_id
join documents d on d.id = o.document_id
order by o.paragraph_id, o.captured_at, o.version_id, o.position
