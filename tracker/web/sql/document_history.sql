select d.name as document, v.version, v.captured_at, case
    when v.deleted then 'deleted'
    when v.version = 1 then 'created'
    when lag(v.deleted) over (partition by v.document_id order by v.version) then 'restored'
    else 'edited' end as event,
  v.paragraphs, v.bytes, v.added, v.removed, v.modified, v.moved,
  (select count(*) from paragraph_changes c where c.version_id = v.id) as changed_paragraphs,
  v.note, v.path
from versions v
join documents d on d.id = v.document_id
where d.name = :document or substr(d.name, -length(:document) - 1) = '/' || :document
order by d.name, v.version desc
