-- Resume checkpoints are an optimisation, not data: a run that finds none
-- reads everything again. UNLOGGED keeps their thousands of rows per run
-- (one per listing read, deleted when the run succeeds) out of the WAL, where
-- they were most of what an unchanged full resync wrote. After a database
-- crash PostgreSQL empties the table, and the next run simply reads all.
ALTER TABLE marin.sync_listings SET UNLOGGED;
COMMENT ON TABLE marin.sync_listings IS 'Resume checkpoint: listings a run read to their end and stored. The run after an interrupted one skips them. UNLOGGED: emptied after a database crash, when the next run reads everything again.';
