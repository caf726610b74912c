"""One module per sheet of the decision pack; :mod:`core.excel.pack` puts them in workbook order."""
