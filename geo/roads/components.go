package roads

import "slices"

// components finds the strongly connected components (Tarjan's algorithm,
// iterative) and the DAG between them. Two points in one component are
// always joined by road; between components, reaches answers.
func (g *Graph) components() {
	n := len(g.pos)
	const unseen = -1
	index := make([]int32, n)
	low := make([]int32, n)
	onStack := make([]bool, n)
	g.comp = make([]int32, n)
	for i := range index {
		index[i] = unseen
	}
	var stack []int32
	type frame struct{ v, next int32 }
	var calls []frame
	var counter, comps int32
	for s := range int32(n) {
		if index[s] != unseen {
			continue
		}
		calls = append(calls, frame{s, g.off[s]})
		index[s], low[s] = counter, counter
		counter++
		stack = append(stack, s)
		onStack[s] = true
		for len(calls) > 0 {
			f := &calls[len(calls)-1]
			v := f.v
			if f.next < g.off[v+1] {
				w := g.head[f.next]
				f.next++
				switch {
				case index[w] == unseen:
					index[w], low[w] = counter, counter
					counter++
					stack = append(stack, w)
					onStack[w] = true
					calls = append(calls, frame{w, g.off[w]})
				case onStack[w]:
					low[v] = min(low[v], index[w])
				}
				continue
			}
			calls = calls[:len(calls)-1]
			if len(calls) > 0 {
				p := calls[len(calls)-1].v
				low[p] = min(low[p], low[v])
			}
			if low[v] == index[v] {
				for {
					w := stack[len(stack)-1]
					stack = stack[:len(stack)-1]
					onStack[w] = false
					g.comp[w] = comps
					if w == v {
						break
					}
				}
				comps++
			}
		}
	}
	// The DAG: component c's successors are compSucc[compOff[c]:compOff[c+1]].
	succ := make([][]int32, comps)
	for v := range int32(n) {
		for e := g.off[v]; e < g.off[v+1]; e++ {
			if a, b := g.comp[v], g.comp[g.head[e]]; a != b && !slices.Contains(succ[a], b) {
				succ[a] = append(succ[a], b)
			}
		}
	}
	g.compOff = make([]int32, comps+1)
	for c, s := range succ {
		g.compOff[c+1] = g.compOff[c] + int32(len(s))
		g.compSucc = append(g.compSucc, s...)
	}
}

// reaches reports whether some road leads from component a to component
// b: a walk of the DAG, memoised in seen for one target (callers ask about
// many sources and one incident).
func (g *Graph) reaches(a, b int32, memo map[int32]bool) bool {
	if a == b {
		return true
	}
	if r, ok := memo[a]; ok {
		return r
	}
	memo[a] = false // a DAG has no cycles; this only stops a repeat walk
	for _, c := range g.compSucc[g.compOff[a]:g.compOff[a+1]] {
		if g.reaches(c, b, memo) {
			memo[a] = true
			return true
		}
	}
	return false
}
