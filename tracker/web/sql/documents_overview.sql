-- Every document, most recently changed first, 100 a page (:page, from 1). The page's documents
-- are chosen from each one's latest version first, then only their versions are added up.
with page as (
  select d.id, d.name, l.captured_at as last_change, l.deleted
  from documents d
  left join versions l on l.document_id = d.id
    and l.version = (select max(m.version) from versions m where m.document_id = d.id)
  order by l.captured_at desc, d.name
  limit 100 offset (max(coalesce(cast(nullif(:page, '') as integer), 1), 1) - 1) * 100
)
select p.name as document, count(v.id) as versions,
  min(v.captured_at) as first_seen, p.last_change,
  coalesce(sum(v.added), 0) as added, coalesce(sum(v.removed), 0) as removed,
  coalesce(sum(v.modified), 0) as modified, coalesce(sum(v.moved), 0) as moved,
  case when p.deleted then 'deleted' else 'present' end as state
from page p
left join versions v on v.document_id = p.id
group by p.id
order by p.last_change desc, p.name
