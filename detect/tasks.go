package detect

// AddTask registers a bulk task with the source, so that Task(id) finds it,
// and returns the id to set in Event.Task: the live detector declares the
// approved bulk tasks of the case store this way.
func (s *AuditSource) AddTask(t *Task) uint32 {
	t.ID = uint32(len(s.tasks))
	s.tasks = append(s.tasks, t)
	return t.ID
}
