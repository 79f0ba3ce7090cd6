package gitpush

import (
	"context"
	"fmt"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/format/diff"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/glint-dev/glint/internal/event"
)

// The bounds of glint_diffs: past them the hook stops adding diffs and
// sets glint_diffs_truncated. They are above what Emails on push shows
// (30 files, 5,000 lines), so a truncated list still fills an email.
const (
	MaxDiffFiles = 100
	MaxDiffBytes = 1 << 20 // of diff text, all files together
)

// diffOptions detect renames as git diff does (60% similarity), but only
// among at most 400 added and 400 removed files (git's former default
// diff.renameLimit): pairing more costs more than a push may wait.
var diffOptions = &object.DiffTreeOptions{DetectRenames: true, RenameScore: 60, RenameLimit: 400}

// addDiffs sets glint_diffs: the changes from the merge base of before
// and after to after (as GitLab's compare API with straight=false); for a
// new branch, the pushed commits against the first parent of the oldest.
// A delete and a new tag carry none.
func (b *Builder) addDiffs(ctx context.Context, p *Payload, u Update, tip *object.Commit, commits []*object.Commit) error {
	if tip == nil || (u.Create() && strings.HasPrefix(u.Ref, "refs/tags/")) {
		return nil
	}
	var base *object.Commit
	switch {
	case u.Create() && len(commits) == 0:
		base = tip // the branch points at a commit already there
	case u.Create():
		if oldest := commits[0]; oldest.NumParents() > 0 {
			first, err := oldest.Parent(0)
			if err != nil {
				return err
			}
			base = first
		}
	default:
		old, _, err := b.peel(u.Old)
		if err != nil {
			return err
		}
		base = old
		if mb, err := old.MergeBase(tip); err == nil && len(mb) > 0 {
			base = mb[0]
		}
	}
	var from *object.Tree
	if base != nil {
		t, err := base.Tree()
		if err != nil {
			return err
		}
		from = t
	}
	to, err := tip.Tree()
	if err != nil {
		return err
	}
	diffs, truncated, err := treeDiffs(ctx, from, to)
	if err != nil {
		return err
	}
	p.GlintDiffs, p.GlintDiffsTruncated = &diffs, truncated
	return nil
}

// treeDiffs lists the changes from one tree to another (nil: the empty
// tree), with renames, in GitLab's compare API shape, within the bounds.
func treeDiffs(ctx context.Context, from, to *object.Tree) (diffs []event.Diff, truncated bool, err error) {
	changes, err := object.DiffTreeWithOptions(ctx, from, to, diffOptions)
	if err != nil {
		return nil, false, err
	}
	diffs = []event.Diff{}
	size := 0
	for _, ch := range changes {
		if len(diffs) == MaxDiffFiles {
			return diffs, true, nil
		}
		fa, fb, err := ch.Files()
		if err != nil {
			return nil, false, err
		}
		// Do not read blobs whose diff could not fit anyway.
		if blobSize(fa) > MaxDiffBytes-size && blobSize(fb) > MaxDiffBytes-size {
			return diffs, true, nil
		}
		text, err := unifiedText(ctx, ch)
		if err != nil {
			return nil, false, err
		}
		if size+len(text) > MaxDiffBytes {
			return diffs, true, nil
		}
		size += len(text)
		diffs = append(diffs, event.Diff{
			OldPath: pathOr(ch.From.Name, ch.To.Name), NewPath: pathOr(ch.To.Name, ch.From.Name),
			AMode: fmt.Sprintf("%o", uint32(ch.From.TreeEntry.Mode)), BMode: fmt.Sprintf("%o", uint32(ch.To.TreeEntry.Mode)),
			NewFile: ch.From.Name == "", DeletedFile: ch.To.Name == "",
			RenamedFile: ch.From.Name != "" && ch.To.Name != "" && ch.From.Name != ch.To.Name,
			Diff:        text,
		})
	}
	return diffs, false, nil
}

func blobSize(f *object.File) int {
	if f == nil {
		return 0
	}
	return int(f.Size)
}

// pathOr is GitLab's old_path/new_path: the other side's path for a new
// or deleted file.
func pathOr(path, other string) string {
	if path == "" {
		return other
	}
	return path
}

// unifiedText is a change's unified diff as GitLab's API gives it: from
// the first hunk line, without the file headers; "Binary files ... differ"
// for a binary file; empty for a change of mode or a pure rename.
func unifiedText(ctx context.Context, ch *object.Change) (string, error) {
	patch, err := ch.PatchContext(ctx)
	if err != nil {
		return "", err
	}
	var sb strings.Builder
	if err := diff.NewUnifiedEncoder(&sb, diff.DefaultContextLines).Encode(patch); err != nil {
		return "", err
	}
	text := sb.String()
	if i := strings.Index(text, "\n@@ "); i >= 0 {
		return text[i+1:], nil
	}
	if i := strings.Index(text, "\nBinary files "); i >= 0 {
		return text[i+1:], nil
	}
	return "", nil
}
