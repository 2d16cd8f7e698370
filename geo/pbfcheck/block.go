package pbfcheck

import (
	"errors"
	"fmt"

	"github.com/paulmach/protoscan"
)

// The checks below mirror what osmpbf takes on trust: every string index
// is read as stringtable[i] unchecked, and the parallel arrays of a way or
// a relation are written into a slice sized by one of them.

// primitiveBlock checks PrimitiveBlock{1: stringtable, 2: primitivegroup}.
func primitiveBlock(b []byte) error {
	strs, err := stringCount(b)
	if err != nil {
		return err
	}
	m := protoscan.New(b)
	for m.Next() {
		if m.FieldNumber() != 2 {
			m.Skip()
			continue
		}
		g, err := m.MessageData()
		if err != nil {
			return fmt.Errorf("a damaged group: %w", err)
		}
		if err := group(g, strs); err != nil {
			return err
		}
	}
	return wrap("a damaged block", m.Err())
}

// stringCount counts the strings of every StringTable{1: s} in the block
// (protobuf merges repeated occurrences).
func stringCount(b []byte) (int, error) {
	n := 0
	m := protoscan.New(b)
	for m.Next() {
		if m.FieldNumber() != 1 {
			m.Skip()
			continue
		}
		st, err := m.MessageData()
		if err != nil {
			return 0, fmt.Errorf("a damaged string table: %w", err)
		}
		s := protoscan.New(st)
		for s.Next() {
			if s.FieldNumber() == 1 {
				n++
			}
			s.Skip()
		}
		if s.Err() != nil {
			return 0, fmt.Errorf("a damaged string table: %w", s.Err())
		}
	}
	return n, wrap("a damaged block", m.Err())
}

// group checks PrimitiveGroup{1: nodes, 2: dense, 3: ways, 4: relations}.
func group(b []byte, strs int) error {
	m := protoscan.New(b)
	for m.Next() {
		var check func([]byte, int) error
		switch m.FieldNumber() {
		case 1:
			return errors.New("plain (non-dense) nodes, which the reader does not take: rewrite the file with `osmium cat in.osm.pbf -o out.osm.pbf` (dense nodes)")
		case 2:
			check = dense
		case 3:
			check = way
		case 4:
			check = relation
		default:
			m.Skip()
			continue
		}
		d, err := m.MessageData()
		if err != nil {
			return fmt.Errorf("a damaged group: %w", err)
		}
		if err := check(d, strs); err != nil {
			return err
		}
	}
	return wrap("a damaged group", m.Err())
}

// dense checks DenseNodes{1: id, 5: denseinfo, 8: lat, 9: lon, 10: keys_vals}.
func dense(b []byte, strs int) error {
	m := protoscan.New(b)
	for m.Next() {
		switch m.FieldNumber() {
		case 5:
			d, err := m.MessageData()
			if err != nil {
				return fmt.Errorf("damaged dense nodes: %w", err)
			}
			if err := denseInfo(d, strs); err != nil {
				return err
			}
		case 10:
			it, err := m.Iterator(nil)
			if err != nil {
				return fmt.Errorf("damaged dense nodes: %w", err)
			}
			for it.HasNext() {
				v, err := it.Int32()
				if err != nil {
					return fmt.Errorf("damaged node tags: %w", err)
				}
				if v < 0 || int(v) >= strs {
					return fmt.Errorf("a node tag names string %d of a table of %d", v, strs)
				}
			}
		default:
			m.Skip()
		}
	}
	return wrap("damaged dense nodes", m.Err())
}

// denseInfo checks DenseInfo{5: user_sid (delta-coded)}.
func denseInfo(b []byte, strs int) error {
	m := protoscan.New(b)
	for m.Next() {
		if m.FieldNumber() != 5 {
			m.Skip()
			continue
		}
		it, err := m.Iterator(nil)
		if err != nil {
			return fmt.Errorf("damaged node metadata: %w", err)
		}
		var sid int64
		for it.HasNext() {
			d, err := it.Sint32()
			if err != nil {
				return fmt.Errorf("damaged node metadata: %w", err)
			}
			// osmpbf sums in int32: a sum that wraps there wraps here too.
			sid = int64(int32(sid + int64(d)))
			if sid < 0 || sid >= int64(strs) {
				return fmt.Errorf("a node's user names string %d of a table of %d", sid, strs)
			}
		}
	}
	return wrap("damaged node metadata", m.Err())
}

// way checks Way{2: keys, 3: vals, 4: info, 8: refs, 9: lat, 10: lon}:
// indices in range, and the node arrays given once each, of one length.
func way(b []byte, strs int) error {
	return element(b, strs, "way", "a way's node ids and coordinates", false)
}

// relation checks Relation{2: keys, 3: vals, 4: info, 8: roles_sid,
// 9: memids, 10: types}; the roles are string indices too.
func relation(b []byte, strs int) error {
	return element(b, strs, "relation", "a relation's roles, members and types", true)
}

// element checks a way or a relation (kind): tags and metadata, and its
// arrays 8, 9 and 10 given once each and of one length (arrays); with
// roles, field 8 holds string indices.
func element(b []byte, strs int, kind, arrays string, roles bool) error {
	m := protoscan.New(b)
	counts := map[int]int{}
	for m.Next() {
		f := m.FieldNumber()
		switch f {
		case 2, 3:
			if err := indices(m, strs, "a "+kind+"'s tag"); err != nil {
				return err
			}
		case 4:
			if err := info(m, strs); err != nil {
				return err
			}
		case 8, 9, 10:
			if _, twice := counts[f]; twice {
				return fmt.Errorf("a %s with field %d given twice", kind, f)
			}
			it, err := m.Iterator(nil)
			if err != nil {
				return fmt.Errorf("a damaged %s: %w", kind, err)
			}
			counts[f] = it.Count(protoscan.WireTypeVarint)
			for roles && f == 8 && it.HasNext() {
				v, err := it.Int32()
				if err != nil {
					return fmt.Errorf("a damaged %s: %w", kind, err)
				}
				if v < 0 || int(v) >= strs {
					return fmt.Errorf("a member's role names string %d of a table of %d", v, strs)
				}
			}
		default:
			m.Skip()
		}
	}
	if err := wrap("a damaged "+kind, m.Err()); err != nil {
		return err
	}
	return sameLength(counts, arrays)
}

// indices checks a packed field of string indices (uint32).
func indices(m *protoscan.Message, strs int, what string) error {
	it, err := m.Iterator(nil)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	for it.HasNext() {
		v, err := it.Uint32()
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		if int64(v) >= int64(strs) {
			return fmt.Errorf("%s names string %d of a table of %d", what, v, strs)
		}
	}
	return nil
}

// info checks Info{5: user_sid}.
func info(m *protoscan.Message, strs int) error {
	d, err := m.MessageData()
	if err != nil {
		return fmt.Errorf("damaged metadata: %w", err)
	}
	im := protoscan.New(d)
	for im.Next() {
		if im.FieldNumber() != 5 {
			im.Skip()
			continue
		}
		v, err := im.Uint32()
		if err != nil {
			return fmt.Errorf("damaged metadata: %w", err)
		}
		if int64(v) >= int64(strs) {
			return fmt.Errorf("a user names string %d of a table of %d", v, strs)
		}
	}
	return wrap("damaged metadata", im.Err())
}

func sameLength(counts map[int]int, what string) error {
	first := -1
	for _, c := range counts {
		if first >= 0 && c != first {
			return fmt.Errorf("%s differ in length", what)
		}
		first = c
	}
	return nil
}

func wrap(what string, err error) error {
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}
