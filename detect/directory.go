package detect

// PrincipalInfo is what detection knows of an agent or a partner system:
// its organisation and territory, and for agents the home facts (from the
// HR directory) the family and neighbour patterns compare with. Zero fields
// are unknown and never match.
type PrincipalInfo struct {
	Org     uint32
	Dept    uint16
	Surname uint32
	Address uint32
	Street  uint32
	Client  bool
}

// PersonInfo is what detection knows of a person: territory, home, and the
// sensitive sets (staff of an organisation, former staff, public figures).
type PersonInfo struct {
	Dept      uint16
	Surname   uint32
	Address   uint32
	Street    uint32
	StaffOrg  uint32 // the organisation the person works for as an agent (0: none)
	FormerOrg uint32 // the organisation the person used to work for (0: none)
	Public    bool   // a public figure (elected official, celebrity)
}

// Task is a declared bulk task: a principal reads a listed population for a
// purpose during a window. Approved tasks explain their accesses and are
// exempt from the volume limits.
type Task struct {
	ID        uint32
	Principal uint32
	Purpose   uint8
	From, To  int64 // Unix seconds
	Approved  bool
	Persons   map[uint32]struct{}
}

// covers reports whether the task explains ev.
func (t *Task) covers(ev *Event) bool {
	if t == nil || !t.Approved || t.Principal != ev.Principal || t.Purpose != ev.Purpose || ev.Time < t.From || ev.Time > t.To {
		return false
	}
	_, ok := t.Persons[ev.Person]
	return ok
}

// Directory gives detection the facts behind ids. The simulated World
// implements it; for the real audit log, AuditDirectory knows what the
// events themselves say.
type Directory interface {
	Principal(id uint32) PrincipalInfo
	Person(id uint32) PersonInfo
	Task(id uint32) *Task
}
