-- Every document, most recently changed first, 100 a page (:page, from 1).
select d.name as document, count(v.id) as versions,
  min(v.captured_at) as first_seen, max(v.captured_at) as last_change,
  coalesce(sum(v.added), 0) as added, coalesce(sum(v.removed), 0) as removed,
  coalesce(sum(v.modified), 0) as modified, coalesce(sum(v.moved), 0) as moved,
  case when (select lv.deleted from versions lv where lv.document_id = d.id
             order by lv.version desc limit 1) then 'deleted' else 'present' end as state
from documents d
left join versions v on v.document_id = d.id
group by d.id
order by last_change desc
limit 100 offset (max(coalesce(cast(nullif(:page, '') as integer), 1), 1) - 1) * 100
