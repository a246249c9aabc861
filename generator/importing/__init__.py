"""`disclosure import`: the performance-target forms that units publish (text, Word, Excel, PDF, HTML) -> YAML.

Pipeline: `documents.read_document` (a reader per format, each bounded) -> `grid` rows of cells ->
`recognise.split_forms` (forms at their titles) and `recognise.score_all` (the layout from the printed
labels) -> `build.build_form` (`mapping`, `indicators`: cells to the layout's fields) -> `session` (year,
unit folder and ids) -> `command.run_import` (YAML by the house writer, checked, reported, written).
`bench.run` measures forms per second and cells right per format.
"""
