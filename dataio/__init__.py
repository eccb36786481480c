"""Data in and out: validation of entered values, the Excel template, import and export.

validate.py is pure (rules + rows → clean rows + problems); importer.py, template.py and exporter.py do the file
and store work. The page 数据填报 and `cli.py import/export` call the same functions."""
