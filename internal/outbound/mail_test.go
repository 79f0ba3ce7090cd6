package outbound

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"

	"github.com/glint-dev/glint/internal/integration"
	"github.com/glint-dev/glint/internal/mail"
	"github.com/glint-dev/glint/internal/mail/mailtest"
)

// TestClassifySMTP: an SMTP server's 2xx is success, 4xx is retried, 5xx
// is final; the reply is the reason.
func TestClassifySMTP(t *testing.T) {
	for _, c := range []struct {
		code   int
		retry  bool
		reason string
	}{
		{250, false, ""},
		{421, true, "SMTP 421 closing"},
		{451, true, "SMTP 451 closing"},
		{550, false, "SMTP 550 closing"},
		{554, false, "SMTP 554 closing"},
	} {
		o := Classify(&Result{SMTP: true, Status: c.code, Body: []byte("closing")}, nil)
		if o.Retry != c.retry || o.Reason != c.reason {
			t.Errorf("%d: %+v, want retry %v reason %q", c.code, o, c.retry, c.reason)
		}
	}
}

// TestDoMail: a mail goes to the Mailer (a real SMTP server here); without
// one it fails for good, naming the missing flag; a server that cannot be
// reached is retried, a refusal is classified by its code.
func TestDoMail(t *testing.T) {
	m := &integration.Mail{From: "a@example.com", To: []string{"b@example.com"}, Subject: "s", Text: "t"}
	_, err := New(Options{}).Do(context.Background(), integration.Request{Mail: m})
	if !errors.Is(err, ErrNoSMTP) || Classify(nil, err).Retry || !strings.Contains(Classify(nil, err).Reason, "--smtp-host") {
		t.Errorf("no mailer: %v", err)
	}
	srv := mailtest.Start(t)
	sender, err := mail.New(mail.Config{Host: srv.Host, Port: srv.Port, TLS: mail.TLSNone})
	if err != nil {
		t.Fatal(err)
	}
	c := New(Options{Mailer: sender})
	res, err := c.Do(context.Background(), integration.Request{Mail: m})
	if err != nil || !res.SMTP || res.Status != 250 || Classify(res, nil).Reason != "" {
		t.Errorf("sent: %+v %v", res, err)
	}
	srv.Refuse(1, 550, "no such user")
	res, err = c.Do(context.Background(), integration.Request{Mail: m})
	if o := Classify(res, err); err != nil || o.Retry || !strings.Contains(o.Reason, "SMTP 550") || !strings.Contains(o.Reason, "no such user") {
		t.Errorf("refused: %+v %v", res, err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	closed, _ := mail.New(mail.Config{Host: "127.0.0.1", Port: port})
	_, err = New(Options{Mailer: closed}).Do(context.Background(), integration.Request{Mail: m})
	if err == nil || !Classify(nil, err).Retry {
		t.Errorf("a closed port: %v", err)
	}
}
