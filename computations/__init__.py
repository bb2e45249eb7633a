"""Pure computations behind the posts: one module per article topic.

Nothing here knows about Markdown or Pelican. Each public computation takes keyword-only,
typed parameters plus an explicit ``numpy.random.Generator`` and returns a
:class:`computations.report.Report`; the Pelican plugin turns that into HTML.
"""
