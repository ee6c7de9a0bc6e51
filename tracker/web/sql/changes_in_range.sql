-- One page (:page, from 1) of 100 changed paragraphs, newest first; :document is a full name or
-- its last part (guide.txt), :since and :until bare dates or date-times (empty: no bound). The
-- tables rather than the changes view, so that the order follows the captured_at index and a
-- page reads only its own rows.
select d.name as document, v.version, v.captured_at, c.op,
  c.old_index, c.new_index, np.text as new_text, op.text as old_text
from versions v
join documents d on d.id = v.document_id
join paragraph_changes c on c.version_id = v.id
left join paragraphs op on op.id = c.old_paragraph_id
left join paragraphs np on np.id = c.new_paragraph_id
where (:since = '' or v.captured_at >= :since)
  and (:until = '' or v.captured_at < :until || '~')
  and (:document = '' or d.name = :document
       or substr(d.name, -length(:document) - 1) = '/' || :document)
order by v.captured_at desc, v.id desc, c.id
limit 100 offset (max(coalesce(cast(nullif(:page, '') as integer), 1), 1) - 1) * 100
