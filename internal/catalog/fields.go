package catalog

// Small constructors keep the service files declarative and short.

func text(name, help string) Field { return Field{Name: name, Type: String, Help: help} }

func boolean(name, help string) Field { return Field{Name: name, Type: Bool, Help: help} }

func integer(name, help string) Field { return Field{Name: name, Type: Int, Help: help} }

func link(name, help string) Field { return Field{Name: name, Type: String, URL: true, Help: help} }

func secret(name, help string) Field {
	return Field{Name: name, Type: String, Secret: true, Help: help}
}

func required(f Field) Field { f.Required = true; return f }

func withDefault(f Field, v any) Field { f.Default = v; return f }

func internal(f Field) Field { f.Internal = true; return f }

func undeclared(f Field) Field { f.Undeclared = true; return f }

func checked(f Field, check func(string) string) Field { f.Check = check; return f }

func example(f Field, v string) Field { f.Example = v; return f }

func checkedInt(f Field, check func(int64) string) Field { f.CheckInt = check; return f }

// branchValues are the accepted values of branches_to_be_notified.
var branchValues = []string{"all", "default", "protected", "default_and_protected"}

func branchesToBeNotified(def any) Field {
	f := text("branches_to_be_notified", `Branches to send notifications for: "all", "default", "protected" or "default_and_protected"`)
	f.Values = branchValues
	f.Default = def
	return f
}
