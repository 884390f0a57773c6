"""The spare-parts pages, by topic: stock and parts, transfers, purchasing, stocktakes,
traceability, and the incident and job-card parts panels. Thin: form → service → redirect
or render; the routes are in spareparts/urls.py."""
