package ui

import (
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/textarea"
	"charm.land/bubbles/v2/textinput"
	"charm.land/huh/v2"
	"charm.land/lipgloss/v2"

	"github.com/tokenbench/tokenbench/tokens"
)

// Styles is the workbench's one stylesheet: every colour and text attribute the UI uses,
// under a semantic name. It is built once for a dark or light background, or without any
// colour when NO_COLOR is set; nothing outside this file creates a style.
type Styles struct {
	NoColor bool

	App       lipgloss.Style
	Title     lipgloss.Style
	Example   lipgloss.Style // the banner that marks the built-in example token
	Section   lipgloss.Style
	Muted     lipgloss.Style
	ClaimName lipgloss.Style
	Value     lipgloss.Style
	Marker    map[tokens.Category]lipgloss.Style

	Fresh    lipgloss.Style
	Soon     lipgloss.Style
	Expired  lipgloss.Style
	BarEmpty lipgloss.Style

	Info   lipgloss.Style
	Warn   lipgloss.Style
	Danger lipgloss.Style
	Pass   lipgloss.Style
	Fail   lipgloss.Style
	Skip   lipgloss.Style

	Pane        lipgloss.Style // the list pane's frame
	Selected    lipgloss.Style // the selected list row
	Unselected  lipgloss.Style
	StatusBar   lipgloss.Style
	StatusError lipgloss.Style
	Action      lipgloss.Style // an explicitly labelled action the user may take

	Help      help.Styles
	TextArea  textarea.Styles
	TextInput textinput.Styles
	Form      huh.Theme // the tenant editor

	// Live holds the styles of the rows that change every second, reduced to paints.
	Live LiveStyles
}

// LiveStyles are the styles of live rows (countdowns, the lifetime bar, relative times)
// as Paints: they are applied every second, where lipgloss.Style.Render, which handles
// widths, borders and margins, costs far more than the text it styles.
type LiveStyles struct {
	Fresh, Soon, Expired, BarEmpty, Muted, Title, Selected Paint
}

// Paint is a style reduced to the escape sequences around its text. It applies colour
// and attributes only, to one line of text.
type Paint struct{ pre, post string }

// paintOf reduces st to a Paint. st must set nothing but colours and attributes.
func paintOf(st lipgloss.Style) Paint {
	const mark = "\uE000" // a private-use character: one cell, never in our styles
	r := st.Render(mark)
	i := strings.Index(r, mark)
	if i < 0 {
		return Paint{}
	}
	return Paint{pre: r[:i], post: r[i+len(mark):]}
}

// Render paints s.
func (p Paint) Render(s string) string {
	if p.pre == "" && p.post == "" {
		return s
	}
	return p.pre + s + p.post
}

// NewStyles builds the stylesheet for a dark or light terminal background. With noColor
// (the NO_COLOR convention) it uses text attributes only — bold, faint, reverse — so that
// nothing a user needs to see is carried by colour alone.
func NewStyles(dark, noColor bool) Styles {
	ld := lipgloss.LightDark(dark)
	c := func(light, darkc string) lipgloss.Style {
		if noColor {
			return lipgloss.NewStyle()
		}
		return lipgloss.NewStyle().Foreground(ld(lipgloss.Color(light), lipgloss.Color(darkc)))
	}
	s := Styles{NoColor: noColor}
	s.App = lipgloss.NewStyle()
	s.Title = c("#5A3FC0", "#B9A5FF").Bold(true)
	s.Example = c("#8A5A00", "#FFCB6B").Bold(true)
	s.Section = c("#1F5FAD", "#7FB4FF").Bold(true)
	s.Muted = c("#6B6B6B", "#8A8A8A").Faint(noColor)
	s.ClaimName = c("#00585E", "#7FD8D0").Bold(true)
	s.Value = lipgloss.NewStyle()
	s.Fresh = c("#2E7D32", "#8BD88F")
	s.Soon = c("#B35C00", "#FFB454").Bold(true)
	s.Expired = c("#C62828", "#FF7A7A").Bold(true)
	s.BarEmpty = c("#B0B0B0", "#4A4A4A").Faint(noColor)
	s.Info = c("#1F5FAD", "#7FB4FF")
	s.Warn = s.Soon
	s.Danger = s.Expired
	s.Pass = s.Fresh
	s.Fail = s.Expired
	s.Skip = s.Muted
	s.Marker = map[tokens.Category]lipgloss.Style{
		tokens.CatHeader:     c("#1F5FAD", "#7FB4FF"),
		tokens.CatRegistered: c("#1F5FAD", "#7FB4FF"),
		tokens.CatAccess:     c("#2E7D32", "#8BD88F"),
		tokens.CatOIDC:       c("#6A1B9A", "#D7A8FF"),
		tokens.CatAuth0:      c("#B35C00", "#FFB454"),
		tokens.CatProvider:   c("#B35C00", "#FFB454"),
		tokens.CatNamespaced: c("#00585E", "#7FD8D0").Italic(true),
		tokens.CatCustom:     c("#6B6B6B", "#8A8A8A"),
	}
	border := lipgloss.NormalBorder()
	s.Pane = lipgloss.NewStyle().Border(border, false, true, false, false)
	if !noColor {
		s.Pane = s.Pane.BorderForeground(ld(lipgloss.Color("#B0B0B0"), lipgloss.Color("#4A4A4A")))
	}
	s.Selected = lipgloss.NewStyle().Reverse(noColor).Bold(true)
	if !noColor {
		s.Selected = s.Selected.Foreground(ld(lipgloss.Color("#FFFFFF"), lipgloss.Color("#1A1A1A"))).
			Background(ld(lipgloss.Color("#5A3FC0"), lipgloss.Color("#B9A5FF")))
	}
	s.Unselected = lipgloss.NewStyle()
	s.StatusBar = c("#3A3A3A", "#C8C8C8")
	s.StatusError = s.Expired
	s.Action = c("#5A3FC0", "#B9A5FF").Underline(true)
	// Built once: huh asks its theme for styles on every field render.
	form := huh.ThemeCharm(dark)
	if noColor {
		form = huh.ThemeBase(dark)
	}
	s.Form = huh.ThemeFunc(func(bool) *huh.Styles { return form })
	s.Help = help.DefaultStyles(dark)
	s.TextArea = textarea.DefaultStyles(dark)
	s.TextArea.Cursor.Blink = false // a blinking cursor would redraw twice a second for nothing
	s.TextInput = textinput.DefaultStyles(dark)
	s.TextInput.Cursor.Blink = false
	if noColor {
		plain := lipgloss.NewStyle()
		s.Help = help.Styles{Ellipsis: plain, ShortKey: plain.Bold(true), ShortDesc: plain, ShortSeparator: plain,
			FullKey: plain.Bold(true), FullDesc: plain, FullSeparator: plain}
		st := textarea.StyleState{Base: plain, Text: plain, LineNumber: plain, CursorLineNumber: plain,
			CursorLine: plain, EndOfBuffer: plain, Placeholder: plain.Faint(true), Prompt: plain, Selection: plain.Reverse(true)}
		s.TextArea.Focused, s.TextArea.Blurred = st, st
		ti := textinput.StyleState{Text: plain, Placeholder: plain.Faint(true), Suggestion: plain.Faint(true), Prompt: plain.Bold(true)}
		s.TextInput.Focused, s.TextInput.Blurred = ti, ti
	}
	s.Live = LiveStyles{Fresh: paintOf(s.Fresh), Soon: paintOf(s.Soon), Expired: paintOf(s.Expired),
		BarEmpty: paintOf(s.BarEmpty), Muted: paintOf(s.Muted), Title: paintOf(s.Title), Selected: paintOf(s.Selected)}
	return s
}

// expiryPaint picks the paint for a token's expiry state: the lifetime bar, the countdown
// and the list row all change together.
func (s Styles) expiryPaint(st tokens.ExpiryState) Paint {
	switch st {
	case tokens.ExpiringSoon:
		return s.Live.Soon
	case tokens.Expired, tokens.NotYetValid:
		return s.Live.Expired
	case tokens.Fresh:
		return s.Live.Fresh
	}
	return s.Live.Muted
}

// severityStyle picks the style for a lint.
func (s Styles) severityStyle(sev tokens.Severity) lipgloss.Style {
	switch sev {
	case tokens.Danger:
		return s.Danger
	case tokens.Warn:
		return s.Warn
	}
	return s.Info
}
