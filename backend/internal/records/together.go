package records

// callKind is what a call to a table does, as together sees it.
type callKind uint8

const (
	aRead   callKind = iota // a read by id or a list
	aCreate                 // a single-row create
	aBulk                   // a write of several rows, all or nothing
)

// together reports whether a call runs with the like calls of other requests that wait
// (reads batched into one round trip, single-row creates committed as one group) or
// alone, directly on its caller's querier. It is the one place that decides:
//   - in a transaction (or on a connection its caller holds): alone. A batch runs on its
//     leader's querier, so never on one that sees a caller's uncommitted writes.
//   - a bulk write: alone, as the one transaction it must be.
//   - a create when separate commits are configured: alone, committed on its own.
//   - otherwise, on the pool: together.
func together(kind callKind, inTx, separateCommits bool) bool {
	switch {
	case inTx, kind == aBulk:
		return false
	case kind == aCreate && separateCommits:
		return false
	}
	return true
}
