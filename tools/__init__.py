"""The workshop: tooling the tests and benchmarks use, kept out of the installed package.

``tools.sitegen`` writes sample sites, ``tools.faults`` serves one with faults injected and
``tools.mirror`` counts what a crawl fetched from a site copy. Nothing in ``newsarchive``,
``spiders`` or ``pipelines`` imports them; the wheel does not ship them
(``[tool.setuptools.packages.find]`` in ``pyproject.toml``). Run from the repository's root:
``python -m tools.sitegen …``, ``python -m tools.faults …``; pytest finds them through
``pythonpath`` in ``pyproject.toml``.
"""
