select d.name as document, v.version, v.captured_at, case
    when v.deleted then 'deleted'
    when v.version = 1 then 'created'
    when lag(v.deleted) over (partition by v.document_id order by v.version) then 'restored'
    else 'edited' end as event,
  v.added, v.removed, v.modified, v.moved, v.paragraphs, v.note
from versions v
join documents d on d.id = v.document_id
where (:since = '' or v.captured_at >= :since)
  and (:until = '' or v.captured_at < :until || '~')
order by v.captured_at desc, v.id desc
