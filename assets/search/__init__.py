"""Search and discovery: the full-text index, vocabulary expansion, the query, facets and colour.

    text.py       normalising and tokenising, the same for documents and queries on every database
    expansion.py  the term graph as the searcher needs it (labels -> terms, narrower closure), cached
    index.py      keeps SearchDocument / AssetColor rows current, in the writer's transaction
    query.py      parses a query, explains it, builds the permission-filtered, ranked queryset
    facets.py     counts per facet over the filtered, visible results
"""
