"""The item pipelines, in order: normalise → validate → store (``ITEM_PIPELINES``).

Their ``process_item``/``open_spider``/``close_spider`` take an optional ``spider``: Scrapy
before 2.14 passes it, later versions do not.
"""
