package tracking

import "testing"

// What memory takes of a record, in order: newer versions only; a local
// change queued during an outage (version 0) always; never a token or a
// session back from its tombstone; a user of the same name again.
func TestVersionsTake(t *testing.T) {
	u := &User{Name: "sari"}
	tok := &Token{ID: "t1"}
	var v Versions
	steps := []struct {
		name string
		r    Record
		want bool
	}{
		{"first copy", Record{Kind: RecordUser, Key: "sari", Version: 5, User: u}, true},
		{"the same again", Record{Kind: RecordUser, Key: "sari", Version: 5, User: u}, false},
		{"an older read", Record{Kind: RecordUser, Key: "sari", Version: 3, User: u}, false},
		{"a queued local change", Record{Kind: RecordUser, Key: "sari", User: u}, true},
		{"still older than held", Record{Kind: RecordUser, Key: "sari", Version: 4, User: u}, false},
		{"deleted", Record{Kind: RecordUser, Key: "sari", Version: 6, Deleted: true}, true},
		{"a read from before the deletion", Record{Kind: RecordUser, Key: "sari", Version: 5, User: u}, false},
		{"made again", Record{Kind: RecordUser, Key: "sari", Version: 7, User: u}, true},
		{"a token", Record{Kind: RecordToken, Key: "t1", Version: 8, Token: tok}, true},
		{"revoked", Record{Kind: RecordToken, Key: "t1", Version: 9, Deleted: true}, true},
		{"its last use, written later", Record{Kind: RecordToken, Key: "t1", Version: 10, Token: tok}, false},
		{"its last use, queued", Record{Kind: RecordToken, Key: "t1", Token: tok}, false},
		{"another key", Record{Kind: RecordToken, Key: "t2", Version: 1, Token: tok}, true},
	}
	for _, s := range steps {
		if got := v.Take(s.r); got != s.want {
			t.Fatalf("%s: took %v, want %v", s.name, got, s.want)
		}
	}
	// Forgetting tombstones up to a version keeps the tokens'.
	v.Take(Record{Kind: RecordSession, Key: "s1", Version: 11, Deleted: true})
	v.Forget(11)
	if v.Take(Record{Kind: RecordToken, Key: "t1", Version: 12, Token: tok}) {
		t.Fatal("a revoked token came back once tombstones were forgotten")
	}
	if _, ok := v.held[recordKey{RecordSession, "s1"}]; ok {
		t.Fatal("a session's tombstone was kept after Forget")
	}
}
