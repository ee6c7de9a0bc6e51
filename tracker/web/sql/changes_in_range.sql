-- One page (:page, from 1) of 100 changed paragraphs, newest first; :document is a full name or
-- its last part (guide.txt), :since and :until dates or date-times, read as the command line
-- reads them by tracker_time_bound (empty: no bound; unreadable: nothing matches).
-- Two branches, one for each case, so that SQLite can take each the quick way: without a
-- document, along the captured_at index, stopping after the page; with one, through that
-- document's versions only.
select d.name as document, v.version, v.captured_at, c.op,
  c.old_index, c.new_index, np.text as new_text, op.text as old_text
from versions v
join documents d on d.id = v.document_id
join paragraph_changes c on c.version_id = v.id
left join paragraphs op on op.id = c.old_paragraph_id
left join paragraphs np on np.id = c.new_paragraph_id
where :document = ''
  and (:since = '' or v.captured_at >= tracker_time_bound(:since, 0))
  and (:until = '' or v.captured_at <= tracker_time_bound(:until, 1))
union all
select d.name as document, v.version, v.captured_at, c.op,
  c.old_index, c.new_index, np.text as new_text, op.text as old_text
from versions v
join documents d on d.id = v.document_id
join paragraph_changes c on c.version_id = v.id
left join paragraphs op on op.id = c.old_paragraph_id
left join paragraphs np on np.id = c.new_paragraph_id
where v.document_id in (
    select id from documents
    where :document != ''
      and (name = :document or substr(name, -length(:document) - 1) = '/' || :document))
  and (:since = '' or v.captured_at >= tracker_time_bound(:since, 0))
  and (:until = '' or v.captured_at <= tracker_time_bound(:until, 1))
order by captured_at desc
limit 100 offset (max(coalesce(cast(nullif(:page, '') as integer), 1), 1) - 1) * 100
