-- Records are listed under scenes and conversations too, and time travel compares integer
-- microseconds (text times of varying precision do not sort). Columns are only added: no record
-- is rewritten; rows from before this migration fall back to their text created_at.
ALTER TABLE records ADD COLUMN scene_id TEXT;
ALTER TABLE records ADD COLUMN conversation_id TEXT;
ALTER TABLE records ADD COLUMN recorded_us INTEGER;
CREATE INDEX records_by_scene ON records (scene_id, kind, seq);
CREATE INDEX records_by_conversation ON records (conversation_id, kind, seq);
