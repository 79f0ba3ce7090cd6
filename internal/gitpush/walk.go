package gitpush

import (
	"container/heap"
	"context"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// commitsBetween is "git log --reverse ^exclude... tip": the commits
// reachable from tip and from none of exclude, oldest first. It walks by
// commit date, newest first, as git's revision walk does, and stops once
// every commit left to visit is reachable from exclude, so that a push to a
// long history reads only the commits near its tips.
func commitsBetween(ctx context.Context, repo *git.Repository, tip *object.Commit, exclude []plumbing.Hash) ([]*object.Commit, error) {
	flags := map[plumbing.Hash]uint8{}
	q := &commitQueue{}
	mark := func(c *object.Commit, f uint8) {
		old := flags[c.Hash]
		if old&excluded != 0 || old&f != 0 {
			return
		}
		flags[c.Hash] = old | f
		heap.Push(q, c)
	}
	mark(tip, wanted)
	for _, h := range exclude {
		c, err := repo.CommitObject(h)
		if err != nil {
			return nil, err
		}
		mark(c, excluded)
	}
	var order []*object.Commit
	seen := map[plumbing.Hash]bool{}
	for q.Len() > 0 && q.anyWanted(flags) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		c := heap.Pop(q).(*object.Commit)
		f := flags[c.Hash]
		if f&excluded == 0 {
			if seen[c.Hash] {
				continue
			}
			seen[c.Hash] = true
			order = append(order, c)
		}
		err := c.Parents().ForEach(func(p *object.Commit) error {
			if f&excluded != 0 {
				mark(p, excluded)
			} else {
				mark(p, wanted)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	// A commit taken before a later path showed it excluded is dropped.
	out := make([]*object.Commit, 0, len(order))
	for i := len(order) - 1; i >= 0; i-- {
		if flags[order[i].Hash]&excluded == 0 {
			out = append(out, order[i])
		}
	}
	return out, nil
}

// The marks of a commit in commitsBetween's walk.
const (
	wanted uint8 = 1 << iota
	excluded
)

// commitQueue is a max-heap of commits by committer date (then by hash,
// so that the order never depends on the map's).
type commitQueue []*object.Commit

func (q commitQueue) Len() int { return len(q) }
func (q commitQueue) Less(i, j int) bool {
	ti, tj := q[i].Committer.When, q[j].Committer.When
	if !ti.Equal(tj) {
		return ti.After(tj)
	}
	return q[i].Hash.String() > q[j].Hash.String()
}
func (q commitQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *commitQueue) Push(x any)   { *q = append(*q, x.(*object.Commit)) }
func (q *commitQueue) Pop() any {
	old := *q
	c := old[len(old)-1]
	*q = old[:len(old)-1]
	return c
}

// anyWanted reports whether a commit left to visit may still be listed.
func (q commitQueue) anyWanted(flags map[plumbing.Hash]uint8) bool {
	for _, c := range q {
		if flags[c.Hash]&excluded == 0 {
			return true
		}
	}
	return false
}
