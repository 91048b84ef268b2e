package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The steps the browser tests share, so that each test says only what it
// does: open a browser on the demo, sign a role in, open a page, check it.

// demoServer is a running `socle serve --demo`: its base URL and its output,
// which prints the accounts, their TOTP secrets and the links to follow.
type demoServer struct {
	base string
	out  *syncBuffer
}

// sharedDemos are the demos browser tests share, by size, each started
// once; TestMain stops them.
var sharedDemos = struct {
	sync.Mutex
	by map[string]*sharedRun
}{by: map[string]*sharedRun{}}

type sharedRun struct {
	once sync.Once
	demo demoServer
	err  error
	stop func()
}

// sharedDemo is the demo of 200 persons that the read-mostly browser
// tests share: they read, or change only what no other test reads (a
// break-the-glass review, a person's own sign-in). Starting a demo is
// most of a short browser test's time under -race.
func sharedDemo(t *testing.T) demoServer {
	t.Helper()
	return sharedDemoOf(t, "200")
}

// walkDemo is the demo of walkDemoPersons persons that the browser
// tests walking a person's file share: each walks its own person
// (walkPerson), so that none sees another's changes.
func walkDemo(t *testing.T) demoServer {
	t.Helper()
	return sharedDemoOf(t, walkDemoPersons)
}

// walkPerson is the i-th person the demo keeps to walk by hand: the
// submatches of demoParcoursLine (person, her e-mail, her adviser's
// account, his structure). Each test sharing walkDemo takes its own i.
// The first are followed by the first adviser's structure, the
// employment service, whose adviser orients (the file, the parcours, the
// hand-off take 0 to 2).
func (d demoServer) walkPerson(t *testing.T, i int) []string {
	t.Helper()
	all := demoParcoursLine.FindAllStringSubmatch(d.out.String(), -1)
	if i >= len(all) {
		t.Fatalf("the demo printed %d persons to walk, the test wants the %dth:\n%s", len(all), i+1, d.out)
	}
	return all[i]
}

func sharedDemoOf(t *testing.T, persons string) demoServer {
	t.Helper()
	sharedDemos.Lock()
	r := sharedDemos.by[persons]
	if r == nil {
		r = &sharedRun{}
		sharedDemos.by[persons] = r
	}
	sharedDemos.Unlock()
	r.once.Do(func() { r.demo, r.stop, r.err = startSharedDemo(persons) })
	if r.err != nil {
		t.Fatalf("the shared demo of %s persons: %v", persons, r.err)
	}
	return r.demo
}

// startSharedDemo runs `socle serve --demo` outside any test, in a
// directory of its own, until stop.
func startSharedDemo(persons string) (d demoServer, stop func(), err error) {
	dir, err := os.MkdirTemp("", "socle-shared-demo-")
	if err != nil {
		return d, nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--demo", "--demo-persons", persons, "--data", dir}, noEnv, out, io.Discard)
	}()
	stop = func() {
		cancel()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
		}
		os.RemoveAll(dir)
	}
	// Started once for many tests: it may take longer than a demo of one
	// test's own on a loaded machine.
	for deadline := time.Now().Add(5 * time.Minute); time.Now().Before(deadline); {
		if m := listening.FindStringSubmatch(out.String()); m != nil {
			return demoServer{base: m[1], out: out}, stop, nil
		}
		select {
		case err := <-done:
			stop()
			return d, nil, fmt.Errorf("serve stopped: %v\n%s", err, out)
		case <-time.After(20 * time.Millisecond):
		}
	}
	stop()
	return d, nil, fmt.Errorf("serve did not start:\n%s", out)
}

// stopSharedDemo shuts the shared demos down.
func stopSharedDemo() {
	sharedDemos.Lock()
	defer sharedDemos.Unlock()
	for _, r := range sharedDemos.by {
		if r.stop != nil {
			r.stop()
		}
	}
}

// line returns the submatches of the line re of the demo's output, which
// names what the test walks (what).
func (d demoServer) line(t *testing.T, re *regexp.Regexp, what string) []string {
	t.Helper()
	m := re.FindStringSubmatch(d.out.String())
	if m == nil {
		t.Fatalf("the demo printed no %s:\n%s", what, d.out)
	}
	return m
}

// account returns the e-mail of the demo account printed with role, the
// label before its organisation ("Conseiller", "Délégué à la protection
// des données"…).
func (d demoServer) account(t *testing.T, role string) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^\s+(\S+@\S+)\s+TOTP \S+\s+` + regexp.QuoteMeta(role) + `, `).FindStringSubmatch(d.out.String())
	if m == nil {
		t.Fatalf("the demo printed no %s:\n%s", role, d.out)
	}
	return m[1]
}

// personEmail is the address of the demo person the demo names to sign
// in to her space.
func (d demoServer) personEmail(t *testing.T) string {
	t.Helper()
	m := demoPersonEmail.FindStringSubmatch(d.out.String())
	if m == nil {
		t.Fatalf("the demo printed no person's e-mail:\n%s", d.out)
	}
	return m[1]
}

// openBrowser starts a headless Chromium on the demo's home. The first
// action runs on the test's context itself: a step's shorter context
// would close the browser when it ends.
func (d demoServer) openBrowser(t *testing.T, timeout time.Duration) context.Context {
	t.Helper()
	ctx := browserFor(t, timeout)
	if err := chromedp.Do(ctx, chromedp.Navigate(d.base)); err != nil {
		t.Fatal(err)
	}
	return ctx
}

// staff opens a browser (of 90 s) and signs email in, password and TOTP.
func (d demoServer) staff(t *testing.T, email string) context.Context {
	t.Helper()
	return d.staffFor(t, 90*time.Second, email)
}

// staffFor is staff for a test that lasts up to timeout.
func (d demoServer) staffFor(t *testing.T, timeout time.Duration, email string) context.Context {
	t.Helper()
	ctx := d.openBrowser(t, timeout)
	staffLogin(t, ctx, d.base, d.out.String(), email)
	return ctx
}

// personSignIn signs a person in by the link mailed to email (printed by
// the demo) and returns the origin of the link, whose host her session
// cookie is for.
func (d demoServer) personSignIn(t *testing.T, ctx context.Context, email string) string {
	t.Helper()
	link := requestPersonLink(t, ctx, d.base, email, d.out)
	step(t, ctx, "the person's link", chromedp.Navigate(link), chromedp.WaitVisible("main h1"))
	return linkOrigin(link)
}

// linkOrigin is the scheme and host of a link.
func linkOrigin(link string) string {
	host := strings.Index(link, "://") + len("://")
	if i := strings.Index(link[host:], "/"); i >= 0 {
		return link[:host+i]
	}
	return link
}

// visit opens url and waits for sel.
func visit(t *testing.T, ctx context.Context, url, sel string) {
	t.Helper()
	step(t, ctx, "open "+url, chromedp.Navigate(url), chromedp.WaitVisible(sel))
}

// checked checks the page (checkPage) and, when SOCLE_SCREENSHOTS is set,
// saves it as shot.
func checked(t *testing.T, ctx context.Context, what, shot string) {
	t.Helper()
	checkPage(t, ctx, what)
	screenshots(t, ctx, shot)
}
