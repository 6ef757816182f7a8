-- Every entity is a series of immutable records: (kind, entity_id, revision) is unique, and the
-- database itself refuses UPDATE and DELETE, whatever the code above it does.
CREATE TABLE records (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    kind       TEXT    NOT NULL,
    entity_id  TEXT    NOT NULL,
    revision   INTEGER NOT NULL CHECK (revision >= 0),
    project_id TEXT,
    shot_id    TEXT,
    created_at TEXT    NOT NULL,
    body       TEXT    NOT NULL CHECK (json_valid(body)),
    UNIQUE (kind, entity_id, revision)
);
CREATE INDEX records_by_project ON records (project_id, kind, seq);
CREATE INDEX records_by_shot ON records (shot_id, kind, seq);

CREATE TRIGGER records_refuse_update BEFORE UPDATE ON records
BEGIN SELECT RAISE(ABORT, 'records are append-only: UPDATE refused'); END;
CREATE TRIGGER records_refuse_delete BEFORE DELETE ON records
BEGIN SELECT RAISE(ABORT, 'records are append-only: DELETE refused'); END;
