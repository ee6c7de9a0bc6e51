-- One page (:page, from 1) of 100 changed paragraphs, newest first; :document is a full name or
-- its last part (guide.txt), :since and :until bare dates or date-times (empty: no bound).
select c.document, c.version, c.captured_at, c.op,
  c.old_index, c.new_index, c.new_text, c.old_text
from changes c
where (:since = '' or c.captured_at >= :since)
  and (:until = '' or c.captured_at < :until || '~')
  and (:document = '' or c.document = :document
       or substr(c.document, -length(:document) - 1) = '/' || :document)
order by c.captured_at desc, c.id
limit 100 offset (max(coalesce(cast(nullif(:page, '') as integer), 1), 1) - 1) * 100
