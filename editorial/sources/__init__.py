"""A source from its URL, and the evidence kept when its page dies.

- fetch.py: the guarded fetch (http(s) only; every hop's address checked, then connected to; bounded in
  time, size and redirects; HTML only);
- extract.py: what the page says about itself (title, publisher, date, language) and its main text;
- snapshots.py: keeping a copy of a source's page (editorial.models.SourceSnapshot) and what each fetch
  found (moved, gone, changed, or as kept), and the admin's look-up;
- checks.py: checking every source's page again (manage.py check_sources), a few hosts at once.
"""
