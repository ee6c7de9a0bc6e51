"""The pages the plugin adds to Datasette, one module each: the tracker home (:mod:`.home`), a
document's versions (:mod:`.document`), a diff (:mod:`.diff`), a paragraph's history
(:mod:`.trace`), who wrote each word (:mod:`.words`) and a search (:mod:`.search`);
:mod:`.common` holds what they share. Templates: ``templates/tracker_*.html``.
"""
