package main

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// browser starts a headless Chromium for the test, or skips when none is
// installed outside CI (scripts/test installs Debian's chromium).
func browser(t *testing.T) context.Context {
	t.Helper()
	return browserFor(t, 90*time.Second)
}

// browserFor is browser for a test that may last up to timeout (a walk
// through many pages, each checked with axe-core).
func browserFor(t *testing.T, timeout time.Duration) context.Context {
	t.Helper()
	path := os.Getenv("SOCLE_CHROMIUM")
	if path == "" {
		for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
			if p, err := exec.LookPath(name); err == nil {
				path = p
				break
			}
		}
	}
	if path == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("no Chromium found in CI: scripts/test installs Debian's chromium")
		}
		t.Skip("no Chromium installed; run make test to install it")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		// A desktop window: below 992 px the DSFR folds the menu into a
		// button; checkPage measures the phone widths itself.
		chromedp.WindowSize(1280, 1000),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	ctx, cancelTimeout := context.WithTimeout(ctx, timeout)
	t.Cleanup(func() { cancelTimeout(); cancel(); cancelAlloc() })
	return ctx
}

// text returns the text of the first element matching the CSS selector.
func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(sel))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

func TestBrowserLoadsHomePage(t *testing.T) {
	d := sharedDemo(t)
	ctx := d.openBrowser(t, 90*time.Second)
	visit(t, ctx, d.base, "main h1")
	title, err := chromedp.Run(ctx, chromedp.Title())
	if err != nil {
		t.Fatal(err)
	}
	heading, nav, table := text(t, ctx, "main h1"), text(t, ctx, "#navigation"), text(t, ctx, "main table")
	if !strings.Contains(title, "Socle") || heading != "Socle" {
		t.Errorf("title %q, heading %q", title, heading)
	}
	for _, want := range []string{"Accueil", "Structures", "Offres"} {
		if !strings.Contains(nav, want) {
			t.Errorf("navigation %q lacks %q", nav, want)
		}
	}
	if !strings.Contains(table, "Mission locale") {
		t.Errorf("the home page does not show the demo network: %q", table)
	}
}
