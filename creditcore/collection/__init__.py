"""Credit information collection (信用信息归集), the pure part: read files, bind headers, parse rows.

No Django here: `parkcredit.records.importing` writes what this package reads.
"""
