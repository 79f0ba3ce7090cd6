package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"time"
)

// Every flag of every command can be set from the environment, and the
// environment is read as strictly as the command line: a value the flag
// would refuse stops glint (exit 2) with a message naming the variable and
// the form expected, rather than running with the default.
//
// A flag's variable is the one its usage names "(env GLINT_X" or, without
// one, GLINT_ followed by the flag's name in capitals, "-" made "_"
// (--request-timeout: GLINT_REQUEST_TIMEOUT). New flags get theirs by
// being registered: nothing else to do. A flag given on the command line
// wins over its variable.

// configError is a configuration mistake: glint says it and exits 2.
type configError struct{ msg string }

func (e *configError) Error() string { return e.msg }

var usageEnv = regexp.MustCompile(`\(env (GLINT_[A-Z0-9_]+)`)

// envName is the environment variable of a flag.
func envName(f *flag.Flag) string {
	if m := usageEnv.FindStringSubmatch(f.Usage); m != nil {
		return m[1]
	}
	return "GLINT_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
}

// envSetter is a flag whose variable holds a list (comma-separated) rather
// than one value.
type envSetter interface{ SetEnv(string) error }

// expecter names the form of a flag's value, for messages.
type expecter interface{ Expected() string }

// expected is the form a flag's value must have, in words, or "" when
// the flag's own error says it better.
func expected(f *flag.Flag) string {
	if e, ok := f.Value.(expecter); ok {
		return e.Expected()
	}
	g, ok := f.Value.(flag.Getter)
	if !ok {
		return ""
	}
	switch g.Get().(type) {
	case bool:
		return "true or false"
	case int, int64, uint, uint64:
		return "a whole number"
	case time.Duration:
		return "a duration with its unit, such as 30s, 5m or 1h30m"
	case float64:
		return "a number"
	}
	return ""
}

// hasEnv reports whether a flag reads a variable: every flag when all,
// else those whose usage names one.
func hasEnv(f *flag.Flag, all bool) bool { return all || usageEnv.MatchString(f.Usage) }

// applyEnv sets every flag of fs that the command line did not set from
// its environment variable, if that is set (all: every flag has one).
func applyEnv(fs *flag.FlagSet, all bool) error {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if !hasEnv(f, all) {
			return
		}
		name := envName(f)
		v, ok := os.LookupEnv(name)
		if !ok || given[f.Name] || err != nil {
			return
		}
		var serr error
		if s, ok := f.Value.(envSetter); ok {
			serr = s.SetEnv(v)
		} else {
			serr = f.Value.Set(v)
		}
		if serr != nil {
			why := serr.Error()
			if form := expected(f); form != "" {
				why = "expected " + form
			}
			err = &configError{fmt.Sprintf("%s=%q is not valid: %s (it sets --%s)", name, v, why, f.Name)}
		}
	})
	return err
}

// wantsHelp reports -h, -help or --help among the flags of args (before
// the first argument that is not a flag), or "help" as the first argument.
func wantsHelp(args []string) bool {
	if len(args) > 0 && args[0] == "help" {
		return true
	}
	for _, a := range args {
		if a == "--" || !strings.HasPrefix(a, "-") {
			return false
		}
		switch strings.SplitN(a, "=", 2)[0] {
		case "-h", "-help", "--help", "--h":
			return true
		}
	}
	return false
}

// atLeast refuses a number or duration flag below min, wherever it was
// set: a pool of 0 connections or a timeout of -1s is a mistake, not a
// configuration.
func atLeast(fs *flag.FlagSet, min int64, names ...string) error {
	for _, name := range names {
		f := fs.Lookup(name)
		if f == nil {
			continue
		}
		var v int64
		switch x := f.Value.(flag.Getter).Get().(type) {
		case int:
			v = int64(x)
		case time.Duration:
			v = int64(x)
		}
		if v < min {
			return &configError{fmt.Sprintf("--%s (%s) is %s: it must be more than %s", name, envName(f), f.Value, zeroOf(f, min-1))}
		}
	}
	return nil
}

func zeroOf(f *flag.Flag, n int64) string {
	if _, ok := f.Value.(flag.Getter).Get().(time.Duration); ok {
		return time.Duration(n).String()
	}
	return fmt.Sprint(n)
}

// oneOf refuses a text flag whose value is not one of values.
func oneOf(fs *flag.FlagSet, name string, values ...string) error {
	f := fs.Lookup(name)
	if f == nil {
		return nil
	}
	for _, v := range values {
		if f.Value.String() == v {
			return nil
		}
	}
	return &configError{fmt.Sprintf("--%s (%s) is %q: it must be %s", name, envName(f), f.Value, strings.Join(values, " or "))}
}

// printFlags is flag.PrintDefaults spelt as the README spells flags
// ("--listen"), with each flag's environment variable.
func printFlags(w io.Writer, fs *flag.FlagSet) {
	all := fs.Name() == "serve"
	fs.VisitAll(func(f *flag.Flag) {
		kind, usage := flag.UnquoteUsage(f)
		line := "  --" + f.Name
		if kind != "" {
			line += " " + kind
		}
		if hasEnv(f, all) && !strings.Contains(usage, envName(f)) {
			usage += " (env " + envName(f) + ")"
		}
		switch {
		case f.DefValue == "" || f.DefValue == "false" || f.DefValue == "0":
		case kind == "string":
			usage += fmt.Sprintf(" (default %q)", f.DefValue)
		default:
			usage += " (default " + f.DefValue + ")"
		}
		fmt.Fprintf(w, "%s\n    \t%s\n", line, strings.ReplaceAll(usage, "\n", "\n    \t"))
	})
}

// checkServeFlags refuses values of serve's flags that parse but make no
// sense.
func checkServeFlags(fs *flag.FlagSet) error {
	if err := atLeast(fs, 1, "db-pool-size", "delivery-workers", "delivery-max-attempts", "request-timeout", "shutdown-timeout",
		"delivery-deadline", "delivery-timeout", "queue-poll", "queue-sweep", "delivery-retention"); err != nil {
		return err
	}
	return oneOf(fs, "log-format", "json", "text")
}
