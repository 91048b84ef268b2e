package detect

import (
	"encoding/binary"
	"errors"
)

// BaselineVersion is the version of the encoding of MarshalBaseline. A
// stored baseline of another version is ignored (the principal learns
// again) rather than misread.
const BaselineVersion = 1

// MarshalBaseline encodes what the detector learnt of a principal (her
// working hours, her past hourly and daily volumes), so that a restart
// does not forget it. ok is false when there is nothing to keep.
func (d *Detector) MarshalBaseline(principal uint32) (version int, state []byte, ok bool) {
	if int(principal) >= len(d.states) {
		return 0, nil, false
	}
	st := &d.states[principal]
	if st.histN == 0 && st.pastHours.n == 0 && st.pastDays.n == 0 {
		return 0, nil, false
	}
	b := make([]byte, 0, 4*(24+1+16+16)+2)
	for _, v := range st.hist {
		b = binary.LittleEndian.AppendUint32(b, v)
	}
	b = binary.LittleEndian.AppendUint32(b, st.histN)
	for _, r := range []*ring{&st.pastHours, &st.pastDays} {
		b = append(b, r.n)
		for _, v := range r.v {
			b = binary.LittleEndian.AppendUint32(b, v)
		}
	}
	return BaselineVersion, b, true
}

// UnmarshalBaseline restores a principal's baseline; a version it does not
// know is ignored.
func (d *Detector) UnmarshalBaseline(principal uint32, version int, state []byte) error {
	if version != BaselineVersion {
		return nil
	}
	if len(state) != 4*25+2*(1+4*16) {
		return errors.New("baseline: truncated state")
	}
	st := d.state(principal)
	for i := range st.hist {
		st.hist[i] = binary.LittleEndian.Uint32(state[4*i:])
	}
	st.histN = binary.LittleEndian.Uint32(state[4*24:])
	off := 4 * 25
	for _, r := range []*ring{&st.pastHours, &st.pastDays} {
		r.n = state[off]
		off++
		for i := range r.v {
			r.v[i] = binary.LittleEndian.Uint32(state[off:])
			off += 4
		}
	}
	return nil
}
