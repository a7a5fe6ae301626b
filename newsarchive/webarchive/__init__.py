"""Web archives in and out: WARC/ARC files imported through the crawl's extractor and item
pipelines (:mod:`.importing`, :mod:`.warcfile`), a channel's history backfilled from a CDX server
(:mod:`.cdx`, the ``backfill`` spider), the archive exported as WARC 1.1 with a CDXJ index
(:mod:`.export`); the jobs behind the commands in :mod:`.jobs`."""
