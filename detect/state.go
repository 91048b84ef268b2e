package detect

import (
	"bytes"
	"encoding/gob"
	"fmt"
)

// stateVersion changes whenever the encoded state changes shape.
const stateVersion = 1

// detectorState is what survives a restart: the baselines of every
// principal, peer group and organisation, the day under way and the reads
// waiting to be judged, the suppressions and the counters.
type detectorState struct {
	Version  int
	States   []pstate
	Peers    map[uint64]*peerState
	Orgs     map[uint32]*activity
	Touched  []uint32
	CurDay   int64
	Pending  []pending
	Suppress map[uint64]int64
	Stats    Stats
}

// MarshalBinary encodes the detector's state, baselines and day under way
// included, so that a live detector goes on after a restart where it
// stopped. The ids in it are the directory's: persist the interners that
// assigned them with it (Interner implements MarshalBinary too).
func (d *Detector) MarshalBinary() ([]byte, error) {
	var buf bytes.Buffer
	err := gob.NewEncoder(&buf).Encode(detectorState{Version: stateVersion, States: d.states, Peers: d.peers, Orgs: d.orgs,
		Touched: d.touched, CurDay: d.curDay, Pending: d.pending, Suppress: d.suppress, Stats: d.stats})
	if err != nil {
		return nil, fmt.Errorf("encoding detector state: %w", err)
	}
	return buf.Bytes(), nil
}

// UnmarshalBinary restores a state MarshalBinary encoded, keeping the
// detector's directory and configuration.
func (d *Detector) UnmarshalBinary(b []byte) error {
	var s detectorState
	if err := gob.NewDecoder(bytes.NewReader(b)).Decode(&s); err != nil {
		return fmt.Errorf("decoding detector state: %w", err)
	}
	if s.Version != stateVersion {
		return fmt.Errorf("decoding detector state: version %d, want %d", s.Version, stateVersion)
	}
	for i := range s.States {
		st := &s.States[i]
		for _, set := range []*personSet{&st.HourSet, &st.Unexpl, &st.Out, &st.Off} {
			set.rebuild()
		}
	}
	d.states, d.touched, d.curDay, d.pending, d.stats = s.States, s.Touched, s.CurDay, s.Pending, s.Stats
	d.peers, d.orgs, d.suppress = s.Peers, s.Orgs, s.Suppress
	if d.peers == nil {
		d.peers = map[uint64]*peerState{}
	}
	if d.orgs == nil {
		d.orgs = map[uint32]*activity{}
	}
	if d.suppress == nil {
		d.suppress = map[uint64]int64{}
	}
	return nil
}

// MarshalBinary encodes the interned names in id order.
func (in *Interner) MarshalBinary() ([]byte, error) {
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(in.names); err != nil {
		return nil, fmt.Errorf("encoding interner: %w", err)
	}
	return buf.Bytes(), nil
}

// UnmarshalBinary restores names MarshalBinary encoded, with their ids.
func (in *Interner) UnmarshalBinary(b []byte) error {
	var names []string
	if err := gob.NewDecoder(bytes.NewReader(b)).Decode(&names); err != nil {
		return fmt.Errorf("decoding interner: %w", err)
	}
	if len(names) == 0 {
		names = []string{""}
	}
	in.names = names
	in.ids = make(map[string]uint32, len(names))
	for i, n := range names[1:] {
		in.ids[n] = uint32(i + 1)
	}
	return nil
}
