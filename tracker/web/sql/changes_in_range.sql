select c.document, c.version, c.captured_at, c.op,
  c.old_index, c.new_index, c.old_text, c.new_text
from changes c
where (:since = '' or c.captured_at >= :since)
  and (:until = '' or c.captured_at < :until || '~')
order by c.captured_at desc, c.id
