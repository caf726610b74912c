"""One module per page: the cached core calls, Store actions and table/chart data that page shows.

A page imports its own view module, never another page's; what several pages share lives outside this
package (:mod:`ui.store_access`, :mod:`ui.portfolio`, :mod:`ui.table_edits`, :mod:`ui.tables`).
"""

# Views are keyed on short JSON strings and the language, so a rerun finds them without hashing tables.
VIEW_CACHE_SIZE = 256
