package catalog

import (
	"strings"
	"testing"
)

func TestDecode(t *testing.T) {
	type chat struct {
		Webhook    string `field:"webhook"`
		Channel    string `field:"channel"`
		OnlyBroken bool   `field:"notify_only_broken_pipelines"`
		Branches   string `field:"branches_to_be_notified"`
		Untagged   string
	}
	for _, tt := range []struct {
		name  string
		props map[string]any
		want  chat
	}{
		{"defaults from the catalog", nil, chat{OnlyBroken: true, Branches: "default"}},
		{"set", map[string]any{"webhook": "https://h/x", "channel": "c", "notify_only_broken_pipelines": false, "branches_to_be_notified": "all"},
			chat{Webhook: "https://h/x", Channel: "c", Branches: "all"}},
		{"spelt booleans", map[string]any{"notify_only_broken_pipelines": "0"}, chat{Branches: "default"}},
		{"blank is unset", map[string]any{"channel": " \t", "branches_to_be_notified": " "}, chat{OnlyBroken: true, Branches: "default"}},
		{"wrong types are unset", map[string]any{"webhook": 5, "notify_only_broken_pipelines": "maybe"}, chat{OnlyBroken: true, Branches: "default"}},
	} {
		got, err := Decode[chat]("slack", tt.props)
		if err != nil || got != tt.want {
			t.Errorf("%s: got %+v, %v; want %+v", tt.name, got, err, tt.want)
		}
	}
}

func TestDecodeAsIs(t *testing.T) {
	type asis struct {
		Channel string `field:"channel,asis"`
		Hook    string `field:"webhook,asis"`
	}
	got, err := Decode[asis]("slack", map[string]any{"channel": "  ", "webhook": 3})
	if err != nil || got.Channel != "  " || got.Hook != "" {
		t.Fatalf("got %+v, %v", got, err)
	}
}

func TestDecodeOptions(t *testing.T) {
	type opts struct {
		Channel *string `field:"channel,asis"`
		Port    string  `field:"username,text"`
	}
	for _, tt := range []struct {
		props   map[string]any
		channel *string
		port    string
	}{
		{nil, nil, ""},
		{map[string]any{"channel": "", "username": float64(6700)}, new(""), "6700"},
		{map[string]any{"channel": 5, "username": int64(7)}, nil, "7"},
		{map[string]any{"channel": " x", "username": " 80 "}, new(" x"), " 80 "},
	} {
		got, err := Decode[opts]("slack", tt.props)
		if err != nil || (got.Channel == nil) != (tt.channel == nil) || (got.Channel != nil && *got.Channel != *tt.channel) || got.Port != tt.port {
			t.Errorf("%v: got %+v, %v", tt.props, got, err)
		}
	}
}

func TestDecodeFlagsAndPointers(t *testing.T) {
	type jira struct {
		Comment *bool `field:"comment_on_event_enabled"`
		Other   *bool `field:"username"`
	}
	got, err := Decode[jira]("jira", map[string]any{"username": "x"})
	if err != nil || got.Comment == nil || !*got.Comment || got.Other != nil {
		t.Fatalf("got %+v, %v", got, err)
	}
	got, err = Decode[jira]("jira", map[string]any{"comment_on_event_enabled": "false", "username": true})
	if err != nil || *got.Comment || got.Other == nil || !*got.Other {
		t.Fatalf("got %+v, %v", got, err)
	}
}

func TestDecodeRefuses(t *testing.T) {
	type misspelt struct {
		Hook string `field:"webhok"`
	}
	type badType struct {
		Webhook int `field:"webhook"`
	}
	type badOption struct {
		Hook bool `field:"webhook,asis"`
	}
	type notFlag struct {
		Comment bool `field:"comment_on_event_enabled"`
	}
	for name, err := range map[string]error{
		"misspelt":     Check[misspelt]("slack"),
		"bad type":     Check[badType]("slack"),
		"other's flag": Check[notFlag]("slack"),
		"bad option":   Check[badOption]("slack"),
		"no service":   Check[misspelt]("nope"),
		"not a struct": Check[string]("slack"),
	} {
		if err == nil || !strings.HasPrefix(err.Error(), "catalog: ") {
			t.Errorf("%s: got %v, want a catalog error", name, err)
		}
	}
}
