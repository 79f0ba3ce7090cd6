package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/glint-dev/glint/internal/api"
	"github.com/glint-dev/glint/internal/app"
	"github.com/glint-dev/glint/internal/auth"
	"github.com/glint-dev/glint/internal/store"
)

const adminUsage = `Usage: glint admin <command> [flags]

Commands:
  create-user     --username U --email E --name N [--admin]
  create-token    --username U [--name N] [--scopes api,read_api] [--expires-at YYYY-MM-DD]
  create-group    --path P [--name N] [--parent GROUP_PATH] [--owner U]
  create-project  --namespace USER_OR_GROUP_PATH --path P [--name N]
  add-member      --project ID_OR_PATH --username U --access-level 10|20|30|40|50
  rotate-key      seal every service secret under a new key
  intake-token    --project ID_OR_PATH   set a new webhook intake secret and print it
  set-password    --username U   read a new password from the terminal or standard input
  export          [--file F]   write the whole instance as JSON lines (secrets stay sealed)
  import          [--file F] [--source-key KEY]   load an export into an empty database

Each also takes --data-dir and --database (see "glint serve --help");
"glint admin <command> --help" lists a command's flags.
`

type adminCmd struct {
	synopsis string
	flags    func(fs *flag.FlagSet) func(ctx context.Context, st store.Store, cfg *app.Config, out io.Writer) error
}

var adminCommands = map[string]adminCmd{
	"create-user":    {"admin create-user --username U --email E --name N [--admin]", createUserCmd},
	"create-token":   {"admin create-token --username U [--name N] [--scopes api] [--expires-at YYYY-MM-DD]", createTokenCmd},
	"create-group":   {"admin create-group --path P [--name N] [--parent PATH] [--owner U]", createGroupCmd},
	"create-project": {"admin create-project --namespace PATH --path P [--name N]", createProjectCmd},
	"add-member":     {"admin add-member --project ID_OR_PATH --username U --access-level N", addMemberCmd},
	"rotate-key":     {"admin rotate-key", rotateKeyCmd},
	"export":         {"admin export [--file F]", exportCmd},
	"intake-token":   {"admin intake-token --project ID_OR_PATH", intakeTokenCmd},
	"import":         {"admin import [--file F] [--source-key KEY]", importCmd},
	"set-password":   {"admin set-password --username U   (the password is read from the terminal or stdin)", setPasswordCmd},
}

func admin(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, adminUsage)
		return errUsage
	}
	if wantsHelp(args[:1]) {
		fmt.Fprint(stdout, adminUsage)
		return errHelp
	}
	cmd, ok := adminCommands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "glint admin: unknown command %q\n\n%s", args[0], adminUsage)
		return errUsage
	}
	fs := newFlagSet(args[0], cmd.synopsis)
	cfg := dataFlags(fs)
	action := cmd.flags(fs)
	if err := parse(fs, args[1:], stdout, stderr); err != nil {
		return err
	}
	st, err := app.OpenStore(ctx, *cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	return action(ctx, st, cfg, stdout)
}

func required(pairs ...string) error {
	var missing []string
	for i := 0; i < len(pairs); i += 2 {
		if pairs[i+1] == "" {
			missing = append(missing, "--"+pairs[i])
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("missing %s", strings.Join(missing, ", "))
	}
	return nil
}

func createUserCmd(fs *flag.FlagSet) func(context.Context, store.Store, *app.Config, io.Writer) error {
	username, email, name := fs.String("username", "", "username"), fs.String("email", "", "email"), fs.String("name", "", "full name")
	isAdmin := fs.Bool("admin", false, "make the user an administrator")
	return func(ctx context.Context, st store.Store, _ *app.Config, out io.Writer) error {
		if err := required("username", *username, "email", *email); err != nil {
			return err
		}
		if *name == "" {
			*name = *username
		}
		u := &store.User{Username: *username, Email: *email, Name: *name, Admin: *isAdmin}
		if err := st.CreateUser(ctx, u); err != nil {
			return fmt.Errorf("user %s: %w", *username, err)
		}
		fmt.Fprintf(out, "created user %s (id %d)\n", u.Username, u.ID)
		return nil
	}
}

func createTokenCmd(fs *flag.FlagSet) func(context.Context, store.Store, *app.Config, io.Writer) error {
	username, name := fs.String("username", "", "owner of the token"), fs.String("name", "glint-admin", "token name")
	scopes, expires := fs.String("scopes", "api", "comma-separated scopes"), fs.String("expires-at", "", "expiry date YYYY-MM-DD")
	return func(ctx context.Context, st store.Store, _ *app.Config, out io.Writer) error {
		if err := required("username", *username); err != nil {
			return err
		}
		u, err := st.UserByUsername(ctx, *username)
		if err != nil {
			return fmt.Errorf("user %s: %w", *username, err)
		}
		var exp *time.Time
		if *expires != "" {
			t, err := time.Parse("2006-01-02", *expires)
			if err != nil {
				return fmt.Errorf("--expires-at: %w", err)
			}
			exp = &t
		}
		text := auth.NewToken()
		t := &store.Token{UserID: u.ID, Name: *name, Hash: auth.Hash(text), Scopes: strings.Split(*scopes, ","), ExpiresAt: exp}
		if err := st.CreateToken(ctx, t); err != nil {
			return err
		}
		fmt.Fprintln(out, text)
		return nil
	}
}

func createGroupCmd(fs *flag.FlagSet) func(context.Context, store.Store, *app.Config, io.Writer) error {
	path, name, parent, owner := fs.String("path", "", "group path"), fs.String("name", "", "group name"),
		fs.String("parent", "", "full path of the parent group"), fs.String("owner", "", "username made Owner")
	return func(ctx context.Context, st store.Store, _ *app.Config, out io.Writer) error {
		if err := required("path", *path); err != nil {
			return err
		}
		g := &store.Namespace{Path: *path, Name: *name}
		if g.Name == "" {
			g.Name = *path
		}
		if *parent != "" {
			pg, err := st.NamespaceByFullPath(ctx, *parent)
			if err != nil {
				return fmt.Errorf("parent %s: %w", *parent, err)
			}
			g.ParentID = &pg.ID
		}
		if err := st.CreateGroup(ctx, g); err != nil {
			return fmt.Errorf("group %s: %w", *path, err)
		}
		if *owner != "" {
			u, err := st.UserByUsername(ctx, *owner)
			if err != nil {
				return fmt.Errorf("owner %s: %w", *owner, err)
			}
			if err := st.SetMember(ctx, store.NamespaceSource, g.ID, store.Member{UserID: u.ID, AccessLevel: store.Owner}); err != nil {
				return err
			}
		}
		fmt.Fprintf(out, "created group %s (id %d)\n", g.FullPath, g.ID)
		return nil
	}
}

func createProjectCmd(fs *flag.FlagSet) func(context.Context, store.Store, *app.Config, io.Writer) error {
	ns, path, name := fs.String("namespace", "", "user or group full path"), fs.String("path", "", "project path"), fs.String("name", "", "project name")
	return func(ctx context.Context, st store.Store, _ *app.Config, out io.Writer) error {
		if err := required("namespace", *ns, "path", *path); err != nil {
			return err
		}
		n, err := st.NamespaceByFullPath(ctx, *ns)
		if err != nil {
			return fmt.Errorf("namespace %s: %w", *ns, err)
		}
		var creator int64
		if n.OwnerID != nil {
			creator = *n.OwnerID
		}
		if *name == "" {
			*name = *path
		}
		p := &store.Project{Name: *name, Path: *path, NamespaceID: n.ID, CreatorID: creator}
		if err := st.CreateProject(ctx, p); err != nil {
			return fmt.Errorf("project %s/%s: %w", *ns, *path, err)
		}
		fmt.Fprintf(out, "created project %s (id %d)\n", p.FullPath(), p.ID)
		return nil
	}
}

func addMemberCmd(fs *flag.FlagSet) func(context.Context, store.Store, *app.Config, io.Writer) error {
	project, username, level := fs.String("project", "", "project id or full path"), fs.String("username", "", "member"), fs.Int("access-level", 30, "10, 20, 30, 40 or 50")
	return func(ctx context.Context, st store.Store, _ *app.Config, out io.Writer) error {
		if err := required("project", *project, "username", *username); err != nil {
			return err
		}
		if !auth.ValidAccessLevel(*level) {
			return errors.New("--access-level must be 10, 20, 30, 40 or 50")
		}
		p, err := findProject(ctx, st, *project)
		if err != nil {
			return fmt.Errorf("project %s: %w", *project, err)
		}
		u, err := st.UserByUsername(ctx, *username)
		if err != nil {
			return fmt.Errorf("user %s: %w", *username, err)
		}
		if err := st.SetMember(ctx, store.ProjectSource, p.ID, store.Member{UserID: u.ID, AccessLevel: *level}); err != nil {
			return err
		}
		fmt.Fprintf(out, "%s is now a member of %s with access level %d\n", u.Username, p.FullPath(), *level)
		return nil
	}
}

func findProject(ctx context.Context, st store.Store, raw string) (*store.Project, error) {
	id, path, ok := api.ParseProjectID(raw)
	switch {
	case !ok:
		return nil, store.ErrNotFound
	case path != "":
		return st.ProjectByFullPath(ctx, path)
	}
	return st.Project(ctx, id)
}

func rotateKeyCmd(fs *flag.FlagSet) func(context.Context, store.Store, *app.Config, io.Writer) error {
	return func(ctx context.Context, st store.Store, cfg *app.Config, out io.Writer) error {
		n, err := app.RotateKeyFile(ctx, *cfg, st, func(done int) {
			if done%100 == 0 {
				fmt.Fprintf(out, "\rresealed %d services...", done)
			}
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "\rresealed the secrets of %s services under the new key\n", strconv.Itoa(n))
		return nil
	}
}

func intakeTokenCmd(fs *flag.FlagSet) func(context.Context, store.Store, *app.Config, io.Writer) error {
	project := fs.String("project", "", "project id or full path")
	return func(ctx context.Context, st store.Store, _ *app.Config, out io.Writer) error {
		if err := required("project", *project); err != nil {
			return err
		}
		p, err := findProject(ctx, st, *project)
		if err != nil {
			return fmt.Errorf("project %s: %w", *project, err)
		}
		token := auth.NewToken()
		if err := st.SetIntakeTokenHash(ctx, p.ID, auth.Hash(token)); err != nil {
			return err
		}
		fmt.Fprintln(out, token)
		return nil
	}
}
