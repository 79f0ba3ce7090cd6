package app

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/glint-dev/glint/internal/secret"
	"github.com/glint-dev/glint/internal/settings"
	"github.com/glint-dev/glint/internal/store"
)

// Export writes every row as a JSON line. Secrets stay sealed.
func Export(ctx context.Context, d store.Dumper, w io.Writer, progress func(rows int)) (int, error) {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	n := 0
	err := d.Dump(ctx, func(r store.Row) error {
		n++
		if progress != nil && n%1000 == 0 {
			progress(n)
		}
		return enc.Encode(r)
	})
	if err != nil {
		return n, err
	}
	return n, bw.Flush()
}

// Import loads JSON lines written by Export into an empty database. Sealed
// values stay as they are when the target keyring holds their key; else
// they are opened with source and sealed again under target's current key.
// The database's key id becomes the target's.
func Import(ctx context.Context, d store.Dumper, r io.Reader, target, source *secret.Keyring, progress func(rows int)) (int, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 64<<20)
	line := 0
	next := func() (*store.Row, error) {
		for sc.Scan() {
			line++
			if len(bytes.TrimSpace(sc.Bytes())) == 0 {
				continue
			}
			row, err := decodeRow(sc.Bytes())
			if err == nil {
				err = rekeyRow(row, target, source)
			}
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", line, err)
			}
			if progress != nil && line%1000 == 0 {
				progress(line)
			}
			return row, nil
		}
		return nil, sc.Err()
	}
	return d.Load(ctx, next)
}

func decodeRow(b []byte) (*store.Row, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var row store.Row
	if err := dec.Decode(&row); err != nil {
		return nil, err
	}
	if row.Table == "" || row.Values == nil {
		return nil, errors.New("not an export row")
	}
	for k, v := range row.Values {
		if n, ok := v.(json.Number); ok {
			i, err := strconv.ParseInt(n.String(), 10, 64)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			row.Values[k] = i
		}
	}
	return &row, nil
}

// rekeyRow re-seals a service's secrets for the target keyring, and
// records the target's key id.
func rekeyRow(row *store.Row, target, source *secret.Keyring) error {
	switch row.Table {
	case "settings":
		if row.Values["key"] == keyIDSetting {
			row.Values["value"] = target.CurrentID()
		}
	case "services":
		raw, _ := row.Values["sealed"].(string)
		var sealed map[string]string
		if err := json.Unmarshal([]byte(raw), &sealed); err != nil {
			return fmt.Errorf("sealed: %w", err)
		}
		slug, _ := row.Values["slug"].(string)
		for name, v := range sealed {
			var err error
			if sealed[name], err = rekey(v, settings.AD(slug, name), target, source); err != nil {
				return fmt.Errorf("service %s: %s: %w", slug, name, err)
			}
		}
		b, _ := json.Marshal(sealed)
		row.Values["sealed"] = string(b)
	case "gitlab_sources":
		v, _ := row.Values["token_sealed"].(string)
		var err error
		if row.Values["token_sealed"], err = rekey(v, settings.GitLabSourceTokenAD, target, source); err != nil {
			return fmt.Errorf("the GitLab source of project %v: token: %w", row.Values["project_id"], err)
		}
	}
	return nil
}

// rekey re-seals one sealed value under target's current key, unless
// target already holds its key.
func rekey(v, ad string, target, source *secret.Keyring) (string, error) {
	if target.Has(secret.SealedWith(v)) {
		return v, nil
	}
	if source == nil {
		return "", fmt.Errorf("sealed under key %s, which the target does not hold: give the source key (--source-key)", secret.SealedWith(v))
	}
	plain, err := source.Open(v, ad)
	if err != nil {
		return "", err
	}
	return target.Seal(plain, ad)
}
