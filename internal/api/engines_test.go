package api_test

func engines() []engine { return []engine{sqliteEngine()} }
