package main

import (
	"flag"
	"fmt"
	"net/url"
	"os"

	"github.com/glint-dev/glint/internal/app"
	"github.com/glint-dev/glint/internal/integration"
	"github.com/glint-dev/glint/internal/mail"
)

// smtpFlags are glint serve's SMTP and email flags: the instance's mail
// server and sender, used by Emails on push and Pipeline emails.
type smtpFlags struct {
	cfg   mail.Config
	email integration.Email
}

func addSMTPFlags(fs *flag.FlagSet) *smtpFlags {
	f := &smtpFlags{}
	fs.StringVar(&f.cfg.Host, "smtp-host", env("GLINT_SMTP_HOST", ""),
		"SMTP server for the email services; empty: emails fail with a reason naming this flag (env GLINT_SMTP_HOST)")
	fs.IntVar(&f.cfg.Port, "smtp-port", envInt("GLINT_SMTP_PORT", 25), "SMTP server port (env GLINT_SMTP_PORT)")
	fs.StringVar(&f.cfg.TLS, "smtp-tls", env("GLINT_SMTP_TLS", mail.TLSAuto),
		"SMTP TLS: auto (STARTTLS when offered), none, starttls (required) or tls (implicit, port 465) (env GLINT_SMTP_TLS)")
	fs.StringVar(&f.cfg.User, "smtp-user", env("GLINT_SMTP_USER", ""), "SMTP user name; empty: no authentication (env GLINT_SMTP_USER)")
	// Not defaulted from the environment: --help would print it.
	fs.StringVar(&f.cfg.Password, "smtp-password", "",
		"SMTP password; better given by the environment, which ps does not show (env GLINT_SMTP_PASSWORD)")
	fs.StringVar(&f.email.From, "email-from", env("GLINT_EMAIL_FROM", ""),
		"sender address of the emails; default glint@<host of --base-url> (env GLINT_EMAIL_FROM)")
	fs.StringVar(&f.email.ReplyTo, "email-reply-to", env("GLINT_EMAIL_REPLY_TO", ""), "Reply-To of the emails; empty: none (env GLINT_EMAIL_REPLY_TO)")
	fs.StringVar(&f.email.SubjectSuffix, "email-subject-suffix", env("GLINT_EMAIL_SUBJECT_SUFFIX", ""),
		`text appended to every email's subject after " | " (env GLINT_EMAIL_SUBJECT_SUFFIX)`)
	return f
}

// apply checks the flags and puts them in the delivery configuration.
func (f *smtpFlags) apply(dc *app.DeliveryConfig, baseURL string) error {
	if f.cfg.Password == "" {
		f.cfg.Password = os.Getenv("GLINT_SMTP_PASSWORD")
	}
	if f.email.From == "" {
		host := "localhost"
		if u, err := url.Parse(baseURL); err == nil && u.Hostname() != "" {
			host = u.Hostname()
		}
		f.email.From = "glint@" + host
	}
	if f.cfg.Host != "" {
		if _, err := mail.New(f.cfg); err != nil {
			return fmt.Errorf("--smtp-*: %w", err)
		}
	}
	dc.SMTP, dc.Email = f.cfg, f.email
	return nil
}
