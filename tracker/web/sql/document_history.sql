-- Every version of :document (its full name or its last part), newest first, 100 a page (:page,
-- from 1), between :since and :until when given (dates or date-times read by tracker_time_bound,
-- both included).
select d.name as document, v.version, v.captured_at, case
    when v.deleted then 'deleted'
    when v.version = 1 then 'created'
    when (select p.deleted from versions p
          where p.document_id = v.document_id and p.version = v.version - 1) then 'restored'
    else 'edited' end as event,
  v.added, v.removed, v.modified, v.moved,
  (select count(*) from paragraph_changes c where c.version_id = v.id) as changed_paragraphs,
  v.paragraphs, v.bytes, v.note, v.path
from versions v
join documents d on d.id = v.document_id
where v.document_id in (
    select id from documents
    where name = :document or substr(name, -length(:document) - 1) = '/' || :document)
  and (:since = '' or v.captured_at >= tracker_time_bound(:since, 0))
  and (:until = '' or v.captured_at <= tracker_time_bound(:until, 1))
order by d.name, v.version desc
limit 100 offset (max(coalesce(cast(nullif(:page, '') as integer), 1), 1) - 1) * 100
