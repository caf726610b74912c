"""``python -m ui.i18n``: parse the message catalogues and write their load cache (run by ``make bytecode``)."""

from ui.i18n import write_cache

write_cache()
