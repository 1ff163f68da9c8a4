SELECT j.id FROM gl_journals j WHERE j.id IN (@p0, @p1)
