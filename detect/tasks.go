package detect

// AddTask registers a bulk task with the source, so that Task(id) and
// Tasks(principal) find it, and returns the id to set in Event.Task: the
// live detector declares the approved bulk tasks of the case store this
// way.
func (s *AuditSource) AddTask(t *Task) uint32 {
	t.ID = uint32(len(s.tasks))
	s.tasks = append(s.tasks, t)
	return t.ID
}

// Tasks implements Directory: the tasks declared to the source.
func (s *AuditSource) Tasks(principal uint32) []*Task {
	var out []*Task
	for _, t := range s.tasks[1:] {
		if t.Principal == principal {
			out = append(out, t)
		}
	}
	return out
}

// Relation implements Directory: the log alone knows no relationship
// beyond the explanation of each event.
func (s *AuditSource) Relation(principal, person uint32, at int64) Explanation { return ExplNone }

// Conflict implements Directory: the log knows no declared conflict.
func (s *AuditSource) Conflict(principal, person uint32) bool { return false }
