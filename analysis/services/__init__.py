"""Content analysis's writes: the jobs that run the analysers (runs), and what people decide (suggestions)."""
