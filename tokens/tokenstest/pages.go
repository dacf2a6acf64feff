package tokenstest

import (
	"html/template"
	"net/http"

	"github.com/zitadel/oidc/v3/pkg/op"
)

// The pages are deliberately plain forms: a person can use them in a browser while
// debugging, and the headless browser of the tests submits them the same way.
var pages = template.Must(template.New("login").Parse(`<!DOCTYPE html>
<title>tokenstest login</title>
<form method="POST" action="/login">
<input type="hidden" name="id" value="{{.ID}}">
<p>{{.Error}}</p>
<label>Username <input name="username"></label>
<label>Password <input name="password" type="password"></label>
<button>Log in</button>
</form>
{{define "device"}}<!DOCTYPE html>
<title>tokenstest device</title>
<form method="POST" action="/device">
<p>{{.Error}}</p>
<label>Code <input name="user_code" value="{{.UserCode}}"></label>
<label>Username <input name="username"></label>
<label>Password <input name="password" type="password"></label>
<button name="action" value="allow">Allow</button>
<button name="action" value="deny">Deny</button>
</form>
{{end}}`))

// loginPage shows the login form for an authorization request (GET ?authRequestID=) and
// checks it (POST), sending the browser back to the provider's callback on success, as
// zitadel's example login does.
func (p *Provider) loginPage(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if r.Method != http.MethodPost {
		_ = pages.Execute(w, map[string]string{"ID": r.Form.Get("authRequestID")})
		return
	}
	id := r.PostForm.Get("id")
	if err := p.store.CheckUsernamePassword(r.PostForm.Get("username"), r.PostForm.Get("password"), id); err != nil {
		w.WriteHeader(http.StatusUnauthorized)
		_ = pages.Execute(w, map[string]string{"ID": id, "Error": err.Error()})
		return
	}
	http.Redirect(w, r, op.AuthCallbackURL(p.op)(r.Context(), id), http.StatusFound)
}

// devicePage is the verification URI: GET shows the form (prefilled from
// verification_uri_complete), POST logs the user in and allows or denies the device.
func (p *Provider) devicePage(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	code := r.Form.Get("user_code")
	if r.Method != http.MethodPost {
		_ = pages.ExecuteTemplate(w, "device", map[string]string{"UserCode": code})
		return
	}
	fail := func(status int, msg string) {
		w.WriteHeader(status)
		_ = pages.ExecuteTemplate(w, "device", map[string]string{"UserCode": code, "Error": msg})
	}
	user := r.PostForm.Get("username")
	if err := p.store.CheckUsernamePasswordSimple(user, r.PostForm.Get("password")); err != nil {
		fail(http.StatusUnauthorized, err.Error())
		return
	}
	if _, err := p.store.GetDeviceAuthorizationByUserCode(r.Context(), code); err != nil {
		fail(http.StatusNotFound, err.Error())
		return
	}
	var err error
	switch r.PostForm.Get("action") {
	case "allow":
		err = p.store.CompleteDeviceAuthorization(r.Context(), code, user)
	case "deny":
		err = p.store.DenyDeviceAuthorization(r.Context(), code)
	default:
		fail(http.StatusBadRequest, "action must be allow or deny")
		return
	}
	if err != nil {
		fail(http.StatusInternalServerError, err.Error())
		return
	}
	_, _ = w.Write([]byte("Device authorization done (" + r.PostForm.Get("action") + "). You can return to your device.\n"))
}
