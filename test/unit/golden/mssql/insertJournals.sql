INSERT INTO gl_journals (id, journal_date, source, event_kind, event_id, changeset_id, memo, created_at)
VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6, @p7)
