// Package mail is glint's SMTP transport: it turns an integration.Mail into
// a MIME message (a text and an HTML part) with go-mail and sends it to
// the instance's SMTP server (--smtp-host and the flags beside it).
//
// It knows integration's Mail only; the decision whether a failed send is
// worth retrying is outbound's (Classify), from the reply code Send
// returns.
package mail

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	netmail "net/mail"
	"net/textproto"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/glint-dev/glint/internal/integration"
)

// The TLS modes of --smtp-tls.
const (
	TLSAuto     = "auto"     // STARTTLS when the server offers it
	TLSNone     = "none"     // plain text
	TLSStartTLS = "starttls" // STARTTLS required
	TLSImplicit = "tls"      // TLS from the first byte (port 465)
)

// Config is the instance's SMTP server.
type Config struct {
	Host string
	// Port is 25 when 0.
	Port int
	// TLS is one of the TLS modes; "" means TLSAuto.
	TLS      string
	User     string
	Password string
	// Timeout bounds the connection and each command; 0 means 30 s.
	Timeout time.Duration
	// RootCAs verify the server's certificate; nil means the system's.
	RootCAs *x509.CertPool
}

// Sender sends mails to one SMTP server, one connection per mail.
type Sender struct {
	cfg Config
}

// New checks cfg and returns a Sender for it.
func New(cfg Config) (*Sender, error) {
	if cfg.Host == "" {
		return nil, errors.New("no SMTP host")
	}
	if cfg.Port == 0 {
		cfg.Port = 25
	}
	if cfg.Port < 0 || cfg.Port > 65535 {
		return nil, fmt.Errorf("invalid SMTP port %d", cfg.Port)
	}
	switch cfg.TLS {
	case "":
		cfg.TLS = TLSAuto
	case TLSAuto, TLSNone, TLSStartTLS, TLSImplicit:
	default:
		return nil, fmt.Errorf("invalid SMTP TLS mode %q: want auto, none, starttls or tls", cfg.TLS)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	return &Sender{cfg: cfg}, nil
}

func (s *Sender) client() (*gomail.Client, error) {
	opts := []gomail.Option{gomail.WithPort(s.cfg.Port), gomail.WithTimeout(s.cfg.Timeout),
		gomail.WithTLSConfig(&tls.Config{ServerName: s.cfg.Host, RootCAs: s.cfg.RootCAs, MinVersion: tls.VersionTLS12})}
	switch s.cfg.TLS {
	case TLSAuto:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	case TLSNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	case TLSStartTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case TLSImplicit:
		opts = append(opts, gomail.WithSSL())
	}
	if s.cfg.User != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(s.cfg.User), gomail.WithPassword(s.cfg.Password))
	}
	return gomail.NewClient(s.cfg.Host, opts...)
}

// SendMail sends m over a new connection. The server's reply decides:
// code and reply are the last reply (250 and its text when the message was
// accepted, else the negative reply that refused it) with a nil error. An
// error means no reply decided: the connection, TLS or a timeout failed.
// Errors never carry the password.
func (s *Sender) SendMail(ctx context.Context, m *integration.Mail) (code int, reply string, err error) {
	msg, err := Message(m)
	if err != nil {
		return 0, "", err
	}
	c, err := s.client()
	if err != nil {
		return 0, "", err
	}
	err = c.DialAndSendWithContext(ctx, msg)
	if err == nil {
		resp := msg.ServerResponse()
		if resp == "" {
			resp = "OK"
		}
		return 250, resp, nil
	}
	// A refusal by the server: a SendError with the reply's code, or a
	// negative greeting or authentication reply while dialing.
	var se *gomail.SendError
	if errors.As(err, &se) && se.ErrorCode() >= 400 {
		return se.ErrorCode(), se.Error(), nil
	}
	var te *textproto.Error
	if errors.As(err, &te) && te.Code >= 400 {
		return te.Code, fmt.Sprintf("%d %s", te.Code, te.Msg), nil
	}
	return 0, "", err
}

// Message builds the MIME message of m: the headers, then a
// multipart/alternative body of the text part and the HTML part (the text
// alone when HTML is empty). Date and Message-ID are set when it is
// written.
func Message(m *integration.Mail) (*gomail.Msg, error) {
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	// The display name (a pusher's, from the payload) is encoded as
	// net/mail writes it; one that still does not parse is left out
	// rather than losing the mail.
	name := strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return ' '
		}
		return r
	}, m.FromName)
	if err := msg.From((&netmail.Address{Name: name, Address: m.From}).String()); err != nil {
		if err := msg.From(m.From); err != nil {
			return nil, fmt.Errorf("invalid From %q: %w", m.From, err)
		}
	}
	if len(m.To) > 0 {
		if err := msg.To(m.To...); err != nil {
			return nil, fmt.Errorf("invalid To: %w", err)
		}
	}
	if len(m.Bcc) > 0 {
		if err := msg.Bcc(m.Bcc...); err != nil {
			return nil, fmt.Errorf("invalid Bcc: %w", err)
		}
	}
	if m.ReplyTo != "" {
		if err := msg.ReplyTo(m.ReplyTo); err != nil {
			return nil, fmt.Errorf("invalid Reply-To %q: %w", m.ReplyTo, err)
		}
	}
	msg.Subject(m.Subject)
	for _, h := range m.Header {
		msg.SetGenHeader(gomail.Header(h[0]), h[1])
	}
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	return msg, nil
}

// Render writes m as it is sent, with the Date and Message-ID given, for
// golden files; the MIME boundaries are replaced by "BOUNDARY-n" in order
// of appearance, and CRLF line ends by LF.
func Render(m *integration.Mail, date time.Time, messageID string) ([]byte, error) {
	msg, err := Message(m)
	if err != nil {
		return nil, err
	}
	msg.SetDateWithValue(date)
	msg.SetMessageIDWithValue(messageID)
	var b strings.Builder
	if _, err := msg.WriteTo(&b); err != nil {
		return nil, err
	}
	out := strings.ReplaceAll(b.String(), "\r\n", "\n")
	n := 0
	for {
		i := strings.Index(out, `boundary=`)
		if i < 0 {
			break
		}
		rest := out[i+len("boundary="):]
		end := strings.IndexAny(rest, "\n;")
		bnd := strings.Trim(rest[:end], `"`)
		n++
		out = strings.ReplaceAll(out, bnd, fmt.Sprintf("BOUNDARY-%d", n))
		out = strings.Replace(out, "boundary=", "boundary:", 1)
	}
	return []byte(strings.ReplaceAll(out, "boundary:", "boundary=")), nil
}

// Part is one decoded part of a message.
type Part struct {
	ContentType string
	Encoding    string // the Content-Transfer-Encoding it came in
	Body        string
}

// Parts parses a message as a mail reader does and returns its parts
// decoded, with LF line ends (the message itself when it is not
// multipart).
func Parts(raw []byte) ([]Part, error) {
	msg, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	mediaType, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(mediaType, "multipart/") {
		body, err := decode(msg.Body, msg.Header.Get("Content-Transfer-Encoding"))
		return []Part{{ContentType: msg.Header.Get("Content-Type"), Encoding: msg.Header.Get("Content-Transfer-Encoding"), Body: body}}, err
	}
	var parts []Part
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextRawPart()
		if err == io.EOF {
			return parts, nil
		}
		if err != nil {
			return nil, err
		}
		enc := p.Header.Get("Content-Transfer-Encoding")
		body, err := decode(p, enc)
		if err != nil {
			return nil, err
		}
		parts = append(parts, Part{ContentType: p.Header.Get("Content-Type"), Encoding: enc, Body: body})
	}
}

func decode(r io.Reader, encoding string) (string, error) {
	switch strings.ToLower(encoding) {
	case "quoted-printable":
		r = quotedprintable.NewReader(r)
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, r)
	}
	b, err := io.ReadAll(r)
	return strings.ReplaceAll(string(b), "\r\n", "\n"), err
}
