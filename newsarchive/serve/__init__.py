"""Browse an archive in Datasette: metadata, the newsarchive plugin and the server.

:func:`newsarchive.serve.app.make_datasette` builds the Datasette instance ``newsarchive
serve`` runs; :mod:`newsarchive.serve.plugin` adds the SQL functions (``na_fts_query``,
``na_snippet``, ``na_fold``), a month facet and snippet highlighting;
:mod:`newsarchive.serve.metadata` describes every table and column from ``docs/schema.md``
and defines the canned queries.
"""
