"""Reading a policy's 任务分解表 (task breakdown table, .xlsx or .docx) into catalogue readings: pure, no database.

`table` finds the table and its columns, `wording` reads a 目标任务 text, `dates` a 完成时限, `units` the units
through data/departments.toml, `indicators` matches indicator names against the store's indicators (passed in as a
frame), `readings` puts one row's readings together and checks them (again after a clerk's corrections), and
`catalogue` turns confirmed readings into the data/policies form (store.catalogue.Policy)."""
