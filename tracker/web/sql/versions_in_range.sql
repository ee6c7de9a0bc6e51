-- One page (:page, from 1) of 100 versions, newest first; :document is a full name or its last
-- part, :since and :until dates or date-times read by tracker_time_bound (empty: no bound). Two
-- branches, as in changes_in_range: along the captured_at index, or through one document's
-- versions.
select d.name as document, v.version, v.captured_at, case
    when v.deleted then 'deleted'
    when v.version = 1 then 'created'
    when (select p.deleted from versions p
          where p.document_id = v.document_id and p.version = v.version - 1) then 'restored'
    else 'edited' end as event,
  v.added, v.removed, v.modified, v.moved, v.paragraphs, v.note
from versions v
join documents d on d.id = v.document_id
where :document = ''
  and (:since = '' or v.captured_at >= tracker_time_bound(:since, 0))
  and (:until = '' or v.captured_at <= tracker_time_bound(:until, 1))
union all
select d.name as document, v.version, v.captured_at, case
    when v.deleted then 'deleted'
    when v.version = 1 then 'created'
    when (select p.deleted from versions p
          where p.document_id = v.document_id and p.version = v.version - 1) then 'restored'
    else 'edited' end as event,
  v.added, v.removed, v.modified, v.moved, v.paragraphs, v.note
from versions v
join documents d on d.id = v.document_id
where v.document_id in (
    select id from documents
    where :document != ''
      and (name = :document or substr(name, -length(:document) - 1) = '/' || :document))
  and (:since = '' or v.captured_at >= tracker_time_bound(:since, 0))
  and (:until = '' or v.captured_at <= tracker_time_bound(:until, 1))
order by captured_at desc
limit 100 offset (max(coalesce(cast(nullif(:page, '') as integer), 1), 1) - 1) * 100
