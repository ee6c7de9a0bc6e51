-- The life of paragraph :paragraph (1-based) of a version of :document (:version, or the latest
-- when empty): every version in which its lineage changed. versions.lineages holds the lineage of
-- each paragraph as runs ([[101,3],117,...]: 101-103, then 117), or the number of an earlier
-- version holding the same list: find the run holding it.
with target as (
  select case when v.lineages glob '[0-9]*' then (select s.lineages from versions s
           where s.document_id = v.document_id and s.version = cast(v.lineages as integer))
         else v.lineages end as lineages
  from versions v join documents d on d.id = v.document_id
  where d.name = :document
    and v.version = coalesce(nullif(cast(:version as integer), 0),
                             (select max(m.version) from versions m where m.document_id = d.id))
),
runs as (
  select j.key as k,
    case when json_type(j.value) = 'array' then json_extract(j.value, '$[0]') else j.value end
      as first,
    case when json_type(j.value) = 'array' then json_extract(j.value, '$[1]') else 1 end as n
  from target, json_each(target.lineages) j
),
placed as (
  select first, n, sum(n) over (order by k) - n as offset from runs
),
chosen as (
  select first + (cast(:paragraph as integer) - 1 - offset) as lineage from placed
  where cast(:paragraph as integer) - 1 >= offset and cast(:paragraph as integer) - 1 < offset + n
)
select h.version, h.captured_at, h.op, h.position, h.text, h.class, h.lineage
from paragraph_history h join chosen c on c.lineage = h.lineage
where h.document = :document
order by h.version
