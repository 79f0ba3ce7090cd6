package mail_test

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/glint-dev/glint/internal/integration"
	"github.com/glint-dev/glint/internal/mail"
	"github.com/glint-dev/glint/internal/mail/mailtest"
)

func sample() *integration.Mail {
	return &integration.Mail{FromName: "John Smith", From: "glint@glint.test", ReplyTo: "noreply@glint.test",
		To: []string{"dev@example.com"}, Bcc: []string{"hidden@example.com"}, Subject: "[Git][g/p][main] Ünïcode subject",
		Header: [][2]string{{"X-GitLab-Project", "p"}}, Text: "hello\n", HTML: "<p>hello</p>\n"}
}

func sender(t *testing.T, srv *mailtest.Server, tls string) *mail.Sender {
	t.Helper()
	s, err := mail.New(mail.Config{Host: srv.Host, Port: srv.Port, TLS: tls, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestSend: a mail reaches a real SMTP server with its envelope, headers
// and both parts.
func TestSend(t *testing.T) {
	srv := mailtest.Start(t)
	for _, tls := range []string{mail.TLSAuto, mail.TLSNone} {
		code, reply, err := sender(t, srv, tls).SendMail(context.Background(), sample())
		if err != nil || code != 250 {
			t.Fatalf("%s: %d %q %v", tls, code, reply, err)
		}
	}
	msgs := srv.Messages()
	if len(msgs) != 2 {
		t.Fatalf("%d mails", len(msgs))
	}
	m := msgs[0]
	if m.From != "glint@glint.test" || strings.Join(m.To, ",") != "dev@example.com,hidden@example.com" {
		t.Errorf("envelope %s -> %v", m.From, m.To)
	}
	parts, err := mail.Parts(m.Data)
	if err != nil {
		t.Fatal(err)
	}
	if len(parts) != 2 || parts[0].Body != "hello\n" || parts[1].Body != "<p>hello</p>\n" ||
		!strings.HasPrefix(parts[0].ContentType, "text/plain") || !strings.HasPrefix(parts[1].ContentType, "text/html") {
		t.Errorf("parts %+v", parts)
	}
	data := string(m.Data)
	for _, want := range []string{"X-GitLab-Project: p\r\n", "Reply-To: <noreply@glint.test>\r\n", `From: "John Smith" <glint@glint.test>`, "Subject: =?UTF-8?"} {
		if !strings.Contains(data, want) {
			t.Errorf("no %q in\n%s", want, data)
		}
	}
	if strings.Contains(data, "hidden@example.com") {
		t.Error("the Bcc recipient is in the message")
	}
}

// TestReplies: a refusal is the server's code and text with no error; a
// server that cannot be reached is an error.
func TestReplies(t *testing.T) {
	srv := mailtest.Start(t)
	m := sample()
	m.Bcc = nil
	for _, c := range []struct {
		code int
		text string
	}{{451, "greylisted, try later"}, {550, "no such mailbox"}} {
		srv.Refuse(1, c.code, c.text)
		code, reply, err := sender(t, srv, mail.TLSNone).SendMail(context.Background(), m)
		if err != nil || code != c.code || !strings.Contains(reply, c.text) {
			t.Errorf("refused with %d: got %d %q %v", c.code, code, reply, err)
		}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	s, _ := mail.New(mail.Config{Host: "127.0.0.1", Port: port, Timeout: 2 * time.Second})
	if code, _, err := s.SendMail(context.Background(), m); err == nil || code != 0 {
		t.Errorf("closed port: %d %v, want an error", code, err)
	}
	// STARTTLS required but not offered: an error, never a plain send.
	if code, _, err := sender(t, srv, mail.TLSStartTLS).SendMail(context.Background(), m); err == nil || code != 0 {
		t.Errorf("starttls without TLS: %d %v, want an error", code, err)
	}
	if len(srv.Messages()) != 0 {
		t.Errorf("%d mails accepted", len(srv.Messages()))
	}
}

func TestConfig(t *testing.T) {
	for _, c := range []mail.Config{{}, {Host: "h", TLS: "ssl"}, {Host: "h", Port: 70000}} {
		if _, err := mail.New(c); err == nil {
			t.Errorf("%+v accepted", c)
		}
	}
	if _, err := mail.Message(&integration.Mail{From: "not an address", To: []string{"a@example.com"}}); err == nil {
		t.Error("an invalid From accepted")
	}
}

// TestAuthOverTLS: with --smtp-user the password goes over STARTTLS to a
// server whose certificate verifies; a wrong password is the server's 535;
// an untrusted certificate is an error and sends nothing; no error or
// reply carries the password.
func TestAuthOverTLS(t *testing.T) {
	const password = "s3cr3t-smtp-pass"
	srv, roots := mailtest.StartTLS(t, "glint", password)
	m := sample()
	for _, tls := range []string{mail.TLSAuto, mail.TLSStartTLS} {
		s, err := mail.New(mail.Config{Host: srv.Host, Port: srv.Port, TLS: tls, User: "glint", Password: password, RootCAs: roots, Timeout: 5 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		if code, reply, err := s.SendMail(context.Background(), m); err != nil || code != 250 {
			t.Fatalf("%s: %d %q %v", tls, code, reply, err)
		}
	}
	if srv.Logins() != 2 || len(srv.Messages()) != 2 {
		t.Errorf("%d logins, %d mails", srv.Logins(), len(srv.Messages()))
	}
	wrong, _ := mail.New(mail.Config{Host: srv.Host, Port: srv.Port, User: "glint", Password: "wrong-" + password, RootCAs: roots, Timeout: 5 * time.Second})
	code, reply, err := wrong.SendMail(context.Background(), m)
	if err != nil || code != 535 || strings.Contains(reply, password) {
		t.Errorf("wrong password: %d %q %v", code, reply, err)
	}
	untrusted, _ := mail.New(mail.Config{Host: srv.Host, Port: srv.Port, TLS: mail.TLSStartTLS, User: "glint", Password: password, Timeout: 5 * time.Second})
	code, _, err = untrusted.SendMail(context.Background(), m)
	if err == nil || code != 0 || strings.Contains(err.Error(), password) {
		t.Errorf("untrusted certificate: %d %v", code, err)
	}
	// Without TLS the password is never sent: the server, which offers
	// AUTH only over TLS, refuses the mail.
	plain, _ := mail.New(mail.Config{Host: srv.Host, Port: srv.Port, TLS: mail.TLSNone, User: "glint", Password: password, Timeout: 5 * time.Second})
	code, reply, err = plain.SendMail(context.Background(), m)
	if (err == nil && code < 500) || strings.Contains(reply, password) || err != nil && strings.Contains(err.Error(), password) {
		t.Errorf("plain text with a password: %d %q %v", code, reply, err)
	}
	if srv.Logins() != 2 || len(srv.Messages()) != 2 {
		t.Errorf("after the failures: %d logins, %d mails", srv.Logins(), len(srv.Messages()))
	}
}
